package io.mosaik.network.transport;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The TLS key and self-signed certificate a node uses on the wire, generated fresh at start-up.
 *
 * <p>The key is EC P-256 because kwik's TLS accepts nothing else useful (no Ed25519). It is not the
 * node's identity: the node proves its Ed25519 {@code PeerId} after the handshake, signing this
 * certificate's key together with the remote's fresh nonce, which binds the identity to the connection.
 */
public final class TlsIdentity {

    /** The alias of the key entry in {@link #keyStore()}. */
    public static final String ALIAS = "mosaik";
    /** The password of {@link #keyStore()} and its key entry (the store lives only in memory). */
    public static final char[] PASSWORD = "mosaik".toCharArray();
    /** The DNS name in the certificate; peers do not check it, identity is proven separately. */
    public static final String SERVER_NAME = "mosaik.local";

    private final KeyPair keyPair;
    private final X509Certificate certificate;
    private final KeyStore keyStore;

    private TlsIdentity(KeyPair keyPair, X509Certificate certificate, KeyStore keyStore) {
        this.keyPair = keyPair;
        this.certificate = certificate;
        this.keyStore = keyStore;
    }

    /**
     * Generates a new P-256 key and a self-signed certificate valid from one hour ago for ten years.
     *
     * @return the identity
     * @throws IllegalStateException if the JDK lacks EC P-256 (it never does on a supported JDK)
     */
    public static TlsIdentity generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keyPair = generator.generateKeyPair();
            X500Name name = new X500Name("CN=" + SERVER_NAME);
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(3650))), name, keyPair.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, SERVER_NAME)));
            // No BC provider on the converter: kwik reads the curve name from a JDK key object.
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate())));
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry(ALIAS, keyPair.getPrivate(), PASSWORD, new Certificate[] {certificate});
            return new TlsIdentity(keyPair, certificate, keyStore);
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("cannot generate the TLS certificate: " + e.getMessage(), e);
        }
    }

    /** The key pair. */
    public KeyPair keyPair() {
        return keyPair;
    }

    /** The self-signed certificate. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** An in-memory PKCS12 store holding the key under {@link #ALIAS} with {@link #PASSWORD}. */
    public KeyStore keyStore() {
        return keyStore;
    }

    /** The SubjectPublicKeyInfo encoding of the public key, as bound into peer authentication. */
    public byte[] publicKeyInfo() {
        return keyPair.getPublic().getEncoded();
    }
}
