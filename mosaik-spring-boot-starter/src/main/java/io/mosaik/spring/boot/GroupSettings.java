package io.mosaik.spring.boot;

import io.mosaik.groups.ConsensusConfig;
import io.mosaik.groups.GroupKey;
import io.mosaik.groups.raft.LeadershipPreference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One {@code mosaik.groups.<name>} declaration checked and converted to the engine's types. Everything
 * that can be checked without the application's beans is checked here, so a wrong value stops the
 * application before any bean is created, with a {@link MosaikConfigurationException} naming the
 * property.
 *
 * <p>The consensus settings are checked by {@link ConsensusConfig} itself; its error names the Java
 * setting, which is translated to the property and blamed on the first setting it names that is not at
 * its default (a relation such as "jitter below interval" is usually broken by the value someone set).
 *
 * @param prefix       the declaration's property prefix, {@code mosaik.groups.<name>}
 * @param key          the group key
 * @param stateMachine the state machine's bean name
 * @param consensus    the consensus settings
 * @param preference   the leadership preference, {@code null} for the state machine's
 * @param storage      where the log and snapshots are kept
 */
record GroupSettings(String prefix, GroupKey key, String stateMachine, ConsensusConfig consensus,
                     LeadershipPreference preference, GroupStorageSettings storage) {

    /** A consensus setting: its property, its name in the engine's messages, its value and default. */
    private record Setting(String property, String field, Object value, Object fallback) {
    }

    /**
     * Checks a declaration.
     *
     * @param name    the group's bean name
     * @param spec    the bound properties
     * @param dataDir the node's {@code mosaik.data-dir}, {@code null} if unset
     * @return the settings
     * @throws MosaikConfigurationException naming the first property that is wrong
     */
    static GroupSettings of(String name, MosaikProperties.GroupSpec spec, Path dataDir) {
        String prefix = "mosaik.groups." + name;
        return new GroupSettings(prefix, key(prefix, spec.getKey()), stateMachine(prefix, spec.getStateMachine()),
                consensus(prefix, spec), preference(prefix, spec.getLeadershipPreference()),
                GroupStorageSettings.of(prefix, name, spec, dataDir));
    }

    private static GroupKey key(String prefix, String secret) {
        if (secret == null || secret.isBlank()) {
            throw new MosaikConfigurationException(prefix + ".key",
                    "no key is set; the members of a group prove to each other that they hold the same secret",
                    "Set " + prefix + ".key to a long random secret shared by every member of the group (for "
                            + "example the output of `openssl rand -hex 32`), preferably from the environment "
                            + "or a secret store rather than in a file under source control.");
        }
        return GroupKey.fromSecret(secret.strip());
    }

    private static String stateMachine(String prefix, String bean) {
        if (bean == null || bean.isBlank()) {
            throw new MosaikConfigurationException(prefix + ".state-machine", "no state machine bean is named",
                    "Set " + prefix + ".state-machine to the name of a bean implementing "
                            + "io.mosaik.groups.StateMachine, such as counterMachine.");
        }
        return bean.strip();
    }

    private static LeadershipPreference preference(String prefix, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return LeadershipPreference.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = Arrays.stream(LeadershipPreference.values())
                    .map(preference -> preference.name().toLowerCase(Locale.ROOT)).toList();
            throw new MosaikConfigurationException(prefix + ".leadership-preference",
                    "'" + value + "' is not a leadership preference",
                    "Set it to " + String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast()
                            + ", or remove it to use the state machine's own preference.");
        }
    }

    private static ConsensusConfig consensus(String prefix, MosaikProperties.GroupSpec spec) {
        try {
            return new ConsensusConfig(spec.getHeartbeatInterval(), spec.getHeartbeatJitter(),
                    spec.getMaxMissedHeartbeats(), spec.getElectionTimeout(), spec.getElectionJitter(),
                    spec.getBootstrapDelay(), spec.getForwardTimeout(), spec.getTargetVoters(),
                    spec.getBootstrapExpect(), spec.getVoterRemovalTimeout());
        } catch (IllegalArgumentException | NullPointerException e) {
            List<Setting> settings = settings(spec);
            String message = Objects.requireNonNullElse(e.getMessage(), "");
            Setting blamed = blame(settings, message);
            String problem = e instanceof NullPointerException ? "no value is set" : translate(settings, message);
            String at = blamed == null ? prefix : prefix + "." + blamed.property();
            String fallback = blamed == null ? "" : " (" + format(blamed.fallback()) + ")";
            throw new MosaikConfigurationException(at, problem, "Set it so that heartbeat-jitter is below "
                    + "heartbeat-interval, election-timeout is at least twice heartbeat-interval, no duration is "
                    + "negative and bootstrap-expect is between 1 and target-voters; or remove it to use the "
                    + "default" + fallback + ".", e);
        }
    }

    private static List<Setting> settings(MosaikProperties.GroupSpec spec) {
        ConsensusConfig defaults = ConsensusConfig.defaults();
        return List.of(
                new Setting("heartbeat-interval", "heartbeatInterval", spec.getHeartbeatInterval(),
                        defaults.heartbeatInterval()),
                new Setting("heartbeat-jitter", "heartbeatJitter", spec.getHeartbeatJitter(),
                        defaults.heartbeatJitter()),
                new Setting("max-missed-heartbeats", "maxMissedHeartbeats", spec.getMaxMissedHeartbeats(),
                        defaults.maxMissedHeartbeats()),
                new Setting("election-timeout", "electionTimeout", spec.getElectionTimeout(),
                        defaults.electionTimeout()),
                new Setting("election-jitter", "electionJitter", spec.getElectionJitter(), defaults.electionJitter()),
                new Setting("bootstrap-delay", "bootstrapDelay", spec.getBootstrapDelay(), defaults.bootstrapDelay()),
                new Setting("forward-timeout", "forwardTimeout", spec.getForwardTimeout(), defaults.forwardTimeout()),
                new Setting("target-voters", "targetVoters", spec.getTargetVoters(), defaults.targetVoters()),
                new Setting("bootstrap-expect", "bootstrapExpect", spec.getBootstrapExpect(),
                        defaults.bootstrapExpect()),
                new Setting("voter-removal-timeout", "voterRemovalTimeout", spec.getVoterRemovalTimeout(),
                        defaults.voterRemovalTimeout()));
    }

    /** The first setting the message names that is not at its default; else the first it names. */
    private static Setting blame(List<Setting> settings, String message) {
        List<Setting> named = settings.stream().filter(setting -> message.contains(setting.field()))
                .sorted(Comparator.comparingInt(setting -> message.indexOf(setting.field()))).toList();
        return named.stream().filter(setting -> !Objects.equals(setting.value(), setting.fallback())).findFirst()
                .orElse(named.isEmpty() ? null : named.getFirst());
    }

    /** The engine's message with property names for its setting names and durations as written in yml. */
    private static String translate(List<Setting> settings, String message) {
        String translated = message;
        for (Setting setting : settings) {
            translated = translated.replace(setting.field(), setting.property());
            if (setting.value() instanceof Duration duration) {
                translated = translated.replace(duration.toString(), format(duration));
            }
        }
        return translated;
    }

    private static String format(Object value) {
        if (value instanceof Duration duration && duration.toNanos() % 1_000_000 == 0) {
            long millis = duration.toMillis();
            return millis != 0 && millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
        }
        return String.valueOf(value);
    }
}
