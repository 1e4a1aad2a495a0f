package io.mosaik.groups.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random operations on a {@link FileLogStorage} and on an {@link InMemoryLogStorage} as the model,
 * with reopens and crashes after a sync in between: after every step both must answer alike.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLogStorageRandomTest {

    @TempDir
    Path temp;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void aFileLogAnswersAsTheModelDoes(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        FileLogStorage.Options options = FileLogStorage.Options.DEFAULTS
                .withSegmentBytes(128 + random.nextInt(1024)).withCache(random.nextInt(8), 1 << 20);
        Path dir = temp.resolve("log");
        InMemoryLogStorage model = new InMemoryLogStorage();
        FileLogStorage log = FileLogStorage.open(dir, SyncPolicy.ALWAYS, options);
        try {
            for (int step = 0; step < 400; step++) {
                int op = random.nextInt(100);
                long last = model.lastPosition().index();
                if (op < 45) {
                    List<LogEntry> batch = new ArrayList<>();
                    long term = Math.max(1, model.lastPosition().term()) + (random.nextInt(8) == 0 ? 1 : 0);
                    for (int i = 1; i <= 1 + random.nextInt(random.nextBoolean() ? 2 : 20); i++) {
                        byte[] data = new byte[random.nextInt(random.nextInt(10) == 0 ? 600 : 40)];
                        random.nextBytes(data);
                        batch.add(new LogEntry(term, last + i, LogEntry.Kind.values()[random.nextInt(3)], data));
                    }
                    model.append(batch);
                    log.append(batch);
                } else if (op < 55 && last > model.compactedPosition().index()) {
                    long index = model.firstIndex() + random.nextLong(last - model.compactedPosition().index());
                    model.truncateFrom(index);
                    log.truncateFrom(index);
                } else if (op < 63 && last > model.compactedPosition().index()) {
                    long index = model.firstIndex() + random.nextLong(last - model.compactedPosition().index());
                    LogPosition upTo = new LogPosition(model.termAt(index), index);
                    model.compact(upTo);
                    log.compact(upTo);
                } else if (op < 65) {
                    LogPosition position = new LogPosition(model.lastPosition().term() + random.nextInt(2),
                            last + random.nextInt(3));
                    model.reset(position);
                    log.reset(position);
                } else if (op < 72) {
                    HardState state = new HardState(model.hardState().term() + random.nextInt(2),
                            random.nextBoolean() ? null : LogStorageContractTest.peer(random.nextInt(5)));
                    model.saveHardState(state);
                    log.saveHardState(state);
                } else if (op < 85) {
                    log.sync();
                } else if (op < 92) {
                    log.close();
                    log = FileLogStorage.open(dir, SyncPolicy.ALWAYS, options);
                } else {
                    log.sync();
                    log.abandon();
                    log = FileLogStorage.open(dir, SyncPolicy.ALWAYS, options);
                }
                check(model, log, random, "seed " + seed + " step " + step + " op " + op);
            }
        } finally {
            log.close();
        }
    }

    private static void check(InMemoryLogStorage model, FileLogStorage log, SplittableRandom random, String where) {
        assertThat(log.hardState()).as(where).isEqualTo(model.hardState());
        assertThat(log.compactedPosition()).as(where).isEqualTo(model.compactedPosition());
        assertThat(log.lastPosition()).as(where).isEqualTo(model.lastPosition());
        long last = model.lastPosition().index();
        for (long index = Math.max(0, model.compactedPosition().index() - 2); index <= last + 2; index++) {
            assertThat(log.termAt(index)).as(where + " term at " + index).isEqualTo(model.termAt(index));
        }
        if (last > model.compactedPosition().index()) {
            long from = model.firstIndex() + random.nextLong(last - model.compactedPosition().index());
            long maxBytes = random.nextBoolean() ? Long.MAX_VALUE : random.nextInt(2000);
            assertThat(log.entries(from, last, maxBytes)).as(where + " entries from " + from + " within " + maxBytes)
                    .containsExactlyElementsOf(model.entries(from, last, maxBytes));
        }
    }
}
