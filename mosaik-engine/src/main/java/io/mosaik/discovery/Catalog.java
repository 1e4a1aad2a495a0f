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
        LOCAL,
        /** The peer departed with this version or a later one: nothing changed (a departure is final). */
        DEPARTED
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
    /** Peers that departed gracefully, with the last version their departure covers. */
    private final NavigableMap<PeerId, EntryVersion> departed;
    private final Duration purgeAfter;

    private Catalog(SignedPeerEntry local, NavigableMap<PeerId, SignedPeerEntry> signed,
            NavigableMap<PeerId, PeerEntry> unsigned, NavigableMap<PeerId, EntryVersion> departed,
            Duration purgeAfter) {
        this.local = local;
        this.signed = Collections.unmodifiableNavigableMap(signed);
        this.unsigned = Collections.unmodifiableNavigableMap(unsigned);
        this.departed = Collections.unmodifiableNavigableMap(departed);
        this.purgeAfter = purgeAfter;
    }

    private Catalog with(NavigableMap<PeerId, SignedPeerEntry> nextSigned, NavigableMap<PeerId, PeerEntry> nextUnsigned,
            NavigableMap<PeerId, EntryVersion> nextDeparted) {
        return new Catalog(local, nextSigned, nextUnsigned, nextDeparted, purgeAfter);
    }

    /**
     * A catalog holding only the local entry.
     *
     * @param local      this node's signed entry
     * @param purgeAfter how long an entry may go without an update before it is stale
     * @return the catalog
     */
    public static Catalog of(SignedPeerEntry local, Duration purgeAfter) {
        return new Catalog(local, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), purgeAfter);
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
        return new Catalog(newLocal, signed, unsigned, departed, purgeAfter);
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
        EntryVersion departedAt = departed.get(peer.peerId());
        if (departedAt != null && !peer.version().isNewerThan(departedAt)) {
            return new Upserted(this, Outcome.DEPARTED);
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
        NavigableMap<PeerId, EntryVersion> nextDeparted = departed;
        if (departedAt != null) {
            nextDeparted = new TreeMap<>(departed);
            nextDeparted.remove(peer.peerId()); // a newer run (or a later version) came back
        }
        return new Upserted(with(nextSigned, nextUnsigned, nextDeparted),
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
        return with(signed, nextUnsigned, departed);
    }

    /** The catalog without a peer's signed entry (never the local one). */
    public Catalog remove(PeerId peer) {
        if (!signed.containsKey(peer)) {
            return this;
        }
        TreeMap<PeerId, SignedPeerEntry> nextSigned = new TreeMap<>(signed);
        nextSigned.remove(peer);
        return with(nextSigned, unsigned, departed);
    }

    /**
     * Records a graceful departure: the peer's entry goes if the departure covers its version (a later
     * version means the peer came back or restarted, and it stays), and no entry of it up to
     * {@code lastVersion} is accepted again, so a catalog sync with a node that has not heard of the
     * departure yet cannot bring it back. The record is forgotten once such entries would be stale anyway.
     *
     * @param peer        the departing peer
     * @param lastVersion the last version its departure covers
     * @return the catalog after it and whether the peer's entry was removed
     */
    public Map.Entry<Catalog, Boolean> depart(PeerId peer, EntryVersion lastVersion) {
        if (peer.equals(localId())) {
            return Map.entry(this, false);
        }
        EntryVersion before = departed.get(peer);
        SignedPeerEntry known = signed.get(peer);
        boolean removes = known != null && !known.entry().version().isNewerThan(lastVersion);
        if (!removes && before != null && !lastVersion.isNewerThan(before)) {
            return Map.entry(this, false);
        }
        TreeMap<PeerId, EntryVersion> nextDeparted = new TreeMap<>(departed);
        if (before == null || lastVersion.isNewerThan(before)) {
            nextDeparted.put(peer, lastVersion);
        }
        NavigableMap<PeerId, SignedPeerEntry> nextSigned = signed;
        if (removes) {
            nextSigned = new TreeMap<>(signed);
            nextSigned.remove(peer);
        }
        return Map.entry(with(nextSigned, unsigned, nextDeparted), removes);
    }

    /** Whether a graceful departure of this peer is remembered. */
    public boolean hasDeparted(PeerId peer) {
        return departed.containsKey(peer);
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
        long horizon = nowMillis - purgeAfter.toMillis();
        boolean expiredDepartures = departed.values().stream().anyMatch(version -> version.update() < horizon);
        if (stale.isEmpty() && !expiredDepartures) {
            return Map.entry(this, List.of());
        }
        TreeMap<PeerId, SignedPeerEntry> nextSigned = new TreeMap<>(signed);
        stale.forEach(entry -> nextSigned.remove(entry.entry().peerId()));
        TreeMap<PeerId, EntryVersion> nextDeparted = new TreeMap<>(departed);
        // entries up to a departure's version are refused as stale from here on: the record can go
        nextDeparted.values().removeIf(version -> version.update() < horizon);
        return Map.entry(with(nextSigned, unsigned, nextDeparted), stale);
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
