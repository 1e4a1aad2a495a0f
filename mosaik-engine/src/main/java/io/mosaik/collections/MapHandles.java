package io.mosaik.collections;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** The reader and writer handles of a {@link ReplicatedMap}. */
final class MapHandles {

    private MapHandles() {
    }

    /** Reads. */
    static class Reader<K, V> extends Handle<MapMachine.Entries<K, V>> implements ReplicatedMap<K, V> {

        private final Class<K> keyType;

        Reader(Store<MapMachine.Entries<K, V>> store, CollectionRole role, Class<K> keyType) {
            super(store, role);
            this.keyType = keyType;
        }

        @Override
        public Optional<V> get(K key) {
            return Optional.ofNullable(data().value(new Encoded(encode(key))));
        }

        @Override
        public boolean containsKey(K key) {
            return data().value(new Encoded(encode(key))) != null;
        }

        @Override
        public Map<K, V> asMap() {
            return new View<>(data(), this, keyType);
        }
    }

    /** Writes and reads. */
    static final class Writer<K, V> extends Reader<K, V> implements ReplicatedMapWriter<K, V> {

        Writer(Store<MapMachine.Entries<K, V>> store, Class<K> keyType) {
            super(store, CollectionRole.WRITER, keyType);
        }

        @Override
        public CompletableFuture<Version> put(K key, V value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            return write(() -> new Ops.Writer(MapMachine.INSERT).bytes(encode(key)).bytes(encode(value)).build(),
                    Map.entry(key, value));
        }

        @Override
        public CompletableFuture<Version> putAll(Map<? extends K, ? extends V> entries) {
            if (entries.isEmpty()) {
                return unchanged();
            }
            return write(() -> {
                List<Map.Entry<? extends K, ? extends V>> all = List.copyOf(entries.entrySet());
                Ops.Writer command = new Ops.Writer(MapMachine.EXTEND).number(all.size());
                all.forEach(entry -> command.bytes(encode(entry.getKey())).bytes(encode(entry.getValue())));
                return command.build();
            }, entries);
        }

        @Override
        public CompletableFuture<CasResult> compareAndSet(K key, V expected, V replacement) {
            Objects.requireNonNull(key, "key");
            return conditional(() -> new Ops.Writer(MapMachine.COMPARE_AND_SET).bytes(encode(key))
                    .optional(encodeOptional(expected)).optional(encodeOptional(replacement)).build(),
                    java.util.Arrays.asList(key, expected, replacement));
        }

        @Override
        public CompletableFuture<Version> remove(K key) {
            Objects.requireNonNull(key, "key");
            return write(() -> new Ops.Writer(MapMachine.REMOVE_MANY).number(1).bytes(encode(key)).build(), key);
        }

        @Override
        public CompletableFuture<Version> removeAll(Collection<? extends K> keys) {
            return writeAll(MapMachine.REMOVE_MANY, keys);
        }

        @Override
        public CompletableFuture<Version> clear() {
            return write(() -> new Ops.Writer(MapMachine.CLEAR).build(), null);
        }
    }

    /** An unmodifiable map over one state. */
    private static final class View<K, V> extends AbstractMap<K, V> {
        private final MapMachine.Entries<K, V> entries;
        private final Handle<?> handle;
        private final Class<K> keyType;

        View(MapMachine.Entries<K, V> entries, Handle<?> handle, Class<K> keyType) {
            this.entries = entries;
            this.handle = handle;
            this.keyType = keyType;
        }

        @Override
        public int size() {
            return entries.size();
        }

        @Override
        public V get(Object key) {
            if (!keyType.isInstance(key)) {
                return null;
            }
            return entries.value(new Encoded(handle.encode(key)));
        }

        @Override
        public boolean containsKey(Object key) {
            return keyType.isInstance(key) && entries.value(new Encoded(handle.encode(key))) != null;
        }

        @Override
        public Set<Entry<K, V>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<K, V>> iterator() {
                    Iterator<MapMachine.Entry<K, V>> it = entries.sorted().values().iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Entry<K, V> next() {
                            MapMachine.Entry<K, V> entry = it.next();
                            return new SimpleImmutableEntry<>(entry.key(), entry.value());
                        }
                    };
                }

                @Override
                public int size() {
                    return entries.size();
                }
            };
        }
    }
}
