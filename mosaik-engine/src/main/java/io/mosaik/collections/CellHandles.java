package io.mosaik.collections;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The reader and writer handles of a {@link ReplicatedCell} and a {@link ReplicatedOnce}. */
final class CellHandles {

    private CellHandles() {
    }

    /** Reads a cell. */
    static class Reader<T> extends Handle<Optional<CellMachine.Value<T>>> implements ReplicatedCell<T> {

        Reader(Store<Optional<CellMachine.Value<T>>> store, CollectionRole role) {
            super(store, role);
        }

        @Override
        public Optional<T> get() {
            return data().map(CellMachine.Value::value);
        }
    }

    /** Writes and reads a cell. */
    static final class Writer<T> extends Reader<T> implements ReplicatedCellWriter<T> {

        Writer(Store<Optional<CellMachine.Value<T>>> store) {
            super(store, CollectionRole.WRITER);
        }

        @Override
        public CompletableFuture<Version> set(T value) {
            Objects.requireNonNull(value, "value");
            return write(() -> new Ops.Writer(CellMachine.WRITE).bytes(encode(value)).build(), value);
        }

        @Override
        public CompletableFuture<CasResult> compareAndSet(T expected, T replacement) {
            return conditional(() -> new Ops.Writer(CellMachine.COMPARE_AND_SET).optional(encodeOptional(expected))
                    .optional(encodeOptional(replacement)).build(), java.util.Arrays.asList(expected, replacement));
        }

        @Override
        public CompletableFuture<Version> clear() {
            return write(() -> new Ops.Writer(CellMachine.CLEAR).build(), null);
        }
    }

    /** Reads a once-cell. */
    static class OnceReader<T> extends Handle<Optional<CellMachine.Value<T>>> implements ReplicatedOnce<T> {

        OnceReader(Store<Optional<CellMachine.Value<T>>> store, CollectionRole role) {
            super(store, role);
        }

        @Override
        public Optional<T> get() {
            return data().map(CellMachine.Value::value);
        }

        @Override
        public CompletableFuture<T> awaitValue() {
            return store.machine().await(state -> state.data().isPresent())
                    .thenApply(state -> state.data().orElseThrow().value());
        }
    }

    /** Writes and reads a once-cell. */
    static final class OnceWriter<T> extends OnceReader<T> implements ReplicatedOnceWriter<T> {

        OnceWriter(Store<Optional<CellMachine.Value<T>>> store) {
            super(store, CollectionRole.WRITER);
        }

        @Override
        public CompletableFuture<CasResult> set(T value) {
            Objects.requireNonNull(value, "value");
            return conditional(() -> new Ops.Writer(CellMachine.WRITE).bytes(encode(value)).build(), value);
        }
    }
}
