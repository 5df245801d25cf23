package io.proberewriter.portexceptions;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import java.lang.reflect.Proxy;
import java.util.Optional;

/** The context JOSDK hands a reconciler's error handler after a failed attempt, for calling it without a failure. */
final class FailedAttempt {

    private FailedAttempt() {
    }

    /** A context that says which attempt failed, and whether JOSDK's retry allows no more. */
    @SuppressWarnings("unchecked")
    static <P extends HasMetadata> Context<P> context(int attempt, boolean last) {
        RetryInfo retry = new RetryInfo() {
            @Override
            public int getAttemptCount() {
                return attempt;
            }

            @Override
            public boolean isLastAttempt() {
                return last;
            }
        };
        return (Context<P>) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[] {Context.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getRetryInfo" -> Optional.of(retry);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
