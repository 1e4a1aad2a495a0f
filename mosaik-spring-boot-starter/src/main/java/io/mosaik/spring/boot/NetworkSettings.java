package io.mosaik.spring.boot;

import io.mosaik.discovery.DiscoveryConfig;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.network.TransportKind;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.SecretKey;
import io.mosaik.primitives.Tag;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.util.unit.DataSize;

/**
 * The {@link MosaikProperties} checked and converted to the engine's types. Every check fails with a
 * {@link MosaikConfigurationException} that names the property, so a typo stops the application with a
 * clear report rather than a stack trace from deep inside the engine.
 */
final class NetworkSettings {

    private static final DataSize MIN_FRAME_SIZE = DataSize.ofKilobytes(1);
    private static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(1);

    private final NetworkId networkId;
    private final SecretKey secretKey;
    private final TransportKind transport;
    private final InetAddress bindAddress;
    private final int port;
    private final int maxFrameSize;
    private final Duration idleTimeout;
    private final Duration handshakeTimeout;
    private final List<PeerAddress> bootstrap;
    private final String advertisedHost;
    private final DiscoveryConfig discovery;

    private NetworkSettings(MosaikProperties properties) {
        this.networkId = networkId(properties.getNetworkId());
        this.secretKey = secretKey(properties.getSecretKey(), properties.getKeyFile());
        this.transport = transport(properties.getTransport());
        this.bindAddress = bindAddress(properties.getBindAddress());
        this.port = port(properties.getPort());
        this.maxFrameSize = maxFrameSize(properties.getMaxFrameSize());
        this.idleTimeout = idleTimeout(properties.getIdleTimeout());
        this.handshakeTimeout = handshakeTimeout(properties.getHandshakeTimeout());
        this.bootstrap = bootstrap(properties.getDiscovery().getBootstrap());
        this.advertisedHost = advertisedHost(properties.getAdvertisedHost());
        this.discovery = discovery(properties.getDiscovery());
    }

    private static DiscoveryConfig discovery(MosaikProperties.Discovery properties) {
        List<Tag> tags = new java.util.ArrayList<>();
        List<String> names = properties.getTags() == null ? List.of() : properties.getTags();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name == null || name.isBlank()) {
                throw new MosaikConfigurationException("mosaik.discovery.tags[" + i + "]", "the tag is empty",
                        "Give every tag a name, such as matcher or eu-west, or remove the empty entry.");
            }
            tags.add(Tag.of(name.strip()));
        }
        if (properties.getPurgeAfter() == null || properties.getPurgeAfter().compareTo(Duration.ofSeconds(1)) < 0) {
            throw new MosaikConfigurationException("mosaik.discovery.purge-after",
                    properties.getPurgeAfter() + " is too short", "Set it to 1s or more (default 300s).");
        }
        if (properties.getAnnounceInterval() == null
                || properties.getAnnounceInterval().compareTo(Duration.ofMillis(100)) < 0) {
            throw new MosaikConfigurationException("mosaik.discovery.announce-interval",
                    properties.getAnnounceInterval() + " is too short", "Set it to 100ms or more (default 45s).");
        }
        if (properties.getAnnounceJitter() < 0 || properties.getAnnounceJitter() >= 1) {
            throw new MosaikConfigurationException("mosaik.discovery.announce-jitter",
                    properties.getAnnounceJitter() + " is outside [0, 1)", "Set it between 0 and 0.99 (default 0.5).");
        }
        if (properties.getMaxTimeDrift() == null || properties.getMaxTimeDrift().compareTo(Duration.ofSeconds(1)) < 0) {
            throw new MosaikConfigurationException("mosaik.discovery.max-time-drift",
                    properties.getMaxTimeDrift() + " is too short",
                    "Set it to 1s or more (default 50s); it must cover the clock differences between your hosts.");
        }
        if (properties.getRttProbeInterval() == null
                || properties.getRttProbeInterval().compareTo(Duration.ofMillis(100)) < 0) {
            throw new MosaikConfigurationException("mosaik.discovery.rtt-probe-interval",
                    properties.getRttProbeInterval() + " is too short", "Set it to 100ms or more (default 30s).");
        }
        Duration maxRtt = properties.getMaxRtt();
        if (maxRtt != null && (maxRtt.isNegative() || maxRtt.isZero())) {
            throw new MosaikConfigurationException("mosaik.discovery.max-rtt", maxRtt + " is not a positive duration",
                    "Set it to a positive duration such as 200ms, or remove it to hide no peer (the default).");
        }
        if (properties.getEventsBacklog() < 1) {
            throw new MosaikConfigurationException("mosaik.discovery.events-backlog",
                    properties.getEventsBacklog() + " is not a number of events a receiver may hold",
                    "Set it to 1 or more (default 100).");
        }
        return new DiscoveryConfig(tags, properties.getPurgeAfter(), properties.getAnnounceInterval(),
                properties.getAnnounceJitter(), properties.getMaxTimeDrift(), properties.getRttProbeInterval(),
                java.util.Optional.ofNullable(maxRtt), properties.getEventsBacklog());
    }

    /**
     * Checks the properties. A configured key file is read here, or created if it does not exist.
     *
     * @param properties the bound properties
     * @return the settings
     * @throws MosaikConfigurationException naming the first property that is wrong
     */
    static NetworkSettings of(MosaikProperties properties) {
        return new NetworkSettings(properties);
    }

    /** A builder with every setting applied; customizers may still change it. */
    Network.Builder toBuilder() {
        Network.Builder builder = Network.builder(networkId)
                .transport(transport)
                .bindAddress(bindAddress)
                .port(port)
                .maxFrameSize(maxFrameSize)
                .idleTimeout(idleTimeout)
                .handshakeTimeout(handshakeTimeout)
                .bootstrap(bootstrap)
                .discovery(discovery);
        if (secretKey != null) {
            builder.secretKey(secretKey);
        }
        if (advertisedHost != null) {
            builder.advertisedHost(advertisedHost);
        }
        return builder;
    }

    private static NetworkId networkId(String value) {
        if (value == null || value.isBlank()) {
            throw new MosaikConfigurationException("mosaik.network-id",
                    "no network id is set; every node needs the id of the network it joins",
                    "Set mosaik.network-id to the same name on every node of the network, for example "
                            + "mosaik.network-id=orders-prod, or set mosaik.enabled=false to run without a mosaik node.");
        }
        return NetworkId.of(value.strip());
    }

    private static SecretKey secretKey(String hex, Path keyFile) {
        boolean hasKey = hex != null && !hex.isBlank();
        if (hasKey && keyFile != null) {
            throw new MosaikConfigurationException("mosaik.secret-key",
                    "both mosaik.secret-key and mosaik.key-file are set, so it is unclear which identity the node has",
                    "Remove one of them: keep mosaik.key-file to have the key kept in a file, or mosaik.secret-key "
                            + "to pass the key in (for example from a secret store).");
        }
        if (hasKey) {
            try {
                return SecretKey.parse(hex);
            } catch (IllegalArgumentException e) {
                // the value is a secret: report its length only, never its content
                throw new MosaikConfigurationException("mosaik.secret-key",
                        "the value is not 64 hex characters (it has " + hex.strip().length()
                                + " characters; the value itself is not shown because it is secret)",
                        "Set mosaik.secret-key to 64 hex characters (32 random bytes, for example the output of "
                                + "`openssl rand -hex 32`), or remove it and set mosaik.key-file to have a key "
                                + "generated and kept in a file.");
            }
        }
        if (keyFile != null) {
            return loadOrCreate(keyFile);
        }
        return null; // the engine picks a random key: a new peer id on every start
    }

    private static SecretKey loadOrCreate(Path keyFile) {
        try {
            return SecretKey.loadOrCreate(keyFile);
        } catch (IOException e) {
            throw new MosaikConfigurationException("mosaik.key-file",
                    "the key file " + keyFile.toAbsolutePath() + " cannot be read or created (" + e + ")",
                    "Point mosaik.key-file to a file this process may read, in a directory it may write to "
                            + "when the file does not exist yet.", e);
        } catch (IllegalArgumentException e) {
            throw new MosaikConfigurationException("mosaik.key-file",
                    "the key file " + keyFile.toAbsolutePath() + " does not hold a secret key of 64 hex characters",
                    "Restore the file from a backup to keep the node's peer id, or delete it to have a new key "
                            + "generated (the node then gets a new peer id).", e);
        }
    }

    private static TransportKind transport(String value) {
        try {
            return TransportKind.parse(value);
        } catch (IllegalArgumentException e) {
            String allowed = Arrays.stream(TransportKind.values()).map(TransportKind::configName)
                    .collect(Collectors.joining(" or "));
            throw new MosaikConfigurationException("mosaik.transport",
                    "'" + value + "' is not a transport mosaik knows",
                    "Set mosaik.transport to " + allowed + " (the default is " + TransportKind.DEFAULT.configName()
                            + "); every node of a network must use the same transport.");
        }
    }

    private static InetAddress bindAddress(String value) {
        String action = "Set mosaik.bind-address to an IP address of this machine: 127.0.0.1 (the default, "
                + "this machine only), ::1, or 0.0.0.0 to listen on every interface.";
        if (value == null || value.isBlank()) {
            throw new MosaikConfigurationException("mosaik.bind-address", "the value is empty", action);
        }
        String literal = value.strip();
        // only IP literals: getByName does no name lookup for them, and a bind address is local anyway
        if (!literal.matches("\\d{1,3}(\\.\\d{1,3}){3}") && !literal.contains(":")) {
            throw new MosaikConfigurationException("mosaik.bind-address", "'" + value + "' is not an IP address",
                    action);
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new MosaikConfigurationException("mosaik.bind-address", "'" + value + "' is not an IP address",
                    action, e);
        }
    }

    private static String advertisedHost(String value) {
        if (value == null) {
            return null;
        }
        if (value.isBlank() || value.strip().contains(" ") || value.strip().contains("@")) {
            throw new MosaikConfigurationException("mosaik.advertised-host", "'" + value + "' is not a host",
                    "Set mosaik.advertised-host to the IP address or host name other nodes dial to reach this one, "
                            + "or remove it to advertise the bind address.");
        }
        return value.strip();
    }

    private static int port(int value) {
        if (value < 0 || value > 65535) {
            throw new MosaikConfigurationException("mosaik.port", value + " is not a port number",
                    "Set mosaik.port to a port between 1 and 65535, or to 0 to let the system pick a free one.");
        }
        return value;
    }

    private static int maxFrameSize(DataSize value) {
        if (value == null || value.compareTo(MIN_FRAME_SIZE) < 0 || value.toBytes() > Integer.MAX_VALUE) {
            throw new MosaikConfigurationException("mosaik.max-frame-size",
                    (value == null ? "no value is set" : value + " is out of range") + "; frames must be allowed "
                            + "at least 1KB and at most 2GB",
                    "Set mosaik.max-frame-size to a size such as 4MB (the default), at least 1KB.");
        }
        return (int) value.toBytes();
    }

    private static Duration idleTimeout(Duration value) {
        if (value == null || value.compareTo(MIN_IDLE_TIMEOUT) < 0) {
            throw new MosaikConfigurationException("mosaik.idle-timeout",
                    value + " is too short to tell a silent peer from a dead one",
                    "Set mosaik.idle-timeout to at least 1s, such as 10s (the default).");
        }
        return value;
    }

    private static Duration handshakeTimeout(Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new MosaikConfigurationException("mosaik.handshake-timeout", value + " is not a positive duration",
                    "Set mosaik.handshake-timeout to a positive duration such as 10s (the default).");
        }
        return value;
    }

    private static List<PeerAddress> bootstrap(List<String> entries) {
        List<PeerAddress> peers = new ArrayList<>();
        if (entries == null) {
            return peers;
        }
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i);
            if (entry == null || entry.isBlank()) {
                continue; // an empty list element, as "a,,b" or an empty environment variable gives
            }
            try {
                peers.add(PeerAddress.parse(entry));
            } catch (IllegalArgumentException e) {
                throw new MosaikConfigurationException("mosaik.discovery.bootstrap[" + i + "]",
                        "'" + entry.strip() + "' is not a peer address: " + e.getMessage(),
                        "Write each bootstrap entry as peerId@host:port (IPv6: peerId@[::1]:port), for example "
                                + "3b6a...e1@127.0.0.1:7401 with the full 64-character peer id; every node logs its "
                                + "address at start-up and shows it at /actuator/mosaik (node.address).", e);
            }
        }
        return peers;
    }
}
