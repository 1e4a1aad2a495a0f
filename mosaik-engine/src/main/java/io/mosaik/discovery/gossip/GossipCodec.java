package io.mosaik.discovery.gossip;

import io.mosaik.discovery.gossip.GossipMessage.Announcement;
import io.mosaik.discovery.gossip.GossipMessage.Disconnect;
import io.mosaik.discovery.gossip.GossipMessage.ForwardJoin;
import io.mosaik.discovery.gossip.GossipMessage.Gossip;
import io.mosaik.discovery.gossip.GossipMessage.Graft;
import io.mosaik.discovery.gossip.GossipMessage.IHave;
import io.mosaik.discovery.gossip.GossipMessage.Join;
import io.mosaik.discovery.gossip.GossipMessage.Neighbor;
import io.mosaik.discovery.gossip.GossipMessage.NeighborReply;
import io.mosaik.discovery.gossip.GossipMessage.Prune;
import io.mosaik.discovery.gossip.GossipMessage.Shuffle;
import io.mosaik.discovery.gossip.GossipMessage.ShuffleReply;
import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.Digest;
import io.mosaik.primitives.PeerId;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of a {@link GossipMessage} on a {@code /mosaik/discovery/announce/1.1} link: one
 * message per frame, a type byte followed by the fields in declaration order.
 *
 * <pre>
 * address  = peer id (32) | host length (u8) | host (UTF-8) | port (u16)
 * 1 Join         address
 * 2 ForwardJoin  address | ttl (u8)
 * 3 Neighbor     address | high priority (bool)
 * 4 NeighborReply accepted (bool)
 * 5 Disconnect   alive (bool)
 * 6 Shuffle      address | ttl (u8) | count (u16) | address*
 * 7 ShuffleReply count (u16) | address*
 * 8 Gossip       id (32) | origin | round (u16) | length (u32) | payload
 * 9 IHave        count (u16) | (id (32) | round (u16))* | history (bool)
 * 10 Graft       id (32) | origin
 * 11 Prune       origin
 * bool = one byte, 0 or 1
 * origin = present (bool) | peer id (32) if present: the tree a message travels (its broadcaster's)
 * </pre>
 *
 * <p>Decoding is strict: unknown types, out-of-range counts, non-0/1 booleans, invalid addresses,
 * truncation and trailing bytes all raise {@link MalformedGossipException}, so the shell can close the
 * link of a peer that sends them.
 */
public final class GossipCodec {

    /** The most addresses accepted in one shuffle sample. */
    public static final int MAX_SAMPLE = 64;
    /** The most announcements accepted in one IHAVE. */
    public static final int MAX_IHAVE = 1_024;
    /** The largest broadcast payload accepted. */
    public static final int MAX_PAYLOAD = 64 * 1024;

    private static final int JOIN = 1;
    private static final int FORWARD_JOIN = 2;
    private static final int NEIGHBOR = 3;
    private static final int NEIGHBOR_REPLY = 4;
    private static final int DISCONNECT = 5;
    private static final int SHUFFLE = 6;
    private static final int SHUFFLE_REPLY = 7;
    private static final int GOSSIP = 8;
    private static final int IHAVE = 9;
    private static final int GRAFT = 10;
    private static final int PRUNE = 11;

    private GossipCodec() {
    }

    /**
     * Encodes a message.
     *
     * @param message the message
     * @return its binary form
     * @throws IllegalArgumentException if a value does not fit the format (a ttl above 255, a sample above
     *                                  {@link #MAX_SAMPLE}, a payload above {@link #MAX_PAYLOAD}...)
     */
    public static byte[] encode(GossipMessage message) {
        Writer out = new Writer();
        switch (message) {
            case Join m -> out.u8(JOIN).address(m.joiner());
            case ForwardJoin m -> out.u8(FORWARD_JOIN).address(m.joiner()).u8(checked("ttl", m.ttl(), 255));
            case Neighbor m -> out.u8(NEIGHBOR).address(m.sender()).bool(m.highPriority());
            case NeighborReply m -> out.u8(NEIGHBOR_REPLY).bool(m.accepted());
            case Disconnect m -> out.u8(DISCONNECT).bool(m.alive());
            case Shuffle m -> out.u8(SHUFFLE).address(m.origin()).u8(checked("ttl", m.ttl(), 255))
                    .addresses(m.sample());
            case ShuffleReply m -> out.u8(SHUFFLE_REPLY).addresses(m.sample());
            case Gossip m -> out.u8(GOSSIP).digest(m.id()).origin(m.origin()).u16(checked("round", m.round(), 0xFFFF))
                    .u32(checked("payload length", m.payload().length, MAX_PAYLOAD)).bytes(m.payload());
            case IHave m -> {
                out.u8(IHAVE).u16(checked("announcements", m.announcements().size(), MAX_IHAVE));
                for (Announcement announcement : m.announcements()) {
                    out.digest(announcement.id()).u16(checked("round", announcement.round(), 0xFFFF));
                }
                out.bool(m.history());
            }
            case Graft m -> out.u8(GRAFT).digest(m.id()).origin(m.origin());
            case Prune m -> out.u8(PRUNE).origin(m.origin());
        }
        return out.toBytes();
    }

    /**
     * Decodes a message.
     *
     * @param bytes one frame's payload
     * @return the message
     * @throws MalformedGossipException if the bytes are not a message
     */
    public static GossipMessage decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            int type = Byte.toUnsignedInt(in.get());
            GossipMessage message = switch (type) {
                case JOIN -> new Join(address(in));
                case FORWARD_JOIN -> new ForwardJoin(address(in), Byte.toUnsignedInt(in.get()));
                case NEIGHBOR -> new Neighbor(address(in), bool(in));
                case NEIGHBOR_REPLY -> new NeighborReply(bool(in));
                case DISCONNECT -> new Disconnect(bool(in));
                case SHUFFLE -> new Shuffle(address(in), Byte.toUnsignedInt(in.get()), addresses(in));
                case SHUFFLE_REPLY -> new ShuffleReply(addresses(in));
                case GOSSIP -> {
                    Digest id = digest(in);
                    PeerId origin = origin(in);
                    int round = Short.toUnsignedInt(in.getShort());
                    int length = in.getInt();
                    if (length < 0 || length > MAX_PAYLOAD || length > in.remaining()) {
                        throw new MalformedGossipException("a payload of " + Integer.toUnsignedString(length)
                                + " bytes (at most " + MAX_PAYLOAD + ", " + in.remaining() + " left)");
                    }
                    byte[] payload = new byte[length];
                    in.get(payload);
                    yield new Gossip(id, origin, round, payload);
                }
                case IHAVE -> {
                    int count = count(in, MAX_IHAVE, "announcements");
                    List<Announcement> announcements = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        announcements.add(new Announcement(digest(in), Short.toUnsignedInt(in.getShort())));
                    }
                    yield new IHave(announcements, bool(in));
                }
                case GRAFT -> new Graft(digest(in), origin(in));
                case PRUNE -> new Prune(origin(in));
                default -> throw new MalformedGossipException("unknown message type " + type);
            };
            if (in.hasRemaining()) {
                throw new MalformedGossipException(in.remaining() + " bytes after the message");
            }
            return message;
        } catch (BufferUnderflowException e) {
            throw new MalformedGossipException("the message is truncated");
        } catch (MalformedGossipException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new MalformedGossipException(e.getMessage());
        }
    }

    /** Bytes that are not a gossip message. */
    public static final class MalformedGossipException extends IllegalArgumentException {
        MalformedGossipException(String message) {
            super("malformed gossip message: " + message);
        }
    }

    private static int checked(String what, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(what + " " + value + " does not fit (at most " + max + ")");
        }
        return value;
    }

    private static PeerAddress address(ByteBuffer in) {
        byte[] id = new byte[PeerId.LENGTH];
        in.get(id);
        byte[] host = new byte[Byte.toUnsignedInt(in.get())];
        in.get(host);
        int port = Short.toUnsignedInt(in.getShort());
        return new PeerAddress(PeerId.fromBytes(id), new String(host, StandardCharsets.UTF_8), port);
    }

    private static List<PeerAddress> addresses(ByteBuffer in) {
        int count = count(in, MAX_SAMPLE, "addresses");
        List<PeerAddress> addresses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            addresses.add(address(in));
        }
        return addresses;
    }

    private static int count(ByteBuffer in, int max, String what) {
        int count = Short.toUnsignedInt(in.getShort());
        if (count > max) {
            throw new MalformedGossipException(count + " " + what + " (at most " + max + ")");
        }
        return count;
    }

    private static boolean bool(ByteBuffer in) {
        byte value = in.get();
        if (value != 0 && value != 1) {
            throw new MalformedGossipException("a boolean of value " + value);
        }
        return value == 1;
    }

    private static PeerId origin(ByteBuffer in) {
        if (!bool(in)) {
            return null;
        }
        byte[] id = new byte[PeerId.LENGTH];
        in.get(id);
        return PeerId.fromBytes(id);
    }

    private static Digest digest(ByteBuffer in) {
        byte[] bytes = new byte[Digest.LENGTH];
        in.get(bytes);
        return Digest.fromBytes(bytes);
    }

    /** A growable big-endian buffer. */
    private static final class Writer {
        private ByteBuffer buffer = ByteBuffer.allocate(128);

        Writer u8(int value) {
            room(1).put((byte) value);
            return this;
        }

        Writer u16(int value) {
            room(2).putShort((short) value);
            return this;
        }

        Writer u32(int value) {
            room(4).putInt(value);
            return this;
        }

        Writer bool(boolean value) {
            return u8(value ? 1 : 0);
        }

        Writer bytes(byte[] value) {
            room(value.length).put(value);
            return this;
        }

        Writer digest(Digest digest) {
            return bytes(digest.toBytes());
        }

        Writer origin(PeerId origin) {
            return origin == null ? bool(false) : bool(true).bytes(origin.toBytes());
        }

        Writer address(PeerAddress address) {
            byte[] host = address.host().getBytes(StandardCharsets.UTF_8);
            checked("host length", host.length, 255);
            return bytes(address.peerId().toBytes()).u8(host.length).bytes(host).u16(address.port());
        }

        Writer addresses(List<PeerAddress> addresses) {
            u16(checked("addresses", addresses.size(), MAX_SAMPLE));
            addresses.forEach(this::address);
            return this;
        }

        private ByteBuffer room(int bytes) {
            if (buffer.remaining() < bytes) {
                ByteBuffer larger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + bytes));
                buffer.flip();
                larger.put(buffer);
                buffer = larger;
            }
            return buffer;
        }

        byte[] toBytes() {
            return java.util.Arrays.copyOf(buffer.array(), buffer.position());
        }
    }
}
