package io.mosaik.collections;

import java.util.AbstractList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.RandomAccess;
import java.util.concurrent.CompletableFuture;
import org.pcollections.TreePVector;

/** The reader and writer handles of a {@link ReplicatedVec}. */
final class VecHandles {

    private VecHandles() {
    }

    /** Reads. */
    static class Reader<T> extends Handle<TreePVector<VecMachine.Item<T>>> implements ReplicatedVec<T> {

        Reader(Store<TreePVector<VecMachine.Item<T>>> store, CollectionRole role) {
            super(store, role);
        }

        @Override
        public Optional<T> get(long index) {
            TreePVector<VecMachine.Item<T>> items = data();
            return index < 0 || index >= items.size() ? Optional.empty() : Optional.of(items.get((int) index).value());
        }

        @Override
        public Optional<T> first() {
            return get(0);
        }

        @Override
        public Optional<T> last() {
            return get(data().size() - 1L);
        }

        @Override
        public boolean contains(T element) {
            return indexOf(element).isPresent();
        }

        @Override
        public OptionalLong indexOf(T element) {
            byte[] wanted = encode(element);
            long index = 0;
            for (VecMachine.Item<T> item : data()) {
                if (java.util.Arrays.equals(item.bytes(), wanted)) {
                    return OptionalLong.of(index);
                }
                index++;
            }
            return OptionalLong.empty();
        }

        @Override
        public List<T> asList() {
            TreePVector<VecMachine.Item<T>> items = data();
            return new View<>(items);
        }
    }

    /** Writes and reads. */
    static final class Writer<T> extends Reader<T> implements ReplicatedVecWriter<T> {

        Writer(Store<TreePVector<VecMachine.Item<T>>> store) {
            super(store, CollectionRole.WRITER);
        }

        @Override
        public CompletableFuture<Version> pushBack(T element) {
            Objects.requireNonNull(element, "element");
            return write(() -> new Ops.Writer(VecMachine.PUSH_BACK).bytes(encode(element)).build(), element);
        }

        @Override
        public CompletableFuture<Version> pushFront(T element) {
            Objects.requireNonNull(element, "element");
            return write(() -> new Ops.Writer(VecMachine.PUSH_FRONT).bytes(encode(element)).build(), element);
        }

        @Override
        public CompletableFuture<Version> insert(long index, T element) {
            Objects.requireNonNull(element, "element");
            long size = data().size();
            if (index < 0 || index > size) {
                return CompletableFuture.failedFuture(new IndexOutOfBoundsException("cannot insert at index " + index
                        + ": the vec has " + size + " elements on this node (insert at most at its length, to append)"));
            }
            return write(() -> new Ops.Writer(VecMachine.INSERT).number(index).bytes(encode(element)).build(), element);
        }

        @Override
        public CompletableFuture<Version> extend(Collection<? extends T> elements) {
            return writeAll(VecMachine.EXTEND, elements);
        }

        @Override
        public CompletableFuture<Version> popBack() {
            return write(() -> new Ops.Writer(VecMachine.POP_BACK).build(), null);
        }

        @Override
        public CompletableFuture<Version> popFront() {
            return write(() -> new Ops.Writer(VecMachine.POP_FRONT).build(), null);
        }

        @Override
        public CompletableFuture<Version> remove(long index) {
            return write(() -> new Ops.Writer(VecMachine.REMOVE).number(unsigned(index)).build(), index);
        }

        @Override
        public CompletableFuture<Version> swap(long first, long second) {
            return write(() -> new Ops.Writer(VecMachine.SWAP).number(unsigned(first)).number(unsigned(second))
                    .build(), new long[] {first, second});
        }

        @Override
        public CompletableFuture<Version> truncate(long length) {
            if (length < 0) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("cannot truncate to a negative"
                        + " length: " + length));
            }
            return write(() -> new Ops.Writer(VecMachine.TRUNCATE).number(length).build(), length);
        }

        @Override
        public CompletableFuture<Version> clear() {
            return write(() -> new Ops.Writer(VecMachine.CLEAR).build(), null);
        }

        /** A negative index is out of range: sent as one no replica has. */
        private static long unsigned(long index) {
            return index < 0 ? Long.MAX_VALUE : index;
        }
    }

    /** An unmodifiable list over one state. */
    private static final class View<T> extends AbstractList<T> implements RandomAccess {
        private final TreePVector<VecMachine.Item<T>> items;

        View(TreePVector<VecMachine.Item<T>> items) {
            this.items = items;
        }

        @Override
        public T get(int index) {
            return items.get(index).value();
        }

        @Override
        public int size() {
            return items.size();
        }

        @Override
        public java.util.Iterator<T> iterator() {
            java.util.Iterator<VecMachine.Item<T>> it = items.iterator();
            return new java.util.Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public T next() {
                    return it.next().value();
                }
            };
        }
    }
}
