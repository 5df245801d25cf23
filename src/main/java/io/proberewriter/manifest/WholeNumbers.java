package io.proberewriter.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Map;

/**
 * Numbers written with a fraction of zero ({@code periodSeconds: 10.0}) made whole, in place, as kubectl makes them
 * before it sends a manifest: its YAML-to-JSON step, and its unstructured objects, turn a float that holds a whole
 * number into that number, so the API server reads {@code 10} into an integer field, and refuses {@code 1.5}. With
 * whole numbers made whole first, the model's reader can refuse every fraction left where an integer belongs
 * ({@code StrictJson}), instead of Jackson cutting {@code 1.5} to {@code 1}.
 */
final class WholeNumbers {

    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private WholeNumbers() {
    }

    static void makeWhole(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                JsonNode whole = whole(field.getValue());
                if (whole != null) {
                    field.setValue(whole);
                } else {
                    makeWhole(field.getValue());
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode whole = whole(array.get(i));
                if (whole != null) {
                    array.set(i, whole);
                } else {
                    makeWhole(array.get(i));
                }
            }
        }
    }

    /**
     * The whole number {@code node} holds, when it is a number with a fraction of zero that fits in a long (no
     * integer field of Kubernetes is wider); null otherwise, and for NaN, infinities and {@code 1e1000000}, whose
     * exact value is never computed.
     */
    private static JsonNode whole(JsonNode node) {
        if (!node.isFloatingPointNumber() || !Double.isFinite(node.doubleValue())) {
            return null;
        }
        BigDecimal value = node.decimalValue();
        if (value.compareTo(LONG_MIN) < 0 || value.compareTo(LONG_MAX) > 0) {
            return null;
        }
        try {
            long whole = value.longValueExact();
            return whole == (int) whole ? IntNode.valueOf((int) whole) : LongNode.valueOf(whole);
        } catch (ArithmeticException notWhole) {
            return null;
        }
    }
}
