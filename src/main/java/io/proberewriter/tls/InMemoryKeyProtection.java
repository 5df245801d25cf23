package io.proberewriter.tls;

/**
 * How hard the JDK works to protect a private key inside a PKCS12 key store that never leaves the heap.
 *
 * <p>Vert.x turns a PEM certificate and key into a key manager by way of an in-memory key store of the JDK's default
 * type, PKCS12, under a password written in its own source; the key manager factory then reads the key back out. The
 * JDK's PKCS12 store (its defaults since JDK 12, and so in 17) encrypts each key it is given with PBES2, deriving the
 * key-encryption key with PBKDF2 over 10,000 iterations of HMAC-SHA256, and derives it again to decrypt: about 40,000 SHA-256 blocks per certificate
 * read. That is 90 ms of CPU once the JIT has compiled SHA-256 and several hundred milliseconds before it has, and
 * the webhook reads its certificate that way three times before its first answer (the TLS registry's key store, its
 * check of it, the serving certificate's reloader) and again on every rotation. A derivation protects a key written
 * to disk from whoever reads the file; this store is never written, and anyone who can read the heap can read the
 * key, so the iterations protect nothing. One iteration keeps the same format and costs nothing.
 *
 * <p>The JDK reads the count from the system property {@value #ITERATION_COUNT} (which outranks the security property
 * of the same name) whenever it encrypts a key, so it must be set before the first certificate is read: the launcher
 * sets it before the application starts. A value given on the command line ({@code -D}) is kept. The process never
 * writes a key store to disk: the operator writes its certificates to Secrets as PEM.
 */
public final class InMemoryKeyProtection {

    /** The JDK's property for the PBE iteration count of keys put into a PKCS12 key store. */
    static final String ITERATION_COUNT = "keystore.pkcs12.keyPbeIterationCount";

    /** The count used unless the command line sets one. */
    static final String IN_MEMORY_ITERATION_COUNT = "1";

    private InMemoryKeyProtection() {
    }

    /** Sets the PBE iteration count for in-memory key stores, unless the command line has set it. */
    public static void applyUnlessSet() {
        if (System.getProperty(ITERATION_COUNT) == null) {
            System.setProperty(ITERATION_COUNT, IN_MEMORY_ITERATION_COUNT);
        }
    }
}
