package io.proberewriter.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.tls.KeyMatch;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The certificate rules, on a clock of our own: bootstrap, steady state, both renewals and the CA overlap. */
class CertificatePlannerTest {

    private static final Duration CA_LIFE = Duration.ofDays(300);
    private static final Duration SERVING_LIFE = Duration.ofDays(30);
    private static final Duration PROPAGATION = Duration.ofMinutes(1);
    private static final List<String> NAMES = CertificatePlanner.serviceDnsNames("probe-rewriter", "system");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final CertificateIssuer issuer = new CertificateIssuer();
    private final CertificatePlanner planner = new CertificatePlanner(issuer, NAMES, CA_LIFE, SERVING_LIFE, PROPAGATION);

    /** What the Secrets hold after the plan is written, read back through the Secret layout. */
    private static CertificateState stored(CertificatePlan plan) {
        return CertificateSecrets.read(Optional.of(CertificateSecrets.caSecret("system", "ca", plan)),
                Optional.of(CertificateSecrets.servingSecret("system", "tls", plan)));
    }

    @Test
    void bootstrapMakesACaAndAServingCertificateForTheServiceNames() throws Exception {
        CertificatePlan plan = planner.plan(CertificateState.EMPTY, T0);

        assertEquals(List.of(plan.newestCa().certificate()), plan.trustedCas());
        assertTrue(plan.previousCa().isEmpty());
        X509Certificate serving = plan.serving().certificate();
        assertTrue(CertificatePlanner.signedBy(serving, plan.newestCa().certificate()), "signed by the new CA at once");
        assertEquals(Set.copyOf(NAMES), CertificatePlanner.dnsNamesOf(serving));
        assertEquals(Set.of("probe-rewriter.system.svc", "probe-rewriter.system.svc.cluster.local",
                "probe-rewriter.system", "probe-rewriter"), CertificatePlanner.dnsNamesOf(serving));
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), serving.getExtendedKeyUsage(), "server auth only");
        assertEquals(-1, serving.getBasicConstraints(), "not a CA");
        assertEquals(0, plan.newestCa().certificate().getBasicConstraints(), "a CA for end-entity certificates only");
        assertTrue(serving.getNotBefore().toInstant().isBefore(T0), "backdated for clocks a little behind");
        assertEquals(2, plan.reasons().size(), plan.reasons().toString());
    }

    @Test
    void aValidStateIsKeptAsItIs() {
        CertificatePlan first = planner.plan(CertificateState.EMPTY, T0);
        CertificatePlan again = planner.plan(stored(first), T0.plus(Duration.ofDays(5)));

        assertEquals(first.newestCa().certificate(), again.newestCa().certificate());
        assertEquals(first.serving().certificate(), again.serving().certificate());
        assertEquals(first.trustedCas(), again.trustedCas());
        assertTrue(again.reasons().isEmpty(), again.reasons().toString());
        assertEquals(RenewalTime.of(first.serving().certificate()), again.nextCheck(), "next: the serving renewal");
    }

    @Test
    void servingCertificateIsRenewedAtTwoThirdsOfItsLifeByTheSameCa() {
        CertificatePlan first = planner.plan(CertificateState.EMPTY, T0);
        Instant renewal = RenewalTime.of(first.serving().certificate());
        Duration life = Duration.between(first.serving().certificate().getNotBefore().toInstant(),
                first.serving().certificate().getNotAfter().toInstant());
        assertEquals(first.serving().certificate().getNotBefore().toInstant().plus(life.multipliedBy(2).dividedBy(3)),
                renewal);

        CertificatePlan before = planner.plan(stored(first), renewal.minusSeconds(1));
        assertEquals(first.serving().certificate(), before.serving().certificate());
        CertificatePlan at = planner.plan(stored(first), renewal);
        assertNotEquals(first.serving().certificate(), at.serving().certificate());
        assertEquals(first.newestCa().certificate(), at.newestCa().certificate());
        assertTrue(CertificatePlanner.signedBy(at.serving().certificate(), first.newestCa().certificate()));
    }

    @Test
    void caRenewalKeepsTheOldCaTrustedAndSigningUntilTheNewOneHasPropagated() {
        CertificatePlan first = planner.plan(CertificateState.EMPTY, T0);
        X509Certificate oldCa = first.newestCa().certificate();
        Instant caRenewal = RenewalTime.of(oldCa);
        // The serving certificate of the moment, renewed in the ordinary way until just before the CA renewal.
        CertificatePlan current = first;
        Instant now = T0;
        while (RenewalTime.of(current.serving().certificate()).isBefore(caRenewal)) {
            now = RenewalTime.of(current.serving().certificate());
            current = planner.plan(stored(current), now);
            assertEquals(oldCa, current.newestCa().certificate());
        }

        CertificatePlan rotated = planner.plan(stored(current), caRenewal);
        X509Certificate newCa = rotated.newestCa().certificate();
        assertNotEquals(oldCa, newCa);
        assertEquals(List.of(newCa, oldCa), rotated.trustedCas(), "both CAs trusted during the change");
        assertEquals(oldCa, rotated.previousCa().orElseThrow().certificate());

        // A serving renewal within the propagation delay is still signed by the old CA.
        CertificatePlan soon = planner.plan(stripServing(stored(rotated)), caRenewal.plusSeconds(10));
        assertTrue(CertificatePlanner.signedBy(soon.serving().certificate(), oldCa), "old CA signs while propagating");
        assertEquals(CertificateIssuer.issuedAt(newCa).plus(PROPAGATION), soon.nextCheck(),
                "looks again when the new CA may sign");

        CertificatePlan later = planner.plan(stripServing(stored(rotated)), caRenewal.plus(PROPAGATION).plusSeconds(1));
        assertTrue(CertificatePlanner.signedBy(later.serving().certificate(), newCa), "new CA signs once propagated");
        assertEquals(List.of(newCa, oldCa), later.trustedCas());

        // Serving certificates never outlive their CA, so the old CA can leave the bundle when it expires.
        assertFalse(soon.serving().certificate().getNotAfter().after(oldCa.getNotAfter()));
        Instant oldExpiry = oldCa.getNotAfter().toInstant();
        CertificatePlan afterExpiry = planner.plan(stored(later), oldExpiry);
        assertEquals(List.of(newCa), afterExpiry.trustedCas(), "the expired CA left the bundle");
        assertTrue(afterExpiry.previousCa().isEmpty());
        assertEquals(newCa, afterExpiry.newestCa().certificate());
    }

    @Test
    void servingCertificateForOtherNamesOrWithAForeignKeyIsReplaced() {
        CertificatePlan first = planner.plan(CertificateState.EMPTY, T0);
        CertificatePlanner otherService = new CertificatePlanner(issuer,
                CertificatePlanner.serviceDnsNames("other", "system"), CA_LIFE, SERVING_LIFE, PROPAGATION);
        CertificatePlan renamed = otherService.plan(stored(first), T0.plusSeconds(5));
        assertEquals(first.newestCa().certificate(), renamed.newestCa().certificate());
        assertNotEquals(first.serving().certificate(), renamed.serving().certificate());
        assertTrue(renamed.reasons().get(0).contains("does not name other.system.svc"), renamed.reasons().toString());

        CertificatePlan second = planner.plan(CertificateState.EMPTY, T0);
        CertificateState mismatched = new CertificateState(Optional.of(first.newestCa()), Optional.empty(),
                first.trustedCas(), Optional.of(new KeyPairWithCertificate(first.serving().certificate(),
                second.serving().key())));
        CertificatePlan repaired = planner.plan(mismatched, T0.plusSeconds(5));
        assertNotEquals(first.serving().certificate(), repaired.serving().certificate());
        assertTrue(KeyMatch.matches(repaired.serving().key(), repaired.serving().certificate()));
    }

    @Test
    void servingCertificateOfAnUntrustedCaIsReplaced() {
        CertificatePlan first = planner.plan(CertificateState.EMPTY, T0);
        CertificatePlan stranger = planner.plan(CertificateState.EMPTY, T0);
        CertificateState mixed = new CertificateState(Optional.of(first.newestCa()), Optional.empty(),
                first.trustedCas(), Optional.of(stranger.serving()));
        CertificatePlan plan = planner.plan(mixed, T0.plusSeconds(1));
        assertSame(first.newestCa(), plan.newestCa());
        assertTrue(CertificatePlanner.signedBy(plan.serving().certificate(), first.newestCa().certificate()));
    }

    @Test
    void aCaWhoseKeyDoesNotMatchIsReplacedAndTheServingCertificateWithIt() {
        CertificatePlan first = planner.plan(CertificateState.EMPTY, T0);
        CertificatePlan other = planner.plan(CertificateState.EMPTY, T0);
        CertificateState broken = new CertificateState(
                Optional.of(new KeyPairWithCertificate(first.newestCa().certificate(), other.newestCa().key())),
                Optional.empty(), List.of(), Optional.of(first.serving()));
        CertificatePlan plan = planner.plan(broken, T0.plusSeconds(1));
        assertNotEquals(first.newestCa().certificate(), plan.newestCa().certificate());
        assertTrue(plan.reasons().get(0).contains("unusable"), plan.reasons().toString());
        // The old CA certificate is not in the bundle (it was never read as trusted) and the serving one is new.
        assertTrue(CertificatePlanner.signedBy(plan.serving().certificate(), plan.newestCa().certificate()));
    }

    /**
     * Someone deletes the CA Secret (its key is gone). The CA the API server trusts now must stay in the bundle, and
     * the certificate it signed must go on being served, until the new CA has propagated: a serving certificate of
     * the new CA at once would be refused by an API server still holding the old caBundle.
     */
    @Test
    void aDeletedCaSecretKeepsTheOldCaTrustedAndItsCertificateServed() {
        CertificatePlan first = planner.plan(CertificateState.EMPTY, T0);
        Optional<io.fabric8.kubernetes.api.model.Secret> servingSecret =
                Optional.of(CertificateSecrets.servingSecret("system", "tls", first));
        List<X509Certificate> liveBundle = CertificateSecrets.fromCaBundle(CertificateSecrets.caBundle(first));
        assertEquals(first.trustedCas(), liveBundle, "the caBundle field reads back");

        Instant deleted = T0.plus(Duration.ofDays(5));
        CertificatePlan plan = planner.plan(CertificateSecrets.read(Optional.empty(), servingSecret, liveBundle), deleted);
        assertNotEquals(first.newestCa().certificate(), plan.newestCa().certificate(), "a new CA");
        assertEquals(List.of(plan.newestCa().certificate(), first.newestCa().certificate()), plan.trustedCas(),
                "the old CA stays trusted");
        assertEquals(first.serving().certificate(), plan.serving().certificate(), "still served");
    }

    @Test
    void aRenewalDueWhileTheOnlyCaWithAKeyIsNewWaitsForItsPropagation() {
        CertificatePlan first = planner.plan(CertificateState.EMPTY, T0);
        Optional<io.fabric8.kubernetes.api.model.Secret> servingSecret =
                Optional.of(CertificateSecrets.servingSecret("system", "tls", first));
        List<X509Certificate> liveBundle = first.trustedCas();
        Instant renewalDue = RenewalTime.of(first.serving().certificate()).plusSeconds(1);

        CertificatePlan lost = planner.plan(CertificateSecrets.read(Optional.empty(), servingSecret, liveBundle),
                renewalDue);
        assertEquals(first.serving().certificate(), lost.serving().certificate(), "not re-signed by an unpropagated CA");
        Instant signsFrom = CertificateIssuer.issuedAt(lost.newestCa().certificate()).plus(PROPAGATION);
        assertEquals(signsFrom, lost.nextCheck(), "looked at again when the new CA may sign");

        CertificateState stored = CertificateSecrets.read(
                Optional.of(CertificateSecrets.caSecret("system", "ca", lost)), servingSecret, lost.trustedCas());
        CertificatePlan later = planner.plan(stored, signsFrom.plusSeconds(1));
        assertTrue(CertificatePlanner.signedBy(later.serving().certificate(), lost.newestCa().certificate()),
                "renewed by the new CA once it has propagated");
        assertTrue(later.trustedCas().contains(first.newestCa().certificate()), "the old CA trusted until it expires");
    }

    /**
     * Serving certificates shorter-lived than the propagation delay (as in SelfManagedServeIT): the certificate the
     * new CA signed itself at bootstrap is renewed by it when due, without waiting for a propagation that the API
     * server already shows by trusting the current one.
     */
    @Test
    void aRenewalOfACertificateTheNewCaSignedItselfDoesNotWaitForPropagation() {
        CertificatePlanner shortLived = new CertificatePlanner(issuer, NAMES, CA_LIFE, Duration.ofSeconds(12),
                Duration.ofMinutes(1));
        CertificatePlan first = shortLived.plan(CertificateState.EMPTY, T0);
        Instant renewalDue = RenewalTime.of(first.serving().certificate());
        assertTrue(renewalDue.isBefore(CertificateIssuer.issuedAt(first.newestCa().certificate()).plusSeconds(60)),
                "due before the CA would count as propagated");
        CertificatePlan renewed = shortLived.plan(stored(first), renewalDue);
        assertNotEquals(first.serving().certificate(), renewed.serving().certificate(), "renewed when due");
        assertTrue(CertificatePlanner.signedBy(renewed.serving().certificate(), first.newestCa().certificate()));
    }

    /** The kept certificate of a lost CA expires before the new CA has propagated: looked at again when it expires. */
    @Test
    void aCertificateKeptForPropagationIsLookedAtAgainWhenItExpiresIfThatIsFirst() {
        CertificatePlanner slowPropagation = new CertificatePlanner(issuer, NAMES, CA_LIFE, SERVING_LIFE,
                Duration.ofDays(20));
        CertificatePlan first = slowPropagation.plan(CertificateState.EMPTY, T0);
        Optional<io.fabric8.kubernetes.api.model.Secret> servingSecret =
                Optional.of(CertificateSecrets.servingSecret("system", "tls", first));
        Instant renewalDue = RenewalTime.of(first.serving().certificate()).plusSeconds(1);
        CertificatePlan lost = slowPropagation.plan(
                CertificateSecrets.read(Optional.empty(), servingSecret, first.trustedCas()), renewalDue);
        assertEquals(first.serving().certificate(), lost.serving().certificate(), "kept while still valid");
        assertEquals(first.serving().certificate().getNotAfter().toInstant(), lost.nextCheck(), "until it expires");

        CertificateState stored = CertificateSecrets.read(
                Optional.of(CertificateSecrets.caSecret("system", "ca", lost)), servingSecret, lost.trustedCas());
        CertificatePlan expired = slowPropagation.plan(stored, lost.nextCheck());
        assertTrue(CertificatePlanner.signedBy(expired.serving().certificate(), lost.newestCa().certificate()),
                "never an expired certificate: the new CA signs even before it has propagated");
    }

    /**
     * An install moving from cert-manager to the operator: cert-manager's serving certificate names two of our four
     * DNS names (k8s/overlays/cert-manager), the host the API server dials among them, and its CA, whose key the
     * operator cannot use, is all the API server trusts. The certificate goes on being served until the operator's
     * new CA has been in the caBundle for the propagation delay: one of the new CA at once would be refused by an
     * API server still holding cert-manager's bundle.
     */
    @Test
    void certManagersCertificateIsServedUntilTheNewCaHasPropagated() {
        KeyPairWithCertificate certManagersCa = issuer.newCertificateAuthority("probe-rewriter-ca",
                T0.minus(Duration.ofDays(100)), Duration.ofDays(5 * 365));
        KeyPairWithCertificate certManagers = issuer.newServingCertificate(certManagersCa,
                List.of("probe-rewriter.system.svc", "probe-rewriter.system.svc.cluster.local"),
                T0.minus(Duration.ofDays(10)), Duration.ofDays(90));
        CertificateState migrated = new CertificateState(Optional.empty(), Optional.empty(),
                List.of(certManagersCa.certificate()), Optional.of(certManagers));

        CertificatePlan plan = planner.plan(migrated, T0);
        X509Certificate newCa = plan.newestCa().certificate();
        assertEquals(List.of(newCa, certManagersCa.certificate()), plan.trustedCas(), "both CAs in the bundle");
        assertEquals(certManagers.certificate(), plan.serving().certificate(), "not re-signed by an unpropagated CA");
        Instant signsFrom = CertificateIssuer.issuedAt(newCa).plus(PROPAGATION);
        assertEquals(signsFrom, plan.nextCheck(), "looked at again when the new CA may sign");
        assertTrue(plan.reasons().stream().anyMatch(r -> r.contains("kept until the new CA may sign")),
                plan.reasons().toString());

        CertificatePlan propagated = planner.plan(stored(plan), signsFrom);
        assertTrue(CertificatePlanner.signedBy(propagated.serving().certificate(), newCa), "the operator's CA signs");
        assertEquals(Set.copyOf(NAMES), CertificatePlanner.dnsNamesOf(propagated.serving().certificate()));
        assertTrue(propagated.trustedCas().contains(certManagersCa.certificate()), "trusted until it expires");

        Instant expired = certManagers.certificate().getNotAfter().toInstant();
        CertificatePlan late = planner.plan(migrated, expired);
        assertTrue(CertificatePlanner.signedBy(late.serving().certificate(), late.newestCa().certificate()),
                "an expired certificate is never kept, whatever its names");
    }

    /**
     * A certificate that does not name the host the API server dials ({@code <service>.<namespace>.svc}) would be
     * refused already: nothing is lost by replacing it at once, even with a CA that has not propagated.
     */
    @Test
    void aCertificateNotNamingTheDialledHostIsReplacedAtOnce() {
        KeyPairWithCertificate otherCa = issuer.newCertificateAuthority("probe-rewriter-ca", T0.minus(Duration.ofDays(1)),
                CA_LIFE);
        CertificateState clusterLocalOnly = new CertificateState(Optional.empty(), Optional.empty(),
                List.of(otherCa.certificate()), Optional.of(issuer.newServingCertificate(otherCa,
                List.of("probe-rewriter.system.svc.cluster.local"), T0, SERVING_LIFE)));
        CertificatePlan plan = planner.plan(clusterLocalOnly, T0.plusSeconds(5));
        assertTrue(CertificatePlanner.signedBy(plan.serving().certificate(), plan.newestCa().certificate()));
        assertTrue(plan.reasons().stream().anyMatch(r -> r.contains("does not name probe-rewriter.system.svc")),
                plan.reasons().toString());

        CertificateState wildcard = new CertificateState(Optional.empty(), Optional.empty(),
                List.of(otherCa.certificate()), Optional.of(issuer.newServingCertificate(otherCa,
                List.of("*.system.svc"), T0, SERVING_LIFE)));
        assertEquals(wildcard.serving().orElseThrow().certificate(),
                planner.plan(wildcard, T0.plusSeconds(5)).serving().certificate(),
                "a wildcard for the leftmost label names the host: kept while the new CA propagates");
        assertFalse(CertificatePlanner.namesHost("*.svc", "probe-rewriter.system.svc"), "one label only");
        assertTrue(CertificatePlanner.namesHost("Probe-Rewriter.System.svc", "probe-rewriter.system.svc"));
    }

    @Test
    void anExpiredServingCertificateIsReplacedAtOnce() {
        CertificatePlan first = planner.plan(CertificateState.EMPTY, T0);
        Instant expired = first.serving().certificate().getNotAfter().toInstant().plusSeconds(1);
        CertificatePlan plan = planner.plan(stored(first), expired);
        assertNotEquals(first.serving().certificate(), plan.serving().certificate());
        assertTrue(plan.reasons().stream().anyMatch(r -> r.contains("expired")), plan.reasons().toString());
    }

    @Test
    void servingValidityIsClippedToTheCa() {
        CertificatePlanner longServing = new CertificatePlanner(issuer, NAMES, Duration.ofDays(10),
                Duration.ofDays(100), PROPAGATION);
        CertificatePlan plan = longServing.plan(CertificateState.EMPTY, T0);
        assertEquals(plan.newestCa().certificate().getNotAfter(), plan.serving().certificate().getNotAfter());
    }

    @Test
    void pemRoundTripsAndRejectsGarbage() {
        CertificatePlan plan = planner.plan(CertificateState.EMPTY, T0);
        assertEquals(plan.trustedCas(), PemCodec.certificates(PemCodec.encode(plan.trustedCas())));
        // Compared by value: which JCA provider's key class (and PKCS#8 layout) comes back depends on the providers
        // installed, so neither equals() nor the encoding is stable.
        var decoded = (java.security.interfaces.ECPrivateKey) PemCodec.privateKey(PemCodec.encode(plan.serving().key()))
                .orElseThrow();
        assertEquals(((java.security.interfaces.ECPrivateKey) plan.serving().key()).getS(), decoded.getS());
        assertTrue(KeyMatch.matches(decoded, plan.serving().certificate()));
        assertTrue(PemCodec.encode(plan.serving().key()).startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8");
        assertTrue(PemCodec.certificates("not pem").isEmpty());
        assertTrue(PemCodec.privateKey("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new CertificatePlanner(issuer, List.of(), CA_LIFE,
                SERVING_LIFE, PROPAGATION));
    }

    private static CertificateState stripServing(CertificateState state) {
        return new CertificateState(state.newestCa(), state.previousCa(), state.trustedCas(), Optional.empty());
    }
}
