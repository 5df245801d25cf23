package io.proberewriter.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The items of a list ({@code v1 List}, or a typed list such as {@code apps/v1 DeploymentList}) as kubectl reads
 * them. The API server leaves out each item's {@code apiVersion} and {@code kind} in a typed list (what
 * {@code kubectl get --raw} prints); kubectl's decoder (apimachinery's {@code UnstructuredList}) gives an item that
 * sets neither the list's {@code apiVersion} and the kind the list is named for ({@code DeploymentList} →
 * {@code Deployment}). An item of a {@code v1 List} gets no kind that way, and must say its own.
 */
final class ListItems {

    private ListItems() {
    }

    /** Whether {@code node} is a list whose {@code items} are objects of their own: its kind ends in List. */
    static boolean isList(JsonNode node) {
        return node.isObject() && node.path("kind").isTextual() && node.path("kind").asText().endsWith("List");
    }

    /** The kind an item of {@code list} takes when it sets neither field: "" for {@code v1 List}. */
    static String itemKind(JsonNode list) {
        String kind = list.path("kind").asText("");
        return kind.substring(0, kind.length() - "List".length());
    }

    /** Whether kubectl gives {@code item} the list's apiVersion and item kind: it sets neither, in a typed list. */
    static boolean inherits(JsonNode list, JsonNode item) {
        return item.isObject() && !itemKind(list).isEmpty() && blank(item.path("apiVersion"))
                && blank(item.path("kind"));
    }

    /** {@code item} as kubectl reads it: a copy with the list's apiVersion and kind when it inherits them. */
    static JsonNode typed(JsonNode list, JsonNode item) {
        if (!inherits(list, item)) {
            return item;
        }
        ObjectNode copy = ((ObjectNode) item).objectNode();
        copy.put("apiVersion", list.path("apiVersion").asText(""));
        copy.put("kind", itemKind(list));
        item.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("apiVersion") && !e.getKey().equals("kind")) {
                copy.set(e.getKey(), e.getValue());
            }
        });
        return copy;
    }

    static boolean blank(JsonNode field) {
        return !field.isTextual() || field.asText().isBlank();
    }
}
