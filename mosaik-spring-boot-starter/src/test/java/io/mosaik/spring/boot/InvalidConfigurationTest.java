package io.mosaik.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.primitives.SecretKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Every wrong {@code mosaik.*} value stops the context with a message naming the property, and the
 * failure analyzer turns it into a report naming it too. None of these contexts gets as far as
 * starting a node.
 */
@Timeout(60)
class InvalidConfigurationTest {

    private static final String PEER = SecretKey.random().peerId().toHex();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MosaikAutoConfiguration.class));

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                Arguments.of("mosaik.network-id", new String[] {}),
                Arguments.of("mosaik.network-id", new String[] {"mosaik.network-id=   "}),
                Arguments.of("mosaik.secret-key", new String[] {"mosaik.network-id=t", "mosaik.secret-key=abc123"}),
                Arguments.of("mosaik.transport", new String[] {"mosaik.network-id=t", "mosaik.transport=udp"}),
                Arguments.of("mosaik.port", new String[] {"mosaik.network-id=t", "mosaik.port=70000"}),
                Arguments.of("mosaik.port", new String[] {"mosaik.network-id=t", "mosaik.port=-1"}),
                Arguments.of("mosaik.bind-address",
                        new String[] {"mosaik.network-id=t", "mosaik.bind-address=no-such-host.invalid"}),
                Arguments.of("mosaik.bind-address", new String[] {"mosaik.network-id=t", "mosaik.bind-address= "}),
                Arguments.of("mosaik.discovery.announce-jitter",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.announce-jitter=1.5"}),
                Arguments.of("mosaik.discovery.purge-after",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.purge-after=10ms"}),
                Arguments.of("mosaik.discovery.tags[1]",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.tags[0]=a", "mosaik.discovery.tags[1]= "}),
                Arguments.of("mosaik.advertised-host",
                        new String[] {"mosaik.network-id=t", "mosaik.advertised-host=not a host"}),
                Arguments.of("mosaik.max-frame-size", new String[] {"mosaik.network-id=t", "mosaik.max-frame-size=512B"}),
                Arguments.of("mosaik.idle-timeout", new String[] {"mosaik.network-id=t", "mosaik.idle-timeout=100ms"}),
                Arguments.of("mosaik.handshake-timeout",
                        new String[] {"mosaik.network-id=t", "mosaik.handshake-timeout=0s"}),
                Arguments.of("mosaik.discovery.bootstrap[0]",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.bootstrap=127.0.0.1:7401"}),
                Arguments.of("mosaik.discovery.bootstrap[1]", new String[] {"mosaik.network-id=t",
                        "mosaik.discovery.bootstrap=" + PEER + "@127.0.0.1:7401,not-hex@127.0.0.1:7402"}),
                Arguments.of("mosaik.discovery.bootstrap[0]",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.bootstrap=" + PEER + "@127.0.0.1"}),
                Arguments.of("mosaik.discovery.max-time-drift",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.max-time-drift=100ms"}),
                Arguments.of("mosaik.discovery.rtt-probe-interval",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.rtt-probe-interval=1ms"}),
                Arguments.of("mosaik.discovery.purge-after",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.purge-after=-5s"}),
                Arguments.of("mosaik.discovery.announce-interval",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.announce-interval=-1s"}),
                Arguments.of("mosaik.discovery.announce-jitter",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.announce-jitter=-0.1"}),
                Arguments.of("mosaik.discovery.max-time-drift",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.max-time-drift=-50s"}),
                Arguments.of("mosaik.discovery.rtt-probe-interval",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.rtt-probe-interval=-30s"}),
                Arguments.of("mosaik.discovery.max-rtt",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.max-rtt=-1ms"}),
                Arguments.of("mosaik.discovery.max-rtt",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.max-rtt=0s"}),
                Arguments.of("mosaik.discovery.events-backlog",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.events-backlog=0"}),
                Arguments.of("mosaik.discovery.events-backlog",
                        new String[] {"mosaik.network-id=t", "mosaik.discovery.events-backlog=-3"}),
                Arguments.of("mosaik.streams.producers.quotes.type",
                        new String[] {"mosaik.network-id=t", "mosaik.streams.producers.quotes.stream-id=quotes"}),
                Arguments.of("mosaik.streams.consumers.feed.type",
                        new String[] {"mosaik.network-id=t", "mosaik.streams.consumers.feed.type=com.example.Missing"}),
                Arguments.of("mosaik.streams.producers.quotes.buffer-size", new String[] {"mosaik.network-id=t",
                        "mosaik.streams.producers.quotes.type=java.lang.String",
                        "mosaik.streams.producers.quotes.buffer-size=0"}),
                Arguments.of("mosaik.streams.producers.quotes.max-consumers", new String[] {"mosaik.network-id=t",
                        "mosaik.streams.producers.quotes.type=java.lang.String",
                        "mosaik.streams.producers.quotes.max-consumers=0"}),
                Arguments.of("mosaik.groups.counter.key", group("counter.key=")),
                Arguments.of("mosaik.groups.counter.key", new String[] {"mosaik.network-id=t",
                        "mosaik.groups.counter.state-machine=counterMachine"}),
                Arguments.of("mosaik.groups.counter.state-machine", new String[] {"mosaik.network-id=t",
                        "mosaik.groups.counter.key=secret"}),
                Arguments.of("mosaik.groups.counter.state-machine", group("counter.state-machine=noSuchBean")),
                Arguments.of("mosaik.groups.counter.leadership-preference",
                        group("counter.leadership-preference=eager")),
                Arguments.of("mosaik.groups.counter.heartbeat-interval", group("counter.heartbeat-interval=0ms")),
                // the jitter keeps its default of 150ms, which the interval must exceed
                Arguments.of("mosaik.groups.counter.heartbeat-interval", group("counter.heartbeat-interval=100ms")),
                Arguments.of("mosaik.groups.counter.heartbeat-interval", group("counter.heartbeat-interval=soon")),
                Arguments.of("mosaik.groups.counter.heartbeat-jitter", group("counter.heartbeat-jitter=500ms")),
                Arguments.of("mosaik.groups.counter.max-missed-heartbeats", group("counter.max-missed-heartbeats=0")),
                Arguments.of("mosaik.groups.counter.max-missed-heartbeats",
                        group("counter.max-missed-heartbeats=many")),
                Arguments.of("mosaik.groups.counter.election-timeout", group("counter.election-timeout=900ms")),
                Arguments.of("mosaik.groups.counter.election-jitter", group("counter.election-jitter=-1ms")),
                Arguments.of("mosaik.groups.counter.bootstrap-delay", group("counter.bootstrap-delay=-1s")),
                Arguments.of("mosaik.groups.counter.forward-timeout", group("counter.forward-timeout=0s")),
                Arguments.of("mosaik.groups.counter.target-voters", group("counter.target-voters=0")),
                Arguments.of("mosaik.groups.counter.bootstrap-expect", group("counter.bootstrap-expect=4")),
                Arguments.of("mosaik.groups.counter.voter-removal-timeout",
                        group("counter.voter-removal-timeout=-30s")),
                Arguments.of("mosaik.groups.counter.storage", group("counter.storage=tape")),
                Arguments.of("mosaik.groups.counter.data-dir", group("counter.storage=disk")),
                Arguments.of("mosaik.groups.counter.data-dir", group("counter.data-dir=/tmp/never-created")),
                Arguments.of("mosaik.groups.counter.sync",
                        group("counter.storage=disk", "counter.data-dir=/tmp/never-created", "counter.sync=rarely")),
                Arguments.of("mosaik.groups.counter.sync", group("counter.sync=batched")),
                Arguments.of("mosaik.groups.counter.sync-interval", group("counter.storage=disk",
                        "counter.data-dir=/tmp/never-created", "counter.sync-interval=5ms")),
                Arguments.of("mosaik.groups.counter.sync-interval", group("counter.storage=disk",
                        "counter.data-dir=/tmp/never-created", "counter.sync=batched", "counter.sync-interval=0ms")),
                Arguments.of("mosaik.groups.counter.sync-interval", group("counter.storage=disk",
                        "counter.data-dir=/tmp/never-created", "counter.sync=batched", "counter.sync-interval=-5ms")),
                Arguments.of("mosaik.groups.counter.sync-interval", group("counter.storage=disk",
                        "counter.data-dir=/tmp/never-created", "counter.sync=batched", "counter.sync-interval=soon")),
                Arguments.of("mosaik.groups.counter.snapshot-every", group("counter.snapshot-every=-1")),
                Arguments.of("mosaik.groups.counter.snapshot-every", group("counter.snapshot-every=often")),
                Arguments.of("mosaik.groups.counter.snapshot-retain", group("counter.snapshot-retain=-1000")));
    }

    /**
     * A valid declaration of group {@code counter} with some properties set or replaced, each as
     * {@code name=value}.
     */
    private static String[] group(String... properties) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("counter.key", "secret");
        values.put("counter.state-machine", "counterMachine");
        for (String property : properties) {
            String[] replaced = property.split("=", 2);
            values.put(replaced[0], replaced[1]);
        }
        List<String> all = new ArrayList<>(List.of("mosaik.network-id=t"));
        values.forEach((name, value) -> all.add("mosaik.groups." + name + "=" + value));
        return all.toArray(String[]::new);
    }

    @ParameterizedTest(name = "{0} <- {1}")
    @MethodSource("invalidValues")
    void failsNamingTheProperty(String property, String[] properties) {
        runner.withPropertyValues(properties).run(context -> assertFailsNaming(context, property));
    }

    @Test
    void secretKeyIsNeverEchoed() {
        String secret = "zz" + SecretKey.random().toHex().substring(2); // 64 characters, not all hex
        runner.withPropertyValues("mosaik.network-id=t", "mosaik.secret-key=" + secret).run(context -> {
            MosaikConfigurationException error = assertFailsNaming(context, "mosaik.secret-key");
            assertThat(error.getMessage()).doesNotContain(secret).doesNotContain(secret.substring(2, 20));
            FailureAnalysis analysis = new MosaikConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain(secret.substring(2, 20));
        });
    }

    @Test
    void secretKeyAndKeyFileExcludeEachOther(@TempDir Path directory) {
        runner.withPropertyValues("mosaik.network-id=t", "mosaik.secret-key=" + SecretKey.random().toHex(),
                "mosaik.key-file=" + directory.resolve("node.key"))
                .run(context -> assertThat(assertFailsNaming(context, "mosaik.secret-key").getProblem())
                        .contains("mosaik.key-file"));
    }

    @Test
    void keyFileWithoutAKeyFails(@TempDir Path directory) throws Exception {
        Path keyFile = directory.resolve("node.key");
        java.nio.file.Files.writeString(keyFile, "not a key\n");
        runner.withPropertyValues("mosaik.network-id=t", "mosaik.key-file=" + keyFile)
                .run(context -> assertFailsNaming(context, "mosaik.key-file"));
    }

    @Test
    void groupKeyIsNeverEchoed() {
        String secret = "a-group-secret-nobody-may-read";
        runner.withPropertyValues("mosaik.network-id=t", "mosaik.groups.counter.key=" + secret,
                "mosaik.groups.counter.state-machine=counterMachine", "mosaik.groups.counter.heartbeat-jitter=1s")
                .run(context -> {
                    MosaikConfigurationException error = assertFailsNaming(context,
                            "mosaik.groups.counter.heartbeat-jitter");
                    FailureAnalysis analysis = new MosaikConfigurationFailureAnalyzer()
                            .analyze(context.getStartupFailure());
                    assertThat(error.getMessage() + analysis.getDescription() + analysis.getAction())
                            .doesNotContain(secret);
                });
    }

    @Test
    void consensusErrorsSpeakInPropertyNamesAndSayTheDefault() {
        runner.withPropertyValues(group("counter.heartbeat-jitter=500ms")).run(context -> {
            MosaikConfigurationException error = assertFailsNaming(context, "mosaik.groups.counter.heartbeat-jitter");
            assertThat(error.getProblem()).contains("heartbeat-jitter").contains("heartbeat-interval")
                    .contains("500ms").doesNotContain("heartbeatJitter").doesNotContain("PT0.5S");
            assertThat(error.getAction()).contains("default (150ms)");
        });
    }

    @Test
    void groupStateMachineMustBeAStateMachine() {
        runner.withPropertyValues(group("counter.state-machine=notAMachine"))
                .withBean("notAMachine", String.class, () -> "plain text")
                .run(context -> assertThat(assertFailsNaming(context, "mosaik.groups.counter.state-machine")
                        .getProblem()).contains("java.lang.String"));
    }

    @Test
    void unknownStateMachineListsTheStateMachineBeans() {
        runner.withPropertyValues(group("counter.state-machine=countrMachine"))
                .withBean("counterMachine", GroupBeansTest.Counter.class, GroupBeansTest.Counter::new)
                .run(context -> assertThat(assertFailsNaming(context, "mosaik.groups.counter.state-machine")
                        .getAction()).contains("counterMachine"));
    }

    @Test
    void groupNameMustNotBeTakenByAnotherBean() {
        runner.withPropertyValues(group("counter.state-machine=counter"))
                .withBean("counter", GroupBeansTest.Counter.class, GroupBeansTest.Counter::new)
                .run(context -> assertFailsNaming(context, "mosaik.groups.counter"));
    }

    @Test
    void oneSingletonStateMachineCannotServeTwoGroups() {
        runner.withPropertyValues(group("counter.state-machine=counterMachine"))
                .withPropertyValues("mosaik.groups.other.key=other", "mosaik.groups.other.state-machine=counterMachine")
                .withBean("counterMachine", GroupBeansTest.Counter.class, GroupBeansTest.Counter::new)
                .run(context -> assertThat(assertFailsNaming(context, "mosaik.groups.other.state-machine")
                        .getProblem()).contains("'counter'"));
    }

    @Test
    void analysisSaysWhatToDo() {
        runner.withPropertyValues("mosaik.network-id=t", "mosaik.transport=udp").run(context -> {
            FailureAnalysis analysis = new MosaikConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("Property: mosaik.transport").contains("'udp'");
            assertThat(analysis.getAction()).contains("quic").contains("tcp");
        });
    }

    /** Asserts the failure and its analysis name the property; returns the exception for more checks. */
    private static MosaikConfigurationException assertFailsNaming(AssertableApplicationContext context,
            String property) {
        assertThat(context).hasFailed();
        Throwable failure = context.getStartupFailure();
        // what Spring prints without the analyzer must name the property too
        assertThat(failure).hasMessageContaining(property);
        MosaikConfigurationException error = find(failure);
        assertThat(error).as("a MosaikConfigurationException in the cause chain of %s", failure).isNotNull();
        assertThat(error.getProperty()).isEqualTo(property);
        FailureAnalysis analysis = new MosaikConfigurationFailureAnalyzer().analyze(failure);
        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).contains(property);
        assertThat(analysis.getAction()).isNotBlank();
        return error;
    }

    private static MosaikConfigurationException find(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof MosaikConfigurationException error) {
                return error;
            }
        }
        return null;
    }
}
