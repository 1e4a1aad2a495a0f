package io.mosaik.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.primitives.SecretKey;
import org.junit.jupiter.api.Test;

class PeerAddressTest {

    private final String peer = SecretKey.random().peerId().toHex();

    @Test
    void parsesIpv4AndIpv6AndPrintsTheSameText() {
        PeerAddress v4 = PeerAddress.parse(peer + "@127.0.0.1:7400");
        assertThat(v4.host()).isEqualTo("127.0.0.1");
        assertThat(v4.port()).isEqualTo(7400);
        assertThat(v4.toString()).isEqualTo(peer + "@127.0.0.1:7400");
        PeerAddress v6 = PeerAddress.parse(peer + "@[::1]:7400");
        assertThat(v6.host()).isEqualTo("::1");
        assertThat(PeerAddress.parse(v6.toString())).isEqualTo(v6);
    }

    @Test
    void explainsWhatIsWrong() {
        assertThatThrownBy(() -> PeerAddress.parse("127.0.0.1:7400")).hasMessageContaining("peerId@host:port");
        assertThatThrownBy(() -> PeerAddress.parse("abc@127.0.0.1:7400")).hasMessageContaining("bad peer id");
        assertThatThrownBy(() -> PeerAddress.parse(peer + "@127.0.0.1")).hasMessageContaining("port is missing");
        assertThatThrownBy(() -> PeerAddress.parse(peer + "@127.0.0.1:x")).hasMessageContaining("bad port");
        assertThatThrownBy(() -> PeerAddress.parse(peer + "@127.0.0.1:70000")).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> PeerAddress.parse(peer + "@::1:7400")).hasMessageContaining("brackets");
    }
}
