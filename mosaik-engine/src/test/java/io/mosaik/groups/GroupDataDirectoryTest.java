package io.mosaik.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.groups.raft.LogEntry;
import io.mosaik.groups.raft.SyncPolicy;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.PeerId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupDataDirectoryTest {

    private static final NetworkId NETWORK = NetworkId.of("data-directory-test");
    private static final GroupId GROUP = GroupId.of(GroupKey.fromSecret("one"), ConsensusConfig.defaults(), "s");
    private static final GroupId OTHER = GroupId.of(GroupKey.fromSecret("two"), ConsensusConfig.defaults(), "s");

    private static final PeerId PEER = PeerId.fromBytes(new byte[32]);

    @TempDir
    Path temp;

    @Test
    void aNewDirectoryIsOwnerOnlyAndKeepsTheLogAcrossOpens() throws Exception {
        boolean posix = temp.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (posix) {
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-x---"));
        }
        Path dir = temp.resolve("groups/counter");
        try (var opened = GroupDataDirectory.open(dir, SyncPolicy.ALWAYS, NETWORK, GROUP, PEER).log()) {
            opened.append(List.of(new LogEntry(1, 1, LogEntry.Kind.COMMAND, new byte[] {7})));
            opened.sync();
        }
        try (var again = GroupDataDirectory.open(dir, SyncPolicy.ALWAYS, NETWORK, GROUP, PEER).log()) {
            assertThat(again.lastPosition().index()).isEqualTo(1);
        }
        if (posix) {
            assertThat(PosixFilePermissions.toString(uncheckedPermissions(dir))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(uncheckedPermissions(dir.getParent())))
                    .as("a parent it created").isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(uncheckedPermissions(temp)))
                    .as("a parent that existed keeps its permissions").isEqualTo("rwxr-x---");
        }
        assertThat(dir.resolve("log")).isDirectory();
        assertThat(dir.resolve("group")).content().contains("group=" + GROUP, "network=" + NETWORK);
    }

    @Test
    void aDirectoryOfAnotherGroupIsRefusedAndLeftAsItWas() throws Exception {
        Path dir = temp.resolve("counter");
        GroupDataDirectory.open(dir, SyncPolicy.ALWAYS, NETWORK, GROUP, PEER).log().close();
        String before = Files.readString(dir.resolve("group"));
        assertThatThrownBy(() -> GroupDataDirectory.open(dir, SyncPolicy.ALWAYS, NETWORK, OTHER, PEER))
                .isInstanceOf(DataDirectoryException.class)
                .hasFieldOrPropertyWithValue("reason", DataDirectoryException.Reason.OTHER_GROUP)
                .hasMessageContaining("holds the data of group " + GROUP.toShortString())
                .hasMessageContaining("not of group " + OTHER.toShortString())
                .hasMessageContaining("data directory of its own");
        assertThat(Files.readString(dir.resolve("group"))).isEqualTo(before);
        GroupDataDirectory.open(dir, SyncPolicy.ALWAYS, NETWORK, GROUP, PEER).log().close(); // still its owner's
    }

    @Test
    void aDirectoryOfAnotherNetworkIsRefused() {
        Path dir = temp.resolve("counter");
        GroupDataDirectory.open(dir, SyncPolicy.ALWAYS, NETWORK, GROUP, PEER).log().close();
        NetworkId staging = NetworkId.of("staging");
        assertThatThrownBy(() -> GroupDataDirectory.open(dir, SyncPolicy.ALWAYS, staging, GROUP, PEER))
                .isInstanceOf(DataDirectoryException.class)
                .hasFieldOrPropertyWithValue("reason", DataDirectoryException.Reason.OTHER_NETWORK)
                .hasMessageContaining("holds the data of network " + NETWORK.toShortString())
                .hasMessageContaining("not of network " + staging.toShortString());
    }

    @Test
    void aNodeWhoseIdentityChangedIsRefusedTheOldMembersLog() {
        Path dir = temp.resolve("counter");
        GroupDataDirectory.open(dir, SyncPolicy.ALWAYS, NETWORK, GROUP, PEER).log().close();
        byte[] other = new byte[32];
        other[0] = 1;
        PeerId changed = PeerId.fromBytes(other);
        assertThatThrownBy(() -> GroupDataDirectory.open(dir, SyncPolicy.ALWAYS, NETWORK, GROUP, changed))
                .isInstanceOf(DataDirectoryException.class)
                .hasFieldOrPropertyWithValue("reason", DataDirectoryException.Reason.OTHER_MEMBER)
                .hasMessageContaining("holds the log of member " + PEER.toShortString())
                .hasMessageContaining("this node is " + changed.toShortString())
                .hasMessageContaining("mosaik.key-file");
    }

    @Test
    void aDirectoryWithOtherFilesAndNoIdentityIsRefused() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("home"));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> GroupDataDirectory.open(dir, SyncPolicy.ALWAYS, NETWORK, GROUP, PEER))
                .isInstanceOf(DataDirectoryException.class).hasMessageContaining("is not empty and has no group file")
                .hasFieldOrPropertyWithValue("reason", DataDirectoryException.Reason.NOT_A_DATA_DIRECTORY);
        assertThat(dir.resolve("log")).doesNotExist();
    }

    @Test
    void aDirectoryInUseIsRefusedUntilItsMemberCloses() {
        Path dir = temp.resolve("counter");
        var first = GroupDataDirectory.open(dir, SyncPolicy.ALWAYS, NETWORK, GROUP, PEER).log();
        assertThatThrownBy(() -> GroupDataDirectory.open(dir, SyncPolicy.ALWAYS, NETWORK, GROUP, PEER))
                .isInstanceOf(DataDirectoryException.class).hasMessageContaining("is in use")
                .hasFieldOrPropertyWithValue("reason", DataDirectoryException.Reason.IN_USE);
        first.close();
        GroupDataDirectory.open(dir, SyncPolicy.ALWAYS, NETWORK, GROUP, PEER).log().close();
    }

    private static java.util.Set<java.nio.file.attribute.PosixFilePermission> uncheckedPermissions(Path dir) {
        try {
            return Files.getPosixFilePermissions(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
