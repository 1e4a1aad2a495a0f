package io.mosaik.groups;

import io.mosaik.collections.SimulatedCollections;

/**
 * A register that carries a replicated collection's state machine: every register write also drives
 * the collection with a command derived from the written value, so the simulator checks that the
 * collection's state is identical on every replica at every index, through crashes, partitions, lost
 * messages and snapshot installs.
 */
final class CollectionPassengerMachine extends RegisterMachine {

    private final SimulatedCollections.Passenger passenger;

    CollectionPassengerMachine(SimulatedCollections.Passenger passenger) {
        this.passenger = passenger;
    }

    @Override
    String applyPassenger(long command, ApplyContext context) {
        passenger.apply(command, context);
        return passenger.digest();
    }

    @Override
    String passengerDigest() {
        return passenger.digest();
    }

    @Override
    byte[] passengerSnapshot() {
        return passenger.snapshot();
    }

    @Override
    void restorePassenger(byte[] snapshot) {
        passenger.restore(snapshot);
    }
}
