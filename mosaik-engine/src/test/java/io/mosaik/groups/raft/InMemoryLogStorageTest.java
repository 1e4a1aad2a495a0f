package io.mosaik.groups.raft;

/** The {@link LogStorage} contract for {@link InMemoryLogStorage}. */
class InMemoryLogStorageTest extends LogStorageContractTest {

    @Override
    protected LogStorage create() {
        return new InMemoryLogStorage();
    }
}
