package io.proberewriter.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Quantity;
import io.proberewriter.json.Mappers;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The prober's init container, wherever a golden case's expected output has one, is admitted by the policies pods
 * meet: the <em>restricted</em> Pod Security Standard (checked as the API server's PodSecurity admission checks a
 * container, with the pod's own security context where the container leaves a field to it), and OpenShift's default
 * constraint {@code restricted-v2}, which refuses a user id outside the namespace's range: so the container names
 * none, except in a pod that runs as root, where it must (its {@code runAsNonRoot} would stop it otherwise); and the
 * API server's validation of pod-level resources.
 */
class InjectedInitContainerPolicyTest {

    private static final String INIT_CONTAINER = "probe-rewriter-prober";

    private record Site(String where, JsonNode podSpec, JsonNode container) {
    }

    private static List<Site> injectedInitContainers() throws IOException {
        List<Site> sites = new ArrayList<>();
        for (GoldenCase c : GoldenCase.all().toList()) {
            try (var parser = Mappers.MANIFEST_YAML_READER.createParser(Files.readString(c.expected()))) {
                Iterator<JsonNode> documents = Mappers.MANIFEST_YAML_READER.readValues(parser, JsonNode.class);
                int number = 0;
                while (documents.hasNext()) {
                    number++;
                    collect(c.name() + ", document " + number, documents.next(), sites);
                }
            }
        }
        return sites;
    }

    /** Every object with {@code initContainers} is a pod spec, at whatever depth a workload or List holds it. */
    private static void collect(String where, JsonNode node, List<Site> sites) {
        if (node.isObject()) {
            for (JsonNode init : node.path("initContainers")) {
                if (INIT_CONTAINER.equals(init.path("name").asText())) {
                    sites.add(new Site(where, node, init));
                }
            }
            for (Map.Entry<String, JsonNode> field : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
                collect(where, field.getValue(), sites);
            }
        } else if (node.isArray()) {
            node.forEach(item -> collect(where, item, sites));
        }
    }

    /** The container's field, else the pod's: how PodSecurity reads runAsNonRoot, runAsUser and seccompProfile. */
    private static JsonNode effective(Site site, String field) {
        JsonNode own = site.container().path("securityContext").path(field);
        return own.isMissingNode() || own.isNull() ? site.podSpec().path("securityContext").path(field) : own;
    }

    /** PodSecurity's restricted checks that concern a container, in its words. */
    private static List<String> restrictedViolations(Site site) {
        List<String> out = new ArrayList<>();
        JsonNode sc = site.container().path("securityContext");
        if (sc.path("privileged").asBoolean(false)) {
            out.add("privileged");
        }
        if (!sc.path("allowPrivilegeEscalation").isBoolean() || sc.path("allowPrivilegeEscalation").asBoolean()) {
            out.add("allowPrivilegeEscalation != false");
        }
        List<String> drop = new ArrayList<>();
        sc.path("capabilities").path("drop").forEach(d -> drop.add(d.asText()));
        if (!drop.contains("ALL")) {
            out.add("unrestricted capabilities (drop must include ALL)");
        }
        sc.path("capabilities").path("add").forEach(a -> {
            if (!a.asText().equals("NET_BIND_SERVICE")) {
                out.add("capability added: " + a.asText());
            }
        });
        if (!effective(site, "runAsNonRoot").asBoolean(false)) {
            out.add("runAsNonRoot != true");
        }
        if (effective(site, "runAsUser").isIntegralNumber() && effective(site, "runAsUser").asLong() == 0) {
            out.add("runAsUser=0");
        }
        String seccomp = effective(site, "seccompProfile").path("type").asText("");
        if (!Set.of("RuntimeDefault", "Localhost").contains(seccomp)) {
            out.add("seccompProfile.type not RuntimeDefault or Localhost");
        }
        return out;
    }

    @Test
    void theRestrictedPodSecurityStandardAdmitsIt() throws IOException {
        List<Site> sites = injectedInitContainers();
        assertTrue(sites.size() >= 20, "injected init containers in the golden outputs: " + sites.size());
        List<String> refused = new ArrayList<>();
        for (Site site : sites) {
            List<String> violations = restrictedViolations(site);
            if (!violations.isEmpty()) {
                refused.add(site.where() + ": " + violations);
            }
        }
        assertEquals(List.of(), refused);
    }

    /** The API server's validation of pod-level resources: requests covering it, no limit above the pod's. */
    @Test
    void itFitsInThePodsOwnResources() throws IOException {
        int budgeted = 0;
        for (Site site : injectedInitContainers()) {
            JsonNode pod = site.podSpec().path("resources");
            if (pod.isMissingNode()) {
                continue;
            }
            budgeted++;
            for (String kind : List.of("requests", "limits")) {
                for (String resource : List.of("cpu", "memory")) {
                    JsonNode bound = pod.path(kind).path(resource);
                    JsonNode own = site.container().path("resources").path(kind).path(resource);
                    if (!bound.isMissingNode()) {
                        assertTrue(new Quantity(own.asText()).getNumericalAmount()
                                        .compareTo(new Quantity(bound.asText()).getNumericalAmount()) <= 0,
                                site.where() + ": " + kind + "." + resource + " " + own + " above the pod's " + bound);
                    }
                }
            }
        }
        assertTrue(budgeted >= 2, "golden pods with pod-level resources: " + budgeted);
    }

    @Test
    void itNamesAUserOnlyInAPodThatRunsAsRoot() throws IOException {
        int asRoot = 0;
        for (Site site : injectedInitContainers()) {
            JsonNode podUser = site.podSpec().path("securityContext").path("runAsUser");
            boolean podRunsAsRoot = podUser.isIntegralNumber() && podUser.asLong() == 0;
            JsonNode own = site.container().path("securityContext");
            if (podRunsAsRoot) {
                asRoot++;
                assertEquals(65532, own.path("runAsUser").asLong(), site.where());
                assertEquals(65532, own.path("runAsGroup").asLong(), site.where());
            } else {
                assertTrue(own.path("runAsUser").isMissingNode() && own.path("runAsGroup").isMissingNode(),
                        site.where() + ": restricted-v2 refuses a user id outside the namespace's range: " + own);
            }
        }
        assertTrue(asRoot >= 1, "a golden case has a pod running as root");
    }
}
