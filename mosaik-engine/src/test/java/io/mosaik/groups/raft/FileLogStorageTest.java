package io.mosaik.groups.raft;

import static io.mosaik.groups.raft.LogStorageContractTest.entries;
import static io.mosaik.groups.raft.LogStorageContractTest.entry;
import static io.mosaik.groups.raft.LogStorageContractTest.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** What {@link FileLogStorage} does with its files: reopening, crashes, damage, segments, the lock. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLogStorageTest {

    /** Records of {@link LogStorageContractTest#entry} take 35 bytes: six fit in a segment of 256. */
    private static final FileLogStorage.Options SMALL = FileLogStorage.Options.DEFAULTS.withSegmentBytes(256);
    private static final int RECORD = 35;

    @TempDir
    Path temp;

    private Path dir() {
        return temp.resolve("log");
    }

    private FileLogStorage open(SyncPolicy policy, FileLogStorage.Options options) {
        return FileLogStorage.open(dir(), policy, options);
    }

    private FileLogStorage open() {
        return open(SyncPolicy.ALWAYS, SMALL);
    }

    private Path segment(long firstIndex) {
        return dir().resolve(FileLogSegment.fileName(firstIndex));
    }

    private Path sidecar(long firstIndex) {
        return dir().resolve(FileLogSegment.fileName(firstIndex).replace(".seg", ".idx"));
    }

    private List<String> files(String suffix) throws IOException {
        try (Stream<Path> list = Files.list(dir())) {
            return list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList();
        }
    }

    /** Where the record of an index starts in a segment of {@link #SMALL} entries. */
    private static long offsetIn(long segmentFirst, long index) {
        return FileLogSegment.HEADER_BYTES + (index - segmentFirst) * RECORD;
    }

    private static void flip(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ 0x10)).rewind();
            channel.write(one, offset);
        }
    }

    /** Cuts the last {@code bytes} of the records (and the zeros written ahead of them). */
    private static void cut(Path file, long bytes) throws IOException {
        long end = SegmentFiles.recordsEnd(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(end - bytes);
        }
    }

    private static List<LogEntry> concat(List<LogEntry> a, List<LogEntry> b) {
        List<LogEntry> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** Captures what {@link FileLogStorage} logs. */
    private static final class Logs implements AutoCloseable {
        private final Logger logger = (Logger) LoggerFactory.getLogger(FileLogStorage.class);
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

        Logs() {
            appender.start();
            logger.addAppender(appender);
        }

        List<String> messages(Level level) {
            return appender.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }

        List<String> warnings() {
            return messages(Level.WARN);
        }

        @Override
        public void close() {
            logger.detachAppender(appender);
        }
    }

    // ---------------------------------------------------------------- reopening

    @Test
    void entriesHardStateAndCompactedPositionSurviveAReopen() {
        try (FileLogStorage log = open()) {
            log.append(entries(1, 1, 10));
            log.append(entries(2, 11, 40));
            log.saveHardState(new HardState(2, peer(3)));
            log.compact(new LogPosition(1, 7));
            log.sync();
        }
        try (FileLogStorage log = open()) {
            assertThat(log.hardState()).isEqualTo(new HardState(2, peer(3)));
            assertThat(log.compactedPosition()).isEqualTo(new LogPosition(1, 7));
            assertThat(log.lastPosition()).isEqualTo(new LogPosition(2, 40));
            assertThat(log.entries(8, 40, Long.MAX_VALUE)).containsExactlyElementsOf(concat(entries(1, 8, 10), entries(2, 11, 40)));
            assertThat(log.termAt(7)).isEqualTo(1);
            assertThat(log.termAt(6)).isEqualTo(-1);
            assertThat(log.termAt(10)).isEqualTo(1);
            assertThat(log.termAt(11)).isEqualTo(2);
            log.truncateFrom(30);
            log.append(entries(3, 30, 33));
            log.saveHardState(new HardState(3, null));
        }
        try (FileLogStorage log = open()) {
            assertThat(log.hardState()).isEqualTo(new HardState(3, null));
            assertThat(log.lastPosition()).isEqualTo(new LogPosition(3, 33));
            assertThat(log.entries(25, 33, Long.MAX_VALUE)).containsExactlyElementsOf(concat(entries(2, 25, 29), entries(3, 30, 33)));
        }
    }

    @Test
    void aDamagedHardStateFileFailsOpen() throws IOException {
        try (FileLogStorage log = open()) {
            log.saveHardState(new HardState(4, peer(1)));
            log.sync();
        }
        flip(dir().resolve("hardstate"), 12);
        assertThatThrownBy(this::open).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("hardstate").hasMessageContaining("damaged");
    }

    // ---------------------------------------------------------------- torn and corrupt tails

    @Test
    void aTornTailIsTruncatedAwayAndLoggedOnce() throws IOException {
        try (FileLogStorage log = open(SyncPolicy.ALWAYS, FileLogStorage.Options.DEFAULTS)) {
            log.append(entries(1, 1, 10));
        }
        cut(segment(1), 5);
        try (Logs logs = new Logs(); FileLogStorage log = open(SyncPolicy.ALWAYS, FileLogStorage.Options.DEFAULTS)) {
            assertThat(log.lastPosition()).isEqualTo(new LogPosition(1, 9));
            assertThat(log.entries(1, 9, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 1, 9));
            assertThat(logs.warnings()).singleElement().asString().contains("torn or corrupt tail")
                    .contains("cut short").contains("from index 10");
            log.append(List.of(entry(2, 10)));
        }
        try (Logs logs = new Logs(); FileLogStorage log = open(SyncPolicy.ALWAYS, FileLogStorage.Options.DEFAULTS)) {
            assertThat(log.lastPosition()).isEqualTo(new LogPosition(2, 10));
            assertThat(log.entries(9, 10, Long.MAX_VALUE)).containsExactly(entry(1, 9), entry(2, 10));
            assertThat(logs.warnings()).isEmpty();
        }
    }

    @Test
    void theActiveSegmentHasZerosWrittenAheadThatEndTheLogCleanlyAndSealingCutsThemOff() throws IOException {
        try (FileLogStorage log = open(SyncPolicy.ALWAYS, FileLogStorage.Options.DEFAULTS)) {
            log.append(entries(1, 1, 10));
        }
        assertThat(SegmentFiles.recordsEnd(segment(1))).isEqualTo(offsetIn(1, 11));
        assertThat(Files.size(segment(1))).as("1 MiB of zeros written ahead").isEqualTo(1 << 20);
        try (Logs logs = new Logs(); FileLogStorage log = open(SyncPolicy.ALWAYS, FileLogStorage.Options.DEFAULTS)) {
            assertThat(log.lastPosition()).isEqualTo(new LogPosition(1, 10));
            log.append(entries(1, 11, 20));
            assertThat(logs.warnings()).as("the zeros are not a torn tail").isEmpty();
        }
        try (Logs logs = new Logs(); FileLogStorage log = open(SyncPolicy.ALWAYS, FileLogStorage.Options.DEFAULTS)) {
            assertThat(log.entries(1, 20, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 1, 20));
            assertThat(logs.warnings()).isEmpty();
        }

        try (FileLogStorage log = open()) { // segments of 256 bytes: six records each
            log.append(entries(1, 21, 27));
        }
        assertThat(Files.size(segment(21))).as("sealed: no zeros").isEqualTo(offsetIn(21, 27));
        assertThat(Files.size(segment(27))).isGreaterThan(SegmentFiles.recordsEnd(segment(27)));
    }

    @Test
    void somethingOtherThanZerosAfterTheRecordsIsATornTailThatIsCutOff() throws IOException {
        try (FileLogStorage log = open(SyncPolicy.ALWAYS, FileLogStorage.Options.DEFAULTS)) {
            log.append(entries(1, 1, 10));
        }
        long end = SegmentFiles.recordsEnd(segment(1));
        flip(segment(1), end + 100);
        try (Logs logs = new Logs(); FileLogStorage log = open(SyncPolicy.ALWAYS, FileLogStorage.Options.DEFAULTS)) {
            assertThat(log.lastPosition()).isEqualTo(new LogPosition(1, 10));
            assertThat(logs.warnings()).singleElement().asString().contains("bad length 0");
            assertThat(Files.size(segment(1))).isEqualTo(end);
            log.append(entries(1, 11, 12));
        }
        try (Logs logs = new Logs(); FileLogStorage log = open(SyncPolicy.ALWAYS, FileLogStorage.Options.DEFAULTS)) {
            assertThat(log.entries(1, 12, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 1, 12));
            assertThat(logs.warnings()).isEmpty();
        }
    }

    @Test
    void aBitFlippedLastRecordIsDropped() throws IOException {
        try (FileLogStorage log = open()) {
            log.append(entries(1, 1, 10));
        }
        flip(segment(7), offsetIn(7, 10) + 25 + 3);
        try (Logs logs = new Logs(); FileLogStorage log = open()) {
            assertThat(log.lastPosition()).isEqualTo(new LogPosition(1, 9));
            assertThat(log.entries(1, 9, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 1, 9));
            assertThat(logs.warnings()).singleElement().asString().contains("checksum mismatch")
                    .contains("index 10").doesNotContain("valid records followed");
        }
    }

    @Test
    void aBitFlipInsideTheLastSegmentDropsTheRestOfItAndSaysThatGoodRecordsFollowed() throws IOException {
        try (FileLogStorage log = open(SyncPolicy.ALWAYS, FileLogStorage.Options.DEFAULTS)) {
            log.append(entries(1, 1, 10));
        }
        flip(segment(1), offsetIn(1, 5) + 20);
        try (Logs logs = new Logs(); FileLogStorage log = open(SyncPolicy.ALWAYS, FileLogStorage.Options.DEFAULTS)) {
            assertThat(log.lastPosition()).isEqualTo(new LogPosition(1, 4));
            assertThat(logs.warnings()).singleElement().asString().contains("5 valid records followed");
        }
    }

    @Test
    void aNewSegmentWithATornHeaderIsDeleted() throws IOException {
        try (FileLogStorage log = open()) {
            log.append(entries(1, 1, 12));
        }
        Files.write(segment(13), new byte[] {0x4D, 0x4C, 0x4F});
        try (FileLogStorage log = open()) {
            assertThat(log.lastPosition()).isEqualTo(new LogPosition(1, 12));
            assertThat(segment(13)).doesNotExist();
            log.append(entries(1, 13, 14));
            assertThat(log.entries(1, 14, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 1, 14));
        }
    }

    // ---------------------------------------------------------------- damage before the tail

    @Test
    void aBitFlipInASealedSegmentWithoutItsSidecarFailsOpenNamingFileAndOffset() throws IOException {
        try (FileLogStorage log = open()) {
            log.append(entries(1, 1, 30));
        }
        flip(segment(1), offsetIn(1, 3) + 26);
        Files.delete(sidecar(1));
        assertThatThrownBy(this::open).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(segment(1).toString())
                .hasMessageContaining("offset " + offsetIn(1, 3))
                .hasMessageContaining("checksum mismatch")
                .hasMessageContaining("not a torn write");
    }

    @Test
    void aBitFlipInASealedSegmentWithItsSidecarIsFoundWhenTheRecordIsRead() throws IOException {
        try (FileLogStorage log = open()) {
            log.append(entries(1, 1, 30));
        }
        flip(segment(1), offsetIn(1, 3) + 26);
        try (FileLogStorage log = open()) {
            assertThat(log.lastPosition()).isEqualTo(new LogPosition(1, 30));
            assertThat(log.entries(4, 30, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 4, 30));
            assertThatThrownBy(() -> log.entries(1, 30, Long.MAX_VALUE)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(segment(1).toString())
                    .hasMessageContaining("offset " + offsetIn(1, 3))
                    .hasMessageContaining("index 3");
        }
    }

    @Test
    void aDamagedSidecarIsIgnoredAndWrittenAgain() throws IOException {
        try (FileLogStorage log = open()) {
            log.append(entries(1, 1, 30));
        }
        byte[] good = Files.readAllBytes(sidecar(7));
        flip(sidecar(7), 30);
        cut(sidecar(13), 3);
        try (FileLogStorage log = open()) {
            assertThat(log.entries(1, 30, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 1, 30));
        }
        assertThat(Files.readAllBytes(sidecar(7))).isEqualTo(good);
        assertThat(sidecar(13)).exists();
    }

    @Test
    void aMissingSegmentFailsOpen() throws IOException {
        try (FileLogStorage log = open()) {
            log.append(entries(1, 1, 30));
        }
        Files.delete(segment(13));
        assertThatThrownBy(this::open).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("missing entries").hasMessageContaining(FileLogSegment.fileName(19));
        Files.delete(segment(1));
        assertThatThrownBy(this::open).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("missing the entries 1..6");
    }

    // ---------------------------------------------------------------- segments, compaction, reset

    @Test
    void segmentsRollAtTheConfiguredSizeAndSealedOnesHaveSidecars() throws IOException {
        byte[] large = new byte[2 << 20];
        large[12345] = 7;
        try (FileLogStorage log = open()) {
            log.append(entries(1, 1, 40));
            log.append(List.of(new LogEntry(1, 41, LogEntry.Kind.COMMAND, large)));
            log.append(entries(1, 42, 43));
            assertThat(log.entries(1, 43, Long.MAX_VALUE)).hasSize(43);
        }
        assertThat(files(".seg")).containsExactly(FileLogSegment.fileName(1), FileLogSegment.fileName(7),
                FileLogSegment.fileName(13), FileLogSegment.fileName(19), FileLogSegment.fileName(25),
                FileLogSegment.fileName(31), FileLogSegment.fileName(37), FileLogSegment.fileName(41),
                FileLogSegment.fileName(42));
        assertThat(files(".idx")).hasSize(8);
        for (long first : new long[] {1, 7, 13, 19, 25, 31}) {
            assertThat(Files.size(segment(first))).isEqualTo(FileLogSegment.HEADER_BYTES + 6 * RECORD);
        }
        try (FileLogStorage log = open()) {
            List<LogEntry> read = log.entries(38, 43, Long.MAX_VALUE);
            assertThat(read).hasSize(6);
            assertThat(read.get(3).data()).isEqualTo(large);
            assertThat(log.entries(39, 43, 1000)).containsExactlyElementsOf(entries(1, 39, 40));
            assertThat(log.entries(41, 43, 1000)).hasSize(1);
        }
    }

    @Test
    void compactionDeletesTheSegmentsItCoversWhole() throws IOException {
        try (FileLogStorage log = open()) {
            log.append(entries(1, 1, 40));
            log.compact(new LogPosition(1, 15));
            assertThat(files(".seg")).first().isEqualTo(FileLogSegment.fileName(13));
            assertThat(files(".idx")).first().isEqualTo(FileLogSegment.fileName(13).replace(".seg", ".idx"));
        }
        try (FileLogStorage log = open()) {
            assertThat(log.firstIndex()).isEqualTo(16);
            assertThat(log.entries(16, 40, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 16, 40));
            log.compact(new LogPosition(1, 40));
            assertThat(files(".seg")).isEmpty();
            log.append(List.of(entry(2, 41)));
        }
        assertThat(files(".seg")).containsExactly(FileLogSegment.fileName(41));
        try (FileLogStorage log = open()) {
            assertThat(log.compactedPosition()).isEqualTo(new LogPosition(1, 40));
            assertThat(log.entries(41, 41, Long.MAX_VALUE)).containsExactly(entry(2, 41));
        }
    }

    @Test
    void anActiveSegmentMostlyCompactedIsSealedAtTheNextAppendSoThatARestartReadsOnlyTheTail() throws IOException {
        FileLogStorage.Options options = FileLogStorage.Options.DEFAULTS.withSegmentBytes(64 * 1024);
        try (FileLogStorage log = open(SyncPolicy.ALWAYS, options)) {
            log.append(entries(1, 1, 1_000));
            log.compact(new LogPosition(1, 400)); // not half of it: the segment goes on
            log.append(entries(1, 1_001, 1_010));
            assertThat(files(".seg")).containsExactly(FileLogSegment.fileName(1));
            log.compact(new LogPosition(1, 900));
            log.append(entries(1, 1_011, 1_020));
            assertThat(files(".seg")).containsExactly(FileLogSegment.fileName(1), FileLogSegment.fileName(1_011));
            assertThat(sidecar(1)).as("the rolled segment is sealed").exists();
        }
        try (FileLogStorage log = open(SyncPolicy.ALWAYS, options)) {
            assertThat(log.entries(901, 1_020, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 901, 1_020));
            log.compact(new LogPosition(1, 1_015));
            assertThat(files(".seg")).as("the next compaction deletes it whole")
                    .containsExactly(FileLogSegment.fileName(1_011));
        }
    }

    @Test
    void aSegmentSealedAfterACompactionInsideItKeepsTheCompactedTermInItsSidecar() throws IOException {
        try (FileLogStorage log = open()) {
            log.append(entries(1, 1, 3));
            log.append(entries(2, 4, 5));
            log.compact(new LogPosition(1, 3));
            log.append(entries(2, 6, 8));
        }
        assertThat(sidecar(1)).exists();
        byte[] written = Files.readAllBytes(sidecar(1));
        try (Logs logs = new Logs(); FileLogStorage log = open()) {
            assertThat(log.compactedPosition()).isEqualTo(new LogPosition(1, 3));
            assertThat(log.lastPosition()).isEqualTo(new LogPosition(2, 8));
            assertThat(log.entries(4, 8, Long.MAX_VALUE)).containsExactlyElementsOf(entries(2, 4, 8));
            assertThat(logs.messages(Level.INFO)).singleElement().asString().contains("(1 read in full)");
            assertThat(logs.messages(Level.WARN)).isEmpty();
        }
        assertThat(Files.readAllBytes(sidecar(1))).isEqualTo(written);
    }

    @Test
    void aCompactionThatACrashInterruptedIsFinishedOnOpen() throws IOException {
        try (FileLogStorage log = open()) {
            log.append(entries(1, 1, 40));
        }
        Path saved = Files.copy(segment(1), temp.resolve("saved"));
        try (FileLogStorage log = open()) {
            log.compact(new LogPosition(1, 15));
        }
        Files.copy(saved, segment(1));
        try (FileLogStorage log = open()) {
            assertThat(segment(1)).doesNotExist();
            assertThat(log.firstIndex()).isEqualTo(16);
            assertThat(log.entries(16, 40, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 16, 40));
        }
    }

    @Test
    void aResetThatACrashInterruptedKeepsOnlyWhatLeadsToItsPosition() throws IOException {
        try (FileLogStorage log = open()) {
            log.append(entries(1, 1, 30));
        }
        Path saved = Files.createDirectory(temp.resolve("saved"));
        for (String name : files(".seg")) {
            Files.copy(dir().resolve(name), saved.resolve(name));
        }
        // A snapshot of another history: the old segments must all go.
        try (FileLogStorage log = open()) {
            log.reset(new LogPosition(2, 20));
        }
        for (String name : files(".seg")) {
            Files.delete(dir().resolve(name));
        }
        for (String name : List.of(FileLogSegment.fileName(1), FileLogSegment.fileName(7), FileLogSegment.fileName(13),
                FileLogSegment.fileName(19), FileLogSegment.fileName(25))) {
            Files.copy(saved.resolve(name), dir().resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        try (Logs logs = new Logs(); FileLogStorage log = open()) {
            assertThat(log.compactedPosition()).isEqualTo(new LogPosition(2, 20));
            assertThat(log.lastPosition()).isEqualTo(new LogPosition(2, 20));
            assertThat(files(".seg")).isEmpty();
            assertThat(logs.warnings()).singleElement().asString().contains("snapshot installation");
            log.append(entries(2, 21, 22));
        }
        // A snapshot of this history: what follows its position stays, as Raft's InstallSnapshot keeps it.
        try (FileLogStorage log = open()) {
            log.reset(new LogPosition(1, 20));
        }
        for (String name : files(".seg")) {
            Files.delete(dir().resolve(name));
        }
        for (String name : List.of(FileLogSegment.fileName(13), FileLogSegment.fileName(19), FileLogSegment.fileName(25))) {
            Files.copy(saved.resolve(name), dir().resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileLogStorage log = open()) {
            assertThat(log.compactedPosition()).isEqualTo(new LogPosition(1, 20));
            assertThat(log.lastPosition()).isEqualTo(new LogPosition(1, 30));
            assertThat(log.entries(21, 30, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 21, 30));
            assertThat(segment(13)).doesNotExist();
        }
    }

    // ---------------------------------------------------------------- the directory

    @Test
    void aSecondOpenOfTheDirectoryIsRefusedWhileTheFirstHoldsIt() {
        try (FileLogStorage first = open()) {
            first.append(entries(1, 1, 3));
            assertThatThrownBy(this::open).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(dir().toString()).hasMessageContaining("in use")
                    .hasMessageContaining("directory of its own");
        }
        try (FileLogStorage again = open()) {
            assertThat(again.lastPosition().index()).isEqualTo(3);
        }
    }

    @Test
    void theDirectoryAndFilesAreOwnerOnly() throws IOException {
        assumeTrue(FileLogIo.posix(), "POSIX permissions");
        Path nested = temp.resolve("a/b/log");
        try (FileLogStorage log = FileLogStorage.open(nested, SyncPolicy.ALWAYS, SMALL)) {
            log.append(entries(1, 1, 20));
            log.saveHardState(new HardState(1, peer(1)));
            log.compact(new LogPosition(1, 2));
            log.sync();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested))).isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(nested)) {
            List<Path> all = files.toList();
            assertThat(all).hasSizeGreaterThan(5);
            for (Path file : all) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString())
                        .isEqualTo("rw-------");
            }
        }
    }

    // ---------------------------------------------------------------- crashes and sync policies

    static List<SyncPolicy> policies() {
        return List.of(SyncPolicy.ALWAYS, SyncPolicy.batched(Duration.ofHours(1)), SyncPolicy.NEVER);
    }

    @ParameterizedTest
    @MethodSource("policies")
    void whatWasSyncedSurvivesACrashWithoutClose(SyncPolicy policy) {
        FileLogStorage log = open(policy, FileLogStorage.Options.DEFAULTS);
        log.append(entries(1, 1, 10));
        log.saveHardState(new HardState(2, peer(1)));
        log.sync();
        log.append(entries(2, 11, 20));
        log.saveHardState(new HardState(3, peer(2)));
        log.abandon();
        try (FileLogStorage reopened = open(policy, FileLogStorage.Options.DEFAULTS)) {
            assertThat(reopened.hardState()).isEqualTo(new HardState(2, peer(1)));
            assertThat(reopened.lastPosition().index()).isBetween(10L, 20L);
            assertThat(reopened.entries(1, 10, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 1, 10));
            reopened.truncateFrom(11);
            reopened.append(entries(3, 11, 12));
        }
    }

    /** A process that syncs some entries and a vote, appends more without syncing, and waits to be killed. */
    static final class Child {
        public static void main(String[] args) throws IOException {
            FileLogStorage log = FileLogStorage.open(Path.of(args[0]), SyncPolicy.ALWAYS);
            log.append(entries(1, 1, 100));
            log.saveHardState(new HardState(1, peer(1)));
            log.sync();
            log.append(entries(1, 101, 200));
            log.saveHardState(new HardState(2, peer(2)));
            System.out.println("synced");
            System.out.flush();
            System.in.read();
        }
    }

    @Test
    void aProcessKilledWithSigkillKeepsWhatItSyncedAndReleasesTheLock() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Child.class.getName(),
                dir().toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            List<String> seen = new ArrayList<>();
            String line;
            while ((line = out.readLine()) != null && !line.equals("synced")) {
                seen.add(line);
            }
            assertThat(line).as("the child's output: %s", seen).isEqualTo("synced");
            assertThatThrownBy(this::open).isInstanceOf(IllegalStateException.class).hasMessageContaining("in use");
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        try (FileLogStorage log = FileLogStorage.open(dir(), SyncPolicy.ALWAYS)) {
            assertThat(log.hardState()).isEqualTo(new HardState(1, peer(1)));
            assertThat(log.lastPosition().index()).isBetween(100L, 200L);
            assertThat(log.entries(1, 100, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 1, 100));
        }
    }

    @Test
    void alwaysForcesInEverySyncThatFollowsAChange() {
        try (FileLogStorage log = open(SyncPolicy.ALWAYS, FileLogStorage.Options.DEFAULTS)) {
            long before = log.forces();
            for (int i = 1; i <= 5; i++) {
                log.append(List.of(entry(1, i)));
                log.sync();
            }
            log.sync();
            assertThat(log.forces() - before).isEqualTo(5);
        }
    }

    @Test
    void batchedForcesAtMostOncePerIntervalAndOnClose() {
        FileLogStorage log = open(SyncPolicy.batched(Duration.ofHours(1)), FileLogStorage.Options.DEFAULTS);
        long before = log.forces();
        for (int i = 1; i <= 5; i++) {
            log.append(List.of(entry(1, i)));
            log.sync();
        }
        assertThat(log.forces() - before).isEqualTo(1);
        log.close();
        assertThat(log.forces() - before).isEqualTo(2);
    }

    @Test
    void neverForces() {
        FileLogStorage log = open(SyncPolicy.NEVER, SMALL);
        for (int i = 1; i <= 20; i++) {
            log.append(List.of(entry(1, i)));
            log.saveHardState(new HardState(i, null));
            log.sync();
        }
        log.compact(new LogPosition(1, 10));
        log.close();
        assertThat(log.forces()).isZero();
    }

    // ---------------------------------------------------------------- calls

    @Test
    void closeIsSafeFromAnotherThreadAndIdempotent() throws Exception {
        FileLogStorage log = open(SyncPolicy.NEVER, FileLogStorage.Options.DEFAULTS);
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (long i = 1; i <= 10_000_000; i++) {
                    log.append(List.of(entry(1, i)));
                    if (i % 16 == 0) {
                        log.sync();
                        log.entries(i - 15, i, Long.MAX_VALUE);
                    }
                    started.countDown();
                }
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        writer.start();
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        log.close();
        writer.join(30_000);
        assertThat(writer.isAlive()).isFalse();
        assertThat(ended.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        log.close();
        assertThatThrownBy(log::lastPosition).isInstanceOf(IllegalStateException.class);
        try (FileLogStorage reopened = open(SyncPolicy.NEVER, FileLogStorage.Options.DEFAULTS)) {
            long last = reopened.lastPosition().index();
            assertThat(last).isPositive();
            assertThat(reopened.entries(1, last, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 1, last));
        }
    }

    @Test
    void termsThatDecreaseAreRefused() {
        try (FileLogStorage log = open()) {
            log.append(entries(3, 1, 2));
            assertThatThrownBy(() -> log.append(List.of(entry(3, 3), entry(2, 4))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below the term 3");
            assertThat(log.lastPosition()).isEqualTo(new LogPosition(3, 2));
            log.reset(new LogPosition(5, 10));
            assertThatThrownBy(() -> log.append(List.of(entry(4, 11)))).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
