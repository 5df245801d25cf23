package io.proberewriter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.LimitRangeItemBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The prober's init container fitted to a namespace's LimitRanges, judged by an emulation of the API server's
 * LimitRanger (plugin/pkg/admission/limitranger: minConstraint, maxConstraint, limitRequestRatioConstraint, on the
 * Container limits), over hand-picked and random LimitRanges.
 */
class ContainerLimitsTest {

    private static final ResourceRequirements DEFAULTS = new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("10m")).addToRequests("memory", new Quantity("16Mi"))
            .addToLimits("cpu", new Quantity("100m")).addToLimits("memory", new Quantity("32Mi")).build();

    private static LimitRange range(LimitRangeItem... items) {
        return new LimitRangeBuilder().withNewMetadata().withName("r").withNamespace("ns").endMetadata()
                .withNewSpec().withLimits(items).endSpec().build();
    }

    private static Map<String, Quantity> q(String... pairs) {
        Map<String, Quantity> out = new java.util.TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], new Quantity(pairs[i + 1]));
        }
        return out;
    }

    /** LimitRanger's refusals of a container with these resources, in its words; empty when it admits it. */
    static List<String> limitRanger(List<LimitRange> ranges, ResourceRequirements resources) {
        List<String> refusals = new ArrayList<>();
        Map<String, Quantity> requests = resources.getRequests() == null ? Map.of() : resources.getRequests();
        Map<String, Quantity> limits = resources.getLimits() == null ? Map.of() : resources.getLimits();
        for (LimitRange range : ranges) {
            for (LimitRangeItem item : range.getSpec().getLimits()) {
                if (!"Container".equals(item.getType())) {
                    continue;
                }
                if (item.getMin() != null) {
                    item.getMin().forEach((r, min) -> {
                        Quantity req = requests.get(r);
                        Quantity lim = limits.get(r);
                        if (req == null) {
                            refusals.add("minimum " + r + " usage per Container is " + min
                                    + ".  No request is specified");
                        } else if (milli(req) < milli(min)) {
                            refusals.add("minimum " + r + " usage per Container is " + min + ", but request is " + req);
                        }
                        if (lim != null && milli(lim) < milli(min)) {
                            refusals.add("minimum " + r + " usage per Container is " + min + ", but limit is " + lim);
                        }
                    });
                }
                if (item.getMax() != null) {
                    item.getMax().forEach((r, max) -> {
                        Quantity req = requests.get(r);
                        Quantity lim = limits.get(r);
                        if (lim == null) {
                            refusals.add("maximum " + r + " usage per Container is " + max
                                    + ".  No limit is specified");
                        } else if (milli(lim) > milli(max)) {
                            refusals.add("maximum " + r + " usage per Container is " + max + ", but limit is " + lim);
                        }
                        if (req != null && milli(req) > milli(max)) {
                            refusals.add("maximum " + r + " usage per Container is " + max + ", but request is " + req);
                        }
                    });
                }
                if (item.getMaxLimitRequestRatio() != null) {
                    item.getMaxLimitRequestRatio().forEach((r, ratio) -> {
                        Quantity req = requests.get(r);
                        Quantity lim = limits.get(r);
                        if (req == null || milli(req) == 0) {
                            refusals.add(r + " max limit to request ratio per Container is " + ratio
                                    + ", but no request is specified or request is 0");
                        } else if (lim == null || milli(lim) == 0) {
                            refusals.add(r + " max limit to request ratio per Container is " + ratio
                                    + ", but no limit is specified or limit is 0");
                        } else if ((double) milli(lim) / milli(req) * 1000 > milli(ratio)) {
                            refusals.add(r + " max limit to request ratio per Container is " + ratio
                                    + ", but provided ratio is " + ((double) milli(lim) / milli(req)));
                        }
                    });
                }
            }
        }
        return refusals;
    }

    /** Quantities compared as LimitRanger compares them: in thousandths, rounded up. */
    private static long milli(Quantity quantity) {
        return quantity.getNumericalAmount().multiply(BigDecimal.valueOf(1000))
                .setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }

    @Test
    void withoutLimitRangesTheDefaultsStayAsTheyAre() {
        assertSame(ContainerLimits.NONE, ContainerLimits.of(List.of()));
        assertSame(DEFAULTS, ContainerLimits.NONE.fit(DEFAULTS));
        LimitRange podOnly = range(new LimitRangeItemBuilder().withType("Pod").withMax(q("cpu", "1")).build());
        ContainerLimits podLimits = ContainerLimits.of(List.of(podOnly));
        assertEquals(java.util.Set.of("cpu"), podLimits.podConstrained(), "Pod limits name what they constrain");
        assertSame(DEFAULTS, podLimits.fit(DEFAULTS), "and ask nothing of a container");
    }

    @Test
    void minimumsRaiseMaximumsLowerAndTheRatioRaisesTheRequest() {
        List<LimitRange> ranges = List.of(range(new LimitRangeItemBuilder().withType("Container")
                .withMin(q("cpu", "100m", "memory", "64Mi")).withMax(q("memory", "48Mi")).build()));
        // min memory 64Mi above max 48Mi cannot be met (the API server refuses such a LimitRange); the CPU part:
        ResourceRequirements fitted = ContainerLimits.of(ranges).fit(DEFAULTS);
        assertEquals(new Quantity("100m"), fitted.getRequests().get("cpu"));
        assertEquals(new Quantity("100m"), fitted.getLimits().get("cpu"));

        List<LimitRange> ratio = List.of(range(new LimitRangeItemBuilder().withType("Container")
                .withMaxLimitRequestRatio(q("cpu", "4", "memory", "1")).build()));
        ResourceRequirements withinRatio = ContainerLimits.of(ratio).fit(DEFAULTS);
        assertEquals(new Quantity("25m"), withinRatio.getRequests().get("cpu"));
        assertEquals(new Quantity("32Mi"), withinRatio.getRequests().get("memory"));
        assertEquals(List.of(), limitRanger(ratio, withinRatio));
        assertEquals(2, limitRanger(ratio, DEFAULTS).size(), "the defaults alone are refused");
    }

    @Test
    void severalLimitRangesAllApply() {
        List<LimitRange> ranges = List.of(
                range(new LimitRangeItemBuilder().withType("Container").withMin(q("cpu", "20m")).build()),
                range(new LimitRangeItemBuilder().withType("Container").withMin(q("cpu", "40m"))
                        .withMax(q("cpu", "60m")).build()),
                range(new LimitRangeItemBuilder().withType("Container").withMax(q("cpu", "80m"))
                        .withMin(q("ephemeral-storage", "1Gi")).build()));
        ResourceRequirements fitted = ContainerLimits.of(ranges).fit(DEFAULTS);
        assertEquals(new Quantity("40m"), fitted.getRequests().get("cpu"));
        assertEquals(new Quantity("60m"), fitted.getLimits().get("cpu"));
        assertEquals(new Quantity("1024Mi"), fitted.getRequests().get("ephemeral-storage"));
        assertEquals(List.of(), limitRanger(ranges, fitted));
    }

    /**
     * What no container can meet, or no number at all, or a ratio below 1 (found by ManifestFuzzTest: a ratio of 0
     * divided by zero), is no constraint: never an exception, never a long wait.
     */
    @Test
    void quantitiesThatAreNoAmountAreIgnored() {
        List<LimitRange> hostile = List.of(range(new LimitRangeItemBuilder().withType("Container")
                .withMin(q("cpu", "1e999999999", "memory", "-5Mi", "ephemeral-storage", "lots"))
                .withMax(q("memory", "1e-999999999"))
                .withMaxLimitRequestRatio(q("cpu", "x", "memory", "0", "ephemeral-storage", "0.5")).build()));
        assertSame(DEFAULTS, ContainerLimits.of(hostile).fit(DEFAULTS));
    }

    /**
     * Any LimitRanges the API server accepts (min ≤ max, ratio ≥ 1) and that some container can meet together (no
     * range's minimum above another's maximum).
     */
    @Test
    void randomValidLimitRangesAdmitTheFittedContainer() {
        Random random = new Random(20261202L);
        String[] resources = {"cpu", "memory", "ephemeral-storage"};
        int refusedBefore = 0;
        for (int round = 0; round < 5_000; round++) {
            List<LimitRange> ranges = new ArrayList<>();
            for (int r = 0, n = 1 + random.nextInt(2); r < n; r++) {
                LimitRangeItemBuilder item = new LimitRangeItemBuilder().withType("Container");
                for (String resource : resources) {
                    boolean cpu = resource.equals("cpu");
                    long unit = cpu ? 1 : 1024 * 1024;
                    String suffix = cpu ? "m" : "";
                    long min = random.nextInt(4) == 0 ? (1 + random.nextInt(300)) * unit : 0;
                    long max = random.nextInt(4) == 0 ? min + (1 + random.nextInt(300)) * unit : 0;
                    if (min > 0) {
                        item.addToMin(resource, new Quantity(min + suffix));
                    }
                    if (max > 0) {
                        item.addToMax(resource, new Quantity(max + suffix));
                    }
                    if (random.nextInt(4) == 0) {
                        item.addToMaxLimitRequestRatio(resource,
                                new Quantity(BigDecimal.valueOf(100 + random.nextInt(900), 2).toPlainString()));
                    }
                }
                ranges.add(range(item.build()));
            }
            if (!consistent(ranges)) {
                continue;
            }
            refusedBefore += limitRanger(ranges, DEFAULTS).isEmpty() ? 0 : 1;
            ResourceRequirements fitted = ContainerLimits.of(ranges).fit(DEFAULTS);
            assertEquals(List.of(), limitRanger(ranges, fitted), () -> ranges + " -> " + fitted);
        }
        assertTrue(refusedBefore > 1_000, "LimitRanges the defaults do not meet: " + refusedBefore);
    }

    /** Whether the ranges together can be met: every minimum below every maximum, across ranges too. */
    private static boolean consistent(List<LimitRange> ranges) {
        ContainerLimits merged = ContainerLimits.of(ranges);
        for (Map.Entry<String, BigDecimal> min : merged.min().entrySet()) {
            BigDecimal max = merged.max().get(min.getKey());
            if (max != null && max.compareTo(min.getValue()) < 0) {
                return false;
            }
        }
        return true;
    }
}
