package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A body that is not well-formed UTF-8 is decoded as every other decoder does. A key holding a byte that UTF-8 never
 * has is a key of its own, never a known one: Jackson's symbol table pads the last four-byte group of a name with
 * 0xFF bytes, so {@code "readinessPro\xFFbe"} matched {@code "readinessProbe"} once a pod had taught the table that
 * name (a fuzz finding: the webhook rewrote a probe the pod does not have).
 */
class ReviewCodecInvalidUtf8Test {

    private static final String POD = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
            + "{\"uid\":\"u\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":\"CREATE\","
            + "\"namespace\":\"default\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
            + "\"spec\":{\"containers\":[{\"name\":\"app\",\"%s\":{\"tcpSocket\":{\"port\":8080}}}]}}}}";

    @Test
    void aKeyWithByte0xFfIsNotReadAsTheKnownKeyItsBytesPadTo() throws Exception {
        byte[] valid = String.format(POD, "readinessProbe").getBytes(StandardCharsets.UTF_8);
        assertNotNull(container(valid).getReadinessProbe(), "the valid key, which also teaches the symbol table");

        String[] around = String.format(POD, "@").split("@");
        ByteArrayOutputStream invalid = new ByteArrayOutputStream();
        invalid.writeBytes(around[0].getBytes(StandardCharsets.UTF_8));
        invalid.writeBytes("readinessPro".getBytes(StandardCharsets.UTF_8));
        invalid.write(0xFF);
        invalid.writeBytes("be".getBytes(StandardCharsets.UTF_8));
        invalid.writeBytes(around[1].getBytes(StandardCharsets.UTF_8));

        Container read = container(invalid.toByteArray());
        assertNull(read.getReadinessProbe(), "a key that is not readinessProbe was read as it");
        assertEquals("app", read.getName());
    }

    private static Container container(byte[] body) throws BadAdmissionRequest {
        return ReviewCodec.read(body).pod().getSpec().getContainers().get(0);
    }

    @Test
    void anOverlongFormIsDecodedAsEveryOtherDecoderDoes() throws Exception {
        // C0 9E is an overlong U+001E: Jackson's byte parser decoded it as that control character, the JDK's decoder
        // and the API server's make it U+FFFD, one per byte (a fuzz finding: the uid answered was not the one sent).
        String[] around = String.format(POD, "readinessProbe").replace("\"uid\":\"u\"", "\"uid\":\"u@v\"").split("@");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(around[0].getBytes(StandardCharsets.UTF_8));
        body.write(0xC0);
        body.write(0x9E);
        body.writeBytes(around[1].getBytes(StandardCharsets.UTF_8));
        assertFalse(ReviewCodec.canonicalizable(body.toByteArray()));
        assertEquals("u\uFFFD\uFFFDv", ReviewCodec.read(body.toByteArray()).uid());
    }

    @Test
    void aByte0xFfIsFoundAtEveryOffsetAndNoOtherByteIsTakenForIt() {
        byte[] text = "pod-ünïcødé-名前-😀-𝔘-and-some-ascii".getBytes(StandardCharsets.UTF_8);
        for (int length = 0; length <= text.length; length++) {
            byte[] body = new String(text, 0, length, StandardCharsets.UTF_8).replace("\uFFFD", "")
                    .getBytes(StandardCharsets.UTF_8);
            assertTrue(ReviewCodec.canonicalizable(body), "well-formed, " + body.length + " bytes");
            for (int at = 0; at < body.length; at++) {
                byte[] marked = body.clone();
                marked[at] = (byte) 0xFF;
                assertFalse(ReviewCodec.canonicalizable(marked), "0xFF at " + at + " of " + body.length);
            }
        }
        assertTrue(ReviewCodec.canonicalizable(new byte[ReviewCodec.SMALL_BODY_BYTES]));
        assertFalse(ReviewCodec.canonicalizable(new byte[ReviewCodec.SMALL_BODY_BYTES + 1]), "too large for the table");
    }
}
