package io.proberewriter.config;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Whether this process answers admissions on the HTTPS port. The webhook ({@code serve}) does. The operator
 * ({@code operate}) does not: the launcher switches Quarkus' listener off for it ({@code quarkus.http.host-enabled}),
 * so the process that holds write rights opens no port the cluster can reach, and it needs no serving certificate
 * of its own (it makes the webhook's).
 */
@Singleton
public class AdmissionPort {

    private final boolean listening;

    AdmissionPort(@ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true") boolean listening) {
        this.listening = listening;
    }

    public boolean listening() {
        return listening;
    }
}
