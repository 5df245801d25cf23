package io.proberewriter.json;

import java.util.Optional;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * What a YAML parser could not read, said on one line: the problem at its own line and column, then what the parser
 * was doing when it met it (and where, when that began elsewhere). SnakeYAML says it over several lines with excerpts
 * of the input, and Jackson, wrapping it, reports the first line alone ("while scanning for the next token") at
 * the context's place, which drops the problem itself ("found character '\t' that cannot start any token").
 *
 * @param line   the problem's line, from 1
 * @param column the problem's column, from 1
 * @param text   the problem, then the context in parentheses; at most {@value #MAX_CHARS} characters
 */
public record YamlSyntaxError(int line, int column, String text) {

    /** Long enough for any message of SnakeYAML's own; what a quoted token makes longer is cut. */
    static final int MAX_CHARS = 300;

    /** SnakeYAML's error under {@code e} (Jackson wraps it), if it is one that says where. */
    public static Optional<YamlSyntaxError> of(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof MarkedYAMLException marked) {
                return of(marked);
            }
        }
        return Optional.empty();
    }

    private static Optional<YamlSyntaxError> of(MarkedYAMLException e) {
        String problem = oneLine(e.getProblem());
        String context = oneLine(e.getContext());
        Mark at = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        if (at == null || (problem.isEmpty() && context.isEmpty())) {
            return Optional.empty();
        }
        String text;
        if (problem.isEmpty()) {
            text = context;
        } else if (context.isEmpty()) {
            text = problem;
        } else {
            Mark contextAt = e.getContextMark();
            boolean elsewhere = contextAt != null && e.getProblemMark() != null
                    && (contextAt.getLine() != at.getLine() || contextAt.getColumn() != at.getColumn());
            text = problem + " (" + context + (elsewhere
                    ? " at line " + (contextAt.getLine() + 1) + ", column " + (contextAt.getColumn() + 1) : "") + ")";
        }
        return Optional.of(new YamlSyntaxError(at.getLine() + 1, at.getColumn() + 1, cut(text)));
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ").strip();
    }

    private static String cut(String text) {
        if (text.length() <= MAX_CHARS) {
            return text;
        }
        int end = MAX_CHARS;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }
}
