package io.mosaik.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.network.Network;
import io.mosaik.primitives.PeerId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code mosaik.key-file} keeps the node's identity across restarts, in an owner-only file. */
@Timeout(60)
class KeyFileTest {

    @Test
    void createsTheFileOwnerOnlyAndKeepsThePeerId(@TempDir Path directory) throws Exception {
        Path keyFile = directory.resolve("keys").resolve("node.key"); // the directory is created too
        ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MosaikAutoConfiguration.class))
                .withPropertyValues("mosaik.network-id=key-file-test", "mosaik.key-file=" + keyFile);

        AtomicReference<PeerId> first = new AtomicReference<>();
        runner.run(context -> first.set(context.getBean(Network.class).peerId()));
        assertThat(keyFile).exists();
        if (keyFile.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        }

        runner.run(context -> assertThat(context.getBean(Network.class).peerId()).isEqualTo(first.get()));
    }
}
