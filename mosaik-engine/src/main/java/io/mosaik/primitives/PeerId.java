package io.mosaik.primitives;

import java.util.Objects;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * The identity of a node: its Ed25519 public key (32 bytes). Printed and parsed as 64 lowercase hex
 * characters; {@link #toShortString()} gives a 10-character form for logs.
 */
public final class PeerId extends Bytes32<PeerId> {

    /** The length of a peer id, in bytes. */
    public static final int LENGTH = 32;


    private PeerId(byte[] bytes) {
        super(bytes);
    }

    /**
     * The peer id made of these 32 public-key bytes.
     *
     * @param bytes an Ed25519 public key (copied)
     * @return the peer id
     * @throws IllegalArgumentException if the array is not 32 bytes long
     */
    public static PeerId fromBytes(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a peer id is 32 bytes, got " + bytes.length);
        }
        return new PeerId(bytes.clone());
    }

    /**
     * Parses the 64-hex-character form.
     *
     * @param hex 64 hex characters
     * @return the peer id
     * @throws IllegalArgumentException if the text is not 64 hex characters
     */
    public static PeerId parse(String hex) {
        Objects.requireNonNull(hex, "hex");
        if (!Digest.isHex64(hex)) {
            throw new IllegalArgumentException(
                    "a peer id is 64 hex characters, got '" + Digest.abbreviate(hex) + "'");
        }
        return new PeerId(HEX.parseHex(hex.toLowerCase()));
    }

    /**
     * Checks an Ed25519 signature made by this peer's secret key.
     *
     * @param message   the signed bytes
     * @param signature the 64-byte signature
     * @return whether the signature is valid
     */
    public boolean verify(byte[] message, byte[] signature) {
        if (signature == null || signature.length != 64) {
            return false;
        }
        try {
            Ed25519Signer verifier = new Ed25519Signer();
            verifier.init(false, new Ed25519PublicKeyParameters(bytes, 0));
            verifier.update(message, 0, message.length);
            return verifier.verifySignature(signature);
        } catch (IllegalArgumentException e) {
            // bytes that are not a point on the curve: no signature can be valid
            return false;
        }
    }
}
