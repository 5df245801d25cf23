package io.proberewriter.webhook;

import io.proberewriter.engine.IncompatibleProbeMessage;
import io.proberewriter.engine.ProbeDecision;
import io.proberewriter.engine.RewriteResult;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The lines kubectl prints as "Warning: …" after an apply: what was rewritten and why, what was left alone
 * and why, and problems with the pod's annotations. Kubernetes asks for short single-line warnings: each is
 * cut at {@value #MAX_LENGTH} characters, control characters (which could come from annotation values) become
 * spaces, and past a maximum count one line says how many more there were.
 */
final class AdmissionWarnings {

    static final int MAX_LENGTH = 256;
    static final String PREFIX = "probe-rewriter: ";

    private AdmissionWarnings() {
    }

    /**
     * @param pod       the pod's name as the user knows it, for the seeds' diagnostic
     * @param namespace its namespace
     */
    static List<String> of(RewriteResult result, String pod, String namespace, int maxWarnings) {
        // Most actionable first: problems with the pod's settings, then what stays broken under mTLS (in the words
        // Istio documented; one line per probe kind), then one line per probe. Identical lines are said once.
        Set<String> lines = new LinkedHashSet<>(result.warnings());
        for (ProbeDecision decision : result.decisions()) {
            if (decision.staysBroken()) {
                lines.add(IncompatibleProbeMessage.format(pod, namespace, decision.kind()));
            }
        }
        for (ProbeDecision decision : result.decisions()) {
            lines.add(decision.key() + " " + decision.action().label() + ": " + decision.reason());
        }
        return limit(new ArrayList<>(lines), maxWarnings);
    }

    static List<String> of(String line) {
        return limit(List.of(line), 1);
    }

    static List<String> limit(List<String> lines, int maxWarnings) {
        List<String> out = new ArrayList<>();
        int keep = lines.size() <= maxWarnings ? lines.size() : Math.max(0, maxWarnings - 1);
        for (int i = 0; i < keep; i++) {
            out.add(clean(lines.get(i)));
        }
        if (keep < lines.size()) {
            out.add(clean((lines.size() - keep) + " more: see the pod's probe-rewriter.io/status, or run"
                    + " probe-rewriter analyze on its manifest"));
        }
        return out;
    }

    static String clean(String line) {
        StringBuilder out = new StringBuilder(PREFIX.length() + line.length());
        out.append(PREFIX);
        line.codePoints().forEach(cp -> out.appendCodePoint(Character.isISOControl(cp) ? ' ' : cp));
        if (out.length() > MAX_LENGTH) {
            out.setLength(MAX_LENGTH - 1);
            out.append('…');
        }
        return out.toString();
    }
}
