package io.proberewriter.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Settings of one concern that parse but make no sense, for {@link SettingsCheck} to refuse at startup together
 * with the others. Each package with a configuration mapping of its own contributes a bean.
 */
public interface SettingsProblems {

    List<String> problems();

    /** "property=value must be at least minimum (ENVIRONMENT_VARIABLE)", when the duration is shorter. */
    static Optional<String> atLeast(String property, Duration value, Duration minimum) {
        if (value.compareTo(minimum) >= 0) {
            return Optional.empty();
        }
        String variable = property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        return Optional.of(property + "=" + value + " must be at least " + minimum + " (" + variable + ")");
    }
}
