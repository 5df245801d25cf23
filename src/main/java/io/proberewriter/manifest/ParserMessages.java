package io.proberewriter.manifest;

import java.util.regex.Pattern;

/** Parser messages shortened to what a user can act on: no parser internals, no Java class names. */
final class ParserMessages {

    private static final Pattern SOURCE_REFERENCE = Pattern.compile("\\s*\\(?(for [A-Za-z]+ starting )?at \\[Source:.*$",
            Pattern.DOTALL);
    private static final Pattern JAVA_TYPE = Pattern.compile("`[a-z][\\w.]*\\.([A-Z]\\w*)(<[^`]*>)?`");

    private ParserMessages() {
    }

    static String clean(String message) {
        if (message == null) {
            return "unreadable input";
        }
        String first = message.lines().findFirst().orElse(message);
        String withoutSource = SOURCE_REFERENCE.matcher(first).replaceAll("");
        return JAVA_TYPE.matcher(withoutSource).replaceAll("$1").strip();
    }
}
