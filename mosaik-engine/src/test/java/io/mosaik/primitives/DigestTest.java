package io.mosaik.primitives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {

    @Test
    void hashesWithBlake3KnownVectors() {
        assertThat(Digest.hash(new byte[0]).toHex())
                .isEqualTo("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
        assertThat(Digest.hash("abc".getBytes(StandardCharsets.US_ASCII)).toHex())
                .isEqualTo("6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85");
        // official BLAKE3 test vector, input length 1 (the byte 0)
        assertThat(Digest.hash(new byte[] {0}).toHex())
                .isEqualTo("2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213");
    }

    @Test
    void aStringOf64HexCharactersIsTheIdItself() {
        String hex = "6437B3AC38465133FFB63B75273A8DB548C558465D79DB03FD359C6CD5BD9D85";
        assertThat(Digest.of(hex).toHex()).isEqualTo(hex.toLowerCase());
        assertThat(Digest.of(hex.getBytes(StandardCharsets.US_ASCII))).isEqualTo(Digest.of(hex));
    }

    @Test
    void anyOtherStringIsHashed() {
        assertThat(Digest.of("abc")).isEqualTo(Digest.hash("abc".getBytes(StandardCharsets.UTF_8)));
        // 63 hex characters is not an id: hashed
        String almost = "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d8";
        assertThat(Digest.of(almost)).isEqualTo(Digest.hash(almost.getBytes(StandardCharsets.UTF_8)));
        // 64 characters that are not all hex: hashed
        String notHex = "g437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85";
        assertThat(Digest.of(notHex)).isEqualTo(Digest.hash(notHex.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void deriveHashesTheIdFollowedByTheInfo() {
        Digest base = Digest.of("network");
        byte[] joined = new byte[32 + 3];
        System.arraycopy(base.toBytes(), 0, joined, 0, 32);
        System.arraycopy("tag".getBytes(StandardCharsets.UTF_8), 0, joined, 32, 3);
        assertThat(base.derive("tag")).isEqualTo(Digest.hash(joined));
        assertThat(base.hashed()).isEqualTo(Digest.hash(base.toBytes()));
        assertThat(Digest.fromParts(base.toBytes(), "tag".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(base.derive("tag"));
    }

    @Test
    void numbersGoLittleEndianAtTheEnd() {
        byte[] bytes = Digest.fromLong(0x0102).toBytes();
        assertThat(bytes[24]).isEqualTo((byte) 0x02);
        assertThat(bytes[25]).isEqualTo((byte) 0x01);
        assertThat(bytes[0]).isZero();
        assertThat(Digest.fromLong(0)).isEqualTo(Digest.zero());
    }

    @Test
    void ordersBytesUnsignedAndRoundTripsText() {
        Digest low = Digest.fromLong(1);
        Digest high = Digest.parseHex("ff" + "00".repeat(31));
        assertThat(low).isLessThan(high);
        assertThat(Digest.parseHex(high.toString())).isEqualTo(high);
        assertThat(high.toShortString()).isEqualTo("ff00000000");
        assertThat(Digest.random()).isNotEqualTo(Digest.random());
    }

    @Test
    void aDigestIsNeverEqualToAPeerIdWithTheSameBytes() {
        PeerId peer = SecretKey.random().peerId();
        Digest digest = Digest.fromBytes(peer.toBytes());
        assertThat((Object) digest).isNotEqualTo(peer);
        assertThat(digest.toHex()).isEqualTo(peer.toHex());
        assertThat(digest).isEqualTo(Digest.parseHex(peer.toHex()));
    }

    @Test
    void rejectsMalformedInputWithAClearMessage() {
        assertThatThrownBy(() -> Digest.parseHex("xyz")).hasMessageContaining("64 hex characters");
        assertThatThrownBy(() -> Digest.fromBytes(new byte[31])).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> NetworkId.of(" ")).hasMessageContaining("mosaik.network-id");
    }

    @Test
    void networkIdsAndTagsFollowTheStringRule() {
        assertThat(NetworkId.of("demo").digest()).isEqualTo(Digest.of("demo"));
        assertThat(Tag.of("matcher").digest()).isEqualTo(Digest.of("matcher"));
        assertThat(Tag.of("matcher").toString()).isEqualTo("matcher");
    }
}
