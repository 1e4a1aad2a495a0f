package io.mosaik.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Groups benchmark, workload W1 "counter" of the Ratis and jgroups-raft anchors: 3 members, each in a
 * JVM of its own ({@link BenchMember}) on loopback, 8-byte commands (a delta of 1), the reply is the new
 * value. Per run: a fresh cluster, a warm-up at 64 outstanding, then latency with 1 outstanding and
 * throughput with 64 from the leader and from a follower, then a failover (the leader's JVM killed with
 * SIGKILL while a follower writes one command at a time: time to the first write sent after the kill
 * that commits, and to the first new leader the follower sees). Memory and disk (fsync on every turn,
 * {@code SyncPolicy.ALWAYS}) logs. Then a member restarted on a disk log of 1,000,000 entries: time from
 * its process start to its first strong query, without and with snapshots.
 *
 * <pre>scripts/bench-groups-processes.sh [--runs=3] [--clusterWarmup=20] [--warmup=5] [--duration=10]
 *     [--storage=memory,disk] [--restart=1000000] [--maxSeconds=3000]</pre>
 */
public final class GroupProcessBenchmark {

    private GroupProcessBenchmark() {
    }

    /** A member JVM and the lines it printed. */
    private static final class Member {
        final String name;
        final Process process;
        final OutputStream in;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final CompletableFuture<String> ready = new CompletableFuture<>();
        final CompletableFuture<Long> serving = new CompletableFuture<>();

        Member(String name, String storage, Path dir, long snapshotEvery, List<String> bootstrap, Path log)
                throws IOException {
            this.name = name;
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "-Xms512m", "-Xmx2g",
                    "-Dtech.kwik.core.no-security-warnings=true"));
            // Extra options for the members' JVMs, split at spaces, {name} replaced by the member's name:
            // BENCH_MEMBER_JVM_ARGS="-XX:StartFlightRecording=filename=/tmp/{name}.jfr" to profile them.
            String extra = System.getenv().getOrDefault("BENCH_MEMBER_JVM_ARGS", "").strip();
            if (!extra.isEmpty()) {
                for (String arg : extra.split("\\s+")) {
                    command.add(arg.replace("{name}", name));
                }
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchMember.class.getName(), storage,
                    dir.toString(), "bench-" + name, Long.toString(snapshotEvery), String.join(",", bootstrap)));
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            process = builder.start();
            in = process.getOutputStream();
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader out = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        if (line.startsWith("ready ")) {
                            ready.complete(line.substring(6));
                        } else if (line.startsWith("serving ")) {
                            serving.complete(Long.parseLong(line.substring(8)));
                        } else {
                            lines.add(line);
                        }
                    }
                } catch (IOException e) {
                    // the member died
                }
            });
        }

        String ask(String request, long timeoutSeconds) throws Exception {
            lines.clear();
            in.write((request + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            String answer = lines.poll(timeoutSeconds, TimeUnit.SECONDS);
            if (answer == null) {
                throw new IllegalStateException(name + " did not answer " + request + " in " + timeoutSeconds + " s");
            }
            return answer.substring(answer.indexOf(' ') + 1);
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** CPU time of this JVM and its members, and of the whole machine, to tell how busy others kept it. */
    private static final class Cpu {
        final long machineBusy;
        final long ours;
        final long at = System.nanoTime();

        Cpu(List<Member> members) {
            machineBusy = machineBusyTicks();
            ours = ourTicks(members);
        }

        /** Cores the rest of the machine used since this sample. */
        double others(List<Member> members) {
            double seconds = (System.nanoTime() - at) / 1e9;
            return Math.max(0, (machineBusyTicks() - machineBusy) - (ourTicks(members) - ours)) / 100.0 / seconds;
        }

        private static long machineBusyTicks() {
            try {
                String[] cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
                long busy = 0;
                for (int i : new int[] {1, 2, 3, 6, 7, 8}) { // user nice system irq softirq steal
                    busy += Long.parseLong(cpu[i]);
                }
                return busy;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        private static long ourTicks(List<Member> members) {
            long ticks = ticksOf(ProcessHandle.current().pid());
            for (Member member : members) {
                ticks += ticksOf(member.process.pid());
            }
            return ticks;
        }

        private static long ticksOf(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime stime
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>(Map.of("runs", "3", "clusterWarmup", "20", "warmup", "5",
                "duration", "10", "storage", "memory,disk", "restart", "1000000", "maxSeconds", "3000"));
        for (String arg : args) {
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            options.put(kv[0], kv.length > 1 ? kv[1] : "true");
        }
        return options;
    }

    /**
     * Runs the benchmark and prints one line per phase, then a summary of medians.
     *
     * @param args options, see the class comment
     * @throws Exception if a member fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        long maxSeconds = Long.parseLong(o.get("maxSeconds"));
        CompletableFuture.delayedExecutor(maxSeconds, TimeUnit.SECONDS).execute(() -> {
            System.err.println("the benchmark ran out of its " + maxSeconds + " s: stopping");
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
            Runtime.getRuntime().halt(2);
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
                ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly)));
        int runs = Integer.parseInt(o.get("runs"));
        Map<String, List<String>> results = new java.util.LinkedHashMap<>();
        for (String storage : o.get("storage").split(",")) {
            for (int run = 1; run <= runs; run++) {
                run(storage, run, o, results);
            }
        }
        long restart = Long.parseLong(o.get("restart"));
        if (restart > 0) {
            for (long every : new long[] {0, 10_000}) {
                restart(restart, every, results);
            }
        }
        System.out.println("=== SUMMARY (median [per run])");
        results.forEach((key, values) -> System.out.println(key + ": " + median(values) + " " + values));
        System.exit(0);
    }

    private static String median(List<String> values) {
        List<Double> sorted = values.stream().map(Double::valueOf).sorted().toList();
        return String.format("%.1f", sorted.get(sorted.size() / 2));
    }

    private static List<Member> cluster(String storage, Path data, long snapshotEvery) throws Exception {
        List<Member> members = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            List<String> bootstrap = members.isEmpty() ? List.of() : List.of(members.getFirst().ready.get(60,
                    TimeUnit.SECONDS));
            members.add(new Member(name, storage, data.resolve(name), snapshotEvery, bootstrap,
                    data.resolve(name + ".log")));
        }
        for (Member member : members) {
            member.serving.get(120, TimeUnit.SECONDS);
        }
        return members;
    }

    private static Member leader(List<Member> members) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (Member member : members) {
                if (member.process.isAlive() && member.ask("role", 30).equals("LEADER")
                        && member.ask("voters", 30).equals("3")) {
                    return member;
                }
            }
            TimeUnit.MILLISECONDS.sleep(100); // polling the members' roles, a benchmark's pacing
        }
        throw new IllegalStateException("no leader with three voters in 60 s");
    }

    private static void run(String storage, int run, Map<String, String> o, Map<String, List<String>> results)
            throws Exception {
        Path data = Files.createTempDirectory("bench-groups-processes");
        List<Member> members = cluster(storage, data, 10_000);
        try {
            Member leader = leader(members);
            Member follower = members.stream().filter(m -> m != leader).findFirst().orElseThrow();
            String warm = o.get("warmup");
            String duration = o.get("duration");
            Cpu cpu = new Cpu(members);
            leader.ask("tput 0 " + o.get("clusterWarmup") + " 64", 600);
            System.out.printf("%s run %d: cluster warm-up done (other tenants %.2f cores)%n", storage, run,
                    cpu.others(members));
            for (Member client : List.of(leader, follower)) {
                String where = client == leader ? "leader" : "follower";
                cpu = new Cpu(members);
                String[] lat = client.ask("lat " + warm + " " + duration, 600).split(" ");
                double latOthers = cpu.others(members);
                cpu = new Cpu(members);
                String[] tput = client.ask("tput " + warm + " " + duration + " 64", 600).split(" ");
                double tputOthers = cpu.others(members);
                System.out.printf("%s run %d, client on %s: p50 %s us, p99 %s us, p99.9 %s us, 1-outstanding %s "
                        + "ops/s, 64-outstanding %s ops/s (%s failed); other tenants %.2f / %.2f cores%n", storage,
                        run, where, lat[0], lat[1], lat[2], lat[3], tput[0], tput[1], latOthers, tputOthers);
                String key = storage + ", client on " + where;
                results.computeIfAbsent(key + ": p50 us", k -> new ArrayList<>()).add(lat[0]);
                results.computeIfAbsent(key + ": p99 us", k -> new ArrayList<>()).add(lat[1]);
                results.computeIfAbsent(key + ": p99.9 us", k -> new ArrayList<>()).add(lat[2]);
                results.computeIfAbsent(key + ": 1-outstanding ops/s", k -> new ArrayList<>()).add(lat[3]);
                results.computeIfAbsent(key + ": 64-outstanding ops/s", k -> new ArrayList<>()).add(tput[0]);
                results.computeIfAbsent(key + ": other tenants, cores", k -> new ArrayList<>())
                        .add(String.format("%.2f", (latOthers + tputOthers) / 2));
            }
            follower.ask("probe", 30);
            TimeUnit.SECONDS.sleep(1); // the probe writes for a second before the kill, as the anchors do
            long killed = System.nanoTime();
            leader.process.destroyForcibly();
            String[] failover = follower.ask("killed " + killed, 120).split(" ");
            System.out.printf("%s run %d: failover: write after kill %s ms, new leader %s ms%n", storage, run,
                    failover[0], failover[1]);
            results.computeIfAbsent(storage + ": failover, write after kill ms", k -> new ArrayList<>())
                    .add(failover[0]);
            results.computeIfAbsent(storage + ": failover, new leader ms", k -> new ArrayList<>()).add(failover[1]);
        } finally {
            for (Member member : members) {
                member.kill();
            }
            delete(data);
        }
    }

    /** Fills a disk log with {@code entries} commands, then restarts a follower and times it to serving. */
    private static void restart(long entries, long snapshotEvery, Map<String, List<String>> results)
            throws Exception {
        Path data = Files.createTempDirectory("bench-groups-restart");
        List<Member> members = new ArrayList<>(cluster("disk", data, snapshotEvery));
        try {
            Member leader = leader(members);
            long started = System.nanoTime();
            leader.ask("fill " + entries + " 64", 1_800);
            System.out.printf("restart, snapshots every %d: %d entries written in %.1f s%n", snapshotEvery, entries,
                    (System.nanoTime() - started) / 1e9);
            int index = members.indexOf(members.stream().filter(m -> m != leader).findFirst().orElseThrow());
            Member old = members.get(index);
            old.kill();
            List<String> bootstrap = new ArrayList<>();
            for (Member member : members) {
                if (member != old) {
                    bootstrap.add(member.ready.get());
                }
            }
            long spawned = System.nanoTime();
            Member again = new Member(old.name, "disk", data.resolve(old.name), snapshotEvery, bootstrap,
                    data.resolve(old.name + ".log"));
            members.set(index, again);
            long serving = again.serving.get(300, TimeUnit.SECONDS);
            double ms = (serving - spawned) / 1e6;
            String log = Files.readString(data.resolve(old.name + ".log"));
            String opened = log.lines().filter(l -> l.contains("opened the log")).reduce((a, b) -> b).orElse("");
            log.lines().filter(l -> l.startsWith("startup:") || l.contains("joined group")).forEach(System.out::println);
            System.out.printf("restart, snapshots every %d: process start to first strong query %.0f ms (%s)%n",
                    snapshotEvery, ms, opened.substring(Math.max(0, opened.indexOf("entries"))));
            results.computeIfAbsent("restart with " + entries + " entries, snapshots every " + snapshotEvery
                    + ": ms to serving", k -> new ArrayList<>()).add(String.format("%.0f", ms));
        } finally {
            for (Member member : members) {
                member.kill();
            }
            delete(data);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
