package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The last resort when reading a request failed unexpectedly: its uid, read past everything else, or nothing. */
class ReviewCodecUidTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{\"request\":{\"uid\":\"abc\"}}|abc",
            "{\"kind\":\"AdmissionReview\",\"request\":{\"object\":{\"spec\":[1,{\"uid\":\"no\"}]},\"uid\":\"late\"}}|late",
            "{\"uid\":\"top\",\"request\":{\"dryRun\":true,\"uid\":\"inner\"}}|inner",
            "{\"request\":{\"uid\":\"\"}}|",
            "{\"request\":{\"uid\":7}}|",
            "{\"request\":[{\"uid\":\"x\"}]}|",
            "{\"request\":{\"object\":{\"a\":|",
            "[1,2]|",
            "`   `|",
            "not json|"})
    void theUidIsReadOrNothing(String body, String uid) {
        assertEquals(Optional.ofNullable(uid), ReviewCodec.uidOf(body.getBytes(StandardCharsets.UTF_8)));
    }
}
