package io.proberewriter.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.proberewriter.engine.HandlerKind;
import io.proberewriter.engine.ProbeKind;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The gauge and the Event rate limit, with a map standing in for the pod informer's cache. */
class BrokenPodsTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Set<String> optedIn = new HashSet<>(Set.of("shop", "bank"));
    private final BrokenPods brokenPods = new BrokenPods(registry, optedIn::contains);
    private final Map<ResourceID, Pod> informer = new ConcurrentHashMap<>();
    private final AtomicInteger lookups = new AtomicInteger();

    BrokenPodsTest() {
        brokenPods.deletionsFrom(new Cache<>() {
            @Override
            public Optional<Pod> get(ResourceID id) {
                lookups.incrementAndGet();
                return Optional.ofNullable(informer.get(id));
            }

            @Override
            public Stream<ResourceID> keys() {
                return informer.keySet().stream();
            }

            @Override
            public Stream<Pod> list(Predicate<Pod> predicate) {
                return informer.values().stream().filter(predicate);
            }
        });
    }

    private Pod running(String namespace, String name) {
        Pod pod = AuditFixtures.pod(namespace, name, Map.of());
        informer.put(ResourceID.fromResource(pod), pod);
        return pod;
    }

    private double gauge(String namespace) {
        return registry.get(BrokenPods.GAUGE).tag("namespace", namespace).gauge().value();
    }

    @Test
    void eventsAreDueFirstThenOncePerIntervalOrWhenTheBrokenKindsChange() {
        Pod pod = running("shop", "a");
        Set<HandlerKind> liveness = Set.of(ProbeKind.LIVENESS);
        assertTrue(brokenPods.broken(pod, liveness, T0, HOUR));
        assertFalse(brokenPods.broken(pod, liveness, T0.plusSeconds(300), HOUR), "a re-check writes nothing");
        assertFalse(brokenPods.broken(pod, liveness, T0.plus(HOUR).minusSeconds(1), HOUR));
        assertTrue(brokenPods.broken(pod, liveness, T0.plus(HOUR), HOUR));
        assertTrue(brokenPods.broken(pod, Set.of(ProbeKind.LIVENESS, ProbeKind.READINESS), T0.plus(HOUR), HOUR));

        brokenPods.notBroken(ResourceID.fromResource(pod));
        assertTrue(brokenPods.broken(pod, liveness, T0.plus(HOUR), HOUR), "broken again after a fix is news");
    }

    @Test
    void aPodRecreatedUnderTheSameNameIsNews() {
        Pod first = running("shop", "db-0");
        assertTrue(brokenPods.broken(first, Set.of(ProbeKind.LIVENESS), T0, HOUR));
        Pod second = new PodBuilder(first).editMetadata().withUid("new-uid").endMetadata().build();
        assertTrue(brokenPods.broken(second, Set.of(ProbeKind.LIVENESS), T0.plusSeconds(1), HOUR));
    }

    @Test
    void theGaugeCountsPerNamespaceAndForgetsDeletedPods() {
        Pod a = running("shop", "a");
        Pod b = running("shop", "b");
        Pod c = running("bank", "c");
        for (Pod p : new Pod[] {a, b, c}) {
            brokenPods.broken(p, Set.of(ProbeKind.LIVENESS), T0, HOUR);
        }
        assertEquals(2.0, gauge("shop"));
        assertEquals(1.0, gauge("bank"));

        brokenPods.notBroken(ResourceID.fromResource(a));
        assertEquals(1.0, gauge("shop"), "fixed");
        informer.remove(ResourceID.fromResource(b));
        assertEquals(0.0, gauge("shop"), "deleted: never reconciled again, dropped on the next read");

        // Same name, another uid: the broken one is gone.
        informer.put(ResourceID.fromResource(c), new PodBuilder(c).editMetadata().withUid("other").endMetadata().build());
        assertEquals(0.0, gauge("bank"));
    }

    @Test
    void aDeletedNamespaceTakesItsSeriesAndItsPodsWithIt() {
        brokenPods.broken(running("shop", "a"), Set.of(ProbeKind.LIVENESS), T0, HOUR);
        brokenPods.broken(running("bank", "b"), Set.of(ProbeKind.LIVENESS), T0, HOUR);

        brokenPods.namespaceDeleted("shop");
        assertNull(registry.find(BrokenPods.GAUGE).tag("namespace", "shop").gauge(), "the series is gone");
        assertEquals(1.0, gauge("bank"), "other namespaces keep theirs");

        // A namespace created again under the same name starts afresh: a new series, and its pods' Events are news.
        Pod again = running("shop", "a");
        assertTrue(brokenPods.broken(again, Set.of(ProbeKind.LIVENESS), T0.plusSeconds(1), HOUR));
        assertEquals(1.0, gauge("shop"));
        brokenPods.namespaceDeleted("never-seen");
        assertEquals(2, registry.find(BrokenPods.GAUGE).gauges().size());
    }

    @Test
    void deletedPodsLeaveTheRecordEvenWhenTheGaugeIsNeverRead() {
        // A cluster that replaces its broken pods all day, with nothing scraping the metrics.
        for (int i = 0; i < 10_000; i++) {
            Pod pod = running("shop", "pod-" + i);
            brokenPods.broken(pod, Set.of(ProbeKind.LIVENESS), T0, HOUR);
            informer.remove(ResourceID.fromResource(pod));
        }
        assertTrue(brokenPods.recorded() <= 2 * 64 + 1, "recorded: " + brokenPods.recorded());

        // Pods that still exist are never swept out.
        for (int i = 0; i < 1_000; i++) {
            brokenPods.broken(running("bank", "kept-" + i), Set.of(ProbeKind.LIVENESS), T0, HOUR);
        }
        assertEquals(1_000.0, gauge("bank"));
        assertEquals(0.0, gauge("shop"));
        assertEquals(1_000, brokenPods.recorded(), "each namespace's read swept its own");
    }

    @Test
    void aScrapeLooksUpEachPodOnceNotOncePerNamespace() {
        for (int ns = 0; ns < 20; ns++) {
            optedIn.add("team-" + ns);
            for (int i = 0; i < 30; i++) {
                brokenPods.broken(running("team-" + ns, "pod-" + i), Set.of(ProbeKind.LIVENESS), T0, HOUR);
            }
        }
        lookups.set(0);
        for (int ns = 0; ns < 20; ns++) {
            assertEquals(30.0, gauge("team-" + ns));
        }
        assertEquals(20 * 30, lookups.get(), "one informer lookup per recorded pod for a whole scrape");
    }

    /**
     * A scrape reads every namespace's gauge, and each read must look at that namespace's pods only: the day every
     * namespace opts in at once, all of their pods predate the webhook and are broken, and a read that went through
     * the whole record made one scrape of 2,000 namespaces of 15 pods visit 60 million entries. Measured as growth,
     * not time, since the machine is shared: ten times the namespaces (and so the pods) may cost about ten times
     * as much a scrape, not a hundred.
     */
    @Test
    void aScrapeGrowsWithThePodsNotWithNamespacesTimesPods() {
        double small = scrapeNanos(200);
        double large = scrapeNanos(2_000);
        assertTrue(large / small < 35, "a scrape of 10× the namespaces took " + large / small + " times as long");
    }

    /** The fastest of several scrapes of {@code namespaces} namespaces of 15 broken pods each, in nanoseconds. */
    private double scrapeNanos(int namespaces) {
        SimpleMeterRegistry scraped = new SimpleMeterRegistry();
        BrokenPods record = new BrokenPods(scraped, ns -> true);
        Map<ResourceID, Pod> live = new HashMap<>();
        record.deletionsFrom(new Cache<>() {
            @Override
            public Optional<Pod> get(ResourceID id) {
                return Optional.ofNullable(live.get(id));
            }

            @Override
            public Stream<ResourceID> keys() {
                return live.keySet().stream();
            }

            @Override
            public Stream<Pod> list(Predicate<Pod> predicate) {
                return live.values().stream().filter(predicate);
            }
        });
        for (int ns = 0; ns < namespaces; ns++) {
            for (int i = 0; i < 15; i++) {
                Pod pod = AuditFixtures.pod("team-" + ns, "pod-" + i, Map.of());
                live.put(ResourceID.fromResource(pod), pod);
                record.broken(pod, Set.of(ProbeKind.LIVENESS), T0, HOUR);
            }
        }
        var gauges = scraped.find(BrokenPods.GAUGE).gauges();
        assertEquals(namespaces, gauges.size());
        long fastest = Long.MAX_VALUE;
        for (int run = 0; run < 7; run++) {
            long start = System.nanoTime();
            double total = 0;
            for (var gauge : gauges) {
                total += gauge.value();
            }
            fastest = Math.min(fastest, System.nanoTime() - start);
            assertEquals(namespaces * 15.0, total);
        }
        return fastest;
    }

    @Test
    void aNamespaceThatOptsOutDropsToZeroAtOnce() {
        brokenPods.broken(running("shop", "a"), Set.of(ProbeKind.LIVENESS), T0, HOUR);
        assertEquals(1.0, gauge("shop"));
        optedIn.remove("shop");
        assertEquals(0.0, gauge("shop"));
    }
}
