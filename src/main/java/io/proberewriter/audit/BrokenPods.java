package io.proberewriter.audit;

import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.proberewriter.cluster.NamespaceCache;
import io.proberewriter.engine.HandlerKind;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The live pods the audit found broken, in memory: the source of the gauge
 * {@code probe_rewriter_audit_pods_with_broken_probes{namespace}} and the rate limit of their Events.
 *
 * <p>A deleted pod is never reconciled again (the audit puts no finalizer on pods, on purpose), so it cannot take
 * itself out of the record. Instead the pod informer's cache is asked whether each recorded pod is still there
 * whenever the gauge is read (and whenever the record has doubled, for clusters that never read it), and pods that
 * are gone are dropped: the count falls as soon as the deletion reaches the informer.
 */
@Singleton
public class BrokenPods {

    public static final String GAUGE = "probe_rewriter_audit_pods_with_broken_probes";

    /** Below this many pods recorded, the record is not swept for deleted ones outside the gauge's reads. */
    private static final int SWEEP_FLOOR = 64;

    private record Entry(String uid, Set<HandlerKind> kinds, Instant reported) {
    }

    private final MeterRegistry registry;
    private final Predicate<String> audited;
    /**
     * By namespace, then pod: a namespace's gauge reads its own pods only. A scrape reads every namespace's gauge, and
     * with one map for all it went through every recorded pod once per namespace (measured: about 4 s for a scrape of
     * 2,000 namespaces of 15 broken pods, the day they all opt in).
     */
    private final Map<String, Map<ResourceID, Entry>> pods = new ConcurrentHashMap<>();
    /** How many pods are recorded, kept as they come and go rather than counted over every namespace. */
    private final AtomicInteger recorded = new AtomicInteger();
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();
    private volatile Cache<Pod> informer;
    /** How many pods were recorded after the last sweep for deleted ones; see {@link #sweepWhenGrown}. */
    private volatile int afterLastSweep;

    /**
     * @param audited whether a namespace is still audited: a namespace that opts out leaves the count at once,
     *                before its pods are next re-checked
     */
    BrokenPods(MeterRegistry registry, Predicate<String> audited) {
        this.registry = registry;
        this.audited = audited;
    }

    @Inject
    BrokenPods(MeterRegistry registry, NamespaceCache namespaces) {
        this(registry, ns -> namespaces.view(ns).optedIn());
    }

    /** The pod informer's cache, from which deletions are learnt. Until it is known, nothing is dropped. */
    void deletionsFrom(Cache<Pod> cache) {
        this.informer = cache;
    }

    /**
     * Records that the pod is broken for these kinds, and says whether its Events are to be recorded now: the first
     * time, when the set of broken kinds changes, and then once per {@code interval}.
     */
    boolean broken(Pod pod, Set<HandlerKind> kinds, Instant now, Duration interval) {
        String namespace = pod.getMetadata().getNamespace();
        gauges.computeIfAbsent(namespace, this::register);
        sweepWhenGrown();
        String uid = pod.getMetadata().getUid();
        boolean[] report = {false};
        pods.computeIfAbsent(namespace, ns -> new ConcurrentHashMap<>()).compute(ResourceID.fromResource(pod),
                (id, previous) -> {
                    boolean due = previous == null || !previous.uid().equals(uid) || !previous.kinds().equals(kinds)
                            || !now.isBefore(previous.reported().plus(interval));
                    report[0] = due;
                    if (previous == null) {
                        recorded.incrementAndGet();
                    }
                    return due ? new Entry(uid, Set.copyOf(kinds), now) : previous;
                });
        return report[0];
    }

    /**
     * Deleted pods leave the record when the gauge is read; where nothing scrapes the metrics (the default install
     * configures no scraping), they would stay for ever. So the record is also swept whenever it has doubled since
     * the last sweep: it holds at most about twice the broken pods that exist, at a cost that is constant per pod
     * recorded, on average.
     */
    private void sweepWhenGrown() {
        Cache<Pod> cache = informer;
        if (cache != null && recorded.get() > 2 * afterLastSweep + SWEEP_FLOOR) {
            pods.values().forEach(inNamespace -> inNamespace.entrySet()
                    .removeIf(e -> dropped(!stillThere(cache, e.getKey(), e.getValue()))));
            afterLastSweep = recorded.get();
        }
    }

    /** How many pods are recorded as broken, whether or not they still exist. */
    int recorded() {
        return recorded.get();
    }

    /** The pod is fixed, gone, or no longer audited. */
    void notBroken(ResourceID pod) {
        Map<ResourceID, Entry> inNamespace = pod.getNamespace().map(pods::get).orElse(null);
        if (inNamespace != null && inNamespace.remove(pod) != null) {
            recorded.decrementAndGet();
        }
    }

    /**
     * The namespace is gone, and its series with it: clusters that create a namespace per branch or per test run
     * would otherwise export a 0 for every namespace they ever had, until the operator restarts.
     */
    void namespaceDeleted(String namespace) {
        Map<ResourceID, Entry> inNamespace = pods.remove(namespace);
        if (inNamespace != null) {
            recorded.addAndGet(-inNamespace.size());
        }
        Gauge gauge = gauges.remove(namespace);
        if (gauge != null) {
            registry.remove(gauge);
        }
    }

    /**
     * The gauge's value for one namespace. Only that namespace's pods are looked up in the informer: a scrape reads
     * every namespace's gauge, and looking up every pod for each would cost namespaces × pods lookups.
     */
    long count(String namespace) {
        Cache<Pod> cache = informer;
        long[] live = {0};
        Map<ResourceID, Entry> inNamespace = pods.get(namespace);
        if (inNamespace == null) {
            return 0;
        }
        inNamespace.entrySet().removeIf(e -> {
            if (cache != null && !stillThere(cache, e.getKey(), e.getValue())) {
                return dropped(true);
            }
            live[0]++;
            return false;
        });
        return audited.test(namespace) ? live[0] : 0;
    }

    /** Counts a pod taken out of the record by a {@code removeIf} that {@code drop}s it. */
    private boolean dropped(boolean drop) {
        if (drop) {
            recorded.decrementAndGet();
        }
        return drop;
    }

    private static boolean stillThere(Cache<Pod> cache, ResourceID id, Entry entry) {
        // Same name is not enough: a StatefulSet recreates its pods under the same name with a new uid.
        return cache.get(id).map(p -> entry.uid().equals(p.getMetadata().getUid())).orElse(false);
    }

    // A namespace's gauge stays at 0 once its pods are fixed rather than disappear: "0" is the good news a dashboard
    // or an alert waits for. It goes when the namespace does (namespaceDeleted), so the series are as many as the
    // namespaces the cluster has.
    private Gauge register(String namespace) {
        return Gauge.builder(GAUGE, this, self -> self.count(namespace))
                .description("Running pods in opted-in namespaces with a probe broken by mTLS, by namespace")
                .tag("namespace", namespace)
                .strongReference(true)
                .register(registry);
    }
}
