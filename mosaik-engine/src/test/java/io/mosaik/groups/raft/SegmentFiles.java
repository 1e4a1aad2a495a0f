package io.mosaik.groups.raft;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** For tests that damage log files: where a segment's records end (the zeros written ahead follow). */
public final class SegmentFiles {

    private SegmentFiles() {
    }

    /**
     * Walks the records' lengths from the header on.
     *
     * @param segment a segment file
     * @return the offset after the last record, where the file ends or zeros begin
     */
    public static long recordsEnd(Path segment) throws IOException {
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            long size = channel.size();
            long at = FileLogSegment.HEADER_BYTES;
            ByteBuffer length = ByteBuffer.allocate(4);
            while (at + 4 <= size) {
                length.clear();
                channel.read(length, at);
                int value = length.getInt(0);
                if (value == 0) {
                    break;
                }
                at += 8 + value;
            }
            return Math.min(at, size);
        }
    }
}
