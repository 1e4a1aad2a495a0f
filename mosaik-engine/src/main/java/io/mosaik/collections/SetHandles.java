package io.mosaik.collections;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.pcollections.TreePMap;

/** The reader and writer handles of a {@link ReplicatedSet}. */
final class SetHandles {

    private SetHandles() {
    }

    /** Reads. */
    static class Reader<T> extends Handle<TreePMap<Encoded, T>> implements ReplicatedSet<T> {

        private final Class<T> type;

        Reader(Store<TreePMap<Encoded, T>> store, CollectionRole role, Class<T> type) {
            super(store, role);
            this.type = type;
        }

        @Override
        public boolean contains(T element) {
            return data().containsKey(new Encoded(encode(element)));
        }

        @Override
        public boolean isSubsetOf(ReplicatedSet<T> other) {
            Objects.requireNonNull(other, "other");
            TreePMap<Encoded, T> mine = data();
            if (other instanceof Reader<T> reader) {
                TreePMap<Encoded, T> theirs = reader.data();
                return mine.size() <= theirs.size() && theirs.keySet().containsAll(mine.keySet());
            }
            return other.asSet().containsAll(mine.values());
        }

        @Override
        public Set<T> asSet() {
            return new View<>(data(), this, type);
        }
    }

    /** Writes and reads. */
    static final class Writer<T> extends Reader<T> implements ReplicatedSetWriter<T> {

        Writer(Store<TreePMap<Encoded, T>> store, Class<T> type) {
            super(store, CollectionRole.WRITER, type);
        }

        @Override
        public CompletableFuture<Version> add(T element) {
            Objects.requireNonNull(element, "element");
            return write(() -> new Ops.Writer(SetMachine.INSERT).bytes(encode(element)).build(), element);
        }

        @Override
        public CompletableFuture<Version> addAll(Collection<? extends T> elements) {
            return writeAll(SetMachine.EXTEND, elements);
        }

        @Override
        public CompletableFuture<Version> remove(T element) {
            Objects.requireNonNull(element, "element");
            return write(() -> new Ops.Writer(SetMachine.REMOVE_MANY).number(1).bytes(encode(element)).build(),
                    element);
        }

        @Override
        public CompletableFuture<Version> removeAll(Collection<? extends T> elements) {
            return writeAll(SetMachine.REMOVE_MANY, elements);
        }

        @Override
        public CompletableFuture<Version> clear() {
            return write(() -> new Ops.Writer(SetMachine.CLEAR).build(), null);
        }
    }

    /** An unmodifiable set over one state. */
    private static final class View<T> extends AbstractSet<T> {
        private final TreePMap<Encoded, T> elements;
        private final Handle<?> handle;
        private final Class<T> type;

        View(TreePMap<Encoded, T> elements, Handle<?> handle, Class<T> type) {
            this.elements = elements;
            this.handle = handle;
            this.type = type;
        }

        @Override
        public boolean contains(Object element) {
            return type.isInstance(element) && elements.containsKey(new Encoded(handle.encode(element)));
        }

        @Override
        public Iterator<T> iterator() {
            return java.util.Collections.unmodifiableCollection(elements.values()).iterator();
        }

        @Override
        public int size() {
            return elements.size();
        }
    }
}
