package io.mosaik.collections;

import io.mosaik.codec.Codec;
import io.mosaik.codec.JacksonCodec;
import io.mosaik.groups.ApplyContext;
import io.mosaik.primitives.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongFunction;

/**
 * Collection state machines for the group simulator (in another package): each turns a number into a
 * command of its kind, so that random register writes make a varied history of collection writes.
 */
public final class SimulatedCollections {

    private static final Codec CODEC = JacksonCodec.cbor();

    private SimulatedCollections() {
    }

    /** A collection state machine driven by numbers. */
    public static final class Passenger {
        private final CollectionMachine<?> machine;
        private final LongFunction<Ops.Writer> commands;

        Passenger(CollectionMachine<?> machine, LongFunction<Ops.Writer> commands) {
            this.machine = machine;
            this.commands = commands;
        }

        /** Applies the command a number stands for. */
        public void apply(long value, ApplyContext context) {
            machine.apply(commands.apply(value).build(), context);
        }

        /** The snapshot of the state. */
        public byte[] snapshot() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                machine.capture().writeTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }

        /** Restores a snapshot. */
        public void restore(byte[] snapshot) {
            try {
                machine.restore(new ByteArrayInputStream(snapshot));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A digest of the canonical snapshot: the state and its version. */
        public String digest() {
            return Digest.hash(snapshot()).toHex();
        }
    }

    /** A map of 32 keys: inserts, batches, removes, compare-and-sets and the odd clear. */
    public static Passenger map() {
        return new Passenger(new MapMachine<>(CODEC, "sim-map", Integer.class, Long.class), v -> {
            int key = (int) (v / 7 % 32);
            return switch ((int) (v % 7)) {
                case 0, 1 -> new Ops.Writer(MapMachine.INSERT).bytes(CODEC.encode(key)).bytes(CODEC.encode(v));
                case 2 -> new Ops.Writer(MapMachine.EXTEND).number(2).bytes(CODEC.encode(key)).bytes(CODEC.encode(v))
                        .bytes(CODEC.encode((key + 5) % 32)).bytes(CODEC.encode(-v));
                case 3 -> new Ops.Writer(MapMachine.REMOVE_MANY).number(1).bytes(CODEC.encode(key));
                case 4 -> new Ops.Writer(MapMachine.COMPARE_AND_SET).bytes(CODEC.encode(key))
                        .optional(v % 2 == 0 ? null : CODEC.encode(v - 7)).optional(CODEC.encode(v));
                case 5 -> new Ops.Writer(MapMachine.COMPARE_AND_SET).bytes(CODEC.encode(key))
                        .optional(CODEC.encode(v - 14)).optional(null);
                default -> v % 5 == 0 ? new Ops.Writer(MapMachine.CLEAR)
                        : new Ops.Writer(MapMachine.INSERT).bytes(CODEC.encode(key)).bytes(CODEC.encode(0L));
            };
        });
    }

    /** A priority queue bounded at 8, 20 keys, 6 priorities: many ties and evictions. */
    public static Passenger boundedPriorityQueue() {
        return new Passenger(new PriorityQueueMachine<>(CODEC, "sim-pq", Integer.class, String.class, Long.class, 8),
                v -> {
                    String key = "k" + (v / 9 % 20);
                    int priority = (int) (v / 3 % 6);
                    return switch ((int) (v % 9)) {
                        case 0, 1, 2 -> new Ops.Writer(PriorityQueueMachine.INSERT).bytes(CODEC.encode(priority))
                                .bytes(CODEC.encode(key)).bytes(CODEC.encode(v));
                        case 3 -> new Ops.Writer(PriorityQueueMachine.UPDATE_PRIORITY).bytes(CODEC.encode(key))
                                .bytes(CODEC.encode(priority));
                        case 4 -> new Ops.Writer(PriorityQueueMachine.UPDATE_VALUE).bytes(CODEC.encode(key))
                                .bytes(CODEC.encode(-v));
                        case 5 -> new Ops.Writer(PriorityQueueMachine.COMPARE_AND_SET_VALUE).bytes(CODEC.encode(key))
                                .bytes(CODEC.encode(v - 9)).optional(v % 2 == 0 ? null : CODEC.encode(v));
                        case 6 -> new Ops.Writer(PriorityQueueMachine.REMOVE_KEYS).number(1).bytes(CODEC.encode(key));
                        case 7 -> new Ops.Writer(PriorityQueueMachine.REMOVE_RANGE)
                                .number(PriorityQueueMachine.INCLUSIVE).bytes(CODEC.encode(priority))
                                .number(PriorityQueueMachine.EXCLUSIVE).bytes(CODEC.encode(priority + 1));
                        default -> new Ops.Writer(PriorityQueueMachine.EXTEND).number(3)
                                .bytes(CODEC.encode(priority)).bytes(CODEC.encode(key)).bytes(CODEC.encode(v))
                                .bytes(CODEC.encode(5 - priority)).bytes(CODEC.encode(key + "x")).bytes(CODEC.encode(v))
                                .bytes(CODEC.encode(priority)).bytes(CODEC.encode("k" + (v % 20))).bytes(CODEC.encode(1L));
                    };
                });
    }
}
