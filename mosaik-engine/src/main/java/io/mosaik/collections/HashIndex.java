package io.mosaik.collections;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.ToLongFunction;

/**
 * A persistent hash trie from encoded keys to values, for point lookups on large collections: a
 * compressed hash-array mapped prefix tree (CHAMP, Steindorfer and Vinju, OOPSLA 2015). The sorted trees
 * the collections keep their state in take about twenty steps to find one of a million keys, each a
 * likely cache miss once the tree is larger than the CPU's caches; this trie takes about four, so a
 * lookup on a large replica costs about a third as much. The index is each replica's own (it is never
 * encoded or sent), so it hashes with a seed chosen per process: a writer cannot pick keys that
 * collide on purpose.
 *
 * <p>Immutable: {@link #plus} and {@link #minus} return a new index sharing all but one path with this
 * one ({@link Batch} makes many changes at once). Keys are equal when their encodings are.
 *
 * @param <V> the value type
 */
final class HashIndex<V> {

    private static final int BITS = 5;
    private static final int MASK = (1 << BITS) - 1;
    /** Past this shift the 64 bits of the hash are used up: keys left together have equal hashes. */
    private static final int MAX_SHIFT = 64;
    private static final long SEED = new SecureRandom().nextLong();
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final ToLongFunction<byte[]> SEEDED = bytes -> hash(bytes, SEED);
    private static final HashIndex<?> EMPTY = new HashIndex<>(BitmapNode.EMPTY, SEEDED);

    private final Node root;
    private final ToLongFunction<byte[]> hasher;

    private HashIndex(Node root, ToLongFunction<byte[]> hasher) {
        this.root = root;
        this.hasher = hasher;
    }

    /** The empty index. */
    @SuppressWarnings("unchecked")
    static <V> HashIndex<V> empty() {
        return (HashIndex<V>) EMPTY;
    }

    /** An empty index hashing with {@code hasher} (tests force collisions with it). */
    static <V> HashIndex<V> empty(ToLongFunction<byte[]> hasher) {
        return new HashIndex<>(BitmapNode.EMPTY, hasher);
    }

    /**
     * An index of many entries at once, much faster than adding them one by one (a restored snapshot
     * builds its index this way): the entries are sorted into their branches level by level.
     *
     * @param keys   distinct keys
     * @param values their values, in the same order
     */
    static <V> HashIndex<V> ofDistinct(Encoded[] keys, Object[] values) {
        return ofDistinct(keys, values, SEEDED);
    }

    /** {@link #ofDistinct(Encoded[], Object[])} hashing with {@code hasher} (tests force collisions with it). */
    static <V> HashIndex<V> ofDistinct(Encoded[] keys, Object[] values, ToLongFunction<byte[]> hasher) {
        if (keys.length != values.length) {
            throw new IllegalArgumentException(keys.length + " keys but " + values.length + " values");
        }
        int count = keys.length;
        long[] hashes = new long[count];
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            hashes[i] = hasher.applyAsLong(keys[i].bytes());
            order[i] = i;
        }
        Node root = count == 0 ? BitmapNode.EMPTY : new Builder(keys, values, hashes, order).build(0, count, 0);
        return new HashIndex<>(root, hasher);
    }

    /**
     * Builds nodes from entries sorted into their branches one level at a time (a most-significant-digit
     * radix sort on the hash); the hashes move with the entries, so each level reads them in sequence.
     */
    private record Builder(Encoded[] keys, Object[] values, long[] hashes, int[] order, long[] spareHashes,
                           int[] spareOrder) {

        Builder(Encoded[] keys, Object[] values, long[] hashes, int[] order) {
            this(keys, values, hashes, order, new long[hashes.length], new int[order.length]);
        }

        /** The node of the entries at {@code [from, to)}, at least two, whose hashes agree below {@code shift}. */
        Node build(int from, int to, int shift) {
            if (shift >= MAX_SHIFT) {
                Object[] content = new Object[2 * (to - from)];
                for (int i = from; i < to; i++) {
                    content[2 * (i - from)] = keys[order[i]].bytes();
                    content[2 * (i - from) + 1] = values[order[i]];
                }
                return new CollisionNode(content, null);
            }
            int[] starts = new int[MASK + 2];
            for (int i = from; i < to; i++) {
                starts[(int) ((hashes[i] >>> shift) & MASK) + 1]++;
            }
            int dataMap = 0;
            int nodeMap = 0;
            for (int branch = 0; branch <= MASK; branch++) {
                int size = starts[branch + 1];
                if (size == 1) {
                    dataMap |= 1 << branch;
                } else if (size > 1) {
                    nodeMap |= 1 << branch;
                }
                starts[branch + 1] += starts[branch];
            }
            int[] next = Arrays.copyOf(starts, starts.length);
            for (int i = from; i < to; i++) {
                int at = from + next[(int) ((hashes[i] >>> shift) & MASK)]++;
                spareHashes[at] = hashes[i];
                spareOrder[at] = order[i];
            }
            System.arraycopy(spareHashes, from, hashes, from, to - from);
            System.arraycopy(spareOrder, from, order, from, to - from);
            Object[] content = new Object[2 * Integer.bitCount(dataMap) + Integer.bitCount(nodeMap)];
            int data = 0;
            int child = content.length - 1;
            for (int branch = 0; branch <= MASK; branch++) {
                int start = from + starts[branch];
                int end = from + starts[branch + 1];
                if (end - start == 1) {
                    content[data++] = keys[order[start]].bytes();
                    content[data++] = values[order[start]];
                } else if (end - start > 1) {
                    content[child--] = build(start, end, shift + BITS);
                }
            }
            return new BitmapNode(dataMap, nodeMap, content, null);
        }
    }

    /** The value of {@code key}, or {@code null}. */
    @SuppressWarnings("unchecked")
    V get(Encoded key) {
        byte[] bytes = key.bytes();
        long hash = hasher.applyAsLong(bytes);
        Node node = root;
        for (int shift = 0; ; shift += BITS) {
            if (!(node instanceof BitmapNode bitmap)) {
                return (V) ((CollisionNode) node).get(bytes);
            }
            int bit = bit(hash, shift);
            if ((bitmap.dataMap & bit) != 0) {
                int at = bitmap.dataIndex(bit);
                return Arrays.equals(bytes, (byte[]) bitmap.content[at]) ? (V) bitmap.content[at + 1] : null;
            }
            if ((bitmap.nodeMap & bit) == 0) {
                return null;
            }
            node = bitmap.child(bit);
        }
    }

    /** This index with {@code key} mapped to {@code value}. */
    HashIndex<V> plus(Encoded key, V value) {
        Node next = root.plus(key.bytes(), value, hasher.applyAsLong(key.bytes()), 0, hasher, null);
        return next == root ? this : new HashIndex<>(next, hasher);
    }

    /** This index without {@code key}. */
    HashIndex<V> minus(Encoded key) {
        Node next = root.minus(key.bytes(), hasher.applyAsLong(key.bytes()), 0, null);
        return next == root ? this : new HashIndex<>(next, hasher);
    }

    /** A batch of changes to this index (this index itself stays as it is). */
    Batch<V> batch() {
        return new Batch<>(root, hasher);
    }

    /**
     * Changes to an index made one after another, in place on the nodes the batch itself made (a node it
     * made is copied once, then changed), so many changes cost far less than as many {@link #plus}es; Clojure
     * calls this a transient. Not thread-safe; {@link #build()} ends it.
     *
     * @param <V> the value type
     */
    static final class Batch<V> {

        private Node root;
        private final ToLongFunction<byte[]> hasher;
        private Object edit = new Object();

        private Batch(Node root, ToLongFunction<byte[]> hasher) {
            this.root = root;
            this.hasher = hasher;
        }

        /** Maps {@code key} to {@code value}. */
        void plus(Encoded key, V value) {
            root = root.plus(key.bytes(), value, hasher.applyAsLong(key.bytes()), 0, hasher, edit());
        }

        /** Removes {@code key}. */
        void minus(Encoded key) {
            root = root.minus(key.bytes(), hasher.applyAsLong(key.bytes()), 0, edit());
        }

        /** The index with every change; the batch can make no more. */
        HashIndex<V> build() {
            edit();
            edit = null;
            return new HashIndex<>(root, hasher);
        }

        private Object edit() {
            if (edit == null) {
                throw new IllegalStateException("this batch was built already");
            }
            return edit;
        }
    }

    private static int bit(long hash, int shift) {
        return 1 << (int) ((hash >>> shift) & MASK);
    }

    /**
     * A 64-bit hash of bytes with a seed: eight bytes at a time, each step multiplied and folded (the
     * scheme of wyhash's mixing), finished with a 64-bit avalanche.
     */
    static long hash(byte[] bytes, long seed) {
        long h = seed ^ (bytes.length * 0x9E3779B97F4A7C15L);
        int i = 0;
        for (; i + 8 <= bytes.length; i += 8) {
            h = mix(h ^ (long) LONGS.get(bytes, i));
        }
        long tail = 0;
        for (int shift = 0; i < bytes.length; i++, shift += 8) {
            tail |= (bytes[i] & 0xFFL) << shift;
        }
        h = mix(h ^ tail);
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return h;
    }

    private static long mix(long value) {
        long high = Math.multiplyHigh(value, 0xA0761D6478BD642FL);
        long low = value * 0xA0761D6478BD642FL;
        return high ^ low ^ 0xE7037ED1A0B428DBL;
    }

    /** A node of the trie: its content is key and value pairs (and, in a bitmap node, children). */
    private abstract static sealed class Node permits BitmapNode, CollisionNode {

        Object[] content;
        /**
         * The {@link Batch} that made this node and may still change it in place, or {@code null}; once its
         * batch is built nothing can reach the token again, so the node is as immutable as any other.
         */
        final Object owner;

        Node(Object[] content, Object owner) {
            this.content = content;
            this.owner = owner;
        }

        /** Whether a change under {@code edit} may be made in place. */
        final boolean owned(Object edit) {
            return edit != null && owner == edit;
        }

        /** The content to change a slot of under {@code edit}: this node's own if it is owned, else a copy. */
        final Object[] slots(Object edit) {
            return owned(edit) ? content : content.clone();
        }

        /** This node with {@code key} mapped to {@code value}; changed in place under an {@code edit} it is owned by. */
        abstract Node plus(byte[] key, Object value, long hash, int shift, ToLongFunction<byte[]> hasher, Object edit);

        /** This node without the key; a node left with one entry only is {@link #single() single}. */
        abstract Node minus(byte[] key, long hash, int shift, Object edit);

        /** Whether the node holds exactly one entry and no children (its parent then holds it itself). */
        abstract boolean single();

        /** The key of a single node. */
        final byte[] singleKey() {
            return (byte[]) content[0];
        }

        /** The value of a single node. */
        final Object singleValue() {
            return content[1];
        }
    }

    /**
     * Entries and children of one level, by 5 bits of the hash: entries first, as key and value pairs in
     * bit order, then children in reverse bit order (CHAMP's layout).
     */
    private static final class BitmapNode extends Node {

        static final BitmapNode EMPTY = new BitmapNode(0, 0, new Object[0], null);

        int dataMap;
        int nodeMap;

        BitmapNode(int dataMap, int nodeMap, Object[] content, Object owner) {
            super(content, owner);
            this.dataMap = dataMap;
            this.nodeMap = nodeMap;
        }

        /** A node of these maps and content: this one changed in place if {@code edit} owns it. */
        private BitmapNode with(int dataMap, int nodeMap, Object[] content, Object edit) {
            if (owned(edit)) {
                this.dataMap = dataMap;
                this.nodeMap = nodeMap;
                this.content = content;
                return this;
            }
            return new BitmapNode(dataMap, nodeMap, content, edit);
        }

        int dataIndex(int bit) {
            return 2 * Integer.bitCount(dataMap & (bit - 1));
        }

        int childIndex(int bit) {
            return content.length - 1 - Integer.bitCount(nodeMap & (bit - 1));
        }

        Node child(int bit) {
            return (Node) content[childIndex(bit)];
        }

        @Override
        Node plus(byte[] key, Object value, long hash, int shift, ToLongFunction<byte[]> hasher, Object edit) {
            int bit = bit(hash, shift);
            if ((dataMap & bit) != 0) {
                int at = dataIndex(bit);
                byte[] present = (byte[]) content[at];
                if (Arrays.equals(present, key)) {
                    if (content[at + 1] == value) {
                        return this;
                    }
                    Object[] copy = slots(edit);
                    copy[at + 1] = value;
                    return with(dataMap, nodeMap, copy, edit);
                }
                Node pair = pair(present, content[at + 1], hasher.applyAsLong(present), key, value,
                        hash, shift + BITS, edit);
                return entryToChild(bit, at, pair, edit);
            }
            if ((nodeMap & bit) != 0) {
                int at = childIndex(bit);
                Node child = (Node) content[at];
                Node next = child.plus(key, value, hash, shift + BITS, hasher, edit);
                if (next == child) {
                    return this;
                }
                Object[] copy = slots(edit);
                copy[at] = next;
                return with(dataMap, nodeMap, copy, edit);
            }
            int at = dataIndex(bit);
            Object[] copy = new Object[content.length + 2];
            System.arraycopy(content, 0, copy, 0, at);
            copy[at] = key;
            copy[at + 1] = value;
            System.arraycopy(content, at, copy, at + 2, content.length - at);
            return with(dataMap | bit, nodeMap, copy, edit);
        }

        @Override
        Node minus(byte[] key, long hash, int shift, Object edit) {
            int bit = bit(hash, shift);
            if ((dataMap & bit) != 0) {
                int at = dataIndex(bit);
                if (!Arrays.equals(key, (byte[]) content[at])) {
                    return this;
                }
                Object[] copy = new Object[content.length - 2];
                System.arraycopy(content, 0, copy, 0, at);
                System.arraycopy(content, at + 2, copy, at, content.length - at - 2);
                return with(dataMap ^ bit, nodeMap, copy, edit);
            }
            if ((nodeMap & bit) == 0) {
                return this;
            }
            int at = childIndex(bit);
            Node child = (Node) content[at];
            Node next = child.minus(key, hash, shift + BITS, edit);
            if (next.single()) {
                return childToEntry(bit, at, next.singleKey(), next.singleValue(), edit);
            }
            if (next == child) {
                return this;
            }
            Object[] copy = slots(edit);
            copy[at] = next;
            return with(dataMap, nodeMap, copy, edit);
        }

        /** Replaces the entry at {@code bit} (content index {@code at}) by a child holding it and another. */
        private Node entryToChild(int bit, int at, Node child, Object edit) {
            Object[] copy = new Object[content.length - 1];
            int childAt = content.length - 2 - Integer.bitCount(nodeMap & (bit - 1)); // in the shorter array
            System.arraycopy(content, 0, copy, 0, at);
            System.arraycopy(content, at + 2, copy, at, childAt - at);
            copy[childAt] = child;
            System.arraycopy(content, childAt + 2, copy, childAt + 1, content.length - childAt - 2);
            return with(dataMap ^ bit, nodeMap | bit, copy, edit);
        }

        /** Replaces the child at {@code bit} (content index {@code at}) by the one entry it has left. */
        private Node childToEntry(int bit, int at, byte[] key, Object value, Object edit) {
            int dataAt = dataIndex(bit);
            Object[] copy = new Object[content.length + 1];
            System.arraycopy(content, 0, copy, 0, dataAt);
            copy[dataAt] = key;
            copy[dataAt + 1] = value;
            System.arraycopy(content, dataAt, copy, dataAt + 2, at - dataAt);
            System.arraycopy(content, at + 1, copy, at + 2, content.length - at - 1);
            return with(dataMap | bit, nodeMap ^ bit, copy, edit);
        }

        @Override
        boolean single() {
            return nodeMap == 0 && content.length == 2;
        }

        /** A node holding two entries whose hashes agree below {@code shift}. */
        private static Node pair(byte[] key1, Object value1, long hash1, byte[] key2, Object value2, long hash2,
                                 int shift, Object edit) {
            if (shift >= MAX_SHIFT) {
                return new CollisionNode(new Object[] {key1, value1, key2, value2}, edit);
            }
            int bit1 = bit(hash1, shift);
            int bit2 = bit(hash2, shift);
            if (bit1 == bit2) {
                return new BitmapNode(0, bit1, new Object[] {pair(key1, value1, hash1, key2, value2, hash2,
                        shift + BITS, edit)}, edit);
            }
            return Integer.compareUnsigned(bit1, bit2) < 0
                    ? new BitmapNode(bit1 | bit2, 0, new Object[] {key1, value1, key2, value2}, edit)
                    : new BitmapNode(bit1 | bit2, 0, new Object[] {key2, value2, key1, value1}, edit);
        }
    }

    /** Entries whose 64-bit hashes are equal, as key and value pairs. */
    private static final class CollisionNode extends Node {

        CollisionNode(Object[] content, Object owner) {
            super(content, owner);
        }

        private CollisionNode with(Object[] content, Object edit) {
            if (owned(edit)) {
                this.content = content;
                return this;
            }
            return new CollisionNode(content, edit);
        }

        Object get(byte[] key) {
            for (int i = 0; i < content.length; i += 2) {
                if (Arrays.equals(key, (byte[]) content[i])) {
                    return content[i + 1];
                }
            }
            return null;
        }

        @Override
        Node plus(byte[] key, Object value, long hash, int shift, ToLongFunction<byte[]> hasher, Object edit) {
            for (int i = 0; i < content.length; i += 2) {
                if (Arrays.equals(key, (byte[]) content[i])) {
                    if (content[i + 1] == value) {
                        return this;
                    }
                    Object[] copy = slots(edit);
                    copy[i + 1] = value;
                    return with(copy, edit);
                }
            }
            Object[] copy = Arrays.copyOf(content, content.length + 2);
            copy[content.length] = key;
            copy[content.length + 1] = value;
            return with(copy, edit);
        }

        @Override
        Node minus(byte[] key, long hash, int shift, Object edit) {
            for (int i = 0; i < content.length; i += 2) {
                if (Arrays.equals(key, (byte[]) content[i])) {
                    Object[] copy = new Object[content.length - 2];
                    System.arraycopy(content, 0, copy, 0, i);
                    System.arraycopy(content, i + 2, copy, i, content.length - i - 2);
                    return with(copy, edit);
                }
            }
            return this;
        }

        @Override
        boolean single() {
            return content.length == 2;
        }
    }
}
