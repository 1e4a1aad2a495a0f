package io.mosaik.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.NetworkId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member joining a group whose state is a gigabyte catches up from a snapshot streamed from the
 * leader's file to its own, while the group goes on committing writes. {@code -Dmosaik.test.largeState.mib}
 * sets the state's size (default 1024).
 */
class LargeStateCatchUpTest {

    private static final NetworkId NETWORK = NetworkId.of("large-state-test");
    private static final GroupKey KEY = GroupKey.fromSecret("large-state-secret");
    private static final long STATE_BYTES = Long.getLong("mosaik.test.largeState.mib", 1024) << 20;

    /**
     * A counter whose state also holds {@link #STATE_BYTES} of synthetic data derived from the count,
     * so it takes no heap: its snapshot writes the data, and restoring checks every byte of it.
     */
    static final class SyntheticState extends GroupsTest.Counter {
        volatile long restoredBytes;

        @Override
        public SnapshotTask capture() {
            long captured = value; // all the task needs: the data follows from it
            return out -> write(captured, out);
        }

        @Override
        public void restore(InputStream in) throws IOException {
            byte[] head = in.readNBytes(8);
            long restored = ByteBuffer.wrap(head).getLong();
            byte[] block = new byte[1 << 16];
            byte[] expected = new byte[1 << 16];
            long at = 0;
            while (at < STATE_BYTES) {
                int n = in.readNBytes(block, 0, (int) Math.min(block.length, STATE_BYTES - at));
                if (n == 0) {
                    throw new IOException("the snapshot ends after " + at + " of " + STATE_BYTES + " bytes");
                }
                fill(restored, at, expected, n);
                if (!java.util.Arrays.equals(block, 0, n, expected, 0, n)) {
                    throw new IllegalStateException("the snapshot's data differs near byte " + at);
                }
                at += n;
            }
            if (in.read() != -1) {
                throw new IllegalStateException("the snapshot is longer than its state");
            }
            value = restored;
            restoredBytes = at;
            restores++;
            applied.clear();
        }

        private static void write(long value, OutputStream out) throws IOException {
            out.write(ByteBuffer.allocate(8).putLong(value).array());
            byte[] block = new byte[1 << 16];
            for (long at = 0; at < STATE_BYTES; at += block.length) {
                int n = (int) Math.min(block.length, STATE_BYTES - at);
                fill(value, at, block, n);
                out.write(block, 0, n);
            }
        }

        /** The data at an offset: a cheap mix of the count and the offset, 8 bytes at a time. */
        private static void fill(long value, long offset, byte[] into, int length) {
            ByteBuffer buffer = ByteBuffer.wrap(into, 0, length);
            for (long word = offset / 8; buffer.remaining() >= 8; word++) {
                buffer.putLong((word * 0x9E3779B97F4A7C15L) ^ value);
            }
        }
    }

    private final List<Network> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(Network::close);
    }

    /** A counter summed over every node. */
    private double count(String meter) {
        return nodes.stream().flatMap(n -> n.meterRegistry().find(meter).counters().stream())
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    private Network node(List<PeerAddress> bootstrap) throws Exception {
        Network node = Network.builder(NETWORK).meterRegistry(new SimpleMeterRegistry()).bootstrap(bootstrap).start();
        nodes.add(node);
        return node;
    }

    private static Group<Long, String, Long> join(Network node, SyntheticState machine, Path dir) {
        return node.groups().builder(KEY, machine).consensus(GroupsTest.FAST).snapshots(1_000, 20)
                .dataDirectory(dir).join();
    }

    @Test
    @Timeout(300)
    void aNewMemberCatchesUpFromAGigabyteSnapshotWhileWritesGoOn(@TempDir Path data) throws Exception {
        List<Group<Long, String, Long>> groups = new ArrayList<>();
        Network first = node(List.of());
        groups.add(join(first, new SyntheticState(), data.resolve("a")));
        for (String name : List.of("b", "c")) {
            groups.add(join(node(List.of(first.address())), new SyntheticState(), data.resolve(name)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> groups.stream().allMatch(g -> g.leader().isPresent()
                && g.leader().equals(groups.getFirst().leader())));
        Group<Long, String, Long> leader = groups.stream()
                .filter(g -> g.leader().orElseThrow().equals(g.status().self())).findFirst().orElseThrow();
        long last = 0;
        for (int i = 0; i < 1_050; i++) { // beyond the first snapshot, which compacts the log
            last = leader.execute(1L).get(30, TimeUnit.SECONDS).index();
        }
        long snapshotAt = last;
        await().atMost(Duration.ofSeconds(120)).until(() -> groups.stream()
                .allMatch(g -> g.status().storage().firstIndex() > 1));

        // Writes go on from here while the new member catches up.
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        AtomicLong writtenWhileCatchingUp = new AtomicLong(-1);
        Thread writer = Thread.ofPlatform().name("large-state-writer").start(() -> {
            while (writing.get()) {
                try {
                    leader.execute(1L).get(30, TimeUnit.SECONDS);
                    written.incrementAndGet();
                } catch (Exception e) {
                    throw new AssertionError("a write failed while the new member caught up", e);
                }
            }
        });
        SyntheticState lateState = new SyntheticState();
        Group<Long, String, Long> late = join(node(List.of(first.address())), lateState, data.resolve("late"));
        long before = written.get();
        long started = System.nanoTime();
        late.when().applied(snapshotAt).get(240, TimeUnit.SECONDS);
        writtenWhileCatchingUp.set(written.get() - before);
        System.out.printf("large state: %d MiB caught up in %d ms, %d writes committed meanwhile, %.0f chunks from"
                + " members other than the leader (%.0f served)%n", STATE_BYTES >> 20,
                (System.nanoTime() - started) / 1_000_000, writtenWhileCatchingUp.get(),
                count("mosaik.groups.snapshot.chunks.fetched"), count("mosaik.groups.snapshot.chunks.served"));
        writing.set(false);
        writer.join(Duration.ofSeconds(60));

        assertThat(lateState.restores).as("caught up by installing a snapshot").isGreaterThanOrEqualTo(1);
        assertThat(lateState.restoredBytes).isEqualTo(STATE_BYTES);
        assertThat(writtenWhileCatchingUp.get()).as("writes committed while the snapshot was transferred")
                .isGreaterThan(20);
        // The leader tracked the install. On two cores a member may stall long enough under this load for
        // leadership to move during the transfer; then the former leader's gauge reads 1 (it sends nothing).
        String follower = late.status().self().toShortString();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Double> progress = nodes.stream().flatMap(n -> n.meterRegistry()
                    .find("mosaik.groups.snapshot.install.progress").tag("follower", follower).gauges().stream())
                    .map(io.micrometer.core.instrument.Gauge::value).toList();
            assertThat(progress).as("the leader tracked the install").isNotEmpty().allMatch(v -> v == 1.0);
        });
        long total = leader.execute(1L).get(30, TimeUnit.SECONDS).result();
        assertThat(late.query("sum", Consistency.STRONG).get(30, TimeUnit.SECONDS)).isEqualTo(total);
    }
}
