package io.proberewriter.tls;

import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * One version of the serving certificate and its key, as a {@link CertificateSource} read it, offered to
 * {@link ServingCertificate}, which decides whether it is served.
 *
 * @param origin      where it was read, for messages: {@code files … and …}, {@code Secret namespace/name}
 * @param fingerprint identifies the version for a source that reads the same version again and again (files checked
 *                    every period): a version judged once is not judged, nor reported, again. Null for a source that
 *                    only reports changes (a watch)
 * @param keyManager  reads the certificate and key, only when the version is judged; empty when they cannot be read
 * @param refusedAs   how a refusal of this version starts in the log and the readiness data
 * @param servedAs    how taking it into service starts in the log
 */
public record CertificateVersion(String origin, byte[] fingerprint,
                                 Supplier<Optional<X509ExtendedKeyManager>> keyManager, String refusedAs,
                                 String servedAs) {
}
