package io.proberewriter.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Numbers written with a fraction of zero ({@code periodSeconds: 10.0}) made whole, in place, as kubectl makes them
 * before it sends a manifest: its YAML-to-JSON step, and its unstructured objects, turn a float that holds a whole
 * number into that number, so the API server reads {@code 10} into an integer field, and refuses {@code 1.5}. With
 * whole numbers made whole first, the model's reader can refuse every fraction left where an integer belongs
 * ({@code StrictJson}), instead of Jackson cutting {@code 1.5} to {@code 1}.
 */
final class WholeNumbers {

    private WholeNumbers() {
    }

    static void makeWhole(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.properties().forEach(field -> field.setValue(madeWhole(field.getValue())));
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, madeWhole(array.get(i)));
            }
        }
    }

    private static JsonNode madeWhole(JsonNode node) {
        if (!node.isFloatingPointNumber()) {
            makeWhole(node);
            return node;
        }
        // NaN and the infinities have no decimal value. longValueExact refuses a fraction, and a number of more than
        // 19 digits (no integer field of Kubernetes is wider than a long) from its precision and scale alone, so
        // 1e1000000 is never expanded.
        if (!Double.isFinite(node.doubleValue())) {
            return node;
        }
        try {
            return JsonNodeFactory.instance.numberNode(node.decimalValue().longValueExact());
        } catch (ArithmeticException notWhole) {
            return node;
        }
    }
}
