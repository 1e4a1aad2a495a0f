package io.mosaik.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.SecretKey;
import io.mosaik.primitives.Tag;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogTest {

    private static final NetworkId NETWORK = NetworkId.of("discovery-test");
    private static final Duration PURGE_AFTER = Duration.ofSeconds(300);
    private static final long NOW = 1_000_000;

    private final SecretKey localKey = SecretKey.random();
    private final Catalog empty = Catalog.of(signed(localKey, NETWORK, NOW), PURGE_AFTER);

    private static SignedPeerEntry signed(SecretKey key, NetworkId network, long at) {
        PeerEntry entry = PeerEntry.create(network, new PeerAddress(key.peerId(), "127.0.0.1", 7400),
                List.of(Tag.of("node")), at);
        return SignedPeerEntry.sign(entry, key);
    }

    @Test
    void aNewPeerIsAddedAndANewerVersionReplacesIt() {
        SecretKey peer = SecretKey.random();
        SignedPeerEntry first = signed(peer, NETWORK, NOW);
        Catalog.Upserted added = empty.upsert(first, NOW);
        assertThat(added.outcome()).isEqualTo(Catalog.Outcome.NEW);
        assertThat(added.catalog().getSigned(peer.peerId(), NOW)).contains(first);
        assertThat(empty.signedPeers(NOW)).isEmpty(); // the old snapshot did not change

        SignedPeerEntry newer = SignedPeerEntry.sign(first.entry().bumped(NOW + 10), peer);
        Catalog.Upserted updated = added.catalog().upsert(newer, NOW + 10);
        assertThat(updated.outcome()).isEqualTo(Catalog.Outcome.UPDATED);
        assertThat(updated.catalog().getSigned(peer.peerId(), NOW + 10)).contains(newer);
    }

    @Test
    void aReplayedOlderVersionChangesNothing() {
        SecretKey peer = SecretKey.random();
        SignedPeerEntry old = signed(peer, NETWORK, NOW);
        SignedPeerEntry newer = SignedPeerEntry.sign(old.entry().bumped(NOW + 10), peer);
        Catalog catalog = empty.upsert(newer, NOW).catalog();
        Catalog.Upserted replay = catalog.upsert(old, NOW);
        assertThat(replay.outcome()).isEqualTo(Catalog.Outcome.REJECTED);
        assertThat(replay.catalog()).isSameAs(catalog);
        assertThat(catalog.upsert(newer, NOW).outcome()).isEqualTo(Catalog.Outcome.REJECTED);
    }

    @Test
    void forgedForeignStaleAndLocalEntriesAreRefused() {
        SecretKey peer = SecretKey.random();
        // forged: a newer version of the peer's entry signed by someone else
        SignedPeerEntry genuine = signed(peer, NETWORK, NOW);
        SignedPeerEntry forged = new SignedPeerEntry(genuine.entry().bumped(NOW + 1),
                SecretKey.random().sign(SignedPeerEntry.digest(genuine.entry().bumped(NOW + 1)).toBytes()));
        assertThat(empty.upsert(forged, NOW).outcome()).isEqualTo(Catalog.Outcome.INVALID_SIGNATURE);

        assertThat(empty.upsert(signed(peer, NetworkId.of("other"), NOW), NOW).outcome())
                .isEqualTo(Catalog.Outcome.DIFFERENT_NETWORK);
        long longAgo = NOW - PURGE_AFTER.toMillis() - 1;
        assertThat(empty.upsert(signed(peer, NETWORK, longAgo), NOW).outcome()).isEqualTo(Catalog.Outcome.OUTDATED);
        assertThat(empty.upsert(signed(localKey, NETWORK, NOW + 5), NOW).outcome()).isEqualTo(Catalog.Outcome.LOCAL);
        assertThat(empty.signedPeers(NOW)).isEmpty();
    }

    @Test
    void stalePeersArePurgedAndHiddenButTheLocalEntryStays() {
        SecretKey peer = SecretKey.random();
        Catalog catalog = empty.upsert(signed(peer, NETWORK, NOW), NOW).catalog();
        long later = NOW + PURGE_AFTER.toMillis() + 1;
        assertThat(catalog.getSigned(peer.peerId(), later)).isEmpty();
        var purged = catalog.purgeStale(later);
        assertThat(purged.getValue()).extracting(entry -> entry.entry().peerId()).containsExactly(peer.peerId());
        assertThat(purged.getKey().signedPeers(later)).isEmpty();
        assertThat(purged.getKey().snapshotForSync(later)).containsExactly(catalog.local());
    }

    @Test
    void unsignedEntriesAreLocalOnlyAndGiveWayToSignedOnes() {
        SecretKey peer = SecretKey.random();
        PeerEntry hint = signed(peer, NETWORK, NOW).entry();
        Catalog withHint = empty.insertUnsigned(hint);
        assertThat(withHint.unsignedPeers()).containsExactly(hint);
        assertThat(withHint.snapshotForSync(NOW)).containsExactly(empty.local());
        assertThat(withHint.peersCount(NOW)).isEqualTo(1);

        Catalog signedNow = withHint.upsert(signed(peer, NETWORK, NOW + 1), NOW + 1).catalog();
        assertThat(signedNow.unsignedPeers()).isEmpty();
        assertThat(signedNow.insertUnsigned(hint)).isSameAs(signedNow);
        assertThat(empty.insertUnsigned(empty.local().entry())).isSameAs(empty);
    }

    @Test
    void aDepartureRemovesThePeerAndKeepsLaggingCopiesOut() {
        SecretKey peer = SecretKey.random();
        SignedPeerEntry entry = signed(peer, NETWORK, NOW);
        Catalog known = empty.upsert(entry, NOW).catalog();

        var departed = known.depart(peer.peerId(), entry.entry().version());
        assertThat(departed.getValue()).isTrue();
        Catalog after = departed.getKey();
        assertThat(after.getSigned(peer.peerId(), NOW)).isEmpty();
        // a node that has not heard of the departure syncs the old entry back: refused
        assertThat(after.upsert(entry, NOW + 5).outcome()).isEqualTo(Catalog.Outcome.DEPARTED);
        // the same key started again (a later start): accepted, and the departure is forgotten
        SignedPeerEntry restarted = signed(peer, NETWORK, NOW + 100);
        Catalog.Upserted back = after.upsert(restarted, NOW + 100);
        assertThat(back.outcome()).isEqualTo(Catalog.Outcome.NEW);
        assertThat(back.catalog().hasDeparted(peer.peerId())).isFalse();
    }

    @Test
    void aDepartureOlderThanTheKnownVersionDoesNotRemoveThePeer() {
        SecretKey peer = SecretKey.random();
        SignedPeerEntry first = signed(peer, NETWORK, NOW);
        SignedPeerEntry newer = SignedPeerEntry.sign(first.entry().bumped(NOW + 10), peer);
        Catalog known = empty.upsert(newer, NOW + 10).catalog();
        var result = known.depart(peer.peerId(), first.entry().version());
        assertThat(result.getValue()).isFalse();
        assertThat(result.getKey().getSigned(peer.peerId(), NOW + 10)).contains(newer);
        assertThat(known.depart(localKey.peerId(), first.entry().version()).getValue()).isFalse();
    }

    @Test
    void aDepartureOfAnUnknownPeerIsRememberedUntilItsEntriesWouldBeStale() {
        SecretKey peer = SecretKey.random();
        SignedPeerEntry entry = signed(peer, NETWORK, NOW);
        Catalog after = empty.depart(peer.peerId(), entry.entry().version()).getKey();
        assertThat(after.hasDeparted(peer.peerId())).isTrue();
        assertThat(after.upsert(entry, NOW).outcome()).isEqualTo(Catalog.Outcome.DEPARTED);
        long later = NOW + PURGE_AFTER.toMillis() + 1;
        Catalog purged = after.purgeStale(later).getKey();
        assertThat(purged.hasDeparted(peer.peerId())).isFalse();
        assertThat(purged.upsert(entry, later).outcome()).isEqualTo(Catalog.Outcome.OUTDATED);
    }
}
