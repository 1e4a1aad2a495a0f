package io.mosaik.groups;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the group simulation over many seeds of mixed faults. A failure names its seed; replay it alone,
 * with a trace of every message, with {@code -Dmosaik.sim.seed=<seed>}. {@code -Dmosaik.sim.seeds=N} and
 * {@code -Dmosaik.sim.base=B} explore other seeds.
 */
class GroupSimulationTest {

    @Test
    @Timeout(300)
    void raftStaysSafeAndLinearizableUnderMixedFaults() {
        String replay = System.getProperty("mosaik.sim.seed");
        if (replay != null) {
            long seed = Long.parseLong(replay);
            GroupSimulation simulation = new GroupSimulation(seed, GroupSimulation.Settings.mixed(seed), true);
            try {
                simulation.run();
            } finally {
                System.out.println(simulation.trace());
            }
            return;
        }
        int seeds = Integer.getInteger("mosaik.sim.seeds", 1_000);
        long base = Long.getLong("mosaik.sim.base", 1L);
        AtomicLong events = new AtomicLong();
        AtomicLong restores = new AtomicLong();
        AtomicLong lost = new AtomicLong();
        AtomicLong fetched = new AtomicLong();
        long started = System.nanoTime();
        LongStream.range(base, base + seeds).parallel().forEach(seed -> {
            GroupSimulation simulation = new GroupSimulation(seed, GroupSimulation.Settings.mixed(seed), false);
            events.addAndGet(simulation.run());
            restores.addAndGet(simulation.restores());
            lost.addAndGet(simulation.lostEntries());
            fetched.addAndGet(simulation.fetchedChunks());
        });
        System.out.printf("group simulation: %d seeds, %d events, %d snapshots restored, %d snapshot chunks from"
                + " members other than the leader, %d unsynced entries lost to crashes, %d ms%n", seeds, events.get(),
                restores.get(), fetched.get(), lost.get(),
                (System.nanoTime() - started) / 1_000_000);
        assertThat(events.get()).isGreaterThan(seeds * 1_000L);
        assertThat(restores.get()).as("snapshots installed or restored on restart").isGreaterThan(seeds / 10);
        assertThat(fetched.get()).as("snapshot chunks fetched from members other than the leader")
                .isGreaterThan(seeds / 10);
    }
}
