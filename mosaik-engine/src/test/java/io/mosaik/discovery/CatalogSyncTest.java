package io.mosaik.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.network.Link;
import io.mosaik.network.Network;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.SecretKey;
import io.mosaik.primitives.Tag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two real nodes swap catalogs over the sync protocol. The nodes' own discovery already serves
 * {@link CatalogSync#PROTOCOL}; these tests drive the protocol by hand on a protocol name of their own,
 * with catalogs of their own, to see each step.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CatalogSyncTest {

    private static final NetworkId NETWORK = NetworkId.of("sync-test");
    private static final Duration PURGE_AFTER = Duration.ofSeconds(300);
    private static final String BY_HAND = "test/catalog-sync";

    /** A node's catalog, merged under a lock the way the discovery shell will do it. */
    private static final class Node implements AutoCloseable {
        final SecretKey key = SecretKey.random();
        final Network network;
        final AtomicReference<Catalog> catalog = new AtomicReference<>();

        Node(String tag) throws Exception {
            network = Network.builder(NETWORK).secretKey(key).start();
            PeerEntry local = PeerEntry.create(NETWORK, network.address(), List.of(Tag.of(tag)),
                    System.currentTimeMillis());
            catalog.set(Catalog.of(SignedPeerEntry.sign(local, key), PURGE_AFTER));
            network.handle(BY_HAND, link -> CatalogSync.accept(link, snapshot(), this::merge));
        }

        List<SignedPeerEntry> snapshot() {
            return catalog.get().snapshotForSync(System.currentTimeMillis());
        }

        void merge(List<SignedPeerEntry> entries) {
            catalog.updateAndGet(current -> {
                Catalog next = current;
                for (SignedPeerEntry entry : entries) {
                    next = next.upsert(entry, System.currentTimeMillis()).catalog();
                }
                return next;
            });
        }

        void syncWith(Node other) throws Exception {
            Link link = network.openLink(other.network.address(), BY_HAND).get(30, TimeUnit.SECONDS);
            merge(CatalogSync.initiate(link, snapshot()));
        }

        List<String> knownTags() {
            List<String> tags = new ArrayList<>();
            catalog.get().signedPeers(System.currentTimeMillis())
                    .forEach(entry -> entry.entry().tags().forEach(tag -> tags.add(tag.name())));
            return tags;
        }

        @Override
        public void close() {
            network.close();
        }
    }

    @Test
    void aSyncSpreadsWhatEachSideKnows() throws Exception {
        try (Node a = new Node("a"); Node b = new Node("b"); Node c = new Node("c")) {
            b.syncWith(a); // a and b know each other
            c.syncWith(b); // c learns a through b, b learns c
            assertThat(c.knownTags()).containsExactlyInAnyOrder("a", "b");
            assertThat(b.knownTags()).containsExactlyInAnyOrder("a", "c");
            // the acceptor merged before it replied: a knew b before b's first sync returned
            assertThat(a.knownTags()).containsExactly("b");
        }
    }

    @Test
    void aSnapshotWithOneForgedEntryIsRefusedWhole() throws Exception {
        try (Node a = new Node("a"); Node mallory = new Node("mallory")) {
            SignedPeerEntry genuine = mallory.snapshot().getFirst();
            SignedPeerEntry forged = new SignedPeerEntry(genuine.entry().withTags(List.of(Tag.of("admin")), 1),
                    genuine.signature());
            byte[] snapshot = CatalogSync.encode(List.of(genuine, forged));

            Link link = mallory.network.openLink(a.network.address(), BY_HAND).get(30, TimeUnit.SECONDS);
            link.sendBytes(snapshot);
            assertThatThrownBy(link::receiveBytes).isInstanceOf(LinkClosedException.class)
                    .satisfies(e -> assertThat(((LinkClosedException) e).reason()).isEqualTo(CloseReason.PROTOCOL_VIOLATION));
            assertThat(a.knownTags()).isEmpty();
        }
    }

    @Test
    void malformedSnapshotsAreRefused() {
        assertThatThrownBy(() -> CatalogSync.decode(new byte[] {0x7f, 0, 0, 0})).hasMessageContaining("entries");
        assertThatThrownBy(() -> CatalogSync.decode(new byte[] {0, 0, 0, 1, 0, 0, 0, 9, 1}))
                .hasMessageContaining("bytes");
        assertThat(CatalogSync.decode(CatalogSync.encode(List.of()))).isEmpty();
    }
}
