package io.mosaik.groups.process;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.groups.ApplyContext;
import io.mosaik.groups.Consistency;
import io.mosaik.groups.ConsensusConfig;
import io.mosaik.groups.Group;
import io.mosaik.groups.GroupKey;
import io.mosaik.groups.StateMachine;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.SecretKey;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One member of a durable group in a process of its own, driven by {@link CrashRecoveryIT} through its
 * standard input and output, one line per message:
 *
 * <pre>
 * args:  &lt;data dir&gt; &lt;identity passphrase&gt; [&lt;bootstrap peer&gt;,...]
 * out:   ready &lt;peerId@host:port&gt;          once the group is joined
 * in:    write &lt;id&gt;                        execute the command &lt;id&gt; (a long)
 * out:   ack &lt;id&gt; &lt;index&gt;  |  fail &lt;id&gt; &lt;exception&gt;
 * in:    role &lt;token&gt;                      out: role &lt;token&gt; &lt;LEADER|FOLLOWER|...&gt;
 * in:    ids &lt;token&gt;                       out: ids &lt;token&gt; &lt;id,id,...&gt; (a strong query)
 * in:    status &lt;token&gt;                    out: status &lt;token&gt; &lt;the group's status&gt;
 * </pre>
 *
 * The process exits when its standard input closes (the test ended or died) and after five minutes in
 * any case. Logs go to standard error.
 */
public final class ProcessMember {

    static final NetworkId NETWORK = NetworkId.of("crash-recovery-test");
    static final GroupKey KEY = GroupKey.fromSecret("crash-recovery-secret");
    static final ConsensusConfig CONSENSUS = ConsensusConfig.defaults()
            .withHeartbeats(Duration.ofMillis(100), Duration.ofMillis(20), 10)
            .withElections(Duration.ofMillis(600), Duration.ofMillis(300), Duration.ofMillis(500));

    private ProcessMember() {
    }

    /** The ids of every command applied, in a sorted set; snapshots as the ids, 8 bytes each. */
    static final class Ids implements StateMachine<Long, String, String> {
        private final TreeSet<Long> ids = new TreeSet<>();

        @Override
        public Class<Long> commandType() {
            return Long.class;
        }

        @Override
        public Class<String> queryType() {
            return String.class;
        }

        @Override
        public Class<String> resultType() {
            return String.class;
        }

        @Override
        public String apply(Long id, ApplyContext context) {
            ids.add(id);
            return "ok";
        }

        @Override
        public String query(String query) {
            return ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        }

        @Override
        public byte[] snapshot() {
            ByteBuffer bytes = ByteBuffer.allocate(ids.size() * 8);
            ids.forEach(bytes::putLong);
            return bytes.array();
        }

        @Override
        public void restore(byte[] snapshot) {
            ids.clear();
            ByteBuffer bytes = ByteBuffer.wrap(snapshot);
            while (bytes.hasRemaining()) {
                ids.add(bytes.getLong());
            }
        }
    }

    /**
     * Runs the member.
     *
     * @param args data directory, identity passphrase, bootstrap peers (comma-separated, optional)
     * @throws Exception if it cannot start
     */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // logs must not mix with the protocol
        // A bound on the life of an orphan: the test kills its members, but a test JVM may die first.
        java.util.concurrent.CompletableFuture.delayedExecutor(5, TimeUnit.MINUTES)
                .execute(() -> Runtime.getRuntime().halt(3));
        List<PeerAddress> bootstrap = args.length > 2 && !args[2].isBlank()
                ? Arrays.stream(args[2].split(",")).map(PeerAddress::parse).toList() : List.of();
        Network network = Network.builder(NETWORK).secretKey(SecretKey.fromPassphrase(args[1]))
                .meterRegistry(new SimpleMeterRegistry()).bootstrap(bootstrap).start();
        Group<Long, String, String> group = network.groups().builder(KEY, new Ids()).consensus(CONSENSUS)
                .snapshots(100, 20).dataDirectory(Path.of(args[0])).join();
        synchronized (out) {
            out.println("ready " + network.address());
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.split(" ");
            switch (words[0]) {
                case "write" -> {
                    long id = Long.parseLong(words[1]);
                    group.execute(id).whenComplete((committed, failure) -> {
                        synchronized (out) {
                            out.println(failure == null ? "ack " + id + " " + committed.index()
                                    : "fail " + id + " " + failure.getClass().getSimpleName());
                        }
                    });
                }
                case "role" -> {
                    synchronized (out) {
                        out.println("role " + words[1] + " " + group.status().role());
                    }
                }
                case "status" -> {
                    synchronized (out) {
                        out.println("status " + words[1] + " " + group.status());
                    }
                }
                case "ids" -> group.query("ids", Consistency.STRONG).whenComplete((ids, failure) -> {
                    synchronized (out) {
                        out.println("ids " + words[1] + " " + (failure == null ? ids : "!" + failure));
                    }
                });
                default -> System.err.println("unknown request: " + line);
            }
        }
        group.close();
        network.close();
        System.exit(0);
    }
}
