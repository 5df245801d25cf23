package io.proberewriter.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/**
 * A table of docs/fidelity.md rendered from a test's cases, between two marker comments: checked against the doc, or
 * written into it with {@code -Dfidelity.update=true}, so the doc always shows what the tests prove.
 */
final class GeneratedTable {

    private GeneratedTable() {
    }

    /** @param test the test class that owns the table, named in the message that says how to refresh it */
    static void checkOrUpdate(String start, String end, String table, Class<?> test) throws IOException {
        String doc = Files.readString(FidelityMatrixTest.DOC, StandardCharsets.UTF_8);
        int from = doc.indexOf(start);
        int to = doc.indexOf(end);
        assertTrue(from >= 0 && to > from, FidelityMatrixTest.DOC + " must hold the table between " + start
                + " and " + end);
        if (Boolean.getBoolean("fidelity.update")) {
            Files.writeString(FidelityMatrixTest.DOC, doc.substring(0, from + start.length()) + table
                    + doc.substring(to), StandardCharsets.UTF_8);
            return;
        }
        assertEquals(table, doc.substring(from + start.length(), to), FidelityMatrixTest.DOC + " is out of date with "
                + test.getSimpleName() + "'s cases: run mvn test -Dtest=" + test.getSimpleName()
                + " -Dfidelity.update=true and review the diff");
    }
}
