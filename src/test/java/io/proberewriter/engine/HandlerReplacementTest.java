package io.proberewriter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A rewritten probe keeps every field but its handler: each field fabric8's model knows (the sample must set them
 * all, so that a field a later model adds fails here until it is in the sample) and the ones it does not.
 */
class HandlerReplacementTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every field of a probe, every handler among them, and a field no model knows yet. */
    private static final String EVERY_FIELD = """
            {"exec":{"command":["true"]},
             "httpGet":{"host":"10.0.0.1","path":"/healthz","port":"http","scheme":"HTTP",
                        "httpHeaders":[{"name":"X-Probe","value":"1"}],"futureGetField":"kept"},
             "tcpSocket":{"port":8081},"grpc":{"port":9090,"service":"health"},
             "initialDelaySeconds":1,"periodSeconds":2,"timeoutSeconds":3,"successThreshold":4,"failureThreshold":5,
             "terminationGracePeriodSeconds":6,"futureProbeField":{"kept":true}}""";

    private static final Set<String> HANDLERS = Set.of("exec", "httpGet", "tcpSocket", "grpc");

    @Test
    void theSampleSetsEveryFieldTheModelKnows() throws Exception {
        assertEquals(propertiesOf(Probe.class), new TreeSet<>(fieldNames(EVERY_FIELD, "futureProbeField")));
        assertEquals(propertiesOf(HTTPGetAction.class),
                new TreeSet<>(fieldNames(JSON.readTree(EVERY_FIELD).get("httpGet").toString(), "futureGetField")));
    }

    @Test
    void execReplacesEveryHandlerAndKeepsTheRest() throws Exception {
        Probe original = JSON.readValue(EVERY_FIELD, Probe.class);

        Probe rewritten = HandlerReplacement.exec(original, List.of("/probe-rewriter/prober", "http", "8080"));

        ObjectNode expected = JSON.readValue(EVERY_FIELD, ObjectNode.class);
        expected.remove(HANDLERS);
        expected.putObject("exec").putArray("command").add("/probe-rewriter/prober").add("http").add("8080");
        assertEquals(expected, asRead(rewritten));
        assertEquals(JSON.readTree(EVERY_FIELD), asRead(original), "the original is left as it was");
    }

    @Test
    void httpGetPortChangesThePortAlone() throws Exception {
        Probe original = JSON.readValue(EVERY_FIELD, Probe.class);

        Probe rewritten = HandlerReplacement.httpGetPort(original, new IntOrString(15021));

        ObjectNode expected = JSON.readValue(EVERY_FIELD, ObjectNode.class);
        ((ObjectNode) expected.get("httpGet")).put("port", 15021);
        assertEquals(expected, asRead(rewritten));
        assertEquals(JSON.readTree(EVERY_FIELD), asRead(original), "the original is left as it was");
    }

    /** As the probe reads once written: a tree of it would hold a long where the text read back holds an int. */
    private static Object asRead(Probe probe) throws Exception {
        return JSON.readTree(JSON.writeValueAsString(probe));
    }

    private static Set<String> propertiesOf(Class<?> type) {
        BeanDescription description = JSON.getSerializationConfig().introspect(JSON.constructType(type));
        Set<String> names = new TreeSet<>();
        for (BeanPropertyDefinition property : description.findProperties()) {
            names.add(property.getName());
        }
        return names;
    }

    private static Set<String> fieldNames(String object, String unknown) throws Exception {
        Set<String> names = new TreeSet<>();
        JSON.readTree(object).fieldNames().forEachRemaining(names::add);
        names.remove(unknown);
        return names;
    }
}
