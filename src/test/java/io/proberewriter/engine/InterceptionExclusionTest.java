package io.proberewriter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The health port merged into {@code traffic.sidecar.istio.io/excludeInboundPorts}: appended only when no entry
 * covers it, a range's two ends included, and never twice.
 */
class InterceptionExclusionTest {

    @ParameterizedTest(name = "{0} covers {1}")
    @CsvSource(delimiter = '|', value = {
        "8000-8081|8081",
        "8000-8081|8000",
        "8000-8081|8040",
        "' 8000 - 8081 '|8081",
        "9090,8000-8010,8005-8020|8020",
        "1-65535|65535",
        "1-65535|1",
        "8081|8081",
        "*|8081",
    })
    void aPortAnEntryCoversLeavesTheListAsItIs(String existing, int port) {
        assertSame(existing, InterceptionExclusion.merge(existing, List.of(port)));
    }

    @ParameterizedTest(name = "{0} + {1}")
    @CsvSource(delimiter = '|', value = {
        "8000-8081|8082|8000-8081,8082",
        "8000-8081|7999|8000-8081,7999",
        "9090,8000-8010,8005-8020|8021|9090,8000-8010,8005-8020,8021",
        "8081-8000|8081|8081-8000,8081",
        "8000-x|8000|8000-x,8000",
        // Digits of other scripts are not a port to the mesh (Go reads ASCII digits only): no range, the port added.
        "٨٠٠٠-٨٠٨١|8040|٨٠٠٠-٨٠٨١,8040",
        "9090,|8081|9090,8081",
    })
    void aPortNoEntryCoversIsAppended(String existing, int port, String merged) {
        assertEquals(merged, InterceptionExclusion.merge(existing, List.of(port)));
        assertSame(merged, InterceptionExclusion.merge(merged, List.of(port)), "merging again changes nothing");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"8001,8000-8010|8000-8010", "8001|", "*,8001|*"})
    void withoutDropsTheExactEntryOnly(String existing, String kept) {
        String result = InterceptionExclusion.without(existing, 8001);
        if (kept == null) {
            assertNull(result);
        } else {
            assertEquals(kept, result);
        }
    }
}
