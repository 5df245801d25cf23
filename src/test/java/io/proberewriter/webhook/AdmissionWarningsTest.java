package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.engine.Action;
import io.proberewriter.engine.ContainerRef;
import io.proberewriter.engine.ContainerSection;
import io.proberewriter.engine.ProbeDecision;
import io.proberewriter.engine.ProbeKind;
import io.proberewriter.engine.RewriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AdmissionWarningsTest {

    private static ProbeDecision broken(int container, ProbeKind kind) {
        return new ProbeDecision(new ContainerRef(ContainerSection.CONTAINERS, container, "c" + container), kind,
                Action.UNCHANGED, true, "port 8080 counts as under mTLS; left unchanged: mode off");
    }

    @Test
    void fiftyThousandDecisionsGiveTheCappedLinesAndCountTheRest() {
        List<ProbeDecision> decisions = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            decisions.add(broken(i, ProbeKind.values()[i % 3]));
        }
        RewriteResult result = new RewriteResult(decisions, List.of("a problem", "a problem", "another"), List.of(),
                new TreeMap<>());

        List<String> lines = AdmissionWarnings.of(result, "big", "shop", 20);

        assertEquals(20, lines.size());
        assertEquals("probe-rewriter: a problem", lines.get(0));
        assertEquals("probe-rewriter: another", lines.get(1));
        // The seeds' diagnostic once per kind of probe, then one line per decision.
        assertTrue(lines.get(2).startsWith("probe-rewriter: The pod big in namespace shop uses liveness probe"));
        assertTrue(lines.get(4).contains("uses startup probe"), lines.get(4));
        assertEquals("probe-rewriter: c0/liveness unchanged: port 8080 counts as under mTLS; left unchanged: mode off",
                lines.get(5));
        // 2 warnings + 3 diagnostics + 50,000 decisions, 19 of them shown.
        assertEquals("probe-rewriter: 49986 more: see the pod's probe-rewriter.io/status, or run probe-rewriter analyze"
                + " on its manifest", lines.get(19));
    }

    @Test
    void longLinesStopBeforeTheApiServersBudgetWithRoomForTheCount() {
        // The API server keeps 4,096 runes of warnings per request, every plugin's and webhook's together.
        List<String> long250 = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long250.add(i + " " + "é".repeat(300));
        }

        List<String> lines = AdmissionWarnings.limit(long250, 20);

        int total = lines.stream().mapToInt(l -> l.codePointCount(0, l.length())).sum();
        assertTrue(total <= AdmissionWarnings.MAX_TOTAL, total + " runes");
        assertTrue(lines.size() < 20, lines.size() + " lines");
        String last = lines.get(lines.size() - 1);
        assertEquals("probe-rewriter: " + (20 - (lines.size() - 1)) + " more: see the pod's probe-rewriter.io/status,"
                + " or run probe-rewriter analyze on its manifest", last);
        assertEquals(List.of(), AdmissionWarnings.limit(List.of(), 20));
    }

    @Test
    void aLineIsCutAtTheLimitWithoutSplittingACharacter() {
        // The cut falls inside the first emoji (two chars): it goes whole, and the line is one char shorter.
        String xs = "x".repeat(AdmissionWarnings.MAX_LENGTH - AdmissionWarnings.PREFIX.length() - 2);
        String cleaned = AdmissionWarnings.clean(xs + "😀😀" + "y".repeat(1_000_000));

        assertEquals(AdmissionWarnings.PREFIX + xs + "…", cleaned);
        assertFalse(Character.isHighSurrogate(cleaned.charAt(cleaned.length() - 2)), "half a character before the …");

        String oneShorter = AdmissionWarnings.clean(xs.substring(1) + "😀😀");
        assertEquals(AdmissionWarnings.PREFIX + xs.substring(1) + "😀…", oneShorter);
    }

    /**
     * A line the API server shows in a terminal (kubectl) and the log shows to an operator: a Unicode line separator
     * would break it in some viewers, and a bidirectional override would show a pod's name or path reversed.
     */
    @Test
    void lineSeparatorsAndBidirectionalControlsBecomeSpaces() {
        for (String unsafe : new String[] {"\u2028", "\u2029", "\u202a", "\u202e", "\u2066", "\u2069"}) {
            assertEquals("probe-rewriter: a b", AdmissionWarnings.clean("a" + unsafe + "b"), unsafe);
            String longLine = "x".repeat(300) + unsafe;
            assertEquals(-1, AdmissionWarnings.singleLine("", "a" + unsafe + longLine, 1_000).indexOf(unsafe),
                    "the long way too");
        }
        // Their neighbours are ordinary text: the zero-width joiner, the left-to-right mark, the narrow no-break space.
        for (String kept : new String[] {"\u200d", "\u200e", "\u202f", "\u2065", "\u206a"}) {
            assertEquals("probe-rewriter: a" + kept + "b", AdmissionWarnings.clean("a" + kept + "b"), kept);
        }
    }

    @Test
    void controlCharactersBecomeSpacesAndShortLinesStayWhole() {
        assertEquals("probe-rewriter: a b c", AdmissionWarnings.clean("a\nb\u0007c"));
        String exactly = "z".repeat(AdmissionWarnings.MAX_LENGTH - AdmissionWarnings.PREFIX.length());
        assertEquals(AdmissionWarnings.PREFIX + exactly, AdmissionWarnings.clean(exactly));
        // Short lines take a quicker way, which must see the same control characters (C1's and DEL included).
        for (String control : new String[] {"\u0000", "\u001f", "\u007f", "\u0085", "\u009f"}) {
            assertEquals("probe-rewriter: a b", AdmissionWarnings.clean("a" + control + "b"), control);
        }
        assertEquals("probe-rewriter: é😀 x", AdmissionWarnings.clean("é😀\tx"));
        String oneOver = exactly + "z";
        assertEquals(AdmissionWarnings.PREFIX + exactly.substring(1) + "…", AdmissionWarnings.clean(oneOver));
    }
}
