package io.mosaik.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.Digest;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.SecretKey;
import io.mosaik.primitives.Tag;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerEntryTest {

    private static final NetworkId NETWORK = NetworkId.of("discovery-test");
    private final SecretKey key = SecretKey.random();
    private final PeerAddress address = new PeerAddress(key.peerId(), "127.0.0.1", 7400);

    @Test
    void versionsIncreaseEvenWhenTheClockGoesBack() {
        EntryVersion first = EntryVersion.initial(1_000);
        EntryVersion second = first.next(500); // clock went backwards
        assertThat(second).isEqualTo(new EntryVersion(1_000, 1_001));
        assertThat(second.isNewerThan(first)).isTrue();
        // a restarted node (later start) beats any update of its previous run
        assertThat(EntryVersion.initial(2_000).isNewerThan(new EntryVersion(1_000, 1_000_000))).isTrue();
    }

    @Test
    void changesBumpTheVersionOnlyWhenSomethingChanged() {
        PeerEntry entry = PeerEntry.create(NETWORK, address, List.of(Tag.of("matcher")), 1_000);
        assertThat(entry.withTags(List.of(Tag.of("matcher")), 2_000)).isSameAs(entry);
        PeerEntry tagged = entry.withTags(List.of(Tag.of("eu-west")), 2_000);
        assertThat(tagged.version()).isEqualTo(new EntryVersion(1_000, 2_001));
        assertThat(tagged.hasTag(Tag.of("eu-west"))).isTrue();
        assertThat(tagged.withoutTags(List.of(Tag.of("nope")), 3_000)).isSameAs(tagged);
        assertThat(tagged.withoutTags(List.of(Tag.of("eu-west")), 3_000).hasTag(Tag.of("eu-west"))).isFalse();
        Digest stream = Digest.of("quotes");
        PeerEntry producing = entry.withStream(stream, 2_000);
        assertThat(producing.withStream(stream, 3_000)).isSameAs(producing);
        assertThat(producing.streams()).containsExactly(stream);
    }

    @Test
    void theEncodingIsTheSameWhateverTheOrderOfTags() {
        PeerEntry ab = PeerEntry.create(NETWORK, address, List.of(Tag.of("a"), Tag.of("b")), 1_000);
        PeerEntry ba = PeerEntry.create(NETWORK, address, List.of(Tag.of("b"), Tag.of("a"), Tag.of("a")), 1_000);
        assertThat(ab.encode()).isEqualTo(ba.encode());
        assertThat(ab.tags()).hasSize(2);
    }

    @Test
    void theWireFormRoundTripsAndIsVerifiedOnTheWayIn() {
        PeerEntry entry = PeerEntry.create(NETWORK, new PeerAddress(key.peerId(), "::1", 7400),
                List.of(Tag.of("matcher"), Tag.of("eu-west")), 1_000).withStream(Digest.of("quotes"), 2_000)
                .withGroup(Digest.of("book"), 3_000);
        SignedPeerEntry signed = SignedPeerEntry.sign(entry, key);
        SignedPeerEntry back = SignedPeerEntry.fromBytes(signed.toBytes());
        assertThat(back).isEqualTo(signed);
        assertThat(back.entry().tags()).extracting(Tag::name).containsExactlyInAnyOrder("matcher", "eu-west");

        byte[] tampered = signed.toBytes();
        tampered[10] ^= 1;
        assertThatThrownBy(() -> SignedPeerEntry.fromBytes(tampered))
                .isInstanceOf(PeerEntry.MalformedEntryException.class);
    }

    @Test
    void malformedBytesAreRefusedWithoutCrashing() {
        byte[] good = SignedPeerEntry.sign(PeerEntry.create(NETWORK, address, List.of(Tag.of("a")), 1_000), key)
                .toBytes();
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 2_000; i++) {
            byte[] junk = i % 2 == 0 ? new byte[random.nextInt(300)]
                    : java.util.Arrays.copyOf(good, random.nextInt(good.length));
            if (i % 2 == 0) {
                random.nextBytes(junk);
            }
            assertThatThrownBy(() -> SignedPeerEntry.fromBytes(junk))
                    .isInstanceOf(PeerEntry.MalformedEntryException.class);
        }
        // a huge declared collection is refused before anything is allocated for it
        byte[] entry = PeerEntry.create(NETWORK, address, List.of(), 1_000).encode();
        java.nio.ByteBuffer.wrap(entry).putInt(entry.length - 12, Integer.MAX_VALUE);
        assertThatThrownBy(() -> PeerEntry.decode(entry)).hasMessageContaining("items");
    }

    @Test
    void onlyTheOwnerCanSignAndAnyChangeBreaksTheSignature() {
        PeerEntry entry = PeerEntry.create(NETWORK, address, List.of(Tag.of("matcher")), 1_000);
        SignedPeerEntry signed = SignedPeerEntry.sign(entry, key);
        assertThat(signed.verify()).isTrue();

        assertThatThrownBy(() -> SignedPeerEntry.sign(entry, SecretKey.random()))
                .hasMessageContaining("cannot sign the entry of");
        // the same signature on an entry with one more tag, or another address, no longer verifies
        assertThat(new SignedPeerEntry(entry.withTags(List.of(Tag.of("admin")), 2_000), signed.signature()).verify())
                .isFalse();
        assertThat(new SignedPeerEntry(entry.withAddress(new PeerAddress(key.peerId(), "127.0.0.1", 7500), 2_000),
                signed.signature()).verify()).isFalse();
        assertThatThrownBy(() -> entry.withAddress(new PeerAddress(SecretKey.random().peerId(), "127.0.0.1", 1), 2_000))
                .hasMessageContaining("peer id cannot change");
    }
}
