package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The check agrees with the JDK's strict UTF-8 decoder on every sequence of up to two bytes, and on longer ones with
 * every lead and second byte (where the standard's table draws its special ranges) and the bytes after them at each
 * edge of the continuation range; alone, and across two eight-byte words.
 */
class WellFormedUtf8Test {

    /** Where a byte after the second stops or starts being a continuation byte. */
    private static final int[] EDGES = {0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xFF};

    private final CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    private final CharBuffer decoded = CharBuffer.allocate(64);

    /** Through the decoder's results rather than its exceptions, which cost a stack trace per ill-formed sequence. */
    private boolean jdkSaysWellFormed(byte[] bytes) {
        strict.reset();
        decoded.clear();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        return !strict.decode(in, decoded, true).isError() && !strict.flush(decoded).isError() && !in.hasRemaining();
    }

    private void assertAgrees(byte[] sequence) {
        // Alone, and behind and before ASCII bytes that put it across two eight-byte words; at the end of the
        // bytes, a sequence cut short has nothing after it.
        for (int before = 0; before <= 5; before += 5) {
            for (int after = 0; after <= 4; after += 4) {
                byte[] body = new byte[before + sequence.length + after];
                java.util.Arrays.fill(body, (byte) 'a');
                System.arraycopy(sequence, 0, body, before, sequence.length);
                assertEquals(jdkSaysWellFormed(body), WellFormedUtf8.check(body),
                        () -> "disagree on " + java.util.HexFormat.ofDelimiter(" ").formatHex(body));
            }
        }
    }

    @Test
    void agreesWithTheJdkOnEverySequenceOfUpToTwoBytesAndOnThreeByteOnes() {
        for (int a = 0; a < 256; a++) {
            assertAgrees(new byte[] {(byte) a});
            for (int b = 0; b < 256; b++) {
                assertAgrees(new byte[] {(byte) a, (byte) b});
            }
        }
        // Three bytes: every lead from 0xC0 on, every second byte, the edges as third.
        for (int a = 0xC0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                for (int c : EDGES) {
                    assertAgrees(new byte[] {(byte) a, (byte) b, (byte) c});
                }
            }
        }
    }

    @Test
    void agreesWithTheJdkOnFourByteSequencesAtEveryEdge() {
        for (int a = 0xE0; a < 256; a++) {
            for (int b = 0x80; b < 0xC0; b++) {
                for (int c : EDGES) {
                    for (int d : EDGES) {
                        assertAgrees(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
                    }
                }
            }
        }
    }

    @Test
    void textInEveryScriptIsWellFormedAndAnyTruncationOfItsLastCharacterIsNot() {
        byte[] text = "pod-ünïcødé-名前-😀-𝔘".getBytes(StandardCharsets.UTF_8);
        assertTrue(WellFormedUtf8.check(text));
        byte[] emoji = "😀".getBytes(StandardCharsets.UTF_8);
        for (int cut = 1; cut < emoji.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(emoji, cut);
            assertFalse(WellFormedUtf8.check(truncated), cut + " of " + emoji.length + " bytes");
        }
        assertTrue(WellFormedUtf8.check(new byte[0]));
    }
}
