package io.mosaik.groups.raft;

import io.mosaik.groups.raft.RaftMessage.Accepted;
import io.mosaik.groups.raft.RaftMessage.AppendEntries;
import io.mosaik.groups.raft.RaftMessage.AppendResponse;
import io.mosaik.groups.raft.RaftMessage.ForwardCommands;
import io.mosaik.groups.raft.RaftMessage.ForwardResponse;
import io.mosaik.groups.raft.RaftMessage.Forwarded;
import io.mosaik.groups.raft.RaftMessage.Hello;
import io.mosaik.groups.raft.RaftMessage.InstallSnapshot;
import io.mosaik.groups.raft.RaftMessage.InstallSnapshotResponse;
import io.mosaik.groups.raft.RaftMessage.SnapshotFetch;
import io.mosaik.groups.raft.RaftMessage.SnapshotFetchResponse;
import io.mosaik.groups.raft.RaftMessage.PreVote;
import io.mosaik.groups.raft.RaftMessage.PreVoteResponse;
import io.mosaik.groups.raft.RaftMessage.ReadIndexRequest;
import io.mosaik.groups.raft.RaftMessage.ReadIndexResponse;
import io.mosaik.groups.raft.RaftMessage.RequestVote;
import io.mosaik.groups.raft.RaftMessage.TimeoutNow;
import io.mosaik.groups.raft.RaftMessage.VoteResponse;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of {@link RaftMessage}s on a bond: one type byte, then fixed-width big-endian fields;
 * lists are a count then the items, byte strings a length then the bytes. Decoding checks every count
 * and length against what is left, so a malformed frame is an {@link IllegalArgumentException}, never an
 * allocation of what the sender claims.
 */
public final class RaftCodec {

    private static final byte HELLO = 1;
    private static final byte PRE_VOTE = 2;
    private static final byte PRE_VOTE_RESPONSE = 3;
    private static final byte REQUEST_VOTE = 4;
    private static final byte VOTE_RESPONSE = 5;
    private static final byte APPEND = 6;
    private static final byte APPEND_RESPONSE = 7;
    private static final byte FORWARD = 8;
    private static final byte FORWARD_RESPONSE = 9;
    private static final byte READ_INDEX = 10;
    private static final byte READ_INDEX_RESPONSE = 11;
    private static final byte TIMEOUT_NOW = 12;
    private static final byte INSTALL_SNAPSHOT = 13;
    private static final byte INSTALL_SNAPSHOT_RESPONSE = 14;
    private static final byte SNAPSHOT_FETCH = 15;
    private static final byte SNAPSHOT_FETCH_RESPONSE = 16;

    private static final LeadershipPreference[] PREFERENCES = LeadershipPreference.values();
    private static final LogEntry.Kind[] KINDS = LogEntry.Kind.values();

    private RaftCodec() {
    }

    /**
     * Encodes a message.
     *
     * @param message the message
     * @return its bytes
     */
    public static byte[] encode(RaftMessage message) {
        return encode(message, null);
    }

    /**
     * Encodes a message behind a one-byte prefix (the bond's frame type), into an array sized for it:
     * no growing, no copy for the prefix.
     *
     * @param prefix  the byte written first
     * @param message the message
     * @return the prefix and the message's bytes
     */
    public static byte[] encode(byte prefix, RaftMessage message) {
        return encode(message, prefix);
    }

    private static byte[] encode(RaftMessage message, Byte prefix) {
        if (message instanceof AppendEntries m) {
            return encodeAppend(m, prefix); // the one message sent at the rate of commands
        }
        Exact bytes = new Exact(sizeHint(message) + (prefix == null ? 0 : 1));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (prefix != null) {
                out.writeByte(prefix);
            }
            switch (message) {
                case Hello m -> {
                    out.writeByte(HELLO);
                    out.writeLong(m.formation());
                    out.writeLong(m.term());
                    position(out, m.last());
                    out.writeByte(m.preference().ordinal());
                }
                case PreVote m -> {
                    out.writeByte(PRE_VOTE);
                    out.writeLong(m.formation());
                    out.writeLong(m.term());
                    position(out, m.last());
                }
                case PreVoteResponse m -> {
                    out.writeByte(PRE_VOTE_RESPONSE);
                    out.writeLong(m.formation());
                    out.writeLong(m.term());
                    out.writeBoolean(m.granted());
                }
                case RequestVote m -> {
                    out.writeByte(REQUEST_VOTE);
                    out.writeLong(m.formation());
                    out.writeLong(m.term());
                    position(out, m.last());
                    out.writeBoolean(m.transfer());
                }
                case InstallSnapshot m -> {
                    out.writeByte(INSTALL_SNAPSHOT);
                    out.writeLong(m.formation());
                    out.writeLong(m.term());
                    position(out, m.position());
                    out.writeInt(m.configuration().length);
                    out.write(m.configuration());
                    out.writeLong(m.offset());
                    out.writeLong(m.total());
                    out.writeInt(m.checksum());
                    out.writeInt(m.chunk().length);
                    out.write(m.chunk());
                }
                case InstallSnapshotResponse m -> {
                    out.writeByte(INSTALL_SNAPSHOT_RESPONSE);
                    out.writeLong(m.formation());
                    out.writeLong(m.term());
                    position(out, m.position());
                    out.writeLong(m.nextOffset());
                    out.writeBoolean(m.done());
                }
                case SnapshotFetch m -> {
                    out.writeByte(SNAPSHOT_FETCH);
                    out.writeLong(m.formation());
                    position(out, m.position());
                    out.writeInt(m.checksum());
                    out.writeLong(m.offset());
                    out.writeInt(m.length());
                }
                case SnapshotFetchResponse m -> {
                    out.writeByte(SNAPSHOT_FETCH_RESPONSE);
                    out.writeLong(m.formation());
                    position(out, m.position());
                    out.writeInt(m.checksum());
                    out.writeLong(m.offset());
                    out.writeBoolean(m.available());
                    out.writeInt(m.chunk().length);
                    out.write(m.chunk());
                }
                case TimeoutNow m -> {
                    out.writeByte(TIMEOUT_NOW);
                    out.writeLong(m.formation());
                    out.writeLong(m.term());
                }
                case VoteResponse m -> {
                    out.writeByte(VOTE_RESPONSE);
                    out.writeLong(m.formation());
                    out.writeLong(m.term());
                    out.writeBoolean(m.granted());
                }
                case AppendEntries m -> throw new IllegalStateException("appends are written by encodeAppend");
                case AppendResponse m -> {
                    out.writeByte(APPEND_RESPONSE);
                    out.writeLong(m.formation());
                    out.writeLong(m.term());
                    out.writeBoolean(m.success());
                    out.writeLong(m.index());
                    out.writeLong(m.hint());
                    out.writeLong(m.probe());
                }
                case ForwardCommands m -> {
                    out.writeByte(FORWARD);
                    out.writeLong(m.formation());
                    out.writeInt(m.commands().size());
                    for (Forwarded f : m.commands()) {
                        out.writeLong(f.requestId());
                        out.writeLong(f.resendTerm());
                        out.writeInt(f.data().length);
                        out.write(f.data());
                    }
                }
                case ForwardResponse m -> {
                    out.writeByte(FORWARD_RESPONSE);
                    out.writeLong(m.formation());
                    out.writeInt(m.accepted().size());
                    for (Accepted a : m.accepted()) {
                        out.writeLong(a.requestId());
                        position(out, a.position());
                    }
                    out.writeInt(m.refused().size());
                    for (long id : m.refused()) {
                        out.writeLong(id);
                    }
                    out.writeInt(m.unknown().size());
                    for (long id : m.unknown()) {
                        out.writeLong(id);
                    }
                }
                case ReadIndexRequest m -> {
                    out.writeByte(READ_INDEX);
                    out.writeLong(m.formation());
                    out.writeLong(m.requestId());
                }
                case ReadIndexResponse m -> {
                    out.writeByte(READ_INDEX_RESPONSE);
                    out.writeLong(m.formation());
                    out.writeLong(m.requestId());
                    out.writeLong(m.index());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.bytes();
    }

    /** An append, written straight into an array of its exact size (the same bytes as the general path). */
    private static byte[] encodeAppend(AppendEntries m, Byte prefix) {
        int size = sizeHint(m) + (prefix == null ? 0 : 1);
        byte[] bytes = new byte[size];
        ByteBuffer out = ByteBuffer.wrap(bytes);
        if (prefix != null) {
            out.put(prefix);
        }
        out.put(APPEND)
                .putLong(m.formation())
                .putLong(m.term())
                .putLong(m.prevIndex())
                .putLong(m.prevTerm())
                .putLong(m.leaderCommit())
                .putLong(m.probe())
                .putInt(m.entries().size());
        for (LogEntry e : m.entries()) {
            out.putLong(e.term()).putLong(e.index()).put((byte) e.kind().ordinal()).putInt(e.data().length)
                    .put(e.data());
        }
        return bytes;
    }

    /**
     * The exact encoded size of an append ({@link #encodeAppend} relies on it), at least the encoded size
     * of the other messages that carry data, and a guess for the small ones.
     */
    private static int sizeHint(RaftMessage message) {
        return switch (message) {
            case AppendEntries m -> {
                int size = 53;
                for (LogEntry e : m.entries()) {
                    size += 21 + e.data().length;
                }
                yield size;
            }
            case ForwardCommands m -> {
                int size = 13;
                for (Forwarded f : m.commands()) {
                    size += 20 + f.data().length;
                }
                yield size;
            }
            case InstallSnapshot m -> 128 + m.configuration().length + m.chunk().length;
            case SnapshotFetchResponse m -> 128 + m.chunk().length;
            default -> 64;
        };
    }

    /** A byte stream that hands its buffer over, without a copy, when it was sized exactly. */
    private static final class Exact extends ByteArrayOutputStream {
        Exact(int size) {
            super(size);
        }

        byte[] bytes() {
            return count == buf.length ? buf : toByteArray();
        }
    }

    /**
     * Decodes a message.
     *
     * @param bytes the frame
     * @return the message
     * @throws IllegalArgumentException if the frame is not a well-formed message
     */
    public static RaftMessage decode(byte[] bytes) {
        return decode(bytes, 0);
    }

    /**
     * Decodes a message that starts at {@code offset} and runs to the end of the array (behind a prefix).
     *
     * @param bytes  the frame
     * @param offset where the message starts
     * @return the message
     * @throws IllegalArgumentException if those bytes are not a well-formed message
     */
    public static RaftMessage decode(byte[] bytes, int offset) {
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, bytes.length - offset);
        try {
            byte type = in.get();
            RaftMessage message = switch (type) {
                case HELLO -> new Hello(in.getLong(), nonNegative(in.getLong()), position(in), preference(in.get()));
                case PRE_VOTE -> new PreVote(in.getLong(), nonNegative(in.getLong()), position(in));
                case PRE_VOTE_RESPONSE -> new PreVoteResponse(in.getLong(), nonNegative(in.getLong()), bool(in.get()));
                case REQUEST_VOTE -> new RequestVote(in.getLong(), nonNegative(in.getLong()), position(in), bool(in.get()));
                case TIMEOUT_NOW -> new TimeoutNow(in.getLong(), nonNegative(in.getLong()));
                case INSTALL_SNAPSHOT -> installSnapshot(in);
                case INSTALL_SNAPSHOT_RESPONSE -> new InstallSnapshotResponse(in.getLong(), nonNegative(in.getLong()),
                        position(in), nonNegative(in.getLong()), bool(in.get()));
                case SNAPSHOT_FETCH -> new SnapshotFetch(in.getLong(), position(in), in.getInt(),
                        nonNegative(in.getLong()), (int) nonNegative(in.getInt()));
                case SNAPSHOT_FETCH_RESPONSE -> new SnapshotFetchResponse(in.getLong(), position(in), in.getInt(),
                        nonNegative(in.getLong()), bool(in.get()), bytes(in));
                case VOTE_RESPONSE -> new VoteResponse(in.getLong(), nonNegative(in.getLong()), bool(in.get()));
                case APPEND -> append(in);
                case APPEND_RESPONSE -> new AppendResponse(in.getLong(), nonNegative(in.getLong()), bool(in.get()),
                        nonNegative(in.getLong()), nonNegative(in.getLong()), in.getLong());
                case FORWARD -> forward(in);
                case FORWARD_RESPONSE -> forwardResponse(in);
                case READ_INDEX -> new ReadIndexRequest(in.getLong(), in.getLong());
                case READ_INDEX_RESPONSE -> new ReadIndexResponse(in.getLong(), in.getLong(), in.getLong());
                default -> throw new IllegalArgumentException("unknown raft message type " + type);
            };
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes after a raft message");
            }
            return message;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated raft message", e);
        }
    }

    private static AppendEntries append(ByteBuffer in) {
        long formation = in.getLong();
        long term = nonNegative(in.getLong());
        long prevIndex = nonNegative(in.getLong());
        long prevTerm = nonNegative(in.getLong());
        long commit = nonNegative(in.getLong());
        long probe = in.getLong();
        int count = count(in, 21);
        List<LogEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long entryTerm = in.getLong();
            long index = in.getLong();
            byte kind = in.get();
            if (kind < 0 || kind >= KINDS.length) {
                throw new IllegalArgumentException("unknown entry kind " + kind);
            }
            if (entryTerm < 1 || entryTerm > term || index != prevIndex + 1 + i) {
                throw new IllegalArgumentException("entry " + entryTerm + "/" + index + " out of place after "
                        + prevIndex + " in term " + term);
            }
            LogEntry entry = new LogEntry(entryTerm, index, KINDS[kind], bytes(in));
            if (entry.kind() == LogEntry.Kind.CONFIGURATION) {
                Configuration.decode(entry.data()); // a configuration the core could not read is refused here
            }
            entries.add(entry);
        }
        return new AppendEntries(formation, term, prevIndex, prevTerm, entries, commit, probe);
    }

    private static InstallSnapshot installSnapshot(ByteBuffer in) {
        long formation = in.getLong();
        long term = nonNegative(in.getLong());
        LogPosition position = position(in);
        byte[] configuration = bytes(in);
        Configuration.decode(configuration); // refused here if the core could not read it
        long offset = nonNegative(in.getLong());
        long total = nonNegative(in.getLong());
        int checksum = in.getInt();
        byte[] chunk = bytes(in);
        if (position.index() < 1 || offset + chunk.length > total) {
            throw new IllegalArgumentException("a snapshot chunk at " + offset + " of " + chunk.length
                    + " bytes beyond its total of " + total + ", or at index " + position.index());
        }
        return new InstallSnapshot(formation, term, position, configuration, offset, total, checksum, chunk);
    }

    private static ForwardCommands forward(ByteBuffer in) {
        long formation = in.getLong();
        int count = count(in, 20);
        List<Forwarded> commands = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long requestId = in.getLong();
            long resendTerm = in.getLong();
            commands.add(new Forwarded(requestId, bytes(in), resendTerm));
        }
        return new ForwardCommands(formation, commands);
    }

    private static ForwardResponse forwardResponse(ByteBuffer in) {
        long formation = in.getLong();
        int accepted = count(in, 24);
        List<Accepted> positions = new ArrayList<>(accepted);
        for (int i = 0; i < accepted; i++) {
            positions.add(new Accepted(in.getLong(), position(in)));
        }
        return new ForwardResponse(formation, positions, ids(in), ids(in));
    }

    private static List<Long> ids(ByteBuffer in) {
        int count = count(in, 8);
        List<Long> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(in.getLong());
        }
        return ids;
    }

    private static void position(DataOutputStream out, LogPosition position) throws IOException {
        out.writeLong(position.term());
        out.writeLong(position.index());
    }

    private static LogPosition position(ByteBuffer in) {
        return new LogPosition(nonNegative(in.getLong()), nonNegative(in.getLong()));
    }

    private static LeadershipPreference preference(byte b) {
        if (b < 0 || b >= PREFERENCES.length) {
            throw new IllegalArgumentException("unknown leadership preference " + b);
        }
        return PREFERENCES[b];
    }

    private static boolean bool(byte b) {
        if (b != 0 && b != 1) {
            throw new IllegalArgumentException("bad boolean " + b);
        }
        return b == 1;
    }

    private static long nonNegative(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative term, index, offset or length " + value);
        }
        return value;
    }

    /** Reads a count of items that each take at least {@code minBytes}, checked against what is left. */
    private static int count(ByteBuffer in, int minBytes) {
        int count = in.getInt();
        if (count < 0 || (long) count * minBytes > in.remaining()) {
            throw new IllegalArgumentException("count " + count + " does not fit in " + in.remaining() + " bytes");
        }
        return count;
    }

    private static byte[] bytes(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("length " + length + " does not fit in " + in.remaining() + " bytes");
        }
        byte[] data = new byte[length];
        in.get(data);
        return data;
    }
}
