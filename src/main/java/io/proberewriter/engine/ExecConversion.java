package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.util.OptionalInt;

/**
 * Mode {@code exec}, the seeds' liveness command: the {@code httpGet} handler becomes an {@code exec} handler
 * that sends the same request to localhost from inside the container, where the sidecar does not intercept.
 * Every other probe field stays as it was, and exactly one handler remains.
 */
final class ExecConversion {

    private ExecConversion() {
    }

    static Outcome convert(Probe original, int port, ContainerSettings settings, String mtlsRule, String userAgent) {
        HTTPGetAction get = original.getHttpGet();
        String problem = LocalHttpCheck.problemWith(get);
        if (problem != null) {
            return new Outcome.Unchanged(true, mtlsRule + "; left unchanged: " + problem, problem);
        }
        LocalHttpCheck check = LocalHttpCheck.of(get, port, original.getTimeoutSeconds(), userAgent);
        HttpCheckCommand command = settings.execCommand().value().command();
        Probe rewritten = new ProbeBuilder(original)
                .withHttpGet(null)
                .withNewExec().withCommand(command.argv(check)).endExec()
                .build();
        String reason = mtlsRule + "; now runs " + command.executable() + " against " + check.url()
                + " inside the container (mode exec: " + settings.mode().source() + ")";
        return new Outcome.Rewritten(rewritten, Action.REWRITTEN_EXEC, reason, OptionalInt.empty());
    }
}
