package io.proberewriter.patch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;

/**
 * The JSON of one model object that many patches carry, written the first time and then reused, for as long as the
 * patches carry that same object.
 *
 * <p>The prober's volume, mount and init container are built once by the engine and shared by every pod that gets
 * them ({@link io.proberewriter.engine.ProberInjection}: read, never changed). Writing them is most of writing a
 * patch: Jackson walks fabric8's model by reflection, property by property, the init container's resources and
 * security context included. At the rates the API server sends pods that code has gone cold between two admissions,
 * and writing the typical pod's patch cost some 300–540 µs of CPU every 10 ms against 140–150 with these three
 * written once (8 µs against 6 back to back); see docs/benchmarks.md.
 *
 * <p>The object is recognised by identity, not by equality: an equal copy is written again, which is always right.
 * One object is remembered, like the engine's one init container per prober image: a change of image writes the
 * new one once, and pods that alternate between images are written as before.
 */
final class WrittenOnce {

    private record Written(Object value, RawValue json) {
    }

    private final ObjectMapper mapper;
    private volatile Written last;

    WrittenOnce(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** {@code value}'s JSON as Jackson writes it, to be written as it is into a larger document. */
    RawValue json(Object value) {
        Written written = last;
        if (written == null || written.value() != value) {
            try {
                written = new Written(value, new RawValue(mapper.writeValueAsString(value)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
            }
            last = written;
        }
        return written.json();
    }
}
