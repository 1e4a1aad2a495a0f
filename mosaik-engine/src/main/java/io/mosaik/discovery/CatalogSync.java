package io.mosaik.discovery;

import io.mosaik.network.Link;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalog sync protocol (spec §2.5, {@value #PROTOCOL}): two nodes swap every non-stale signed
 * entry they know, so a node that starts, meets a new neighbour or is told {@code UnknownPeer} catches
 * up in one round trip.
 *
 * <pre>
 * initiator → snapshot            (its non-stale signed entries, its own included)
 * acceptor  merges what it received, then → snapshot (its entries as they were before the merge)
 * initiator merges, closes the link with Success
 * snapshot = count:u32 | (length:u32 | signed entry)*
 * </pre>
 *
 * <p>The acceptor merges before it answers, so an initiator whose sync completed knows the acceptor
 * knows it: a retry after {@code UnknownPeer} cannot meet the same refusal again.
 *
 * <p>Every entry is verified as it is decoded; one entry that does not verify, or a snapshot that does
 * not decode, rejects the whole snapshot and closes the link with {@code ProtocolViolation}. Entries of
 * other networks decode fine and are dropped by the catalog's upsert rules.
 */
public final class CatalogSync {

    /** The protocol name links are opened for. */
    public static final String PROTOCOL = "/mosaik/discovery/sync/1.0";
    /** The most entries one snapshot may hold. */
    public static final int MAX_ENTRIES = 100_000;

    private CatalogSync() {
    }

    /**
     * Runs the initiator's side on a link opened for {@link #PROTOCOL}.
     *
     * @param link the link
     * @param mine the entries to send
     * @return the entries the other side sent (verified)
     * @throws LinkClosedException if the link closed, including because the reply was malformed
     * @throws IOException         on a transport failure
     */
    public static List<SignedPeerEntry> initiate(Link link, List<SignedPeerEntry> mine) throws IOException {
        link.sendBytes(encode(mine));
        List<SignedPeerEntry> theirs = receive(link);
        link.close(CloseReason.SUCCESS);
        return theirs;
    }

    /**
     * Runs the acceptor's side on a link a peer opened for {@link #PROTOCOL}.
     *
     * @param link  the link
     * @param mine  the entries to send back
     * @param merge takes the entries the initiator sent (verified), before the answer leaves
     * @throws LinkClosedException if the link closed, including because the snapshot was malformed
     * @throws IOException         on a transport failure
     */
    public static void accept(Link link, List<SignedPeerEntry> mine,
                              java.util.function.Consumer<List<SignedPeerEntry>> merge) throws IOException {
        merge.accept(receive(link));
        link.sendBytes(encode(mine));
    }

    /** Encodes a snapshot. */
    static byte[] encode(List<SignedPeerEntry> entries) {
        List<byte[]> encoded = entries.stream().map(SignedPeerEntry::toBytes).toList();
        ByteBuffer out = ByteBuffer.allocate(4 + encoded.stream().mapToInt(bytes -> 4 + bytes.length).sum());
        out.putInt(encoded.size());
        encoded.forEach(bytes -> out.putInt(bytes.length).put(bytes));
        return out.array();
    }

    /**
     * Decodes and verifies a snapshot.
     *
     * @throws PeerEntry.MalformedEntryException if anything in it is malformed or does not verify
     */
    static List<SignedPeerEntry> decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            int count = in.getInt();
            if (count < 0 || count > MAX_ENTRIES || count > in.remaining() / 4) {
                throw new PeerEntry.MalformedEntryException("a snapshot of " + count + " entries");
            }
            List<SignedPeerEntry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) {
                    throw new PeerEntry.MalformedEntryException("an entry of " + length + " bytes");
                }
                byte[] entry = new byte[length];
                in.get(entry);
                entries.add(SignedPeerEntry.fromBytes(entry));
            }
            if (in.hasRemaining()) {
                throw new PeerEntry.MalformedEntryException(in.remaining() + " bytes after the snapshot");
            }
            return entries;
        } catch (BufferUnderflowException e) {
            throw new PeerEntry.MalformedEntryException("the snapshot is truncated");
        }
    }

    private static List<SignedPeerEntry> receive(Link link) throws IOException {
        byte[] bytes = link.receiveBytes();
        try {
            return decode(bytes);
        } catch (PeerEntry.MalformedEntryException e) {
            link.close(CloseReason.PROTOCOL_VIOLATION);
            throw new LinkClosedException(CloseReason.PROTOCOL_VIOLATION, false,
                    "the catalog snapshot of " + link.peer().toShortString() + " is malformed: " + e.getMessage());
        }
    }
}
