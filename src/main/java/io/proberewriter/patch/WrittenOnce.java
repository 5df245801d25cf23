package io.proberewriter.patch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;
import java.util.ArrayList;
import java.util.List;

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
 * The last {@value #REMEMBERED} objects are remembered: the engine's init container for one prober image comes in four
 * shapes (as the image's user or a named one, with its resources or, in a BestEffort pod, without), and pods of all
 * four come in turn. A change of image writes the new ones once.
 */
final class WrittenOnce {

    private record Written(Object value, RawValue json) {
    }

    static final int REMEMBERED = 4;

    private final ObjectMapper mapper;
    /** Most recent first; replaced whole, never changed: a race only writes an object twice. */
    private volatile List<Written> remembered = List.of();

    WrittenOnce(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** {@code value}'s JSON as Jackson writes it, to be written as it is into a larger document. */
    RawValue json(Object value) {
        List<Written> known = remembered;
        for (int i = 0; i < known.size(); i++) {
            if (known.get(i).value() == value) {
                return known.get(i).json();
            }
        }
        Written written;
        try {
            written = new Written(value, new RawValue(mapper.writeValueAsString(value)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
        List<Written> next = new ArrayList<>(REMEMBERED);
        next.add(written);
        next.addAll(known.subList(0, Math.min(known.size(), REMEMBERED - 1)));
        remembered = List.copyOf(next);
        return written.json();
    }
}
