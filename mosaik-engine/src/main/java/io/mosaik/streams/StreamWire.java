package io.mosaik.streams;

import io.mosaik.primitives.Digest;
import io.mosaik.primitives.NetworkId;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The two control messages of {@value Streams#PROTOCOL} (spec §3.5); after them every frame from the
 * producer is one encoded datum.
 *
 * <pre>
 * consumer → ConsumerHandshake = network id (32) | stream id (32) | criteria length (u16) | criteria
 * producer → StartStream       = network id (32) | stream id (32)
 * </pre>
 * Criteria are empty today (match everything), as in the original; a non-empty criteria is accepted and
 * ignored, so that a later version can add content filtering.
 */
final class StreamWire {

    static final int MAX_CRITERIA = 4_096;

    private StreamWire() {
    }

    /** What a consumer asks for. */
    record Handshake(NetworkId network, Digest stream) {
        byte[] encode() {
            return ByteBuffer.allocate(32 + 32 + 2).put(network.digest().toBytes()).put(stream.toBytes())
                    .putShort((short) 0).array();
        }

        static Handshake decode(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            try {
                NetworkId network = new NetworkId(digest(in));
                Digest stream = digest(in);
                int criteria = Short.toUnsignedInt(in.getShort());
                if (criteria > MAX_CRITERIA || criteria != in.remaining()) {
                    throw new IllegalArgumentException("criteria of " + criteria + " bytes with " + in.remaining()
                            + " bytes left");
                }
                return new Handshake(network, stream);
            } catch (BufferUnderflowException e) {
                throw new IllegalArgumentException("the handshake is truncated");
            }
        }
    }

    /** The producer's go-ahead. */
    record Start(NetworkId network, Digest stream) {
        byte[] encode() {
            return ByteBuffer.allocate(64).put(network.digest().toBytes()).put(stream.toBytes()).array();
        }

        static Start decode(byte[] bytes) {
            if (bytes.length != 64) {
                throw new IllegalArgumentException("a start message of " + bytes.length + " bytes, not 64");
            }
            ByteBuffer in = ByteBuffer.wrap(bytes);
            return new Start(new NetworkId(digest(in)), digest(in));
        }
    }

    private static Digest digest(ByteBuffer in) {
        byte[] bytes = new byte[Digest.LENGTH];
        in.get(bytes);
        return Digest.fromBytes(bytes);
    }
}
