package io.proberewriter.tls;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where the serving certificate comes from, as cert-manager's webhook has its {@code CertificateSource}: PEM files
 * that are checked for changes ({@link FilesCertificateSource}), or the operator's Secret, watched through the API
 * ({@link SecretCertificateSource}). A source reads versions and says when it cannot; {@link ServingCertificate}
 * judges each version (key match, validity) and hands it to the HTTPS server.
 */
public interface CertificateSource {

    /** Whether there is anything to follow: false where the HTTPS server has no TLS configuration (dev mode). */
    boolean configured();

    /** Why nothing is served before a first version has been judged. */
    String nothingServedYet();

    /**
     * The version there is when the HTTPS server starts, read at once; empty for a source whose versions arrive
     * later. Throws when the source must have one and cannot read it: the server cannot start without it.
     */
    Optional<CertificateVersion> initial();

    /** Follows the source: every version read from now on goes to {@code versions}, on a thread that may block. */
    void start(Consumer<CertificateVersion> versions);

    void stop();

    /**
     * What keeps the source from being read now while the certificate in service stays: files that cannot be
     * read, a Secret that was deleted.
     */
    Optional<String> problem();
}
