package io.proberewriter.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.proberewriter.json.Mappers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A shared model object's JSON: written the first time, reused for the same object, written again for another. */
class WrittenOnceTest {

    private static final ObjectMapper JSON = Mappers.WRITTEN;

    private static Container prober(String image) {
        return new ContainerBuilder().withName("probe-rewriter-prober").withImage(image)
                .withCommand("/prober", "install", "/probe-rewriter/prober").withNewSecurityContext()
                .withRunAsNonRoot(true).endSecurityContext().build();
    }

    @Test
    void theSameObjectIsWrittenOnceAndComesOutAsTheMapperWritesIt() throws Exception {
        WrittenOnce written = new WrittenOnce(JSON);
        Container init = prober("example/prober:1");
        RawValue first = written.json(init);
        assertSame(first, written.json(init), "the same object was written again");
        assertEquals(JSON.writeValueAsString(init), first.rawValue());
        // Inside a larger document, as a patch carries it: the same bytes as the object itself would give.
        assertEquals(JSON.writeValueAsString(Map.of("value", List.of(init))),
                JSON.writeValueAsString(Map.of("value", List.of(first))));
    }

    @Test
    void anotherObjectIsWrittenForItselfEvenWhenEqual() throws Exception {
        WrittenOnce written = new WrittenOnce(JSON);
        RawValue one = written.json(prober("example/prober:1"));
        Container newImage = prober("example/prober:2");
        assertEquals(JSON.writeValueAsString(newImage), written.json(newImage).rawValue(),
                "a new prober image was written as the old one");
        Container copy = prober("example/prober:1");
        RawValue again = written.json(copy);
        assertNotSame(one, again);
        assertEquals(one.rawValue(), again.rawValue());
    }

    /** The four shapes of one image's init container, in turn: each written once. */
    @Test
    void objectsThatComeInTurnAreEachWrittenOnce() {
        WrittenOnce written = new WrittenOnce(JSON);
        List<Container> shapes = List.of(prober("example/prober:1"), prober("example/prober:1"),
                prober("example/prober:1"), prober("example/prober:1"));
        List<RawValue> first = shapes.stream().map(written::json).toList();
        for (int i = 0; i < shapes.size(); i++) {
            assertSame(first.get(i), written.json(shapes.get(i)), "shape " + i + " was written again");
        }
        Container fifth = prober("example/prober:2");
        written.json(fifth);
        assertSame(first.get(3), written.json(shapes.get(3)), "the most recent are kept");
        assertNotSame(first.get(0), written.json(shapes.get(0)), "the oldest was dropped");
    }
}
