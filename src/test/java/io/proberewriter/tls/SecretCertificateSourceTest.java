package io.proberewriter.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.proberewriter.polling.Eventually;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's Secret as a source, against a mock API server: each version of the one Secret it watches is
 * offered, readable or not said, a deletion is the source's problem until the Secret is back, and other Secrets are
 * none of its business.
 */
@EnableKubernetesMockClient(crud = true)
class SecretCertificateSourceTest {

    static final String NAMESPACE = "probe-rewriter-system";
    static final String NAME = "probe-rewriter-tls";
    static final Duration WATCH = Duration.ofSeconds(20);

    KubernetesClient client;
    Vertx vertx;
    SecretCertificateSource source;
    final List<CertificateVersion> offered = new CopyOnWriteArrayList<>();

    /** A Secret of the {@code kubernetes.io/tls} layout holding {@code pem}. */
    static Secret tlsSecret(String namespace, String name, DatedCertificates.Pem pem) {
        Base64.Encoder base64 = Base64.getEncoder();
        return new SecretBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withType("kubernetes.io/tls")
                .addToData(TlsSecretLayout.TLS_CERT,
                        base64.encodeToString(pem.certificate().getBytes(StandardCharsets.US_ASCII)))
                .addToData(TlsSecretLayout.TLS_KEY,
                        base64.encodeToString(pem.key().getBytes(StandardCharsets.US_ASCII)))
                .build();
    }

    private static DatedCertificates.Pem valid(String cn) {
        Instant now = Instant.now();
        return DatedCertificates.issue(cn, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
    }

    @BeforeEach
    void startWatching() {
        vertx = Vertx.vertx();
        source = new SecretCertificateSource(() -> client, vertx, NAMESPACE, NAME);
        source.start(offered::add);
    }

    @AfterEach
    void stopWatching() {
        source.stop();
        vertx.close();
    }

    private Optional<String> subject(CertificateVersion version) {
        return version.keyManager().get().flatMap(ServingCertificate::leaf)
                .map(c -> c.getSubjectX500Principal().getName());
    }

    private void awaitOffered(String subject) throws InterruptedException {
        Eventually.until(subject + " offered", WATCH, () -> !offered.isEmpty()
                && subject(offered.get(offered.size() - 1)).equals(Optional.of("CN=" + subject)));
    }

    @Test
    void everyVersionOfTheSecretIsOfferedAsItIs() throws Exception {
        assertEquals("no certificate yet from Secret " + NAMESPACE + "/" + NAME, source.nothingServedYet());
        assertEquals(Optional.empty(), source.initial(), "its versions come through the watch");

        client.secrets().inNamespace(NAMESPACE).resource(tlsSecret(NAMESPACE, NAME, valid("first"))).create();
        awaitOffered("first");
        Eventually.until("the watch open", WATCH, source::watching); // "first" may have come with the list
        client.secrets().inNamespace(NAMESPACE).resource(tlsSecret(NAMESPACE, NAME, valid("second"))).update();
        awaitOffered("second");

        CertificateVersion version = offered.get(offered.size() - 1);
        assertEquals("Secret " + NAMESPACE + "/" + NAME, version.origin());
        assertEquals(null, version.fingerprint(), "a watch reports changes only: every version is judged");
        assertEquals(Optional.empty(), source.problem());
    }

    @Test
    void aSecretThatDoesNotHoldACertificateAndKeyIsNotOffered() {
        Secret whole = tlsSecret(NAMESPACE, NAME, valid("half"));
        Secret certificateOnly = new SecretBuilder(whole)
                .withData(Map.of(TlsSecretLayout.TLS_CERT, whole.getData().get(TlsSecretLayout.TLS_CERT))).build();
        Secret notPem = new SecretBuilder(whole).withData(Map.of(
                TlsSecretLayout.TLS_CERT, Base64.getEncoder().encodeToString("not a certificate".getBytes()),
                TlsSecretLayout.TLS_KEY, whole.getData().get(TlsSecretLayout.TLS_KEY))).build();
        List<CertificateVersion> versions = new ArrayList<>();

        source.offer(certificateOnly, versions::add);
        source.offer(notPem, versions::add);

        assertEquals(List.of(), versions, "a Secret caught half-written is said in the log, not offered");
        source.offer(whole, versions::add);
        assertEquals(Optional.of("CN=half"), subject(versions.get(0)));
    }

    @Test
    void aDeletedSecretIsTheSourcesProblemUntilItIsBack() throws Exception {
        client.secrets().inNamespace(NAMESPACE).resource(tlsSecret(NAMESPACE, NAME, valid("first"))).create();
        awaitOffered("first");
        // "first" may have come with the list: the deletion must not fall between the list and the watch.
        Eventually.until("the watch open", WATCH, source::watching);

        client.secrets().inNamespace(NAMESPACE).withName(NAME).delete();
        Eventually.until("the deletion seen", WATCH, () -> source.problem().isPresent());
        assertEquals("Secret " + NAMESPACE + "/" + NAME
                + " was deleted; still serving the last certificate until it is back", source.problem().orElseThrow());
        assertEquals(1, offered.size(), "a deletion offers nothing");

        client.secrets().inNamespace(NAMESPACE).resource(tlsSecret(NAMESPACE, NAME, valid("back"))).create();
        awaitOffered("back");
        assertEquals(Optional.empty(), source.problem());
    }

    @Test
    void otherSecretsAreNotWatched() throws Exception {
        client.secrets().inNamespace(NAMESPACE).resource(tlsSecret(NAMESPACE, "someone-else", valid("other")))
                .create();
        client.secrets().inNamespace("elsewhere").resource(tlsSecret("elsewhere", NAME, valid("elsewhere")))
                .create();
        client.secrets().inNamespace(NAMESPACE).resource(tlsSecret(NAMESPACE, NAME, valid("ours"))).create();

        awaitOffered("ours");
        assertTrue(offered.stream().allMatch(v -> subject(v).equals(Optional.of("CN=ours"))), "offered: "
                + offered.stream().map(this::subject).toList());
    }
}
