package io.proberewriter.cluster;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.HttpURLConnection;
import org.jboss.logging.Logger;

/**
 * The one rule for every informer of the webhook: the API server may be briefly unreachable, so a failed list or
 * watch is logged and retried, never given up, and the cache keeps what it had meanwhile.
 */
public final class RetryingInformers {

    private RetryingInformers() {
    }

    /** The informer hands over the client's failure wrapped (CompletionException): the cause says what it was. */
    static boolean forbidden(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException e && e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
                return true;
            }
        }
        return false;
    }

    /** Sets the retry-forever handler on a not yet started informer; logs as {@code log}, naming {@code what}. */
    public static <T> SharedIndexInformer<T> retryingForever(SharedIndexInformer<T> informer, Logger log, String what) {
        return informer.exceptionHandler((isStarted, failure) -> {
            log.warnf("%s watch failed, retrying: %s", what, failure.toString());
            return true;
        });
    }
}
