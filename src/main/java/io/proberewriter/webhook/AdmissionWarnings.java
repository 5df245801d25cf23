package io.proberewriter.webhook;

import io.proberewriter.engine.Action;
import io.proberewriter.engine.IncompatibleProbeMessage;
import io.proberewriter.engine.ProbeDecision;
import io.proberewriter.engine.HandlerKind;
import io.proberewriter.engine.RewriteResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The lines kubectl prints as "Warning: …" after an apply: what was rewritten and why, what was left alone
 * and why, and problems with the pod's annotations. Kubernetes asks for short single-line warnings: each is
 * cut at {@value #MAX_LENGTH} characters, control characters (which could come from annotation values) become
 * spaces, and past a maximum count or a total length one line says how many more there were.
 *
 * <p>A pod may have tens of thousands of probes, so lines are formatted only once they are sure to be sent; the
 * rest are counted, not built.
 */
final class AdmissionWarnings {

    static final int MAX_LENGTH = 256;
    /**
     * All lines together, in characters (runes, as the API server counts them). The API server keeps 4,096 runes of
     * warnings per request for every admission plugin and webhook together: past that it cuts each to 256 and then
     * drops the rest, Pod Security's and later webhooks' included. Three quarters of it leaves them room.
     */
    static final int MAX_TOTAL = 3072;
    static final String PREFIX = "probe-rewriter: ";

    private AdmissionWarnings() {
    }

    /** The seeds' diagnostic for a kind of probe: the same words for every probe of that kind in the pod. */
    private record Incompatible(HandlerKind kind) {
    }

    /** One probe's decision; equal records make equal lines. */
    private record DecisionLine(String container, HandlerKind kind, Action action, String reason) {
        String text() {
            return ProbeDecision.probeKey(container, kind) + " " + action.label() + ": " + reason;
        }
    }

    /**
     * @param pod       the pod's name as the user knows it, for the seeds' diagnostic
     * @param namespace its namespace
     */
    static List<String> of(RewriteResult result, String pod, String namespace, int maxWarnings) {
        // Most actionable first: problems with the pod's settings, then what stays broken under mTLS (in the words
        // Istio documented; one line per probe kind), then one line per probe. Identical lines are said once.
        Set<Object> lines = new LinkedHashSet<>(result.warnings());
        for (ProbeDecision decision : result.decisions()) {
            if (decision.staysBroken()) {
                lines.add(new Incompatible(decision.kind()));
            }
        }
        for (ProbeDecision decision : result.decisions()) {
            lines.add(new DecisionLine(decision.container().name(), decision.kind(), decision.action(),
                    decision.reason()));
        }
        return limit(lines, line -> {
            if (line instanceof Incompatible incompatible) {
                return IncompatibleProbeMessage.format(pod, namespace, incompatible.kind());
            }
            return line instanceof DecisionLine decision ? decision.text() : (String) line;
        }, maxWarnings);
    }

    static List<String> of(String line) {
        return limit(List.of(line), 1);
    }

    static List<String> limit(List<String> lines, int maxWarnings) {
        return limit(lines, Function.identity(), maxWarnings);
    }

    /**
     * The first lines, formatted and cleaned; past {@code maxWarnings} lines or {@value #MAX_TOTAL} characters, one
     * line that counts the others (room for it is kept whenever more lines are to come).
     */
    private static <T> List<String> limit(Collection<T> lines, Function<T, String> format, int maxWarnings) {
        List<String> out = new ArrayList<>();
        int keepAtMost = lines.size() <= maxWarnings ? lines.size() : Math.max(0, maxWarnings - 1);
        int used = 0;
        int kept = 0;
        Iterator<T> it = lines.iterator();
        while (kept < keepAtMost) {
            String line = clean(format.apply(it.next()));
            int length = line.codePointCount(0, line.length());
            boolean last = kept + 1 == lines.size();
            if (used + length + (last ? 0 : MAX_LENGTH) > MAX_TOTAL) {
                break;
            }
            out.add(line);
            used += length;
            kept++;
        }
        if (kept < lines.size()) {
            out.add(clean((lines.size() - kept) + " more: see the pod's probe-rewriter.io/status, or run"
                    + " probe-rewriter analyze on its manifest"));
        }
        return out;
    }

    /** Reads no further than the line can show: a line may quote a value of megabytes. */
    static String clean(String line) {
        return singleLine(PREFIX, line, MAX_LENGTH);
    }

    /**
     * {@code prefix} then {@code text} on one line of at most {@code maxLength} chars: control characters (a
     * newline, a carriage return, an escape), Unicode line separators and bidirectional controls become spaces and a
     * longer text is cut with an ellipsis. Also for log lines that quote what a request sent, so that a newline in a
     * pod's name cannot forge a line of its own.
     */
    static String singleLine(String prefix, String text, int maxLength) {
        if (text.length() <= maxLength - prefix.length() && isPlain(text)) {
            // The usual line, short and printable: the same text as below, without building it a code point at a
            // time (a ten-container pod's thirty lines were a twentieth of its admission under C1).
            return prefix + text;
        }
        StringBuilder out = new StringBuilder(maxLength + 1);
        out.append(prefix);
        for (int i = 0; i < text.length() && out.length() <= maxLength; ) {
            int cp = text.codePointAt(i);
            out.appendCodePoint(unsafe(cp) ? ' ' : cp);
            i += Character.charCount(cp);
        }
        if (out.length() > maxLength) {
            out.setLength(maxLength - 1);
            if (Character.isHighSurrogate(out.charAt(maxLength - 2))) {
                out.setLength(maxLength - 2); // never leave half a character before the ellipsis
            }
            out.append('…');
        }
        return out.toString();
    }

    /** No unsafe character; every one is in the Basic Multilingual Plane, so a char test is the code point test. */
    private static boolean isPlain(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (unsafe(line.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * What must not reach a terminal or a log line from a request: control characters (C0, DEL, C1), the Unicode line
     * and paragraph separators, which some log viewers and terminals break a line on, and the bidirectional
     * embeddings, overrides and isolates, which can make a pod's name or a path display as something else.
     */
    private static boolean unsafe(int cp) {
        return Character.isISOControl(cp)
                || (cp >= '\u2028' && cp <= '\u202e') // line and paragraph separators, bidi embeddings and overrides
                || (cp >= '\u2066' && cp <= '\u2069'); // bidi isolates
    }
}
