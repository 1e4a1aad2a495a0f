package io.mosaik.primitives;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A node's Ed25519 secret key (a 32-byte seed). Its public key is the node's {@link PeerId}.
 *
 * <p>Comes from configuration as 64 hex characters, from a key file (created with owner-only
 * permissions on first use), or is random. {@link #toString()} never prints the key.
 */
public final class SecretKey {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private final Ed25519PrivateKeyParameters key;
    private final PeerId peerId;

    private SecretKey(byte[] seed) {
        this.key = new Ed25519PrivateKeyParameters(seed, 0);
        this.peerId = PeerId.fromBytes(key.generatePublicKey().getEncoded());
    }

    /** A new random key. */
    public static SecretKey random() {
        byte[] seed = new byte[32];
        RANDOM.nextBytes(seed);
        return new SecretKey(seed);
    }

    /**
     * The key with this seed.
     *
     * @param seed 32 bytes
     * @return the key
     * @throws IllegalArgumentException if the seed is not 32 bytes
     */
    public static SecretKey fromSeed(byte[] seed) {
        if (seed.length != 32) {
            throw new IllegalArgumentException("an Ed25519 secret key is 32 bytes, got " + seed.length);
        }
        return new SecretKey(seed.clone());
    }

    /**
     * Parses a key written as 64 hex characters.
     *
     * @param hex 64 hex characters
     * @return the key
     * @throws IllegalArgumentException if the text is not 64 hex characters (the message never echoes it)
     */
    public static SecretKey parse(String hex) {
        Objects.requireNonNull(hex, "hex");
        String trimmed = hex.strip();
        if (!Digest.isHex64(trimmed)) {
            throw new IllegalArgumentException("a secret key is 64 hex characters (32 bytes), got "
                    + trimmed.length() + " characters");
        }
        return new SecretKey(HEX.parseHex(trimmed.toLowerCase()));
    }

    /**
     * The key whose seed is the digest of a passphrase (spec §1.2: any string works; 64 hex characters
     * are taken as the seed itself).
     *
     * @param passphrase any string
     * @return the key
     */
    public static SecretKey fromPassphrase(String passphrase) {
        return new SecretKey(Digest.of(passphrase).toBytes());
    }

    /**
     * Reads the key from a file holding 64 hex characters, or, if the file does not exist, creates it
     * with a new random key and owner-only permissions (on file systems that have POSIX permissions).
     *
     * @param file the key file
     * @return the key
     * @throws IOException              if the file cannot be read or created
     * @throws IllegalArgumentException if the file exists but does not hold a key
     */
    public static SecretKey loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            return read(file);
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        SecretKey created = random();
        byte[] text = (HEX.formatHex(created.key.getEncoded()) + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            Files.write(createOwnerOnly(file), text, StandardOpenOption.TRUNCATE_EXISTING);
            return created;
        } catch (FileAlreadyExistsException raced) {
            // another process created it between our check and our create: use theirs
            return read(file);
        }
    }

    private static SecretKey read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key file " + file + " does not hold a secret key: "
                    + e.getMessage() + "; delete it to have a new key generated", e);
        }
    }

    private static Path createOwnerOnly(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
            FileAttribute<Set<PosixFilePermission>> attribute = PosixFilePermissions.asFileAttribute(ownerOnly);
            return Files.createFile(file, attribute);
        }
        return Files.createFile(file);
    }

    /** The public key, which is the node's identity. */
    public PeerId peerId() {
        return peerId;
    }

    /**
     * Signs a message.
     *
     * @param message the bytes to sign
     * @return the 64-byte Ed25519 signature
     */
    public byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, key);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** The 64-hex-character form of the seed: handle with care, it is the node's identity. */
    public String toHex() {
        return HEX.formatHex(key.getEncoded());
    }

    /** Prints the public peer id only, never the secret. */
    @Override
    public String toString() {
        return "SecretKey(peerId=" + peerId.toShortString() + ")";
    }
}
