package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.NamespaceView;
import io.proberewriter.engine.ProbeRewriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The answer as the API server decodes it: the patch is the JSON patch's UTF-8 bytes in standard base64 (Go's
 * {@code encoding/json} decodes a {@code []byte} with padding and without line breaks), written once, under
 * {@code patch}, beside {@code patchType}; a client that reads the answer into fabric8's model finds it in the model's
 * own field.
 */
class ReviewCodecAnswerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Jackson's tree keeps the last of duplicate keys; this reader refuses them instead. */
    private static final ObjectReader ONE_OF_EACH_KEY = JSON.reader()
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final PodMutator MUTATOR = new PodMutator(
            new ProbeRewriter(GlobalSettings.defaults(), new AssumeAllMtlsOracle()), 10);

    /** A probe path outside ASCII, so that the patch's bytes are UTF-8 of more than one byte per character. */
    private static final String POD = """
            {"metadata":{"name":"café","annotations":{"note":"ünïcode ✓"}},
             "spec":{"containers":[{"name":"app","image":"example/app:1",
               "livenessProbe":{"httpGet":{"path":"/santé/✓?q=a+b","port":8080}},
               "readinessProbe":{"httpGet":{"path":"/ready","port":8080}}}]}}""";

    @Test
    void thePatchIsItsBytesInStandardBase64WrittenOnce() throws Exception {
        Mutation mutation = MUTATOR.mutate(JSON.readValue(POD, Pod.class), NamespaceView.unknown("default"), "café");
        assertEquals(Outcome.PATCHED, mutation.outcome());

        byte[] answer = ReviewCodec.write("uid-1", mutation);

        JsonNode response = ONE_OF_EACH_KEY.readTree(answer).get("response");
        assertEquals("JSONPatch", response.get("patchType").asText());
        String base64 = response.get("patch").asText();
        assertTrue(base64.matches("[A-Za-z0-9+/]*={0,2}") && base64.length() % 4 == 0,
                "standard base64, padded, no line breaks: " + base64);
        byte[] patch = Base64.getDecoder().decode(base64);
        assertArrayEquals(mutation.patch().orElseThrow().toJson(), patch);
        assertTrue(new String(patch, StandardCharsets.UTF_8).contains("✓"), "the probe's path, as UTF-8");

        AdmissionReview read = JSON.readValue(answer, AdmissionReview.class);
        assertEquals(base64, read.getResponse().getPatch());
        assertTrue(read.getResponse().getAdditionalProperties().isEmpty(),
                "nothing but the model's own fields: " + read.getResponse().getAdditionalProperties());
        assertEquals("uid-1", read.getResponse().getUid());
        assertTrue(read.getResponse().getAllowed());
    }

    @Test
    void anAnswerWithoutAPatchHasNeitherPatchNorItsType() throws Exception {
        Mutation mutation = MUTATOR.mutate(JSON.readValue("""
                {"metadata":{"name":"p"},"spec":{"containers":[{"name":"app","image":"example/app:1"}]}}""",
                Pod.class), NamespaceView.unknown("default"), "p");
        assertFalse(mutation.patch().isPresent());

        JsonNode response = JSON.readTree(ReviewCodec.write("uid-2", mutation)).get("response");

        assertNull(response.get("patch"));
        assertNull(response.get("patchType"));
        assertEquals("uid-2", response.get("uid").asText());
    }
}
