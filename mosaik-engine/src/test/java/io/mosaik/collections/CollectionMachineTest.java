package io.mosaik.collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.codec.Codec;
import io.mosaik.codec.JacksonCodec;
import io.mosaik.groups.ApplyContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The collections' state machines alone: canonical snapshots, restores, and commands they refuse. */
class CollectionMachineTest {

    private final Codec codec = JacksonCodec.cbor();
    private long index;

    private Boolean apply(CollectionMachine<?> machine, Ops.Writer command) {
        return machine.apply(command.build(), new ApplyContext(1, ++index));
    }

    private static byte[] capture(CollectionMachine<?> machine) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        machine.capture().writeTo(out);
        return out.toByteArray();
    }

    private MapMachine<String, Long> map() {
        return new MapMachine<>(codec, "test-map", String.class, Long.class);
    }

    @Test
    void replicasThatReachTheSameMapByDifferentPathsWriteTheSameSnapshot() throws IOException {
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            keys.add(i);
        }
        MapMachine<String, Long> ordered = map();
        keys.forEach(k -> apply(ordered, new Ops.Writer(MapMachine.INSERT).bytes(codec.encode("k" + k))
                .bytes(codec.encode((long) k))));
        Collections.shuffle(keys, new java.util.Random(7));
        MapMachine<String, Long> shuffled = map();
        apply(shuffled, new Ops.Writer(MapMachine.INSERT).bytes(codec.encode("gone")).bytes(codec.encode(1L)));
        keys.forEach(k -> apply(shuffled, new Ops.Writer(MapMachine.INSERT).bytes(codec.encode("k" + k))
                .bytes(codec.encode((long) k))));
        apply(shuffled, new Ops.Writer(MapMachine.REMOVE_MANY).number(1).bytes(codec.encode("gone")));
        index = 500; // the same version on both
        apply(ordered, new Ops.Writer(MapMachine.REMOVE_MANY).number(0));
        index = 500;
        apply(shuffled, new Ops.Writer(MapMachine.REMOVE_MANY).number(0));

        assertThat(capture(shuffled)).isEqualTo(capture(ordered));
        MapMachine<String, Long> restored = map();
        restored.restore(new ByteArrayInputStream(capture(ordered)));
        assertThat(restored.state().version()).isEqualTo(new Version(501));
        assertThat(restored.state().data().sorted().keySet()).isEqualTo(ordered.state().data().sorted().keySet());
        ordered.state().data().sorted().forEach((key, entry) -> assertThat(restored.state().data().value(key))
                .as("the restored hash index finds %s", key).isEqualTo(entry.value()));
        assertThat(restored.state().data().value(new Encoded(codec.encode("k42")))).isEqualTo(42L);
        assertThat(restored.restores()).isEqualTo(1);
        assertThat(capture(restored)).isEqualTo(capture(ordered));
    }

    @Test
    void everyKindRestoresWhatItCaptured() throws IOException {
        VecMachine<String> vec = new VecMachine<>(codec, "v", String.class);
        apply(vec, new Ops.Writer(VecMachine.EXTEND).number(3).bytes(codec.encode("a")).bytes(codec.encode("b"))
                .bytes(codec.encode("c")));
        VecMachine<String> vec2 = new VecMachine<>(codec, "v", String.class);
        vec2.restore(new ByteArrayInputStream(capture(vec)));
        assertThat(vec2.state().data()).extracting(VecMachine.Item::value).containsExactly("a", "b", "c");

        PriorityQueueMachine<Integer, String, String> queue = new PriorityQueueMachine<>(codec, "q", Integer.class,
                String.class, String.class, 10);
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 50; i++) {
            apply(queue, new Ops.Writer(PriorityQueueMachine.INSERT).bytes(codec.encode(random.nextInt(5)))
                    .bytes(codec.encode("k" + random.nextInt(30))).bytes(codec.encode("v" + i)));
        }
        assertThat(queue.state().data().byKey()).hasSize(10);
        PriorityQueueMachine<Integer, String, String> queue2 = new PriorityQueueMachine<>(codec, "q", Integer.class,
                String.class, String.class, 10);
        queue2.restore(new ByteArrayInputStream(capture(queue)));
        assertThat(queue2.state().data().byRank().values()).extracting(i -> i.priority() + " " + i.k() + " " + i.value())
                .isEqualTo(queue.state().data().byRank().values().stream()
                        .map(i -> i.priority() + " " + i.k() + " " + i.value()).toList());
        assertThat(capture(queue2)).isEqualTo(capture(queue));

        CellMachine<Long> once = new CellMachine<>(CollectionKind.ONCE, codec, "o", Long.class);
        assertThat(apply(once, new Ops.Writer(CellMachine.WRITE).bytes(codec.encode(1L)))).isTrue();
        assertThat(apply(once, new Ops.Writer(CellMachine.WRITE).bytes(codec.encode(2L)))).isFalse();
        CellMachine<Long> once2 = new CellMachine<>(CollectionKind.ONCE, codec, "o", Long.class);
        once2.restore(new ByteArrayInputStream(capture(once)));
        assertThat(once2.state().data()).map(CellMachine.Value::value).contains(1L);

        SetMachine<Long> set = new SetMachine<>(codec, "s", Long.class);
        assertThatThrownBy(() -> set.restore(new ByteArrayInputStream(capture(once))))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot restore a set");
    }

    @Test
    void invalidCommandsAreRefusedAndChangeNothing() {
        MapMachine<String, Long> map = map();
        apply(map, new Ops.Writer(MapMachine.INSERT).bytes(codec.encode("a")).bytes(codec.encode(1L)));
        CollectionMachine.State<?> before = map.state();
        assertThatThrownBy(() -> apply(map, new Ops.Writer(99))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown map operation");
        assertThatThrownBy(() -> map.apply(new byte[] {MapMachine.INSERT, 100, 1}, new ApplyContext(1, 9)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> apply(map, new Ops.Writer(MapMachine.INSERT).bytes(codec.encode("a"))
                .bytes(codec.encode("not a long")))).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> apply(map, new Ops.Writer(MapMachine.EXTEND).number(1_000_000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more items");
        assertThat(map.state()).isSameAs(before);

        VecMachine<String> vec = new VecMachine<>(codec, "v", String.class);
        assertThatThrownBy(() -> apply(vec, new Ops.Writer(VecMachine.INSERT).number(1).bytes(codec.encode("x"))))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(vec.state().data()).isEmpty();
        CellMachine<Long> once = new CellMachine<>(CollectionKind.ONCE, codec, "o", Long.class);
        assertThatThrownBy(() -> apply(once, new Ops.Writer(CellMachine.CLEAR)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
