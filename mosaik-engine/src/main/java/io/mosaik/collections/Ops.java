package io.mosaik.collections;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The byte layout of collection commands and snapshots: an operation code, then fields, each a
 * varint length and that many bytes (encoded keys, values, priorities) or a varint number.
 */
final class Ops {

    /** The largest field accepted when reading (a bad length never allocates more). */
    static final int MAX_FIELD = 64 << 20;

    private Ops() {
    }

    /** Builds a command. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

        Writer(int op) {
            out.write(op);
        }

        Writer bytes(byte[] field) {
            number(field.length);
            out.writeBytes(field);
            return this;
        }

        /** A field that may be absent: a flag, then the bytes. */
        Writer optional(byte[] field) {
            if (field == null) {
                out.write(0);
            } else {
                out.write(1);
                bytes(field);
            }
            return this;
        }

        Writer number(long value) {
            writeVarLong(out, value);
            return this;
        }

        byte[] build() {
            return out.toByteArray();
        }
    }

    /** Reads a command; a malformed one fails with {@link IllegalArgumentException}. */
    static final class Reader {
        private final byte[] data;
        private int at;

        Reader(byte[] data) {
            if (data.length == 0) {
                throw new IllegalArgumentException("an empty collection command");
            }
            this.data = data;
            this.at = 1;
        }

        int op() {
            return data[0] & 0xFF;
        }

        byte[] bytes() {
            long length = number();
            if (length > data.length - at) {
                throw new IllegalArgumentException("a collection command field is longer than the command");
            }
            byte[] field = Arrays.copyOfRange(data, at, at + (int) length);
            at += (int) length;
            return field;
        }

        byte[] optional() {
            if (at >= data.length) {
                throw new IllegalArgumentException("a collection command ends early");
            }
            return data[at++] == 0 ? null : bytes();
        }

        long number() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (at >= data.length) {
                    throw new IllegalArgumentException("a collection command ends early");
                }
                int b = data[at++];
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("a collection command holds a malformed number");
        }

        /** A count of items to come, each at least one byte long. */
        int count() {
            long count = number();
            if (count < 0 || count > data.length - at) {
                throw new IllegalArgumentException("a collection command announces more items than it holds");
            }
            return (int) count;
        }

        void end() {
            if (at != data.length) {
                throw new IllegalArgumentException("a collection command has " + (data.length - at) + " bytes too many");
            }
        }
    }

    static void writeVarLong(OutputStream out, long value) {
        try {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void writeField(OutputStream out, byte[] field) throws IOException {
        writeVarLong(out, field.length);
        out.write(field);
    }

    static long readVarLong(InputStream in) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("a collection snapshot ends early");
            }
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("a collection snapshot holds a malformed number");
    }

    static byte[] readField(DataInputStream in) throws IOException {
        long length = readVarLong(in);
        if (length < 0 || length > MAX_FIELD) {
            throw new IOException("a collection snapshot holds a field of " + length + " bytes");
        }
        byte[] field = new byte[(int) length];
        in.readFully(field);
        return field;
    }
}
