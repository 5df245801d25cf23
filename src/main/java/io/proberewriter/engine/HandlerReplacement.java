package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.util.List;

/**
 * A probe with its handler replaced and every other field as it was: the timings and thresholds, and the fields this
 * version of fabric8's model does not know (its additional properties), which a rewrite must not drop.
 *
 * <p>Made with the model's constructors rather than its builders: a builder copies the whole probe through maps of
 * nested builders, a quarter of what a ten-container pod's admission allocated. The constructors take every field, so
 * a field that a later model adds changes their signature and fails the build here, where a copy by setters would drop
 * it without a word. The values not replaced are shared with the original probe, which nothing changes afterwards.
 */
final class HandlerReplacement {

    private HandlerReplacement() {
    }

    /** The probe running {@code command} instead of its handler, whichever it was. */
    static Probe exec(Probe original, List<String> command) {
        ExecAction exec = new ExecAction(command);
        return withUnknownFieldsOf(original, new Probe(exec, original.getFailureThreshold(), null, null,
                original.getInitialDelaySeconds(), original.getPeriodSeconds(), original.getSuccessThreshold(), null,
                original.getTerminationGracePeriodSeconds(), original.getTimeoutSeconds()));
    }

    /** The HTTP probe sent to another port, its path, host, scheme and headers as they were. */
    static Probe httpGetPort(Probe original, IntOrString port) {
        HTTPGetAction was = original.getHttpGet();
        HTTPGetAction get = new HTTPGetAction(was.getHost(), was.getHttpHeaders(), was.getPath(), port,
                was.getScheme());
        was.getAdditionalProperties().forEach(get::setAdditionalProperty);
        return withUnknownFieldsOf(original, new Probe(original.getExec(), original.getFailureThreshold(),
                original.getGrpc(), get, original.getInitialDelaySeconds(), original.getPeriodSeconds(),
                original.getSuccessThreshold(), original.getTcpSocket(), original.getTerminationGracePeriodSeconds(),
                original.getTimeoutSeconds()));
    }

    private static Probe withUnknownFieldsOf(Probe original, Probe rewritten) {
        original.getAdditionalProperties().forEach(rewritten::setAdditionalProperty);
        return rewritten;
    }
}
