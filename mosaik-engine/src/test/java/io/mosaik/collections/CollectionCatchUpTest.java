package io.mosaik.collections;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.network.Network;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.PeerId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Collections over time: a late reader catches up by snapshot; a writer's node goes away mid-load. */
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
