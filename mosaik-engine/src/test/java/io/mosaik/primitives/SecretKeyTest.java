package io.mosaik.primitives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretKeyTest {

    @TempDir
    Path dir;

    @Test
    void signsAndTheItsPeerIdVerifies() {
        SecretKey key = SecretKey.random();
        byte[] message = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] signature = key.sign(message);
        assertThat(key.peerId().verify(message, signature)).isTrue();
        assertThat(key.peerId().verify("hellO".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
        assertThat(SecretKey.random().peerId().verify(message, signature)).isFalse();
        assertThat(key.peerId().verify(message, new byte[10])).isFalse();
    }

    @Test
    void rfc8032TestVectorOne() {
        // RFC 8032 §7.1 TEST 1: secret key seed and its public key
        SecretKey key = SecretKey.parse("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        assertThat(key.peerId().toHex())
                .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        assertThat(java.util.HexFormat.of().formatHex(key.sign(new byte[0]))).isEqualTo(
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                        + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    }

    @Test
    void hexRoundTripsAndToStringHidesTheSecret() {
        SecretKey key = SecretKey.random();
        assertThat(SecretKey.parse(key.toHex()).peerId()).isEqualTo(key.peerId());
        assertThat(key.toString()).doesNotContain(key.toHex()).contains(key.peerId().toShortString());
        assertThat(PeerId.parse(key.peerId().toHex())).isEqualTo(key.peerId());
    }

    @Test
    void malformedKeysAreRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> SecretKey.parse("deadbeef")).hasMessageContaining("64 hex characters")
                .hasMessageNotContaining("deadbeef");
        assertThatThrownBy(() -> PeerId.parse("nothex")).hasMessageContaining("64 hex characters");
    }

    @Test
    void aPassphraseGivesAStableKey() {
        assertThat(SecretKey.fromPassphrase("beacon").peerId()).isEqualTo(SecretKey.fromPassphrase("beacon").peerId());
        assertThat(SecretKey.fromPassphrase("beacon").peerId()).isNotEqualTo(SecretKey.fromPassphrase("other").peerId());
    }

    @Test
    void keyFileIsCreatedOwnerOnlyAndReusedNextTime() throws Exception {
        Path file = dir.resolve("sub/node.key");
        SecretKey first = SecretKey.loadOrCreate(file);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(SecretKey.loadOrCreate(file).peerId()).isEqualTo(first.peerId());
    }

    @Test
    void aKeyFileWithGarbageIsAClearError() throws Exception {
        Path file = dir.resolve("bad.key");
        Files.writeString(file, "not a key");
        assertThatThrownBy(() -> SecretKey.loadOrCreate(file)).hasMessageContaining(file.toString())
                .hasMessageContaining("delete it");
    }
}
