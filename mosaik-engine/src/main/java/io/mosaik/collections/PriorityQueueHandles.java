package io.mosaik.collections;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The reader and writer handles of a {@link ReplicatedPriorityQueue}. */
final class PriorityQueueHandles {

    private PriorityQueueHandles() {
    }

    /** Reads. */
    static class Reader<P extends Comparable<? super P>, K, V>
            extends Handle<PriorityQueueMachine.Queue<P, K, V>> implements ReplicatedPriorityQueue<P, K, V> {

        Reader(Store<PriorityQueueMachine.Queue<P, K, V>> store, CollectionRole role) {
            super(store, role);
        }

        @Override
        public long capacity() {
            return ((PriorityQueueMachine<?, ?, ?>) store.machine()).capacity();
        }

        private Optional<PriorityQueueMachine.Item<P, K, V>> item(K key) {
            return Optional.ofNullable(data().byKey().get(new Encoded(encode(key))));
        }

        @Override
        public boolean containsKey(K key) {
            return item(key).isPresent();
        }

        @Override
        public Optional<V> get(K key) {
            return item(key).map(PriorityQueueMachine.Item::value);
        }

        @Override
        public Optional<P> priorityOf(K key) {
            return item(key).map(PriorityQueueMachine.Item::priority);
        }

        @Override
        public Optional<PriorityEntry<P, K, V>> min() {
            var ranks = data().byRank();
            return ranks.isEmpty() ? Optional.empty() : Optional.of(entry(ranks.firstEntry().getValue()));
        }

        @Override
        public Optional<PriorityEntry<P, K, V>> max() {
            var ranks = data().byRank();
            return ranks.isEmpty() ? Optional.empty() : Optional.of(entry(ranks.lastEntry().getValue()));
        }

        @Override
        public List<PriorityEntry<P, K, V>> ascending() {
            return entries(data().byRank().values());
        }

        @Override
        public List<PriorityEntry<P, K, V>> descending() {
            return entries(data().byRank().descendingMap().values());
        }

        private static <P, K, V> List<PriorityEntry<P, K, V>> entries(
                Collection<PriorityQueueMachine.Item<P, K, V>> items) {
            List<PriorityEntry<P, K, V>> entries = new ArrayList<>(items.size());
            items.forEach(item -> entries.add(entry(item)));
            return Collections.unmodifiableList(entries);
        }

        private static <P, K, V> PriorityEntry<P, K, V> entry(PriorityQueueMachine.Item<P, K, V> item) {
            return new PriorityEntry<>(item.priority(), item.k(), item.value());
        }
    }

    /** Writes and reads. */
    static final class Writer<P extends Comparable<? super P>, K, V> extends Reader<P, K, V>
            implements ReplicatedPriorityQueueWriter<P, K, V> {

        Writer(Store<PriorityQueueMachine.Queue<P, K, V>> store) {
            super(store, CollectionRole.WRITER);
        }

        @Override
        public CompletableFuture<Version> insert(P priority, K key, V value) {
            PriorityEntry<P, K, V> entry = new PriorityEntry<>(Objects.requireNonNull(priority, "priority"),
                    Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return write(() -> new Ops.Writer(PriorityQueueMachine.INSERT).bytes(encode(priority)).bytes(encode(key))
                    .bytes(encode(value)).build(), entry);
        }

        @Override
        public CompletableFuture<Version> insertAll(Collection<PriorityEntry<P, K, V>> entries) {
            if (entries.isEmpty()) {
                return unchanged();
            }
            return write(() -> {
                List<PriorityEntry<P, K, V>> all = List.copyOf(entries);
                Ops.Writer command = new Ops.Writer(PriorityQueueMachine.EXTEND).number(all.size());
                all.forEach(e -> command.bytes(encode(e.priority())).bytes(encode(e.key())).bytes(encode(e.value())));
                return command.build();
            }, entries);
        }

        @Override
        public CompletableFuture<Version> updatePriority(K key, P priority) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(priority, "priority");
            return write(() -> new Ops.Writer(PriorityQueueMachine.UPDATE_PRIORITY).bytes(encode(key))
                    .bytes(encode(priority)).build(), key);
        }

        @Override
        public CompletableFuture<Version> updateValue(K key, V value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            return write(() -> new Ops.Writer(PriorityQueueMachine.UPDATE_VALUE).bytes(encode(key))
                    .bytes(encode(value)).build(), key);
        }

        @Override
        public CompletableFuture<CasResult> compareAndSetValue(K key, V expected, V replacement) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(expected, "expected");
            return conditional(() -> new Ops.Writer(PriorityQueueMachine.COMPARE_AND_SET_VALUE).bytes(encode(key))
                    .bytes(encode(expected)).optional(encodeOptional(replacement)).build(),
                    java.util.Arrays.asList(key, expected, replacement));
        }

        @Override
        public CompletableFuture<Version> remove(K key) {
            Objects.requireNonNull(key, "key");
            return write(() -> new Ops.Writer(PriorityQueueMachine.REMOVE_KEYS).number(1).bytes(encode(key)).build(),
                    key);
        }

        @Override
        public CompletableFuture<Version> removeAll(Collection<? extends K> keys) {
            return writeAll(PriorityQueueMachine.REMOVE_KEYS, keys);
        }

        @Override
        public CompletableFuture<Version> removeRange(PriorityRange<P> range) {
            Objects.requireNonNull(range, "range");
            return write(() -> {
                Ops.Writer command = new Ops.Writer(PriorityQueueMachine.REMOVE_RANGE);
                end(command, range.from(), range.fromInclusive());
                end(command, range.to(), range.toInclusive());
                return command.build();
            }, range);
        }

        private void end(Ops.Writer command, P priority, boolean inclusive) {
            if (priority == null) {
                command.number(PriorityQueueMachine.UNBOUNDED);
            } else {
                command.number(inclusive ? PriorityQueueMachine.INCLUSIVE : PriorityQueueMachine.EXCLUSIVE)
                        .bytes(encode(priority));
            }
        }

        @Override
        public CompletableFuture<Version> clear() {
            return write(() -> new Ops.Writer(PriorityQueueMachine.CLEAR).build(), null);
        }
    }
}
