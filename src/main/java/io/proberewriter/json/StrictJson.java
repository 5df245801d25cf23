package io.proberewriter.json;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.regex.Pattern;

/**
 * Reading Kubernetes objects the way the API server does, shared by the CLI and the webhook: a number or a
 * boolean where a string belongs is an error (YAML turns an unquoted {@code off} into a boolean; Jackson would
 * quietly make it "false"), and so is a string or a fraction where an integer belongs (Go's decoder refuses
 * {@code "80"} and {@code 1.5} for an int32; Jackson would make them 80 and 1), a null item of a list or value of a
 * map is the type's zero value, and parser messages are cut to what the sender can act on. (kubectl sends
 * {@code 10.0} as {@code 10}: the CLI makes such numbers whole before reading them, {@code manifest.WholeNumbers}.)
 */
public final class StrictJson {

    /** What a port (or any other {@code IntOrString} field) takes: Kubernetes' words for it. */
    public static final String INT_OR_STRING = "an integer or a string";

    private static final Pattern SOURCE = Pattern.compile("\\s*\\(?(for [A-Za-z]+ starting )?at \\[Source:.*$",
            Pattern.DOTALL);
    private static final Pattern JAVA_TYPE = Pattern.compile("`[a-z][\\w.$]*\\.([A-Z]\\w*)(<[^`]*>)?`");

    private StrictJson() {
    }

    /**
     * Turns off the coercions Kubernetes does not make on {@code mapper}, scalars into strings and strings or
     * fractions into integers, and returns it.
     */
    public static <M extends ObjectMapper> M refuseCoercedScalars(M mapper) {
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        return mapper;
    }

    /**
     * Makes {@code mapper} read a null item of a list, or a null value of a map, as the API server's Go decoder does:
     * as the zero value of its type, an empty object or "" ({@code ports: [null]} is one port with no name and no
     * number, which validation later refuses). The item keeps its place, so indices into the list (and the patches
     * built on them) still point at the document's own items; the engine never meets a null where Kubernetes has
     * none. Returns {@code mapper}.
     */
    public static <M extends ObjectMapper> M readNullItemsAsZeroValues(M mapper) {
        mapper.setDefaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.AS_EMPTY));
        return mapper;
    }

    /** The parser's message without the source excerpt or Java class names. */
    public static String message(JsonProcessingException e) {
        if (refusedByIntOrString(e)) {
            return "expected " + INT_OR_STRING;
        }
        return message(e.getOriginalMessage());
    }

    /**
     * Whether {@code e} is fabric8's {@code IntOrString} refusing its value (a boolean, a fraction, a list, an integer
     * too large for it): Jackson reports that as a failed constructor, "Cannot construct instance of IntOrString",
     * which names the Java class and not what the field takes.
     */
    public static boolean refusedByIntOrString(JsonProcessingException e) {
        return e instanceof ValueInstantiationException failed && failed.getType() != null
                && failed.getType().getRawClass() == IntOrString.class;
    }

    public static String message(String message) {
        if (message == null) {
            return "unreadable input";
        }
        String first = message.lines().findFirst().orElse(message);
        return JAVA_TYPE.matcher(SOURCE.matcher(first).replaceAll("")).replaceAll("$1").strip();
    }
}
