package io.mosaik.actuator;

import io.mosaik.discovery.SignedPeerEntry;
import io.mosaik.primitives.Digest;
import io.mosaik.primitives.Tag;
import java.time.Instant;
import java.util.List;

/**
 * One peer of the catalog as {@code /actuator/mosaik/catalog} shows it.
 *
 * @param address   where it can be dialed, {@code peerId@host:port}
 * @param tags      its role tags, by the names they were configured with
 * @param streams   the streams it produces (ids in hex)
 * @param groups    the groups it joined (ids in hex)
 * @param version   its entry version, {@code start.update}
 * @param startedAt when its current run started
 * @param updatedAt when its entry last changed
 * @param rttMillis its smoothed round-trip time (RFC 6298 over discovery's pings, the first within seconds
 *                  of discovering it), in milliseconds; {@code null} if not measured yet
 */
public record MosaikPeerDescriptor(String address, List<String> tags, List<String> streams, List<String> groups,
        String version, String startedAt, String updatedAt, Double rttMillis) {

    /** Describes a catalog entry and the smoothed round-trip time to its peer. */
    public static MosaikPeerDescriptor of(SignedPeerEntry signed, java.util.Optional<java.time.Duration> rtt) {
        var entry = signed.entry();
        return new MosaikPeerDescriptor(entry.address().toString(), entry.tags().stream().map(Tag::name).toList(),
                entry.streams().stream().map(Digest::toHex).toList(), entry.groups().stream().map(Digest::toHex).toList(),
                entry.version().start() + "." + entry.version().update(),
                Instant.ofEpochMilli(entry.version().start()).toString(),
                Instant.ofEpochMilli(entry.version().update()).toString(),
                rtt.map(sample -> sample.toNanos() / 1e6).orElse(null));
    }
}
