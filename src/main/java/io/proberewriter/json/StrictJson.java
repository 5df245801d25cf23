package io.proberewriter.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.util.regex.Pattern;

/**
 * Reading Kubernetes objects the way the API server does, shared by the CLI and the webhook: a number or a
 * boolean where a string belongs is an error (YAML turns an unquoted {@code off} into a boolean; Jackson would
 * quietly make it "false"), and parser messages are cut to what the sender can act on.
 */
public final class StrictJson {

    private static final Pattern SOURCE = Pattern.compile("\\s*\\(?(for [A-Za-z]+ starting )?at \\[Source:.*$",
            Pattern.DOTALL);
    private static final Pattern JAVA_TYPE = Pattern.compile("`[a-z][\\w.$]*\\.([A-Z]\\w*)(<[^`]*>)?`");

    private StrictJson() {
    }

    /** Turns off scalar-to-string coercion on {@code mapper} and returns it. */
    public static <M extends ObjectMapper> M refuseScalarsAsStrings(M mapper) {
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        return mapper;
    }

    /** The parser's message without the source excerpt or Java class names. */
    public static String message(JsonProcessingException e) {
        return message(e.getOriginalMessage());
    }

    public static String message(String message) {
        if (message == null) {
            return "unreadable input";
        }
        String first = message.lines().findFirst().orElse(message);
        return JAVA_TYPE.matcher(SOURCE.matcher(first).replaceAll("")).replaceAll("$1").strip();
    }
}
