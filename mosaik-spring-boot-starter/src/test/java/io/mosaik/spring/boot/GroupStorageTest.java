package io.mosaik.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mosaik.groups.Consistency;
import io.mosaik.groups.Group;
import io.mosaik.primitives.SecretKey;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code mosaik.groups.<name>.storage: disk}: a group bean keeps its log and snapshots in its data
 * directory, comes back with its state in a new context, and a directory of another group is refused at
 * start-up with the reason and the property.
 */
@Timeout(120)
@ExtendWith(OutputCaptureExtension.class)
class GroupStorageTest {

    /** A counter that snapshots its value and counts how often it was restored from a snapshot. */
    public static class SnapshotCounter extends GroupBeansTest.Counter {
        private int restores;

        @Override
        public byte[] snapshot() {
            return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
        }

        @Override
        public void restore(byte[] snapshot) {
            value = ByteBuffer.wrap(snapshot).getLong();
            restores++;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CounterApp {
        @Bean
        SnapshotCounter counterMachine() {
            return new SnapshotCounter();
        }
    }

    /** One identity for every context of a test: a restarted node is the same member. */
    private final String identity = SecretKey.random().toHex();

    /** A node with a new peer id on every start. */
    private final ApplicationContextRunner forgetful = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MosaikAutoConfiguration.class))
            .withUserConfiguration(CounterApp.class)
            .withPropertyValues(GroupBeansTest.FAST_COUNTER)
            .withPropertyValues("mosaik.network-id=group-storage-test",
                    "mosaik.groups.counter.key=group-storage-test-secret");

    private final ApplicationContextRunner runner = forgetful.withPropertyValues("mosaik.secret-key=" + identity);

    @Test
    void aDiskBackedGroupComesBackInANewContextFromItsSnapshot(@TempDir Path data) {
        Path directory = data.resolve("counter");
        ApplicationContextRunner durable = runner.withPropertyValues("mosaik.groups.counter.storage=disk",
                "mosaik.groups.counter.data-dir=" + directory, "mosaik.groups.counter.sync=batched",
                "mosaik.groups.counter.sync-interval=5ms", "mosaik.groups.counter.snapshot-every=3",
                "mosaik.groups.counter.snapshot-retain=1");
        durable.run(context -> {
            Group<Long, String, Long> counter = counter(context);
            for (long delta = 1; delta <= 5; delta++) {
                counter.execute(delta).get(30, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> files(directory.resolve("snapshots"), ".bin") > 0);
        });
        durable.run(context -> {
            Group<Long, String, Long> counter = counter(context);
            assertThat(counter.query("value", Consistency.STRONG).get(30, TimeUnit.SECONDS)).isEqualTo(15L);
            assertThat(context.getBean(SnapshotCounter.class).restores).as("restored from its snapshot").isOne();
            assertThat(counter.execute(1L).get(30, TimeUnit.SECONDS).result()).isEqualTo(16L);
        });
    }

    @Test
    void withoutSnapshotsTheRestartedGroupReplaysItsLog(@TempDir Path data) throws Exception {
        ApplicationContextRunner durable = runner.withPropertyValues("mosaik.data-dir=" + data,
                "mosaik.groups.counter.storage=disk", "mosaik.groups.counter.snapshot-every=0");
        durable.run(context -> {
            Group<Long, String, Long> counter = counter(context);
            counter.execute(20L).get(30, TimeUnit.SECONDS);
            counter.execute(22L).get(30, TimeUnit.SECONDS);
        });
        durable.run(context -> {
            assertThat(counter(context).query("value", Consistency.STRONG).get(30, TimeUnit.SECONDS)).isEqualTo(42L);
            assertThat(context.getBean(SnapshotCounter.class).restores).as("nothing to restore from").isZero();
        });
        assertThat(files(data.resolve("groups").resolve("counter").resolve("snapshots"), ".bin")).isZero();
    }

    @Test
    void theNodeDataDirectoryGivesTheGroupAnOwnerOnlyDirectoryOfItsOwn(@TempDir Path data) {
        Path node = data.resolve("node"); // does not exist yet
        runner.withPropertyValues("mosaik.data-dir=" + node, "mosaik.groups.counter.storage=disk").run(context -> {
            assertThat(context).hasNotFailed();
            Path directory = node.resolve("groups").resolve("counter");
            assertThat(directory.resolve("group")).as("the file naming the network and group").isRegularFile();
            assertThat(directory.resolve("log")).isDirectory();
            if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)))
                        .isEqualTo("rwx------");
            }
        });
    }

    @Test
    void aDirectoryHoldingAnotherGroupsDataStopsTheApplicationSayingWhy(@TempDir Path data) {
        Path directory = data.resolve("shared");
        runner.withPropertyValues("mosaik.groups.counter.storage=disk", "mosaik.groups.counter.data-dir=" + directory)
                .run(context -> assertThat(context).hasNotFailed());
        runner.withPropertyValues("mosaik.groups.counter.storage=disk", "mosaik.groups.counter.data-dir=" + directory,
                "mosaik.groups.counter.key=another-group-secret").run(context -> {
                    assertThat(context).hasFailed();
                    Throwable failure = context.getStartupFailure();
                    Throwable root = failure;
                    while (root.getCause() != null) {
                        root = root.getCause();
                    }
                    assertThat(root).isInstanceOf(io.mosaik.groups.DataDirectoryException.class)
                            .hasFieldOrPropertyWithValue("reason", io.mosaik.groups.DataDirectoryException.Reason.OTHER_GROUP)
                            .hasMessageContaining(directory.toString()).hasMessageContaining("holds the data of group")
                            .hasMessageContaining("Give every group a data directory of its own");
                    MosaikConfigurationException error = find(failure);
                    assertThat(error.getProperty()).isEqualTo("mosaik.groups.counter.data-dir");
                    assertThat(error.getAction()).contains("data directory of its own");
                    FailureAnalysis analysis = new MosaikConfigurationFailureAnalyzer().analyze(failure);
                    assertThat(analysis.getDescription()).contains("mosaik.groups.counter.data-dir")
                            .contains(directory.toString());
                });
    }

    @Test
    void aNodeWhoseIdentityChangedIsRefusedItsOldDirectoryAndToldToKeepItsKey(@TempDir Path data,
            CapturedOutput output) {
        ApplicationContextRunner durable = forgetful.withPropertyValues("mosaik.data-dir=" + data,
                "mosaik.groups.counter.storage=disk");
        durable.run(context -> assertThat(context).hasNotFailed());
        assertThat(output).contains("groups [counter] keep their data on disk, but neither mosaik.key-file nor "
                + "mosaik.secret-key is set");
        durable.run(context -> {
            assertThat(context).hasFailed();
            MosaikConfigurationException error = find(context.getStartupFailure());
            assertThat(error.getProperty()).isEqualTo("mosaik.key-file");
            assertThat(error.getProblem()).contains(data.resolve("groups").resolve("counter").toString())
                    .contains("identity");
            assertThat(error.getAction()).contains("mosaik.key-file");
        });
    }

    @SuppressWarnings("unchecked")
    private static Group<Long, String, Long> counter(AssertableApplicationContext context) throws Exception {
        assertThat(context).hasNotFailed();
        Group<Long, String, Long> counter = context.getBean("counter", Group.class);
        counter.when().leaderElected().get(30, TimeUnit.SECONDS);
        return counter;
    }

    private static long files(Path directory, String suffix) throws Exception {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().endsWith(suffix)).count();
        }
    }

    private static MosaikConfigurationException find(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof MosaikConfigurationException error) {
                return error;
            }
        }
        throw new AssertionError("no MosaikConfigurationException in the cause chain of " + failure);
    }
}
