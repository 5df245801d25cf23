package io.proberewriter.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.mtls.MeshPolicies;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeshPolicyDocumentsTest {

    private static MeshPolicyDocuments read(String yaml) throws ManifestException {
        List<SourceDocument> documents = new ManifestReader().read("in.yaml", yaml);
        return MeshPolicyDocuments.read(documents, "shop", MeshPolicies::builder);
    }

    /** The resolver skips namespace-less PeerAuthentications; nothing ignored means the -n namespace was filled in. */
    @Test
    void policiesWithoutNamespaceBelongToTheDefaultNamespace() throws ManifestException {
        MeshPolicyDocuments mesh = read("""
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata:
                  name: default
                spec:
                  mtls: {mode: STRICT}
                ---
                apiVersion: authentication.istio.io/v1alpha1
                kind: MeshPolicy
                metadata:
                  name: default
                spec:
                  peers:
                  - mtls:
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 8080}]
                """);
        assertEquals(List.of(), mesh.warnings());
        assertEquals(List.of(), mesh.policies().ignored());
    }

    @Test
    void listItemsAreRead() throws ManifestException {
        MeshPolicyDocuments mesh = read("""
                apiVersion: v1
                kind: List
                items:
                - apiVersion: security.istio.io/v1
                  kind: PeerAuthentication
                  metadata: {name: bad}
                  spec: {mtls: {mode: sometimes}}
                """);
        assertEquals(1, mesh.warnings().size(), mesh.warnings().toString());
        assertTrue(mesh.warnings().get(0).startsWith("Warning: in.yaml, document 1 (List): ignored by the Istio "
                + "resolver: PeerAuthentication shop/bad"), mesh.warnings().get(0));
    }

    @Test
    void otherKindsAreNotRead() throws ManifestException {
        MeshPolicyDocuments mesh = read("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: d}
                spec: {trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
                """);
        assertEquals(List.of(), mesh.warnings());
        assertEquals(List.of(), mesh.policies().ignored());
    }

    @Test
    void unreadableServiceIsAWarningNotAFailure() throws ManifestException {
        MeshPolicyDocuments mesh = read("""
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {ports: 80}
                """);
        assertEquals(1, mesh.warnings().size(), mesh.warnings().toString());
        assertTrue(mesh.warnings().get(0).contains("(Service web): ignored by the Istio resolver: not a readable "
                + "Service"), mesh.warnings().get(0));
    }
}
