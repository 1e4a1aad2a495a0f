package io.mosaik.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.groups.raft.SyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The storage properties of a group declaration, turned into the engine's settings or refused. */
class GroupStorageSettingsTest {

    private static final String PREFIX = "mosaik.groups.orders";
    private static final Path NODE = Path.of("/var/lib/node");

    @Test
    void defaultsAreMemoryAndTheEnginesSnapshotSettings() {
        GroupStorageSettings settings = settings(spec -> { }, null);
        assertThat(settings.directory()).isNull();
        assertThat(settings.snapshotEvery()).isEqualTo(10_000);
        assertThat(settings.snapshotRetain()).isEqualTo(1_000);
    }

    @Test
    void diskUsesTheGroupsOwnDirectoryOrOneUnderTheNodes() {
        GroupStorageSettings own = disk(Path.of("/data/orders/../orders-group"), NODE);
        assertThat(own.directory()).isEqualTo(Path.of("/data/orders-group"));
        assertThat(own.derived()).isFalse();
        assertThat(own.sync()).isEqualTo(SyncPolicy.ALWAYS);

        GroupStorageSettings derived = settings(spec -> spec.setStorage(" DISK "), NODE);
        assertThat(derived.directory()).isEqualTo(Path.of("/var/lib/node/groups/orders"));
        assertThat(derived.derived()).isTrue();
    }

    @Test
    void aRelativeDirectoryIsTakenFromTheWorkingDirectory() {
        assertThat(disk(Path.of("data/orders"), null).directory()).isEqualTo(Path.of("data/orders").toAbsolutePath());
    }

    @Test
    void syncPoliciesAndTheBatchedInterval() {
        assertThat(sync("always", null)).isEqualTo(SyncPolicy.ALWAYS);
        assertThat(sync("never", null)).isEqualTo(SyncPolicy.NEVER);
        assertThat(sync("batched", null)).isEqualTo(SyncPolicy.batched(Duration.ofMillis(10)));
        assertThat(sync("Batched", Duration.ofMillis(25))).isEqualTo(SyncPolicy.batched(Duration.ofMillis(25)));
    }

    @Test
    void snapshotSettingsApplyToAMemoryGroupToo() {
        GroupStorageSettings settings = settings(spec -> {
            spec.setSnapshotEvery(0);
            spec.setSnapshotRetain(0);
        }, null);
        assertThat(settings.snapshotEvery()).isZero();
        assertThat(settings.snapshotRetain()).isZero();
    }

    @Test
    void aBlankDirectoryIsUnset() {
        assertThat(settings(spec -> spec.setDataDir(Path.of(" ")), null).directory()).isNull();
        assertThatThrownBy(() -> settings(spec -> spec.setStorage("disk"), Path.of("")))
                .isInstanceOfSatisfying(MosaikConfigurationException.class, error ->
                        assertThat(error.getProperty()).isEqualTo(PREFIX + ".data-dir"));
    }

    @Test
    void diskWithoutAnyDirectorySaysWhatToSet() {
        assertThatThrownBy(() -> settings(spec -> spec.setStorage("disk"), null))
                .isInstanceOfSatisfying(MosaikConfigurationException.class, error -> {
                    assertThat(error.getProperty()).isEqualTo(PREFIX + ".data-dir");
                    assertThat(error.getAction()).contains(PREFIX + ".data-dir").contains("mosaik.data-dir")
                            .contains("groups/<name>");
                });
    }

    @Test
    void aDirectoryForAMemoryGroupIsRefused() {
        assertThatThrownBy(() -> settings(spec -> spec.setDataDir(Path.of("/data/orders")), NODE))
                .isInstanceOfSatisfying(MosaikConfigurationException.class, error -> {
                    assertThat(error.getProperty()).isEqualTo(PREFIX + ".data-dir");
                    assertThat(error.getAction()).contains("storage to disk")
                            .contains("remove " + PREFIX + ".data-dir");
                });
    }

    @Test
    void anIntervalForAPolicyWithoutOneIsRefused() {
        assertThatThrownBy(() -> sync("always", Duration.ofMillis(5)))
                .isInstanceOfSatisfying(MosaikConfigurationException.class, error -> {
                    assertThat(error.getProperty()).isEqualTo(PREFIX + ".sync-interval");
                    assertThat(error.getAction()).contains(PREFIX + ".sync to batched");
                });
        assertThatThrownBy(() -> sync(null, Duration.ofMillis(5))).hasMessageContaining("always (the default)");
    }

    @Test
    void aNonPositiveIntervalIsRefused() {
        for (Duration interval : new Duration[] {Duration.ZERO, Duration.ofMillis(-1)}) {
            assertThatThrownBy(() -> sync("batched", interval))
                    .isInstanceOfSatisfying(MosaikConfigurationException.class, error ->
                            assertThat(error.getProperty()).isEqualTo(PREFIX + ".sync-interval"));
        }
    }

    private static GroupStorageSettings disk(Path directory, Path node) {
        return settings(spec -> {
            spec.setStorage("disk");
            spec.setDataDir(directory);
        }, node);
    }

    private static SyncPolicy sync(String policy, Duration interval) {
        return settings(spec -> {
            spec.setStorage("disk");
            spec.setSync(policy);
            spec.setSyncInterval(interval);
        }, NODE).sync();
    }

    private static GroupStorageSettings settings(Consumer<MosaikProperties.GroupSpec> configure, Path node) {
        MosaikProperties.GroupSpec spec = new MosaikProperties.GroupSpec();
        configure.accept(spec);
        return GroupStorageSettings.of(PREFIX, "orders", spec, node);
    }
}
