package io.proberewriter.json;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.proberewriter.bench.wire.BenchmarkPods;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing (Jazzer) of the webhook's skip: whatever the bytes, the {@link ScanningSkipParser} reads
 * them as Jackson's own parser does ({@link SkipDifferential}: tokens, locations, errors). Seeds: the wire
 * benchmark's Deployment-made pod as the API server sends it and generated documents; see
 * {@link io.proberewriter.webhook.AdmissionFuzzTest} for how fuzz tests run.
 */
class ScanningSkipFuzzTest {

    static Stream<Arguments> seeds() {
        Random random = new Random(1);
        return Stream.concat(Stream.of(BenchmarkPods.typical(), "{\"a\":[1,{\"b\":\"\\u00e9\"}]}".getBytes(
                                StandardCharsets.UTF_8)),
                        Stream.generate(() -> RandomJson.document(random)).limit(20))
                .map(json -> Arguments.of((Object) json));
    }

    // The bytes the grammar turns on, so that mutations reach its corners rather than noise (libFuzzer's dictionary
    // format takes no line breaks: the seeds hold them, and non-ASCII text).
    @DictionaryEntries({"{", "}", "[", "]", ",", ":", "\"", "\\\"", "\\u00", "\\uD83D\\uDE00", "true", "false",
            "null", "-0.5e+3", "01", "/*", "//"})
    @MethodSource("seeds")
    @FuzzTest(maxDuration = "10m")
    void skipsAsJacksonReads(byte[] input) {
        SkipDifferential.check(input);
    }
}
