package io.proberewriter.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Plain scalars read as kubectl reads them (go-yaml v2), where SnakeYAML's rules, which Jackson follows, differ:
 * {@code y} and {@code n} are booleans, {@code 0o644} is a number.
 */
class KubectlYamlReadingTest {

    private static JsonNode value(String yaml) throws ManifestException {
        return new ManifestReader().read("in.yaml", "kind: ConfigMap\nv: " + yaml + "\n").get(0).content().path("v");
    }

    @ParameterizedTest
    @CsvSource({"y, true", "Y, true", "yes, true", "on, true", "n, false", "N, false", "no, false", "Off, false"})
    void yamlOneOneBooleans(String plain, boolean expected) throws ManifestException {
        JsonNode read = value(plain);
        assertTrue(read.isBoolean(), plain + " read as " + read);
        assertEquals(expected, read.booleanValue());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '%',
            value = {"'y'|y", "\"n\"|n", "!!str y|y", "yo|yo", "0o8|0o8", "'0o644'|0o644"})
    void quotedOrOtherwiseStillStrings(String yaml, String expected) throws ManifestException {
        JsonNode read = value(yaml);
        assertTrue(read.isTextual(), yaml + " read as " + read);
        assertEquals(expected, read.textValue());
    }

    @ParameterizedTest
    @CsvSource({"0o644, 420", "0O17, 15", "-0o1_0, -8", "+0o7, 7", "0644, 420", "0x1F, 31", "1_000, 1000"})
    void integersAsGoReadsThem(String plain, long expected) throws ManifestException {
        JsonNode read = value(plain);
        assertTrue(read.isIntegralNumber(), plain + " read as " + read);
        assertEquals(expected, read.longValue());
    }

    /** go-yaml reads a !!null-tagged null form as null; Jackson read it as the string it holds. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '%', value = {"!!null ''", "!!null", "!!null ~", "!!null \"null\""})
    void taggedNullsAreNull(String yaml) throws ManifestException {
        JsonNode read = value(yaml);
        assertTrue(read.isNull(), yaml + " read as " + read);
    }
}
