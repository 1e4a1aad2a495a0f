package io.mosaik.groups;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.collections.SimulatedCollections;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replicated Map and PriorityQueue state machines in the group simulator under mixed faults: their
 * state (and version) must be identical on every replica at every applied index, and after the heal.
 * {@code -Dmosaik.sim.collections.seeds=N} explores more seeds.
 */
class CollectionSimulationTest {

    @Test
    @Timeout(300)
    void mapHistoriesStayIdenticalOnAllReplicasUnderFaults() {
        run("map", () -> new CollectionPassengerMachine(SimulatedCollections.map()));
    }

    @Test
    @Timeout(300)
    void priorityQueueHistoriesStayIdenticalOnAllReplicasUnderFaults() {
        run("priority-queue", () -> new CollectionPassengerMachine(SimulatedCollections.boundedPriorityQueue()));
    }

    private static void run(String kind, Supplier<RegisterMachine> machines) {
        int seeds = Integer.getInteger("mosaik.sim.collections.seeds", 200);
        AtomicLong checks = new AtomicLong();
        AtomicLong restores = new AtomicLong();
        LongStream.range(1, 1 + seeds).parallel().forEach(seed -> {
            GroupSimulation simulation = new GroupSimulation(seed, GroupSimulation.Settings.mixed(seed), false)
                    .withMachines(machines);
            simulation.run();
            checks.addAndGet(simulation.passengerChecks());
            restores.addAndGet(simulation.restores());
        });
        System.out.printf("collection simulation (%s): %d seeds, %d states compared, %d snapshots restored%n", kind,
                seeds, checks.get(), restores.get());
        assertThat(checks.get()).as("states compared across replicas").isGreaterThan(seeds * 100L);
        assertThat(restores.get()).as("snapshots installed or restored, with the collection inside")
                .isGreaterThan(seeds / 10);
    }
}
