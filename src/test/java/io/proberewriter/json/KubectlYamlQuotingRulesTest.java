package io.proberewriter.json;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our own reading of go-yaml v2's rules, on its own: through the writer (KubectlYamlQuotingTest) Jackson's checker
 * quotes some of the same strings for its own reasons, which would hide a rule of ours that no longer holds.
 */
class KubectlYamlQuotingRulesTest {

    /** go-yaml's float pattern allows no digit before the point: these are numbers to kubectl. */
    @ParameterizedTest
    @ValueSource(strings = {".5", "-.5", "+.5", ".1e3", ".0", ".5E-2"})
    void aNumberThatBeginsWithItsPointIsNoString(String plain) {
        assertTrue(KubectlYamlQuoting.readAsOtherThanString(plain), plain);
    }

    /** A point followed by anything but digits and an exponent is text (the special floats aside). */
    @ParameterizedTest
    @ValueSource(strings = {".x", "..", ".", ".5.", ".e3", ".5x", ".git"})
    void aPointBeforeAnythingButANumberIsAString(String plain) {
        assertFalse(KubectlYamlQuoting.readAsOtherThanString(plain), plain);
    }
}
