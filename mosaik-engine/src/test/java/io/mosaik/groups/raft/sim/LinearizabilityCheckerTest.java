package io.mosaik.groups.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.groups.raft.sim.LinearizabilityChecker.Result;
import io.mosaik.groups.raft.sim.LinearizabilityChecker.Verdict;
import io.mosaik.groups.raft.sim.RegisterHistory.Operation;
import io.mosaik.groups.raft.sim.RegisterHistory.Outcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class LinearizabilityCheckerTest {

    // ------------------------------------------------------------------ recording helpers

    private final RegisterHistory h = new RegisterHistory();

    private long write(int client, long value, long invoke, long complete) {
        long op = h.invokeWrite(client, value, invoke);
        h.ok(op, complete);
        return op;
    }

    private long read(int client, long value, long invoke, long complete) {
        long op = h.invokeRead(client, invoke);
        h.okRead(op, value, complete);
        return op;
    }

    private long unknownWrite(int client, long value, long invoke) {
        long op = h.invokeWrite(client, value, invoke);
        h.unknown(op);
        return op;
    }

    private long failedWrite(int client, long value, long invoke) {
        long op = h.invokeWrite(client, value, invoke);
        h.failed(op);
        return op;
    }

    private Result linearizable() {
        Result result = LinearizabilityChecker.check(h);
        assertThat(result.verdict()).as(result.explanation()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(result.linearizable()).isTrue();
        assertValidWitness(h.operations(), result);
        return result;
    }

    private Result notLinearizable() {
        Result result = LinearizabilityChecker.check(h);
        assertThat(result.verdict()).as(result.explanation()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(result.linearizable()).isFalse();
        assertThat(result.decided()).isTrue();
        assertThat(result.explanation()).startsWith("not linearizable");
        return result;
    }

    private Operation op(long id) {
        return h.operations().get((int) id);
    }

    /** Independently validates a witness: all OK ops, real-time order, register semantics. */
    private static void assertValidWitness(List<Operation> history, Result result) {
        List<Operation> order = result.linearization();
        Set<Long> placed = new HashSet<>();
        long register = 0;
        for (Operation op : order) {
            assertThat(placed.add(op.id())).as("placed once: %s", op).isTrue();
            assertThat(op.outcome() == Outcome.OK || op.outcome() == Outcome.UNKNOWN && op.isWrite())
                    .as("only OK ops and UNKNOWN writes: %s", op).isTrue();
            if (op.isWrite()) {
                register = op.value();
            } else {
                assertThat(op.value()).as("read in witness: %s", op).isEqualTo(register);
            }
        }
        for (Operation op : history) {
            if (op.outcome() == Outcome.OK) {
                assertThat(placed).as("OK op placed: %s", op).contains(op.id());
            }
        }
        for (int i = 0; i < order.size(); i++) {
            for (int j = i + 1; j < order.size(); j++) {
                assertThat(order.get(j).completeTime() < order.get(i).invokeTime())
                        .as("%s placed before %s which precedes it in real time", order.get(i), order.get(j))
                        .isFalse();
            }
        }
    }

    // ------------------------------------------------------------------ recording API

    @Test
    void recordsOperationsWithTheirOutcomes() {
        long w = h.invokeWrite(3, 7, 10);
        long r = h.invokeRead(4, 11);
        long pending = h.invokeRead(5, 12);
        long failed = h.invokeWrite(6, 8, 13);
        h.ok(w, 20);
        h.okRead(r, 7, 21);
        h.failed(failed);

        List<Operation> ops = h.operations();
        assertThat(ops).hasSize(4);
        assertThat(ops.get((int) w)).isEqualTo(new Operation(w, 3, RegisterHistory.Kind.WRITE, 7, 10, 20, Outcome.OK));
        assertThat(ops.get((int) r)).isEqualTo(new Operation(r, 4, RegisterHistory.Kind.READ, 7, 11, 21, Outcome.OK));
        assertThat(ops.get((int) pending).outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(ops.get((int) pending).completeTime()).isEqualTo(Long.MAX_VALUE);
        assertThat(ops.get((int) failed).outcome()).isEqualTo(Outcome.FAILED);
        assertThat(h.toString()).contains("#0 c3 write(7) [10, 20]", "#2 c5 read [12, inf] UNKNOWN");
    }

    @Test
    void rejectsMisuse() {
        long w = h.invokeWrite(0, 1, 10);
        long r = h.invokeRead(0, 10);
        assertThatThrownBy(() -> h.okRead(w, 1, 20)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> h.ok(r, 20)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> h.ok(w, 9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.ok(99, 20)).isInstanceOf(IllegalArgumentException.class);
        h.ok(w, 20);
        assertThatThrownBy(() -> h.ok(w, 21)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> h.unknown(w)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> LinearizabilityChecker.check(h, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnknownOperationCanStillBeResolvedLater() {
        long w = h.invokeWrite(0, 1, 0);
        h.unknown(w);
        h.ok(w, 50);
        read(1, 0, 60, 70);
        notLinearizable(); // the write is now known to have completed at 50
    }

    // ------------------------------------------------------------------ linearizable histories

    @Test
    void emptyHistoryAndInitialValueAreLinearizable() {
        linearizable();
        read(0, 0, 0, 1);
        read(1, 0, 0, 5);
        linearizable();
    }

    @Test
    void sequentialHistoryIsLinearizable() {
        write(0, 1, 0, 10);
        read(1, 1, 11, 20);
        write(1, 2, 21, 30);
        read(0, 2, 31, 40);
        read(2, 2, 41, 50);
        Result result = linearizable();
        assertThat(result.linearization()).extracting(Operation::id).containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void concurrentWritesMayTakeEffectInEitherOrder() {
        write(0, 1, 0, 10);
        write(1, 2, 5, 15);
        read(2, 1, 20, 25);
        read(0, 1, 30, 35);
        linearizable();

        RegisterHistory other = new RegisterHistory();
        other.ok(other.invokeWrite(0, 1, 0), 10);
        other.ok(other.invokeWrite(1, 2, 5), 15);
        other.okRead(other.invokeRead(2, 20), 2, 25);
        assertThat(LinearizabilityChecker.check(other).linearizable()).isTrue();
    }

    @Test
    void readsConcurrentWithAWriteMaySeeEitherValue() {
        write(0, 1, 0, 100);
        read(1, 0, 10, 20); // old
        read(2, 1, 30, 40); // new
        read(3, 1, 50, 60);
        read(4, 1, 90, 120);
        linearizable();
    }

    @Test
    void aReadConcurrentWithTwoWritesMaySeeAnyOfThem() {
        write(0, 1, 0, 10);
        write(1, 2, 20, 40);
        write(2, 3, 25, 45);
        read(3, 2, 30, 50);
        read(4, 3, 51, 60);
        linearizable();
    }

    @Test
    void intervalsTouchingAtTheSameTimeOverlap() {
        write(0, 1, 0, 10);
        read(1, 0, 10, 20); // [0,10] and [10,20] intersect: the read may precede the write
        linearizable();
    }

    @Test
    void anUnknownWriteObservedLaterIsLinearized() {
        long w1 = write(0, 1, 0, 10);
        long w2 = unknownWrite(0, 2, 20);
        write(0, 3, 60, 70); // the client moved on after its timeout
        read(1, 1, 30, 40);
        read(1, 3, 75, 80);
        long r = read(2, 2, 100, 110); // ...and the lost write took effect late
        Result result = linearizable();
        assertThat(result.linearization()).extracting(Operation::id).containsSubsequence(w1, w2, r);
    }

    @Test
    void anUnknownWriteNeverObservedIsLeftOut() {
        write(0, 1, 0, 10);
        long w = unknownWrite(0, 2, 20);
        read(1, 1, 30, 40);
        read(2, 1, 100, 110);
        Result result = linearizable();
        assertThat(result.linearization()).extracting(Operation::id).doesNotContain(w);
    }

    @Test
    void anUnknownWriteOfAValueAlsoWrittenByOthersMayBeLeftOut() {
        write(0, 1, 0, 10);
        unknownWrite(1, 1, 5);
        unknownWrite(2, 2, 6);
        read(3, 2, 20, 30);
        write(0, 1, 40, 50);
        read(3, 1, 60, 70);
        linearizable();
    }

    @Test
    void anUnknownWriteMayTakeEffectLaterThanTheFirstReadThatCouldHaveSeenIt() {
        unknownWrite(0, 1, 0);
        read(1, 1, 0, 7); // the search first explains this one with the UNKNOWN write: a dead end
        write(2, 1, 1, 5); // ...this write explains it too
        write(2, 2, 8, 9);
        read(1, 1, 10, 11); // ...and this one needs the UNKNOWN write, after write(2)
        Result result = linearizable();
        assertThat(result.linearization()).extracting(Operation::id).containsExactly(2L, 1L, 3L, 0L, 4L);
    }

    @Test
    void failedAndUnknownReadsAndFailedWritesAreIgnored() {
        write(0, 1, 0, 10);
        failedWrite(1, 5, 12);
        h.invokeRead(2, 13); // never completed
        long r = h.invokeRead(3, 14);
        h.failed(r);
        read(0, 1, 20, 30);
        linearizable();
    }

    // ------------------------------------------------------------------ violations

    @Test
    void staleReadAfterACompletedWrite() {
        write(0, 1, 0, 10);
        long r = read(1, 0, 20, 30);
        Result result = notLinearizable();
        assertThat(result.explanation()).contains(op(r).toString(), "held {1 from #0");
    }

    @Test
    void staleReadOfAnOverwrittenValue() {
        write(0, 1, 0, 10);
        write(1, 2, 20, 30);
        read(2, 1, 40, 50);
        notLinearizable();
    }

    @Test
    void readOfAValueNeverWritten() {
        write(0, 1, 0, 10);
        long r = read(1, 42, 5, 15);
        Result result = notLinearizable();
        assertThat(result.explanation()).contains(op(r).toString(), "no write could have written");
    }

    @Test
    void readOfAValueWrittenOnlyLaterOrOnlyByAFailedWrite() {
        long r = read(0, 7, 0, 10);
        write(1, 7, 11, 20);
        assertThat(notLinearizable().explanation()).contains(op(r).toString(), "invoked only later");

        RegisterHistory other = new RegisterHistory();
        other.failed(other.invokeWrite(0, 5, 0));
        other.okRead(other.invokeRead(1, 1), 5, 10);
        Result result = LinearizabilityChecker.check(other);
        assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(result.explanation()).contains("only FAILED writes");
    }

    @Test
    void newOldInversionWhileAWriteOverlapsBothReads() {
        write(0, 1, 0, 100);
        read(1, 1, 10, 20); // sees the new value
        long r2 = read(2, 0, 30, 40); // later sees the old one
        Result result = notLinearizable();
        assertThat(result.explanation()).contains(op(r2).toString(), "it read 0 but the register held {1 from #0");
    }

    @Test
    void newOldInversionOfTwoSequentialWrites() {
        write(0, 1, 0, 10);
        write(1, 2, 5, 30);
        read(2, 2, 12, 20);
        read(3, 1, 22, 28);
        notLinearizable();
    }

    @Test
    void anUnknownWriteObservedAndThenAnOlderValueRead() {
        write(0, 1, 0, 10);
        unknownWrite(0, 2, 20);
        read(1, 2, 30, 40);
        read(2, 1, 50, 60);
        notLinearizable();
    }

    @Test
    void anUnknownWriteCannotExplainAReadThatCompletedBeforeItsInvocation() {
        read(0, 5, 0, 10);
        unknownWrite(1, 5, 20);
        notLinearizable();
    }

    @Test
    void anUnknownWriteTakesEffectOnlyAfterEverythingThatCompletedBeforeItsInvocation() {
        read(0, 2, 0, 20); // may observe the UNKNOWN write: they overlap
        write(1, 1, 5, 10); // completed before the UNKNOWN write was invoked: comes first
        unknownWrite(1, 2, 15);
        read(2, 1, 21, 30); // after the read of 2, which is after write(2), which overwrote 1
        notLinearizable();
    }

    @Test
    void twoClientsDisagreeOnTheOrderOfSequentialWrites() {
        write(0, 1, 0, 10);
        write(1, 2, 20, 30);
        read(2, 2, 40, 50);
        read(3, 1, 60, 70);
        notLinearizable();
    }

    @Test
    void theStepBudgetBoundsThePathologicalCase() {
        // ten concurrent writes, then two reads that no order of them can satisfy: the search has to try
        // every subset of the writes before it can say so
        for (int c = 0; c < 10; c++) {
            write(c, c + 1, 0, 100);
        }
        read(0, 1, 200, 210);
        read(1, 2, 220, 230);

        Result bounded = LinearizabilityChecker.check(h, 100);
        assertThat(bounded.verdict()).isEqualTo(Verdict.UNDECIDED);
        assertThat(bounded.decided()).isFalse();
        assertThat(bounded.linearizable()).isFalse();
        assertThat(bounded.steps()).isEqualTo(100);
        assertThat(bounded.explanation()).startsWith("undecided");

        Result full = LinearizabilityChecker.check(h);
        assertThat(full.verdict()).as(full.explanation()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        System.out.println("pathological 10 concurrent writes: " + full.explanation());
    }

    // ------------------------------------------------------------------ against a brute-force oracle

    /** Small arbitrary histories (often not linearizable) against an exhaustive search of all orders. */
    @Test
    void agreesWithBruteForceOnSmallRandomHistories() {
        agreesWithBruteForce(42, 3000, 50, 7, 9);
    }

    @Test
    void agreesWithBruteForceOnSmallRandomHistoriesWithManyUnknownWrites() {
        agreesWithBruteForce(43, 3000, 65, 5, 9);
    }

    private static void agreesWithBruteForce(long seed, int rounds, int writePercent, int okOutOf10, int notFailedOutOf10) {
        SplittableRandom random = new SplittableRandom(seed);
        int linearizable = 0;
        int violations = 0;
        for (int round = 0; round < rounds; round++) {
            RegisterHistory history = new RegisterHistory();
            for (int client = 0; client < 3; client++) {
                long time = random.nextLong(10);
                for (int k = random.nextInt(1, 4); k > 0; k--) {
                    boolean isWrite = random.nextInt(100) < writePercent;
                    long op = isWrite ? history.invokeWrite(client, random.nextLong(1, 4), time)
                            : history.invokeRead(client, time);
                    long complete = time + random.nextLong(1, 15);
                    int outcome = random.nextInt(10);
                    if (outcome < okOutOf10) {
                        if (isWrite) {
                            history.ok(op, complete);
                        } else {
                            history.okRead(op, random.nextLong(4), complete);
                        }
                    } else if (outcome < notFailedOutOf10) {
                        history.unknown(op);
                    } else {
                        history.failed(op);
                    }
                    time = complete + random.nextLong(1, 5);
                }
            }
            Result result = LinearizabilityChecker.check(history);
            boolean expected = bruteForce(history.operations());
            assertThat(result.linearizable()).as("%s\n%s", result.explanation(), history).isEqualTo(expected);
            if (expected) {
                assertValidWitness(history.operations(), result);
                linearizable++;
            } else {
                violations++;
            }
        }
        assertThat(linearizable).isGreaterThan(rounds / 10);
        assertThat(violations).isGreaterThan(rounds / 10);
    }

    /** Tries every subset of the UNKNOWN writes and every order of the chosen operations. */
    private static boolean bruteForce(List<Operation> history) {
        List<Operation> required = new ArrayList<>();
        List<Operation> optional = new ArrayList<>();
        for (Operation op : history) {
            if (op.outcome() == Outcome.OK) {
                required.add(op);
            } else if (op.outcome() == Outcome.UNKNOWN && op.isWrite()) {
                optional.add(op);
            }
        }
        for (int subset = 0; subset < 1 << optional.size(); subset++) {
            List<Operation> chosen = new ArrayList<>(required);
            for (int k = 0; k < optional.size(); k++) {
                if ((subset & 1 << k) != 0) {
                    chosen.add(optional.get(k));
                }
            }
            if (anyValidOrder(chosen, new boolean[chosen.size()], 0, 0)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyValidOrder(List<Operation> ops, boolean[] used, int count, long register) {
        if (count == ops.size()) {
            return true;
        }
        for (int i = 0; i < ops.size(); i++) {
            if (used[i]) {
                continue;
            }
            Operation op = ops.get(i);
            boolean respectsRealTime = true;
            for (int j = 0; j < ops.size(); j++) {
                if (!used[j] && j != i && ops.get(j).completeTime() < op.invokeTime()) {
                    respectsRealTime = false; // j must come before op
                }
            }
            if (!respectsRealTime || !op.isWrite() && op.value() != register) {
                continue;
            }
            used[i] = true;
            boolean found = anyValidOrder(ops, used, count + 1, op.isWrite() ? op.value() : register);
            used[i] = false;
            if (found) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ randomized, from a real register

    /** One generated operation; {@code effect} is its linearization point, NaN when it took no effect. */
    private static final class Spec {
        final int client;
        final boolean write;
        long value;
        final long invoke;
        final long complete;
        final Outcome outcome;
        final double effect;

        Spec(int client, boolean write, long value, long invoke, long complete, Outcome outcome, double effect) {
            this.client = client;
            this.write = write;
            this.value = value;
            this.invoke = invoke;
            this.complete = complete;
            this.outcome = outcome;
            this.effect = effect;
        }
    }

    /**
     * Generates a history of a real sequential register: each client runs one operation at a time (an
     * UNKNOWN one stays in flight while the client moves on after a timeout), each operation that takes
     * effect does so at a random point of its interval (an UNKNOWN write maybe long after its
     * invocation, or never), and reads return what the register held at their point. Linearizable by
     * construction.
     */
    private static List<Spec> generate(long seed, int count, int clients, int unknownPercent) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] clock = new long[clients];
        List<Spec> specs = new ArrayList<>();
        long nextValue = 1;
        for (int k = 0; k < count; k++) {
            int client = random.nextInt(clients);
            long invoke = clock[client] + random.nextLong(1, 6);
            long complete = invoke + random.nextLong(0, 25);
            boolean write = random.nextInt(100) < 45;
            int roll = random.nextInt(100);
            Outcome outcome = roll < unknownPercent ? Outcome.UNKNOWN
                    : roll < unknownPercent + 5 ? Outcome.FAILED : Outcome.OK;
            double effect = switch (outcome) {
                case OK -> invoke + random.nextDouble() * (complete - invoke);
                case FAILED -> Double.NaN;
                case UNKNOWN -> write && random.nextBoolean() ? invoke + random.nextDouble() * 80 : Double.NaN;
            };
            specs.add(new Spec(client, write, write ? nextValue++ : 0, invoke, complete, outcome, effect));
            clock[client] = outcome == Outcome.UNKNOWN ? invoke + 30 : complete;
        }
        List<Spec> effective = new ArrayList<>(specs.stream().filter(s -> !Double.isNaN(s.effect)).toList());
        effective.sort(Comparator.comparingDouble(s -> s.effect));
        long register = 0;
        for (Spec s : effective) {
            if (s.write) {
                register = s.value;
            } else {
                s.value = register;
            }
        }
        specs.sort(Comparator.comparingLong(s -> s.invoke));
        return specs;
    }

    private static RegisterHistory record(List<Spec> specs) {
        RegisterHistory history = new RegisterHistory();
        for (Spec s : specs) {
            long op = s.write ? history.invokeWrite(s.client, s.value, s.invoke) : history.invokeRead(s.client, s.invoke);
            switch (s.outcome) {
                case OK -> {
                    if (s.write) {
                        history.ok(op, s.complete);
                    } else {
                        history.okRead(op, s.value, s.complete);
                    }
                }
                case FAILED -> history.failed(op);
                case UNKNOWN -> history.unknown(op);
            }
        }
        return history;
    }

    private static List<Spec> okReads(List<Spec> specs) {
        return specs.stream().filter(s -> !s.write && s.outcome == Outcome.OK).toList();
    }

    @Test
    void randomHistoriesOfARealRegisterAreLinearizableAndCorruptionsAreCaught() {
        int stale = 0;
        for (long seed = 1; seed <= 60; seed++) {
            int unknownPercent = (int) (seed % 3) * 5; // 0, 5 or 10 %
            List<Spec> specs = generate(seed, 150, 5, unknownPercent);
            RegisterHistory history = record(specs);
            Result result = LinearizabilityChecker.check(history);
            assertThat(result.verdict()).as("seed %d: %s\n%s", seed, result.explanation(), history)
                    .isEqualTo(Verdict.LINEARIZABLE);
            assertValidWitness(history.operations(), result);

            SplittableRandom random = new SplittableRandom(seed * 7919);
            List<Spec> reads = okReads(specs);

            // a read of a value never written
            Spec corrupted = reads.get(random.nextInt(reads.size()));
            long original = corrupted.value;
            corrupted.value = 1_000_000 + seed;
            Result never = LinearizabilityChecker.check(record(specs));
            assertThat(never.verdict()).as("seed %d: %s", seed, never.explanation()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(never.explanation()).contains("read->" + (1_000_000 + seed));
            corrupted.value = original;

            // a read of a value overwritten before the read began: w1 < w2 < read in real time
            if (corruptStale(specs, random)) {
                stale++;
                Result result2 = LinearizabilityChecker.check(record(specs));
                assertThat(result2.verdict()).as("seed %d: %s", seed, result2.explanation())
                        .isEqualTo(Verdict.NOT_LINEARIZABLE);
            }
        }
        assertThat(stale).isGreaterThan(50);
    }

    /** Makes some OK read return the value of an OK write that another OK write overwrote before it. */
    private static boolean corruptStale(List<Spec> specs, SplittableRandom random) {
        List<Spec> writes = specs.stream().filter(s -> s.write && s.outcome == Outcome.OK).toList();
        List<Spec> reads = new ArrayList<>(okReads(specs));
        for (int attempt = 0; attempt < 100 && !reads.isEmpty(); attempt++) {
            Spec read = reads.get(random.nextInt(reads.size()));
            List<Spec> before = writes.stream().filter(w -> w.complete < read.invoke).toList();
            if (before.isEmpty()) {
                continue;
            }
            Spec second = before.get(random.nextInt(before.size()));
            List<Spec> first = writes.stream().filter(w -> w.complete < second.invoke).toList();
            if (first.isEmpty()) {
                continue;
            }
            read.value = first.get(random.nextInt(first.size())).value;
            return true;
        }
        return false;
    }

    @Test
    void fiveHundredOperationHistoriesAreDecidedWithinTheBudget() {
        long maxSteps = 0;
        long totalNanos = 0;
        int runs = 0;
        for (long seed = 100; seed < 120; seed++) {
            List<Spec> specs = generate(seed, 500, 5, 8);
            RegisterHistory history = record(specs);
            long start = System.nanoTime();
            Result result = LinearizabilityChecker.check(history);
            totalNanos += System.nanoTime() - start;
            runs++;
            assertThat(result.decided()).as(result.explanation()).isTrue();
            assertThat(result.linearizable()).as(result.explanation()).isTrue();
            assertValidWitness(history.operations(), result);
            maxSteps = Math.max(maxSteps, result.steps());

            assertThat(corruptStale(specs, new SplittableRandom(seed))).isTrue();
            start = System.nanoTime();
            Result corrupted = LinearizabilityChecker.check(record(specs));
            totalNanos += System.nanoTime() - start;
            runs++;
            assertThat(corrupted.decided()).as(corrupted.explanation()).isTrue();
            assertThat(corrupted.linearizable()).as(corrupted.explanation()).isFalse();
            maxSteps = Math.max(maxSteps, corrupted.steps());
            if (seed == 100) {
                System.out.println("500 ops: " + result.explanation());
                System.out.println("500 ops, stale read: " + corrupted.explanation());
            }
        }
        System.out.printf("500-op checks: %d runs, mean %.2f ms, max %d steps%n", runs,
                totalNanos / 1e6 / runs, maxSteps);
    }
}
