package io.proberewriter.json;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Random JSON documents with what a skip must get right (whitespace and line breaks, escapes, UTF-8, numbers). */
final class RandomJson {

    private static final String[] STRINGS = {"", "a", "name", "k:{\\\"name\\\":\\\"app\\\"}", "\\n\\t\\\"\\\\\\/",
        "\\u00e9\\uD83D\\uDE00", "é", "€uro", "😀", "f:metadata", "x".repeat(40)};
    private static final String[] NUMBERS = {"0", "-0", "1", "-12", "3.25", "1e5", "-2.5E-3", "0.0", "123456789012"};
    private static final String[] WHITESPACE = {"", "", "", " ", "\n", "\r\n", "\r", "\t", "  \n  "};
    /** What a broken document gets inserted: the bytes a scanner is most likely to get wrong. */
    private static final String[] BREAKAGES = {",", "]", "}", "[", "{", "\"", ":", "\\", "/", "0", "1", "-", ".",
        "e", "+", "t", "n", "u", "\n", "\u0001", "é", " ", "#", "'"};

    private RandomJson() {
    }

    static byte[] document(Random random) {
        StringBuilder out = new StringBuilder();
        value(out, random, 0);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The document with one to three bytes inserted, deleted or replaced. */
    static byte[] broken(byte[] json, Random random) {
        byte[] result = json;
        for (int edits = 1 + random.nextInt(3); edits > 0 && result.length > 0; edits--) {
            int at = random.nextInt(result.length);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(result, 0, at);
            switch (random.nextInt(4)) {
                case 0 -> out.write(result, at + 1, result.length - at - 1); // deleted
                case 1 -> { // replaced by an arbitrary byte
                    out.write(random.nextInt(256));
                    out.write(result, at + 1, result.length - at - 1);
                }
                default -> { // inserted
                    out.writeBytes(BREAKAGES[random.nextInt(BREAKAGES.length)].getBytes(StandardCharsets.UTF_8));
                    out.write(result, at, result.length - at);
                }
            }
            result = out.toByteArray();
        }
        return result;
    }

    private static void value(StringBuilder out, Random random, int depth) {
        int kind = random.nextInt(depth > 6 ? 4 : 6);
        switch (kind) {
            case 0 -> out.append('"').append(STRINGS[random.nextInt(STRINGS.length)]).append('"');
            case 1 -> out.append(NUMBERS[random.nextInt(NUMBERS.length)]);
            case 2 -> out.append(new String[] {"true", "false", "null"}[random.nextInt(3)]);
            case 3 -> out.append(random.nextBoolean() ? "{}" : "[]");
            case 4 -> {
                out.append('{');
                int members = random.nextInt(5);
                for (int i = 0; i < members; i++) {
                    out.append(i == 0 ? "" : ",").append(space(random)).append('"')
                            .append(STRINGS[random.nextInt(STRINGS.length)]).append('"').append(space(random))
                            .append(':').append(space(random));
                    value(out, random, depth + 1);
                    out.append(space(random));
                }
                out.append('}');
            }
            default -> {
                out.append('[');
                int items = random.nextInt(5);
                for (int i = 0; i < items; i++) {
                    out.append(i == 0 ? "" : ",").append(space(random));
                    value(out, random, depth + 1);
                    out.append(space(random));
                }
                out.append(']');
            }
        }
    }

    private static String space(Random random) {
        return WHITESPACE[random.nextInt(WHITESPACE.length)];
    }
}
