package io.proberewriter.mtls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The resolver's names and the one auto rule the CLI and the webhook share. */
class MtlsResolverTest {

    @Test
    void autoIsIstioOnlyWhereIstiosPoliciesArePresent() {
        assertEquals(MtlsResolver.ISTIO, MtlsResolver.AUTO.resolve(true));
        assertEquals(MtlsResolver.ASSUME_ALL, MtlsResolver.AUTO.resolve(false));
    }

    @Test
    void aChosenResolverIsKeptWhateverIsPresent() {
        for (MtlsResolver chosen : new MtlsResolver[] {MtlsResolver.ISTIO, MtlsResolver.ASSUME_ALL,
                MtlsResolver.ANNOTATION}) {
            assertEquals(chosen, chosen.resolve(true));
            assertEquals(chosen, chosen.resolve(false));
        }
    }

    @Test
    void wordsAreTheDocsNames() {
        assertEquals("auto, istio, assume-all, annotation", MtlsResolver.accepted());
        assertEquals(Optional.of(MtlsResolver.ASSUME_ALL), MtlsResolver.parse(" Assume-All "));
        assertEquals(Optional.empty(), MtlsResolver.parse("assume_all"));
        assertEquals(Optional.empty(), MtlsResolver.parse("linkerd"));
    }
}
