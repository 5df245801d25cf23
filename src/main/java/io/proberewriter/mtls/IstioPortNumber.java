package io.proberewriter.mtls;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A port number in an Istio policy, read as istiod reads it: its protobuf JSON decoding takes the value (a number, or
 * the text of a string with its quotes dropped) as a JSON number into a uint32, which refuses a sign ("+80"), leading
 * zeros ("080"), a fraction or exponent ("80.0", "8e1"), and other scripts' digits that Java's readers would take
 * ("٨٠" as 80). Only 1 to 65535 name a port. Whoever reads a policy decides what a value that is no port does to it.
 */
final class IstioPortNumber {

    /** Decimal without sign, space or leading zero, at most five digits: checked against 65535 once parsed. */
    private static final Pattern DECIMAL = Pattern.compile("[1-9][0-9]{0,4}");

    private IstioPortNumber() {
    }

    /** @param value a String from JSON or YAML, or a Number (JSON numbers, maps built in code) */
    static Optional<Integer> parse(Object value) {
        String text = value instanceof Number || value instanceof String ? value.toString() : null;
        if (text == null || !DECIMAL.matcher(text).matches()) {
            return Optional.empty();
        }
        int port = Integer.parseInt(text);
        return port <= 65535 ? Optional.of(port) : Optional.empty();
    }
}
