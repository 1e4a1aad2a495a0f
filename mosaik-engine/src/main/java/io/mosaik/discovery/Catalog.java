package io.mosaik.discovery;

import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.PeerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable snapshot of what a node knows about its network (spec §2.2): its own signed entry, the
 * signed entries of other peers, and local-only unsigned entries that are never gossiped. Every change
 * returns a new catalog, so a snapshot handed out never changes under its reader.
 *
 * <p>The upsert rules: an entry of another network is refused; one whose signature does not verify is
 * refused; a stale one (last updated longer than the purge interval ago) is refused; a newer version
 * replaces the one known; an older or equal version is rejected, so a replayed entry changes nothing.
 */
public final class Catalog {

    /** What an {@link #upsert} did. */
    public enum Outcome {
        /** A peer not known before. */
        NEW,
        /** A newer version of a known peer. */
        UPDATED,
        /** Not newer than the version known (a replay or a late copy): nothing changed. */
        REJECTED,
        /** Last updated longer than the purge interval ago: nothing changed. */
        OUTDATED,
        /** The entry belongs to another network: nothing changed. */
        DIFFERENT_NETWORK,
        /** The signature does not verify: nothing changed. */
        INVALID_SIGNATURE,
        /** An entry claiming to be this node: nothing changed. */
        LOCAL
    }

    /**
     * The result of an upsert.
     *
     * @param catalog the catalog after it (the same object if nothing changed)
     * @param outcome what happened
     */
    public record Upserted(Catalog catalog, Outcome outcome) {

        /** Whether the catalog changed. */
        public boolean changed() {
            return outcome == Outcome.NEW || outcome == Outcome.UPDATED;
        }
    }

    private final SignedPeerEntry local;
    private final NavigableMap<PeerId, SignedPeerEntry> signed;
    private final NavigableMap<PeerId, PeerEntry> unsigned;
    private final Duration purgeAfter;

    private Catalog(SignedPeerEntry local, NavigableMap<PeerId, SignedPeerEntry> signed,
            NavigableMap<PeerId, PeerEntry> unsigned, Duration purgeAfter) {
        this.local = local;
        this.signed = Collections.unmodifiableNavigableMap(signed);
        this.unsigned = Collections.unmodifiableNavigableMap(unsigned);
        this.purgeAfter = purgeAfter;
    }

    /**
     * A catalog holding only the local entry.
     *
     * @param local      this node's signed entry
     * @param purgeAfter how long an entry may go without an update before it is stale
     * @return the catalog
     */
    public static Catalog of(SignedPeerEntry local, Duration purgeAfter) {
        return new Catalog(local, new TreeMap<>(), new TreeMap<>(), purgeAfter);
    }

    /** This node's signed entry. */
    public SignedPeerEntry local() {
        return local;
    }

    /** This node's peer id. */
    public PeerId localId() {
        return local.entry().peerId();
    }

    /** This node's network. */
    public NetworkId networkId() {
        return local.entry().network();
    }

    /** The catalog with a new local entry (after a tag change, a re-announce...). */
    public Catalog withLocal(SignedPeerEntry newLocal) {
        if (!newLocal.entry().peerId().equals(localId())) {
            throw new IllegalArgumentException("the local entry must keep the local peer id");
        }
        return new Catalog(newLocal, new TreeMap<>(signed), new TreeMap<>(unsigned), purgeAfter);
    }

    /**
     * Adds or replaces a signed entry of another peer, following the upsert rules.
     *
     * @param entry     the entry received
     * @param nowMillis the current time
     * @return the catalog after it and what happened
     */
    public Upserted upsert(SignedPeerEntry entry, long nowMillis) {
        PeerEntry peer = entry.entry();
        if (peer.peerId().equals(localId())) {
            return new Upserted(this, Outcome.LOCAL);
        }
        if (!peer.network().equals(networkId())) {
            return new Upserted(this, Outcome.DIFFERENT_NETWORK);
        }
        if (isStale(peer, nowMillis)) {
            return new Upserted(this, Outcome.OUTDATED);
        }
        SignedPeerEntry known = signed.get(peer.peerId());
        if (known != null && !peer.version().isNewerThan(known.entry().version())) {
            return new Upserted(this, Outcome.REJECTED);
        }
        if (!entry.verify()) {
            return new Upserted(this, Outcome.INVALID_SIGNATURE);
        }
        TreeMap<PeerId, SignedPeerEntry> nextSigned = new TreeMap<>(signed);
        nextSigned.put(peer.peerId(), entry);
        TreeMap<PeerId, PeerEntry> nextUnsigned = new TreeMap<>(unsigned);
        nextUnsigned.remove(peer.peerId());
        return new Upserted(new Catalog(local, nextSigned, nextUnsigned, purgeAfter),
                known == null ? Outcome.NEW : Outcome.UPDATED);
    }

    /**
     * Adds a local-only entry (never gossiped or synced); refused for this node, another network, or a
     * peer that has a signed entry.
     *
     * @return the catalog after it, or this catalog if refused
     */
    public Catalog insertUnsigned(PeerEntry entry) {
        if (entry.peerId().equals(localId()) || !entry.network().equals(networkId())
                || signed.containsKey(entry.peerId())) {
            return this;
        }
        TreeMap<PeerId, PeerEntry> nextUnsigned = new TreeMap<>(unsigned);
        nextUnsigned.put(entry.peerId(), entry);
        return new Catalog(local, new TreeMap<>(signed), nextUnsigned, purgeAfter);
    }

    /** The catalog without a peer's signed entry (never the local one). */
    public Catalog remove(PeerId peer) {
        if (!signed.containsKey(peer)) {
            return this;
        }
        TreeMap<PeerId, SignedPeerEntry> nextSigned = new TreeMap<>(signed);
        nextSigned.remove(peer);
        return new Catalog(local, nextSigned, new TreeMap<>(unsigned), purgeAfter);
    }

    /**
     * Removes the stale signed entries.
     *
     * @param nowMillis the current time
     * @return the catalog after it and the entries removed
     */
    public Map.Entry<Catalog, List<SignedPeerEntry>> purgeStale(long nowMillis) {
        List<SignedPeerEntry> stale = signed.values().stream()
                .filter(entry -> isStale(entry.entry(), nowMillis)).toList();
        if (stale.isEmpty()) {
            return Map.entry(this, List.of());
        }
        TreeMap<PeerId, SignedPeerEntry> nextSigned = new TreeMap<>(signed);
        stale.forEach(entry -> nextSigned.remove(entry.entry().peerId()));
        return Map.entry(new Catalog(local, nextSigned, new TreeMap<>(unsigned), purgeAfter), stale);
    }

    /** The signed entry of a peer, if known and not stale. */
    public Optional<SignedPeerEntry> getSigned(PeerId peer, long nowMillis) {
        SignedPeerEntry entry = signed.get(peer);
        return entry == null || isStale(entry.entry(), nowMillis) ? Optional.empty() : Optional.of(entry);
    }

    /** The other peers' non-stale signed entries, by peer id. */
    public List<SignedPeerEntry> signedPeers(long nowMillis) {
        return signed.values().stream().filter(entry -> !isStale(entry.entry(), nowMillis)).toList();
    }

    /** Every non-stale signed entry including the local one: what a catalog sync sends. */
    public List<SignedPeerEntry> snapshotForSync(long nowMillis) {
        List<SignedPeerEntry> all = new ArrayList<>();
        all.add(local);
        all.addAll(signedPeers(nowMillis));
        return all;
    }

    /** The local-only entries. */
    public List<PeerEntry> unsignedPeers() {
        return List.copyOf(unsigned.values());
    }

    /** How many other peers are known (signed, non-stale, and unsigned). */
    public int peersCount(long nowMillis) {
        return signedPeers(nowMillis).size() + unsigned.size();
    }

    private boolean isStale(PeerEntry entry, long nowMillis) {
        return entry.version().update() < nowMillis - purgeAfter.toMillis();
    }
}
