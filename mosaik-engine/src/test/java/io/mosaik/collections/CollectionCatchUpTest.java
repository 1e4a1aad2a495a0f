package io.mosaik.collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.network.Network;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.PeerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Collections over time: a late reader catches up by snapshot (from several members when it is large); a
 * writer's node goes away mid-load; a writer whose group lost its quorum hands its writes back.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CollectionCatchUpTest {

    private static final NetworkId NETWORK = NetworkId.of("collections-catch-up-test");
    private final List<Network> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(Network::close);
    }

    private Network node() throws Exception {
        Network.Builder builder = Network.builder(NETWORK).meterRegistry(new SimpleMeterRegistry());
        if (!nodes.isEmpty()) {
            builder.bootstrap(List.of(nodes.getFirst().address()));
        }
        Network node = builder.start();
        nodes.add(node);
        return node;
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(60, TimeUnit.SECONDS);
    }

    @Test
    void aReaderThatJoinsAfter100000WritesCatchesUpBySnapshot() throws Exception {
        List<ReplicatedMapWriter<Integer, String>> writers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            writers.add(node().collections().map("big", Integer.class, String.class)
                    .config(CollectionsClusterTest.CONFIG).writer());
        }
        for (ReplicatedMapWriter<Integer, String> writer : writers) {
            get(writer.when().online());
        }
        ReplicatedMapWriter<Integer, String> writer = writers.getFirst();
        Semaphore window = new Semaphore(512);
        List<CompletableFuture<Version>> writes = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            window.acquire();
            CompletableFuture<Version> write = writer.put(i % 60_000, "value-" + i);
            write.whenComplete((v, e) -> window.release());
            writes.add(write);
        }
        Version last = Version.ZERO;
        for (CompletableFuture<Version> write : writes) {
            Version v = get(write);
            last = v.compareTo(last) > 0 ? v : last;
        }
        assertThat(writer.size()).isEqualTo(60_000);
        assertThat(writer.status().storage().firstIndex()).as("the log was compacted behind a snapshot")
                .isGreaterThan(1);

        Network late = node();
        ReplicatedMap<Integer, String> reader = late.collections().map("big", Integer.class, String.class)
                .config(CollectionsClusterTest.CONFIG).reader();
        get(reader.when().reaches(last));
        assertThat(reader.asMap()).isEqualTo(writer.asMap());
        assertThat(reader.get(59_999)).contains("value-59999");
        assertThat(reader.get(0)).contains("value-60000");
        FunctionCounter syncs = late.meterRegistry().find("mosaik.collections.syncs").tag("store", "big")
                .functionCounter();
        assertThat(syncs.count()).as("the reader installed a snapshot rather than replaying 100,000 entries")
                .isGreaterThanOrEqualTo(1);
        assertThat(late.collections().list()).singleElement().satisfies(info -> {
            assertThat(info.role()).isEqualTo(CollectionRole.READER);
            assertThat(info.size()).isEqualTo(60_000);
            assertThat(info.syncs()).isGreaterThanOrEqualTo(1);
        });
    }

    @Test
    void aLateReaderFetchesALargeSnapshotFromMembersOtherThanTheLeader() throws Exception {
        // Every 50 writes a snapshot; 120 values of 64 KiB make the last one (at 100) about 6 MiB, three
        // times the 2 MiB window of chunks the leader sends ahead, so the rest is asked of the others.
        CollectionConfig config = CollectionsClusterTest.CONFIG.withSnapshots(50, 5);
        List<ReplicatedMapWriter<Integer, String>> writers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            writers.add(node().collections().map("large", Integer.class, String.class).config(config).writer());
        }
        for (ReplicatedMapWriter<Integer, String> writer : writers) {
            get(writer.when().online());
        }
        ReplicatedMapWriter<Integer, String> writer = writers.getFirst();
        String filler = "x".repeat(64 * 1024);
        Version last = Version.ZERO;
        for (int i = 0; i < 120; i++) {
            last = get(writer.put(i, i + filler));
        }
        long snapshotAt = last.index() / 50 * 50;
        for (ReplicatedMapWriter<Integer, String> member : writers) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(member.status().storage())
                    .as("every member holds the same latest snapshot, which others fetch from")
                    .satisfies(storage -> {
                        assertThat(storage.snapshotIndex()).isEqualTo(snapshotAt);
                        assertThat(storage.snapshotBytes()).isGreaterThan(4L << 20);
                        assertThat(storage.firstIndex()).isGreaterThan(1);
                    }));
        }

        Network late = node();
        ReplicatedMap<Integer, String> reader = late.collections().map("large", Integer.class, String.class)
                .config(config).reader();
        get(reader.when().reaches(last));
        assertThat(reader.asMap()).isEqualTo(writer.asMap());
        assertThat(reader.size()).isEqualTo(120);
        assertThat(late.collections().list()).singleElement()
                .satisfies(info -> assertThat(info.syncs()).as("caught up by a snapshot").isGreaterThanOrEqualTo(1));
        io.micrometer.core.instrument.Counter fetched = late.meterRegistry()
                .find("mosaik.groups.snapshot.chunks.fetched").tag("group", reader.groupId().toShortString()).counter();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(fetched.count())
                .as("snapshot chunks that came from members other than the leader").isPositive());
    }

    @Test
    void aWriterWhoseGroupLostItsQuorumGoesOfflineAndHandsEveryWriteBack() throws Exception {
        List<ReplicatedMapWriter<String, Long>> maps = new ArrayList<>();
        List<ReplicatedVecWriter<String>> vecs = new ArrayList<>();
        List<ReplicatedPriorityQueueWriter<Integer, String, String>> queues = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ReplicatedCollections collections = node().collections();
            maps.add(collections.map("accounts", String.class, Long.class).config(CollectionsClusterTest.CONFIG).writer());
            vecs.add(collections.vec("journal", String.class).config(CollectionsClusterTest.CONFIG).writer());
            queues.add(collections.priorityQueue("orders", Integer.class, String.class, String.class)
                    .config(CollectionsClusterTest.CONFIG).writer());
        }
        ReplicatedMap<String, Long> reader = node().collections().map("accounts", String.class, Long.class)
                .config(CollectionsClusterTest.CONFIG).reader();
        List<ReplicatedCollection> survivors = List.of(maps.get(2), vecs.get(2), queues.get(2), reader);
        for (ReplicatedCollection handle : survivors) {
            get(handle.when().online());
        }
        ReplicatedMapWriter<String, Long> map = maps.get(2);
        get(reader.when().reaches(get(map.put("before", 1L))));
        CompletableFuture<Void> offline = map.when().offline();
        assertThat(offline).isNotDone();

        // Two of the three voters go: the third can elect no one, whoever led.
        nodes.get(0).close();
        nodes.get(1).close();
        get(offline);
        for (ReplicatedCollection handle : survivors) {
            get(handle.when().offline());
            assertThat(handle.isOnline()).as("%s", handle).isFalse();
        }

        assertThat(map.get("before")).as("reads go on from the replica").contains(1L);
        assertThat(reader.get("before")).contains(1L);
        assertOfflineWithInput(map.put("k", 2L), Map.entry("k", 2L));
        Map<String, Long> batch = Map.of("a", 1L, "b", 2L);
        assertOfflineWithInput(map.putAll(batch), batch);
        assertOfflineWithInput(vecs.get(2).pushBack("late"), "late");
        List<String> elements = List.of("x", "y");
        assertOfflineWithInput(vecs.get(2).extend(elements), elements);
        assertOfflineWithInput(queues.get(2).insert(5, "o-1", "sell"), new PriorityEntry<>(5, "o-1", "sell"));
        assertOfflineWithInput(queues.get(2).compareAndSetValue("o-1", "sell", null),
                java.util.Arrays.asList("o-1", "sell", null));
        assertThat(map.asMap()).as("nothing handed back was applied").containsExactly(Map.entry("before", 1L));
    }

    private static void assertOfflineWithInput(CompletableFuture<?> write, Object input) {
        assertThat(write).failsWithin(Duration.ofSeconds(30)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(CollectionOfflineException.class)
                .satisfies(e -> assertThat(((CollectionOfflineException) e).input()).isEqualTo(input));
    }

    @Test
    void whenAWritersNodeClosesAnotherWriterGoesOnAndNoAcknowledgedWriteIsLost() throws Exception {
        List<ReplicatedMapWriter<String, Long>> writers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            writers.add(node().collections().map("ledger", String.class, Long.class)
                    .config(CollectionsClusterTest.CONFIG).writer());
        }
        for (ReplicatedMapWriter<String, Long> writer : writers) {
            get(writer.when().online());
        }
        // The writer on the leader's node writes under load; its node closes while writes are in flight.
        PeerId leader = writers.getFirst().leader().orElseThrow();
        int leaderIndex = 0;
        for (int i = 0; i < 3; i++) {
            if (nodes.get(i).peerId().equals(leader)) {
                leaderIndex = i;
            }
        }
        ReplicatedMapWriter<String, Long> doomed = writers.get(leaderIndex);
        List<CompletableFuture<Version>> inFlight = new ArrayList<>();
        for (long i = 0; i < 2_000; i++) {
            CompletableFuture<Version> write = doomed.put("k" + i, i);
            inFlight.add(write);
            if (i == 1_500) {
                get(write); // a good part is committed before the node goes
                Thread.ofVirtual().start(nodes.get(leaderIndex)::close);
            }
        }
        Map<String, Long> acknowledged = new java.util.HashMap<>();
        for (int i = 0; i < inFlight.size(); i++) {
            try {
                inFlight.get(i).get(60, TimeUnit.SECONDS);
                acknowledged.put("k" + i, (long) i);
            } catch (java.util.concurrent.ExecutionException e) {
                // not acknowledged: it may or may not be there
            }
        }
        assertThat(acknowledged).hasSizeGreaterThan(1_500);

        List<ReplicatedMapWriter<String, Long>> survivors = new ArrayList<>(writers);
        survivors.remove(leaderIndex);
        ReplicatedMapWriter<String, Long> next = survivors.getFirst();
        get(next.when().online());
        Version more = null;
        for (int attempt = 0; more == null; attempt++) {
            try {
                more = get(next.put("after", 1L));
            } catch (java.util.concurrent.ExecutionException e) {
                // offline until a leader is known; or forwarded to the closed leader, which never confirmed it
                assertThat(e.getCause()).isInstanceOfAny(CollectionOfflineException.class,
                        io.mosaik.groups.CommandOutcomeUnknownException.class);
                assertThat(attempt).as("the survivors elect a leader and take writes again").isLessThan(100);
                get(next.when().online());
            }
        }
        for (ReplicatedMapWriter<String, Long> survivor : survivors) {
            get(survivor.when().reaches(more));
            Map<String, Long> contents = survivor.asMap();
            acknowledged.forEach((key, value) -> assertThat(contents).containsEntry(key, value));
            assertThat(contents).containsEntry("after", 1L);
        }
    }
}
