package io.proberewriter.json;

import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which strings the manifests we write must quote so that kubectl reads them back as strings. kubectl reads YAML with
 * go-yaml v2's rules (YAML 1.1), under which more plain scalars are numbers than Jackson's own checker quotes:
 * {@code 1_000} (underscores are dropped), {@code 0x10}, {@code 0o17}, {@code 0b101}, {@code 1e3}, {@code .inf}. An
 * annotation {@code "1e3"} written bare would come back as the number 1000, and the API server would refuse the
 * manifest. Quoting one more string than needed is harmless; one fewer changes the manifest.
 */
public final class KubectlYamlQuoting extends StringQuotingChecker.Default {

    private static final long serialVersionUID = 1L;

    /** go-yaml v2's plain scalars that are null, booleans, special floats or the merge key, not strings. */
    private static final Set<String> RESOLVED = Set.of("~", "null", "Null", "NULL",
            "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE",
            "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE",
            ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
            "<<");

    /** What Go's {@code strconv.ParseInt(s, 0, 64)} reads, overflow aside (quoted too: harmless). */
    private static final Pattern GO_INTEGER =
            Pattern.compile("[-+]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[0-9]+)");

    /** go-yaml v2's {@code yamlStyleFloat}. */
    private static final Pattern YAML_FLOAT =
            Pattern.compile("[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?");

    @Override
    public boolean needToQuoteValue(String value) {
        return super.needToQuoteValue(value) || readAsOtherThanString(value) || holdsYamlOnlyLineBreak(value);
    }

    @Override
    public boolean needToQuoteName(String name) {
        // A key kubectl reads as a number or a boolean becomes that value's text in JSON ("0x10" becomes "16").
        return super.needToQuoteName(name) || readAsOtherThanString(name) || holdsYamlOnlyLineBreak(name);
    }

    /**
     * NEL, LS and PS are line breaks to YAML 1.1 (go-yaml's and SnakeYAML's), which SnakeYAML's writer leaves as they
     * are in a plain or single-quoted scalar, where the reader folds them into a space. Only double quotes escape them.
     */
    static boolean holdsYamlOnlyLineBreak(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0085' || c == '\u2028' || c == '\u2029') {
                return true;
            }
        }
        return false;
    }

    /** Whether go-yaml v2 reads {@code plain}, written without quotes, as anything but that string. */
    static boolean readAsOtherThanString(String plain) {
        if (plain.isEmpty() || RESOLVED.contains(plain)) {
            return true;
        }
        char first = plain.charAt(0);
        if (first == '.') {
            return YAML_FLOAT.matcher(plain).matches();
        }
        if (first == '+' || first == '-' || (first >= '0' && first <= '9')) {
            // go-yaml drops every underscore of a number-like scalar before it parses it.
            String number = plain.replace("_", "");
            return GO_INTEGER.matcher(number).matches() || YAML_FLOAT.matcher(number).matches();
        }
        return false;
    }
}
