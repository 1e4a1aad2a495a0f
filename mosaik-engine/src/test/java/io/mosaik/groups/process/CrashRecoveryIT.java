package io.mosaik.groups.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mosaik.groups.raft.SegmentFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-member durable group of separate JVM processes ({@link ProcessMember}) on loopback under a steady
 * write load: members are killed with {@code kill -9} (the leader, a follower, all three, one whose log
 * tail is then damaged) and restarted on their data directories. Every write whose acknowledgement the
 * test saw must then be in every member's state.
 */
@Timeout(300)
class CrashRecoveryIT {

    private static final int IN_FLIGHT = 16;

    @TempDir
    Path data;

    private final List<Member> members = new ArrayList<>();
    private final Set<Long> acked = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextId = new AtomicLong();
    private final AtomicBoolean loading = new AtomicBoolean();
    private final java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(IN_FLIGHT);
    private Thread load;

    /** One member process and what it said. */
    private final class Member {
        final String name;
        final Path dir;
        final Path log;
        Process process;
        OutputStream in;
        volatile CompletableFuture<String> ready = new CompletableFuture<>();
        final Map<String, CompletableFuture<String>> answers = new ConcurrentHashMap<>();
        final Set<Long> outstanding = ConcurrentHashMap.newKeySet();
        final AtomicLong tokens = new AtomicLong();

        Member(String name) {
            this.name = name;
            this.dir = data.resolve(name);
            this.log = data.resolve(name + ".log");
        }

        void start(List<String> bootstrap) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), ProcessMember.class.getName(),
                    dir.toString(), "crash-recovery-" + name, String.join(",", bootstrap));
            builder.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            ready = new CompletableFuture<>();
            process = builder.start();
            in = process.getOutputStream();
            Process started = process;
            Thread.ofPlatform().daemon().name("member-" + name).start(() -> read(started));
        }

        private void read(Process from) {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(from.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    String[] words = line.split(" ", 3);
                    switch (words[0]) {
                        case "ready" -> ready.complete(words[1]);
                        case "ack" -> {
                            long id = Long.parseLong(words[1]);
                            acked.add(id);
                            settled(id);
                        }
                        case "fail" -> settled(Long.parseLong(words[1]));
                        case "role", "ids", "status" -> {
                            CompletableFuture<String> answer = answers.remove(words[1]);
                            if (answer != null) {
                                answer.complete(words.length > 2 ? words[2] : "");
                            }
                        }
                        default -> {
                            // not for the test
                        }
                    }
                }
            } catch (IOException e) {
                // the process died
            }
            for (long id : List.copyOf(outstanding)) {
                settled(id); // their outcome is unknown: not acknowledged
            }
        }

        void settled(long id) {
            if (outstanding.remove(id)) {
                permits.release();
            }
        }

        boolean alive() {
            return process != null && process.isAlive();
        }

        synchronized boolean send(String line) {
            try {
                in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        String ask(String request) throws Exception {
            String token = name + tokens.incrementAndGet();
            CompletableFuture<String> answer = new CompletableFuture<>();
            answers.put(token, answer);
            if (!send(request + " " + token)) {
                throw new IOException(name + " is not running");
            }
            return answer.get(30, TimeUnit.SECONDS);
        }

        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        String address() {
            return ready.join();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeEach
    void threeMembers() throws Exception {
        for (String name : List.of("a", "b", "c")) {
            members.add(new Member(name));
        }
        members.getFirst().start(List.of());
        String first = members.getFirst().ready.get(60, TimeUnit.SECONDS);
        for (Member member : members.subList(1, 3)) {
            member.start(List.of(first));
        }
        for (Member member : members) {
            member.ready.get(60, TimeUnit.SECONDS);
        }
        leader();
    }

    @AfterEach
    void stop(org.junit.jupiter.api.TestInfo test) throws Exception {
        loading.set(false);
        if (load != null) {
            load.join(Duration.ofSeconds(30));
        }
        for (Member member : members) {
            if (member.process != null) {
                member.process.destroyForcibly();
                member.process.waitFor(30, TimeUnit.SECONDS);
            }
            Path kept = Path.of("target", "crash-recovery-logs", test.getTestMethod().orElseThrow().getName());
            Files.createDirectories(kept);
            if (Files.exists(member.log)) {
                Files.copy(member.log, kept.resolve(member.name + ".log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Writes go to the live members in turn, at most {@link #IN_FLIGHT} at a time. */
    private void startLoad() {
        loading.set(true);
        load = Thread.ofPlatform().name("crash-recovery-load").start(() -> {
            int turn = 0;
            while (loading.get()) {
                try {
                    if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                Member member = members.get(turn++ % members.size());
                long id = nextId.incrementAndGet();
                member.outstanding.add(id);
                if (!member.alive() || !member.ready.isDone() || !member.send("write " + id)) {
                    member.settled(id); // not sent: try the next member
                }
            }
        });
    }

    private void stopLoad() throws InterruptedException {
        loading.set(false);
        load.join(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(60)).until(() -> members.stream().allMatch(m -> m.outstanding.isEmpty()));
    }

    private void awaitMoreAcks(int more) {
        long target = acked.size() + more;
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> acked.size() >= target);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder state = new StringBuilder("acknowledged " + acked.size() + " of " + target + "; sent "
                    + nextId.get() + ";");
            for (Member member : members) {
                state.append("\n  ").append(member).append(member.alive() ? " alive" : " dead").append(", waiting for ")
                        .append(member.outstanding.size()).append(" writes ").append(member.outstanding);
                if (member.alive()) {
                    try {
                        state.append("; ").append(member.ask("status"));
                    } catch (Exception unanswered) {
                        state.append("; no status: ").append(unanswered);
                    }
                }
            }
            throw new AssertionError(state + " member logs in target/crash-recovery-logs", e);
        }
    }

    private Member leader() {
        Member[] found = new Member[1];
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            for (Member member : members) {
                if (member.alive() && member.ask("role").equals("LEADER")) {
                    found[0] = member;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Waits until the leader counts every member as a voter (learners are promoted under the load). */
    private void threeVoters() {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            String status = leader().ask("status");
            String voters = status.substring(status.indexOf("voters=[") + 8, status.indexOf(']', status.indexOf("voters=[")));
            return voters.split(", ").length == 3;
        });
    }

    private List<String> liveAddresses() {
        return members.stream().filter(Member::alive).map(Member::address).toList();
    }

    private void restart(Member member) throws Exception {
        member.start(liveAddresses());
        member.ready.get(60, TimeUnit.SECONDS);
    }

    private static Set<Long> ids(String text) {
        return text.isEmpty() ? Set.of()
                : Arrays.stream(text.split(",")).map(Long::valueOf).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Every acknowledged write is in every member's state, and the members agree. */
    private void everyAcknowledgedWriteIsEverywhere() throws Exception {
        // A last write through the leader commits whatever a killed member had forwarded before it.
        Member leader = leader();
        long last = nextId.incrementAndGet();
        permits.acquire();
        leader.outstanding.add(last);
        assertThat(leader.send("write " + last)).isTrue();
        await().atMost(Duration.ofSeconds(60)).until(() -> !leader.outstanding.contains(last));
        assertThat(acked).as("the last write").contains(last);
        List<Set<Long>> states = new ArrayList<>();
        for (Member member : members) {
            String answer = member.ask("ids");
            assertThat(answer).as(member + " answers a strong query").doesNotStartWith("!");
            states.add(ids(answer));
        }
        for (int i = 0; i < states.size(); i++) {
            Set<Long> missing = new TreeSet<>(acked);
            missing.removeAll(states.get(i));
            assertThat(missing).as("acknowledged writes missing on " + members.get(i)).isEmpty();
            assertThat(states.get(i)).as(members.get(i) + " holds no write the test never sent")
                    .allMatch(id -> id >= 1 && id <= nextId.get());
        }
        assertThat(new HashSet<>(states)).as("all members applied the same writes").hasSize(1);
    }

    @Test
    void aKilledLeaderLosesNoAcknowledgedWrite() throws Exception {
        startLoad();
        awaitMoreAcks(300);
        threeVoters();
        Member old = leader();
        old.kill();
        awaitMoreAcks(200); // the survivors elected a leader and took writes
        restart(old);
        awaitMoreAcks(200);
        stopLoad();
        everyAcknowledgedWriteIsEverywhere();
    }

    @Test
    void aKilledFollowerLosesNoAcknowledgedWriteAndCatchesUp() throws Exception {
        startLoad();
        awaitMoreAcks(300);
        threeVoters();
        Member leader = leader();
        Member follower = members.stream().filter(m -> m != leader).findFirst().orElseThrow();
        follower.kill();
        awaitMoreAcks(300); // more than a snapshot's worth: it catches up past a compaction
        restart(follower);
        awaitMoreAcks(200);
        stopLoad();
        everyAcknowledgedWriteIsEverywhere();
    }

    @Test
    void allThreeKilledAndRestartedLoseNoAcknowledgedWrite() throws Exception {
        startLoad();
        awaitMoreAcks(400);
        threeVoters();
        for (Member member : members) {
            member.kill();
        }
        loading.set(false);
        load.join(Duration.ofSeconds(30));
        int before = acked.size();
        restart(members.getFirst());
        for (Member member : members.subList(1, 3)) {
            restart(member);
        }
        leader();
        startLoad();
        awaitMoreAcks(200);
        stopLoad();
        assertThat(acked.size()).isGreaterThan(before);
        everyAcknowledgedWriteIsEverywhere();
    }

    @Test
    void aDamagedLogTailIsTruncatedAtStartAndCaughtUp() throws Exception {
        startLoad();
        awaitMoreAcks(300);
        threeVoters();
        Member leader = leader();
        Member victim = members.stream().filter(m -> m != leader).findFirst().orElseThrow();

        victim.kill();
        Path segment = lastSegment(victim);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength(SegmentFiles.recordsEnd(segment) - 5); // cut the last record short
        }
        awaitMoreAcks(100);
        restart(victim);
        awaitMoreAcks(100);

        victim.kill();
        segment = lastSegment(victim);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            long at = SegmentFiles.recordsEnd(segment) - 3; // inside the last record
            file.seek(at);
            int b = file.read();
            file.seek(at);
            file.write(b ^ 0x10);
        }
        awaitMoreAcks(100);
        restart(victim);
        awaitMoreAcks(100);
        stopLoad();
        everyAcknowledgedWriteIsEverywhere();
        String log = Files.readString(victim.log);
        assertThat(log.split("recovering the log in", -1)).as("both damaged tails were found and dropped: " + log)
                .hasSizeGreaterThanOrEqualTo(3);
    }

    private static Path lastSegment(Member member) throws IOException {
        try (Stream<Path> files = Files.list(member.dir.resolve("log"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".seg")).max(Path::compareTo)
                    .orElseThrow();
        }
    }
}
