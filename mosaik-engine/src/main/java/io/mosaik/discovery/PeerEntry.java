package io.mosaik.discovery;

import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.Digest;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.PeerId;
import io.mosaik.primitives.Tag;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What a node says about itself in the catalog (spec §2.1): its network, version, dialable address, role
 * tags, the streams it produces and the groups it joined. Immutable; every change goes through a method
 * that returns a new entry with a higher version, or this entry unchanged when nothing changed.
 *
 * <p>Collections are kept sorted by digest, so that {@link #encode()} is deterministic and a signature
 * over it is stable.
 *
 * @param protocol the mosaik protocol version the node speaks
 * @param network  the node's network
 * @param version  the entry's version
 * @param address  where the node is, and its peer id
 * @param tags     its role tags, sorted by digest
 * @param streams  the streams it produces, sorted
 * @param groups   the groups it joined, sorted
 */
public record PeerEntry(String protocol, NetworkId network, EntryVersion version, PeerAddress address,
        List<Tag> tags, List<Digest> streams, List<Digest> groups) {

    /** The protocol version this build speaks. */
    public static final String PROTOCOL = "mosaik-java/1";

    private static final Comparator<Tag> BY_DIGEST = Comparator.comparing(Tag::digest);

    /** Validates the components and sorts the collections. */
    public PeerEntry {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(address, "address");
        tags = sortedTags(tags);
        streams = sorted(streams);
        groups = sorted(groups);
    }

    /**
     * A new entry for a node starting now.
     *
     * @param network   its network
     * @param address   its address
     * @param tags      its tags
     * @param nowMillis the current time
     * @return the entry
     */
    public static PeerEntry create(NetworkId network, PeerAddress address, Collection<Tag> tags, long nowMillis) {
        return new PeerEntry(PROTOCOL, network, EntryVersion.initial(nowMillis), address, List.copyOf(tags),
                List.of(), List.of());
    }

    /** The node's identity. */
    public PeerId peerId() {
        return address.peerId();
    }

    /** The entry with these tags added (a new version only if one was missing). */
    public PeerEntry withTags(Collection<Tag> added, long nowMillis) {
        List<Tag> merged = Stream.concat(tags.stream(), added.stream()).toList();
        return changed(sortedTags(merged).equals(tags) ? this
                : new PeerEntry(protocol, network, version, address, merged, streams, groups), nowMillis);
    }

    /** The entry with these tags removed (a new version only if one was present). */
    public PeerEntry withoutTags(Collection<Tag> removed, long nowMillis) {
        List<Digest> gone = removed.stream().map(Tag::digest).toList();
        List<Tag> kept = tags.stream().filter(tag -> !gone.contains(tag.digest())).toList();
        return changed(kept.size() == tags.size() ? this
                : new PeerEntry(protocol, network, version, address, kept, streams, groups), nowMillis);
    }

    /** The entry with this stream added to those it produces. */
    public PeerEntry withStream(Digest stream, long nowMillis) {
        return changed(streams.contains(stream) ? this : new PeerEntry(protocol, network, version, address, tags,
                Stream.concat(streams.stream(), Stream.of(stream)).toList(), groups), nowMillis);
    }

    /** The entry with this group added to those it joined. */
    public PeerEntry withGroup(Digest group, long nowMillis) {
        return changed(groups.contains(group) ? this : new PeerEntry(protocol, network, version, address, tags,
                streams, Stream.concat(groups.stream(), Stream.of(group)).toList()), nowMillis);
    }

    /**
     * The entry at a new address; always a new version.
     *
     * @throws IllegalArgumentException if the address names another peer id
     */
    public PeerEntry withAddress(PeerAddress moved, long nowMillis) {
        if (!moved.peerId().equals(peerId())) {
            throw new IllegalArgumentException("an entry's peer id cannot change: " + peerId().toShortString()
                    + " -> " + moved.peerId().toShortString());
        }
        return new PeerEntry(protocol, network, version.next(nowMillis), moved, tags, streams, groups);
    }

    /** The same entry with the next version (the periodic re-announce). */
    public PeerEntry bumped(long nowMillis) {
        return new PeerEntry(protocol, network, version.next(nowMillis), address, tags, streams, groups);
    }

    /** Whether the node carries a tag with this digest. */
    public boolean hasTag(Tag tag) {
        return tags.stream().anyMatch(own -> own.digest().equals(tag.digest()));
    }

    /**
     * The deterministic binary form that signatures cover: every field in order, strings as length and
     * UTF-8, collections as count and sorted items.
     */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeString(out, protocol);
            out.write(network.digest().toBytes());
            out.writeLong(version.start());
            out.writeLong(version.update());
            out.write(address.peerId().toBytes());
            writeString(out, address.host());
            out.writeShort(address.port());
            out.writeInt(tags.size());
            for (Tag tag : tags) {
                out.write(tag.digest().toBytes());
                writeString(out, tag.name());
            }
            writeDigests(out, streams);
            writeDigests(out, groups);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen on a byte array
        }
        return bytes.toByteArray();
    }

    /**
     * Reads the form written by {@link #encode()}.
     *
     * @param bytes the encoded entry
     * @return the entry
     * @throws MalformedEntryException if the bytes are not an entry (truncated, trailing bytes, bad
     *                                 lengths, too many items, an invalid address)
     */
    public static PeerEntry decode(byte[] bytes) {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        try {
            String protocol = readString(in, MAX_STRING);
            NetworkId network = new NetworkId(readDigest(in));
            EntryVersion version = new EntryVersion(in.getLong(), in.getLong());
            PeerId peer = PeerId.fromBytes(readBytes(in, PeerId.LENGTH));
            String host = readString(in, MAX_STRING);
            int port = Short.toUnsignedInt(in.getShort());
            List<Tag> tags = new java.util.ArrayList<>();
            for (int i = 0, n = readCount(in); i < n; i++) {
                Digest digest = readDigest(in);
                String name = readString(in, MAX_STRING);
                if (!Digest.of(name).equals(digest)) {
                    throw new MalformedEntryException("tag '" + name + "' does not match its digest");
                }
                tags.add(new Tag(name, digest));
            }
            List<Digest> streams = readDigests(in);
            List<Digest> groups = readDigests(in);
            if (in.hasRemaining()) {
                throw new MalformedEntryException(in.remaining() + " bytes after the entry");
            }
            return new PeerEntry(protocol, network, version, new PeerAddress(peer, host, port), tags, streams, groups);
        } catch (java.nio.BufferUnderflowException e) {
            throw new MalformedEntryException("the entry is truncated");
        } catch (IllegalArgumentException e) {
            throw new MalformedEntryException(e.getMessage());
        }
    }

    /** A byte sequence that is not an encoded peer entry. */
    public static final class MalformedEntryException extends IllegalArgumentException {
        MalformedEntryException(String message) {
            super("malformed peer entry: " + message);
        }
    }

    private static final int MAX_STRING = 1024;
    private static final int MAX_ITEMS = 4096;

    private static int readCount(java.nio.ByteBuffer in) {
        int count = in.getInt();
        if (count < 0 || count > MAX_ITEMS) {
            throw new MalformedEntryException("a collection of " + count + " items (at most " + MAX_ITEMS + ")");
        }
        return count;
    }

    private static byte[] readBytes(java.nio.ByteBuffer in, int length) {
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    private static Digest readDigest(java.nio.ByteBuffer in) {
        return Digest.fromBytes(readBytes(in, Digest.LENGTH));
    }

    private static String readString(java.nio.ByteBuffer in, int max) {
        int length = in.getInt();
        if (length < 0 || length > max || length > in.remaining()) {
            throw new MalformedEntryException("a string of " + length + " bytes");
        }
        return new String(readBytes(in, length), StandardCharsets.UTF_8);
    }

    private static List<Digest> readDigests(java.nio.ByteBuffer in) {
        List<Digest> digests = new java.util.ArrayList<>();
        for (int i = 0, n = readCount(in); i < n; i++) {
            digests.add(readDigest(in));
        }
        return digests;
    }

    private PeerEntry changed(PeerEntry candidate, long nowMillis) {
        return candidate == this ? this : candidate.bumped(nowMillis);
    }

    private static void writeString(DataOutputStream out, String text) throws IOException {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static void writeDigests(DataOutputStream out, List<Digest> digests) throws IOException {
        out.writeInt(digests.size());
        for (Digest digest : digests) {
            out.write(digest.toBytes());
        }
    }

    private static List<Tag> sortedTags(List<Tag> tags) {
        SortedSet<Tag> unique = new TreeSet<>(BY_DIGEST);
        unique.addAll(Objects.requireNonNull(tags, "tags"));
        return List.copyOf(unique);
    }

    private static List<Digest> sorted(List<Digest> digests) {
        return List.copyOf(new TreeSet<>(Objects.requireNonNull(digests, "digests")));
    }
}
