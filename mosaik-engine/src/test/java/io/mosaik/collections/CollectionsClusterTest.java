package io.mosaik.collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.codec.JacksonCodec;
import io.mosaik.groups.CommandRejectedException;
import io.mosaik.groups.ConsensusConfig;
import io.mosaik.groups.GroupClosedException;
import io.mosaik.network.Network;
import io.mosaik.primitives.NetworkId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Every operation of every collection on three real nodes on loopback: writers on nodes 0 and 1 (the
 * voters), a reader on node 2 (an observer) that must reach each write's version and then read the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CollectionsClusterTest {

    static final ConsensusConfig FAST = ConsensusConfig.defaults()
            .withHeartbeats(Duration.ofMillis(100), Duration.ofMillis(20), 10)
            .withElections(Duration.ofMillis(600), Duration.ofMillis(300), Duration.ofMillis(500));
    static final CollectionConfig CONFIG = CollectionConfig.defaults().withConsensus(FAST);

    /** A record value, to show that any Jackson-serializable type works. */
    record Order(String side, long quantity) {
    }

    private final List<Network> nodes = new ArrayList<>();

    @BeforeAll
    void startNodes() throws Exception {
        NetworkId network = NetworkId.of("collections-cluster-test");
        Network first = Network.builder(network).meterRegistry(new SimpleMeterRegistry()).start();
        nodes.add(first);
        for (int i = 1; i < 3; i++) {
            nodes.add(Network.builder(network).meterRegistry(new SimpleMeterRegistry())
                    .bootstrap(List.of(first.address())).start());
        }
    }

    @AfterAll
    void closeNodes() {
        nodes.forEach(Network::close);
    }

    static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private ReplicatedCollections on(int node) {
        return nodes.get(node).collections();
    }

    /** Waits until every handle is online, and the reader has joined the group as an observer. */
    private static void online(ReplicatedCollection... handles) throws Exception {
        for (ReplicatedCollection handle : handles) {
            get(handle.when().online());
        }
    }

    @Test
    void mapEveryOperationOnAWriterAndAReader() throws Exception {
        ReplicatedMapWriter<String, Order> writer = on(0).map("orders", String.class, Order.class).config(CONFIG).writer();
        ReplicatedMapWriter<String, Order> other = on(1).map("orders", String.class, Order.class).config(CONFIG).writer();
        ReplicatedMap<String, Order> reader = on(2).map("orders", String.class, Order.class).config(CONFIG).reader();
        online(writer, other, reader);
        assertThat(reader.role()).isEqualTo(CollectionRole.READER);
        assertThat(reader).isNotInstanceOf(ReplicatedMapWriter.class);

        Version v1 = get(writer.put("a", new Order("buy", 1)));
        assertThat(writer.get("a")).contains(new Order("buy", 1)); // read-your-writes on the writer's node
        Map<String, Order> batch = new LinkedHashMap<>();
        batch.put("c", new Order("sell", 3));
        batch.put("b", new Order("buy", 2));
        Version v2 = get(other.putAll(batch));
        assertThat(v2).isGreaterThan(v1);
        get(reader.when().reaches(v2));
        assertThat(reader.asMap()).containsExactly(Map.entry("a", new Order("buy", 1)), Map.entry("b", new Order("buy", 2)),
                Map.entry("c", new Order("sell", 3)));
        assertThat(reader.get("b")).contains(new Order("buy", 2));
        assertThat(reader.containsKey("z")).isFalse();
        assertThat(reader.size()).isEqualTo(3);

        CasResult wrong = get(writer.compareAndSet("a", new Order("buy", 99), new Order("buy", 5)));
        assertThat(wrong.succeeded()).isFalse();
        CasResult right = get(writer.compareAndSet("a", new Order("buy", 1), new Order("buy", 5)));
        assertThat(right.succeeded()).isTrue();
        assertThat(right.version()).isGreaterThan(wrong.version());
        assertThat(get(writer.compareAndSet("new", null, new Order("sell", 7))).succeeded()).isTrue();
        assertThat(get(writer.compareAndSet("new", null, new Order("sell", 8))).succeeded()).isFalse();
        CasResult removed = get(writer.compareAndSet("new", new Order("sell", 7), null));
        assertThat(removed.succeeded()).isTrue();
        get(reader.when().reaches(removed.version()));
        assertThat(reader.get("a")).contains(new Order("buy", 5));
        assertThat(reader.containsKey("new")).isFalse();

        Version missing = get(writer.remove("nope"));
        assertThat(missing).as("a write that changes nothing still takes a version").isGreaterThan(removed.version());
        Version emptyBatch = get(writer.removeAll(List.of()));
        assertThat(emptyBatch).as("an empty batch writes nothing").isEqualTo(writer.version());
        assertThat(get(writer.putAll(Map.of()))).isEqualTo(emptyBatch);
        Version afterRemove = get(writer.removeAll(List.of("a", "b")));
        get(reader.when().reaches(afterRemove));
        assertThat(reader.asMap()).containsOnlyKeys("c");
        Version cleared = get(other.clear());
        get(reader.when().reaches(cleared));
        assertThat(reader.isEmpty()).isTrue();
        assertThat(reader.version()).isEqualTo(cleared);
        // the other writer's clear is applied on its own node when it completes; this node learns of the
        // commit a little later (a follower may hear of a commit index up to a couple of ms after it)
        get(writer.when().reaches(cleared));
        assertThat(writer.asMap()).isEmpty();
    }

    @Test
    void vecEveryOperation() throws Exception {
        ReplicatedVecWriter<String> writer = on(0).vec("letters", String.class).config(CONFIG).writer();
        ReplicatedVecWriter<String> other = on(1).vec("letters", String.class).config(CONFIG).writer();
        ReplicatedVec<String> reader = on(2).vec("letters", String.class).config(CONFIG).reader();
        online(writer, other, reader);

        get(writer.pushBack("b"));
        assertThat(writer.asList()).as("the writer reads its own write").containsExactly("b");
        get(other.pushFront("a"));
        get(writer.extend(List.of("c", "d", "e")));
        get(writer.insert(5, "f")); // at the length: appends
        Version v = get(writer.insert(1, "a2"));
        get(reader.when().reaches(v));
        assertThat(reader.asList()).containsExactly("a", "a2", "b", "c", "d", "e", "f");
        assertThat(reader.get(1)).contains("a2");
        assertThat(reader.get(7)).isEmpty();
        assertThat(reader.get(-1)).isEmpty();
        assertThat(reader.first()).contains("a");
        assertThat(reader.last()).contains("f");
        assertThat(reader.indexOf("c")).isEqualTo(OptionalLong.of(3));
        assertThat(reader.contains("c")).isTrue();
        assertThat(reader.contains("zz")).isFalse();

        assertThatThrownBy(() -> get(writer.insert(100, "x"))).hasCauseInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("index 100");
        get(writer.remove(1));
        get(writer.swap(0, 5));
        Version ignoredSwap = get(writer.swap(0, 100));
        get(writer.popBack());
        get(writer.popFront());
        Version removedPast = get(writer.remove(100));
        assertThat(removedPast).isGreaterThan(ignoredSwap);
        v = get(writer.truncate(2));
        get(reader.when().reaches(v));
        // a a2 b c d e f -> a b c d e f -> f b c d e a -> f b c d e -> b c d e -> b c
        assertThat(reader.asList()).containsExactly("b", "c");
        get(writer.truncate(10));
        v = get(writer.clear());
        Version popEmpty = get(writer.popFront());
        assertThat(popEmpty).isGreaterThan(v);
        Version popBackEmpty = get(writer.popBack());
        assertThat(popBackEmpty).isGreaterThan(popEmpty);
        get(reader.when().reaches(popBackEmpty));
        assertThat(reader.asList()).isEmpty();
        assertThat(get(writer.extend(List.of()))).isEqualTo(writer.version());
    }

    @Test
    void vecInsertPastTheEndIsRejectedByEveryReplicaWithoutHarm() throws Exception {
        ReplicatedVecWriter<Integer> writer = on(0).vec("race", Integer.class).config(CONFIG).writer();
        ReplicatedVec<Integer> reader = on(2).vec("race", Integer.class).config(CONFIG).reader();
        online(writer, reader);
        get(writer.extend(List.of(1, 2, 3)));
        // As if another writer had shortened the vec between the local check and the apply: the
        // command reaches the replicas with an index past the end, and every one refuses it.
        CompletableFuture<Version> insert = ((VecHandles.Writer<Integer>) writer).write(
                () -> new Ops.Writer(VecMachine.INSERT).number(4).bytes(JacksonCodec.cbor().encode(4)).build(), 4);
        assertThatThrownBy(() -> get(insert)).hasCauseInstanceOf(CommandRejectedException.class)
                .hasMessageContaining("cannot insert at index 4");
        get(writer.popBack());
        Version after = get(writer.pushBack(9));
        get(reader.when().reaches(after));
        assertThat(reader.asList()).containsExactly(1, 2, 9);
    }

    @Test
    void setEveryOperation() throws Exception {
        ReplicatedSetWriter<String> writer = on(0).set("tags", String.class).config(CONFIG).writer();
        ReplicatedSet<String> reader = on(2).set("tags", String.class).config(CONFIG).reader();
        ReplicatedSetWriter<String> superset = on(1).set("more-tags", String.class).config(CONFIG).writer();
        online(writer, reader, superset);

        get(writer.add("x"));
        assertThat(writer.asSet()).as("the writer reads its own write").containsExactly("x");
        Version duplicate = get(writer.add("x"));
        get(writer.addAll(List.of("z", "y")));
        Version v = get(writer.remove("nope"));
        assertThat(v).isGreaterThan(duplicate);
        get(reader.when().reaches(v));
        assertThat(reader.asSet()).containsExactly("x", "y", "z");
        assertThat(reader.contains("y")).isTrue();
        get(superset.addAll(List.of("x", "y", "z", "w")));
        assertThat(writer.isSubsetOf(superset)).isTrue();
        assertThat(reader.isSubsetOf(superset)).as("a reader compares its replica too").isTrue();
        assertThat(superset.isSubsetOf(writer)).isFalse();
        assertThat(superset.isSubsetOf(reader)).isFalse();
        get(writer.removeAll(List.of("x", "y")));
        v = get(writer.remove("z"));
        get(reader.when().reaches(v));
        assertThat(reader.isEmpty()).isTrue();
        get(writer.add("q"));
        v = get(writer.clear());
        get(reader.when().reaches(v));
        assertThat(reader.asSet()).isEmpty();
        assertThat(get(writer.addAll(Set.of()))).isEqualTo(writer.version());
        assertThat(get(writer.removeAll(Set.of()))).isEqualTo(writer.version());
    }

    @Test
    void cellEveryOperation() throws Exception {
        ReplicatedCellWriter<Long> writer = on(0).cell("price", Long.class).config(CONFIG).writer();
        ReplicatedCell<Long> reader = on(2).cell("price", Long.class).config(CONFIG).reader();
        online(writer, reader);
        assertThat(reader.get()).isEmpty();
        assertThat(get(writer.compareAndSet(5L, 6L)).succeeded()).isFalse();
        assertThat(get(writer.compareAndSet(null, 6L)).succeeded()).isTrue();
        get(writer.set(7L));
        assertThat(writer.get()).as("the writer reads its own write").contains(7L);
        CasResult stale = get(writer.compareAndSet(6L, 9L));
        assertThat(stale.succeeded()).as("the cell holds 7, not 6").isFalse();
        assertThat(writer.get()).contains(7L);
        get(reader.when().reaches(stale.version()));
        assertThat(reader.get()).contains(7L);

        CompletableFuture<Version> updated = reader.when().updated();
        assertThat(updated).as("no write since").isNotDone();
        CasResult swap = get(writer.compareAndSet(7L, 8L));
        assertThat(swap.succeeded()).isTrue();
        assertThat(get(updated)).as("the next write applied on the reader's node").isEqualTo(swap.version());
        assertThat(reader.get()).contains(8L);
        CasResult emptied = get(writer.compareAndSet(8L, null));
        assertThat(emptied.succeeded()).isTrue();
        get(reader.when().reaches(emptied.version()));
        assertThat(reader.isPresent()).isFalse();
        get(writer.set(1L));
        Version cleared = get(writer.clear());
        get(reader.when().reaches(cleared));
        assertThat(reader.get()).isEmpty();
    }

    @Test
    void onceTakesTheFirstOfTwoConcurrentWriters() throws Exception {
        ReplicatedOnceWriter<String> one = on(0).once("winner", String.class).config(CONFIG).writer();
        ReplicatedOnceWriter<String> two = on(1).once("winner", String.class).config(CONFIG).writer();
        ReplicatedOnce<String> reader = on(2).once("winner", String.class).config(CONFIG).reader();
        online(one, two, reader);
        CompletableFuture<String> awaited = reader.awaitValue();
        assertThat(awaited).isNotDone();
        CompletableFuture<CasResult> first = one.set("one");
        CompletableFuture<CasResult> second = two.set("two");
        CasResult a = get(first);
        CasResult b = get(second);
        assertThat(a.succeeded() ^ b.succeeded()).as("exactly one write wins").isTrue();
        String winner = a.succeeded() ? "one" : "two";
        assertThat(get(awaited)).isEqualTo(winner);
        CasResult late = get(one.set("late"));
        assertThat(late.succeeded()).isFalse();
        get(reader.when().reaches(late.version()));
        assertThat(reader.get()).contains(winner);
        assertThat(one.get()).contains(winner);
        assertThat(get(two.awaitValue())).isEqualTo(winner);
    }

    /** An unbounded queue of a store on a node: integer priorities, string keys and values. */
    private CollectionBuilder<ReplicatedPriorityQueue<Integer, String, String>,
            ReplicatedPriorityQueueWriter<Integer, String, String>> queue(int node, String store) {
        return on(node).priorityQueue(store, Integer.class, String.class, String.class).config(CONFIG);
    }

    @Test
    void priorityQueueInsertsUpdatesAndCompareAndSet() throws Exception {
        ReplicatedPriorityQueueWriter<Integer, String, String> writer = queue(0, "book").writer();
        ReplicatedPriorityQueue<Integer, String, String> reader = queue(2, "book").reader();
        online(writer, reader);
        assertThat(reader.capacity()).isEqualTo(Long.MAX_VALUE);

        get(writer.insert(5, "e", "five"));
        assertThat(writer.containsKey("e")).as("the writer reads its own write").isTrue();
        get(writer.insertAll(List.of(new PriorityEntry<>(1, "a", "one"), new PriorityEntry<>(3, "c", "three"),
                new PriorityEntry<>(3, "b", "three-b"), new PriorityEntry<>(9, "i", "nine"))));
        Version v = get(writer.insert(7, "e", "seven")); // upsert moves the key
        assertThat(get(writer.insertAll(List.of()))).as("an empty batch writes nothing").isEqualTo(v);
        get(reader.when().reaches(v));
        assertThat(reader.ascending()).extracting(PriorityEntry::key).containsExactly("a", "b", "c", "e", "i");
        assertThat(reader.descending()).extracting(PriorityEntry::key).containsExactly("i", "e", "c", "b", "a");
        assertThat(reader.containsKey("e")).isTrue();
        assertThat(reader.containsKey("zz")).isFalse();
        assertThat(reader.priorityOf("e")).contains(7);
        assertThat(reader.get("e")).contains("seven");
        assertThat(reader.min()).contains(new PriorityEntry<>(1, "a", "one"));
        assertThat(reader.max()).contains(new PriorityEntry<>(9, "i", "nine"));

        get(writer.updatePriority("a", 4));
        Version noKey = get(writer.updatePriority("zz", 1));
        Version noValue = get(writer.updateValue("zz", "nothing"));
        assertThat(noValue).as("an update of a missing key changes nothing but takes a version").isGreaterThan(noKey);
        get(writer.updateValue("c", "THREE"));
        assertThat(get(writer.compareAndSetValue("b", "wrong", "x")).succeeded()).isFalse();
        assertThat(get(writer.compareAndSetValue("b", "three-b", "B")).succeeded()).isTrue();
        CasResult removedByCas = get(writer.compareAndSetValue("i", "nine", null));
        assertThat(removedByCas.succeeded()).isTrue();
        get(reader.when().reaches(removedByCas.version()));
        assertThat(reader.ascending()).containsExactly(new PriorityEntry<>(3, "b", "B"),
                new PriorityEntry<>(3, "c", "THREE"), new PriorityEntry<>(4, "a", "one"),
                new PriorityEntry<>(7, "e", "seven"));
        assertThat(reader.containsKey("zz")).as("neither update inserted the missing key").isFalse();
        assertThat(reader.minPriority()).contains(3);
        assertThat(reader.maxPriority()).contains(7);
    }

    @Test
    void priorityQueueRemovesByKeyAndByEveryKindOfRange() throws Exception {
        ReplicatedPriorityQueueWriter<Integer, String, String> writer = queue(0, "ranges").writer();
        ReplicatedPriorityQueue<Integer, String, String> reader = queue(2, "ranges").reader();
        online(writer, reader);
        List<PriorityEntry<Integer, String, String>> tenEntries = new ArrayList<>();
        for (int p = 1; p <= 10; p++) {
            tenEntries.add(new PriorityEntry<>(p, "k" + p, "v" + p));
        }
        get(writer.insertAll(tenEntries));

        get(writer.removeRange(PriorityRange.below(2))); // 1 goes, 2 stays
        get(writer.removeRange(PriorityRange.atLeast(9))); // 9 and 10 go
        get(writer.removeRange(PriorityRange.between(4, 6))); // 4 and 5 go, 6 stays
        get(writer.removeRange(PriorityRange.above(7))); // 8 goes, 7 stays
        get(writer.removeRange(new PriorityRange<>(3, false, 3, true))); // an empty range
        Version v = get(writer.removeRange(PriorityRange.atMost(2))); // 2 goes
        get(reader.when().reaches(v));
        assertThat(reader.ascending()).extracting(PriorityEntry::key).containsExactly("k3", "k6", "k7");

        get(writer.remove("k3"));
        v = get(writer.removeAll(List.of("k6", "missing")));
        get(reader.when().reaches(v));
        assertThat(reader.ascending()).containsExactly(new PriorityEntry<>(7, "k7", "v7"));

        get(writer.insertAll(tenEntries));
        v = get(writer.removeRange(PriorityRange.all()));
        get(reader.when().reaches(v));
        assertThat(reader.isEmpty()).isTrue();
        get(writer.insert(1, "x", "y"));
        v = get(writer.clear());
        get(reader.when().reaches(v));
        assertThat(reader.ascending()).isEmpty();
        assertThat(reader.min()).isEmpty();
        assertThat(get(writer.removeAll(List.of()))).isEqualTo(writer.version());
    }

    @Test
    void boundedPriorityQueueEvictsTheLowestRankWithTiesByEncodedKey() throws Exception {
        ReplicatedPriorityQueueWriter<Integer, String, String> writer = on(0)
                .priorityQueue(StoreId.of("top3"), Integer.class, String.class, String.class, 3).config(CONFIG).writer();
        ReplicatedPriorityQueue<Integer, String, String> reader = on(2)
                .priorityQueue(StoreId.of("top3"), Integer.class, String.class, String.class, 3).config(CONFIG).reader();
        online(writer, reader);
        assertThat(reader.capacity()).isEqualTo(3);
        get(writer.insertAll(List.of(new PriorityEntry<>(5, "m", "-"), new PriorityEntry<>(5, "n", "-"),
                new PriorityEntry<>(8, "z", "-"))));
        // Full: a 4th entry evicts the lowest priority (5); of "m" and "n", the smaller encoded key ("m").
        get(writer.insert(6, "p", "-"));
        // Below the minimum: the new entry is the one evicted.
        get(writer.insert(1, "low", "-"));
        // Equal to the minimum with a smaller key: it ranks first and goes.
        get(writer.insert(6, "a", "-"));
        // Replacing an existing key never evicts.
        Version v = get(writer.insert(9, "n", "moved"));
        get(reader.when().reaches(v));
        assertThat(reader.ascending()).containsExactly(new PriorityEntry<>(6, "p", "-"), new PriorityEntry<>(8, "z", "-"),
                new PriorityEntry<>(9, "n", "moved"));
        assertThat(writer.ascending()).isEqualTo(reader.ascending());

        // A batch that overflows the queue evicts after each of its entries, not once at the end: "q" at
        // 10 evicts "p" (6); "a" at 8 ties with "z" and ranks first, so it goes; "q" moved to 1 replaces
        // an entry and evicts nothing. (Trimming the whole batch at the end would keep a, z and n.)
        v = get(writer.insertAll(List.of(new PriorityEntry<>(10, "q", "-"), new PriorityEntry<>(8, "a", "-"),
                new PriorityEntry<>(1, "q", "moved"))));
        get(reader.when().reaches(v));
        assertThat(reader.ascending()).containsExactly(new PriorityEntry<>(1, "q", "moved"),
                new PriorityEntry<>(8, "z", "-"), new PriorityEntry<>(9, "n", "moved"));
        assertThat(writer.ascending()).isEqualTo(reader.ascending());
    }

    @Test
    void twoHandlesOnOneNodeShareOneReplicaAndClosingOneKeepsTheOther() throws Exception {
        ReplicatedSetWriter<Integer> first = on(0).set("shared", Integer.class).config(CONFIG).writer();
        ReplicatedSet<Integer> second = on(0).set("shared", Integer.class).config(CONFIG).reader();
        ReplicatedSetWriter<Integer> remote = on(1).set("shared", Integer.class).config(CONFIG).writer();
        online(first, second, remote);
        assertThat(on(0).list()).filteredOn(info -> info.store().equals("shared"))
                .singleElement().satisfies(info -> {
                    assertThat(info.handles()).isEqualTo(2);
                    assertThat(info.role()).isEqualTo(CollectionRole.WRITER);
                });
        Version v = get(remote.add(1));
        get(second.when().reaches(v));
        assertThat(second.asSet()).containsExactly(1);
        assertThat(first.asSet()).containsExactly(1);
        first.close();
        assertThatThrownBy(() -> get(first.add(2))).hasCauseInstanceOf(GroupClosedException.class)
                .hasMessageContaining("closed");
        v = get(remote.add(2));
        get(second.when().reaches(v));
        assertThat(second.asSet()).as("the other handle still follows the collection").containsExactly(1, 2);
        second.close();
        assertThat(on(0).list()).noneMatch(info -> info.store().equals("shared"));
    }

    @Test
    void aCollectionClosedAndOpenedAgainAtOnceFollowsItsGroupAgain() throws Exception {
        ReplicatedCellWriter<String> remote = on(1).cell("reopened", String.class).config(CONFIG).writer();
        ReplicatedCell<String> local = on(0).cell("reopened", String.class).config(CONFIG).reader();
        online(remote, local);
        get(local.when().reaches(get(remote.set("first"))));
        local.close(); // the last handle here: the node leaves the group...
        ReplicatedCell<String> again = on(0).cell("reopened", String.class).config(CONFIG).reader(); // ...and joins anew
        Version second = get(remote.set("second"));
        get(again.when().reaches(second));
        assertThat(again.get()).as("the new handle reads the replica of the member that runs now")
                .contains("second");
    }

    @Test
    void aWriteWhileOfflineFailsAndHandsItsInputBack() throws Exception {
        // A writer alone on its store (no other node has this secret): it forms a group of one, but not yet.
        ReplicatedMapWriter<String, Long> lonely = on(0).map("lonely", String.class, Long.class)
                .config(CONFIG.withSecret("nobody else has this")).writer();
        // Right after opening, its group has not formed yet.
        assertThat(lonely.isOnline()).isFalse();
        assertThatThrownBy(() -> get(lonely.put("k", 1L))).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(CollectionOfflineException.class)
                .satisfies(e -> assertThat(((CollectionOfflineException) e).input()).isEqualTo(Map.entry("k", 1L)));
        get(lonely.when().online()); // alone, it forms a group of its own
        assertThat(get(lonely.put("k", 1L)).index()).isPositive();
        assertThat(lonely.get("k")).isEqualTo(Optional.of(1L));
    }

    @Test
    void aNodeWithAnotherSecretNeverSharesTheCollection() throws Exception {
        CollectionConfig right = CONFIG.withSecret("the right secret");
        ReplicatedMapWriter<String, Long> writer = on(0).map("guarded", String.class, Long.class).config(right).writer();
        ReplicatedMap<String, Long> insider = on(1).map("guarded", String.class, Long.class).config(right).reader();
        ReplicatedMap<String, Long> outsider = on(2).map("guarded", String.class, Long.class)
                .config(CONFIG.withSecret("a wrong secret")).reader();
        ReplicatedMapWriter<String, Long> intruder = on(1).map("guarded", String.class, Long.class)
                .config(CONFIG.withSecret("another wrong secret")).writer();
        online(writer, insider, intruder);
        Version v = get(writer.put("vault", 1L));
        get(insider.when().reaches(v));
        assertThat(insider.get("vault")).as("a reader with the secret reads the writes").contains(1L);

        Version intruded = get(intruder.put("vault", 666L));
        assertThat(intruder.asMap()).as("a writer with another secret is alone in a collection of its own")
                .containsExactly(Map.entry("vault", 666L));
        assertThat(intruder.status().bonds()).isEmpty();
        assertThat(outsider.when().online()).as("a reader with another secret finds no one to follow")
                .failsWithin(Duration.ofSeconds(2));
        assertThat(outsider.isEmpty()).isTrue();
        assertThat(outsider.version()).isEqualTo(Version.ZERO);
        assertThat(outsider.status().bonds()).isEmpty();
        Version after = get(writer.put("after", 2L));
        get(insider.when().reaches(after));
        assertThat(insider.asMap()).as("nothing the intruder wrote reached the others at %s", intruded)
                .containsExactly(Map.entry("after", 2L), Map.entry("vault", 1L));
    }

    @Test
    void aSecondHandleWithOtherSettingsOnOneNodeIsRefused() throws Exception {
        ReplicatedSetWriter<String> first = on(0).set("settled", String.class).config(CONFIG).writer();
        assertThatThrownBy(() -> on(0).set("settled", String.class).config(CONFIG.withSnapshots(5, 1)).reader())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("set settled is open on this node already with other settings")
                .hasMessageContaining("snapshotEvery " + CONFIG.snapshotEvery() + " vs 5")
                .hasMessageContaining("snapshotRetain " + CONFIG.snapshotRetain() + " vs 1")
                .hasMessageNotContaining("consensus");
        assertThatThrownBy(() -> on(0).set("settled", String.class)
                .config(CONFIG.withDataDirectory(java.nio.file.Path.of("unused"), io.mosaik.groups.raft.SyncPolicy.ALWAYS))
                .writer()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataDirectory null vs unused");
        assertThat(on(0).list()).filteredOn(info -> info.store().equals("settled")).singleElement()
                .satisfies(info -> assertThat(info.handles()).as("the refused handles took nothing").isEqualTo(1));
        ReplicatedSet<String> same = on(0).set("settled", String.class).config(CONFIG).reader();
        online(first);
        get(first.add("x"));
        assertThat(same.asSet()).containsExactly("x");
        same.close();
        first.close();
    }

    @Test
    void differentElementTypesOrSecretsAreDifferentCollections() {
        CollectionBuilder<ReplicatedMap<String, Long>, ReplicatedMapWriter<String, Long>> longs =
                on(0).map("same-name", String.class, Long.class);
        assertThat(longs.groupId()).isNotEqualTo(on(0).map("same-name", String.class, Integer.class).groupId());
        assertThat(longs.groupId()).isNotEqualTo(on(0).set("same-name", String.class).groupId());
        assertThat(longs.groupId()).isNotEqualTo(on(0).map("same-name", String.class, Long.class)
                .config(CollectionConfig.defaults().withSecret("s3cret")).groupId());
        assertThat(longs.groupId()).isEqualTo(on(1).map("same-name", String.class, Long.class).groupId());
    }
}
