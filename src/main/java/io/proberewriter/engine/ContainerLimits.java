package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BinaryOperator;

/**
 * What a namespace's LimitRanges ask of every container ({@code type: Container}), as the API server's LimitRanger
 * checks it once the webhooks have run: each request and limit at least {@code min}, each at most {@code max}, and a
 * limit at most {@code maxLimitRequestRatio} times its request. A container that misses one is refused, and its pod
 * with it: so the prober's init container, whose resources are small on purpose, is fitted to them. Several
 * LimitRanges all apply: the highest minimum, the lowest maximum and the lowest ratio.
 *
 * <p>{@code default} and {@code defaultRequest} are not read: the init container sets its CPU and memory itself (in a
 * BestEffort pod none, where no range names them, see {@link ProberPlacement}).
 * Of {@code type: Pod} items, only which resources they constrain ({@link #podConstrained}): LimitRanger counts a pod's
 * request and limit of a resource as the larger of its containers' sum and any one init container's, so the init
 * container, whose limits are larger than its requests, could take a small pod past a pod maximum or ratio; it is held
 * to the pod's own sums there ({@link ProberPlacement}).
 *
 * @param podConstrained the resources a {@code type: Pod} item names in its min, max or ratio
 */
public record ContainerLimits(Map<String, BigDecimal> min, Map<String, BigDecimal> max,
                              Map<String, BigDecimal> maxLimitRequestRatio, Set<String> podConstrained) {

    public static final ContainerLimits NONE = new ContainerLimits(Map.of(), Map.of(), Map.of(), Set.of());
    private static final String CONTAINER = "Container";
    private static final String POD = "Pod";
    private static final String EPHEMERAL_STORAGE = "ephemeral-storage";
    private static final int MAX_DIGITS = 30;
    /** The prober's volume's size limit: all the disk the init container can fill. */
    private static final BigDecimal OWN_DISK = BigDecimal.valueOf(16L * 1024 * 1024);

    public ContainerLimits {
        min = Map.copyOf(min);
        max = Map.copyOf(max);
        maxLimitRequestRatio = Map.copyOf(maxLimitRequestRatio);
        podConstrained = Set.copyOf(podConstrained);
    }

    /** The Container limits of a namespace's LimitRanges; {@link #NONE} without any. */
    public static ContainerLimits of(Collection<LimitRange> limitRanges) {
        Map<String, BigDecimal> min = new HashMap<>();
        Map<String, BigDecimal> max = new HashMap<>();
        Map<String, BigDecimal> ratio = new HashMap<>();
        Set<String> podConstrained = new HashSet<>();
        for (LimitRange range : limitRanges) {
            if (range == null || range.getSpec() == null || range.getSpec().getLimits() == null) {
                continue;
            }
            for (LimitRangeItem item : range.getSpec().getLimits()) {
                if (item != null && CONTAINER.equals(item.getType())) {
                    merge(min, item.getMin(), BigDecimal::max);
                    merge(max, item.getMax(), BigDecimal::min);
                    merge(ratio, atLeastOne(item.getMaxLimitRequestRatio()), BigDecimal::min);
                } else if (item != null && POD.equals(item.getType())) {
                    for (Map<String, Quantity> values : java.util.Arrays.asList(item.getMin(), item.getMax(),
                            item.getMaxLimitRequestRatio())) {
                        if (values != null) {
                            values.keySet().stream().filter(java.util.Objects::nonNull).forEach(podConstrained::add);
                        }
                    }
                }
            }
        }
        return min.isEmpty() && max.isEmpty() && ratio.isEmpty() && podConstrained.isEmpty() ? NONE
                : new ContainerLimits(min, max, ratio, podConstrained);
    }

    /**
     * The ratios of 1 or more: the API server refuses a LimitRange with a smaller one (no limit can be below its
     * request), so a manifest's {@code 0} or {@code 0.5} asks nothing.
     */
    private static Map<String, Quantity> atLeastOne(Map<String, Quantity> ratios) {
        if (ratios == null) {
            return null;
        }
        Map<String, Quantity> kept = new HashMap<>();
        ratios.forEach((resource, ratio) -> {
            BigDecimal amount = amount(ratio);
            if (amount != null && amount.compareTo(BigDecimal.ONE) >= 0) {
                kept.put(resource, ratio);
            }
        });
        return kept;
    }

    private static void merge(Map<String, BigDecimal> into, Map<String, Quantity> values,
                              BinaryOperator<BigDecimal> stricter) {
        if (values == null) {
            return;
        }
        values.forEach((resource, quantity) -> {
            BigDecimal amount = amount(quantity);
            if (resource != null && amount != null) {
                into.merge(resource, amount, stricter);
            }
        });
    }

    /**
     * A quantity's amount, or null where it is not one a container could meet (the API server validated it; a
     * manifest may not be): negative, or with more than 30 digits either side of the point, whose rounding would cost
     * time in proportion to its exponent ({@code 1e999999999}).
     */
    static BigDecimal amount(Quantity quantity) {
        BigDecimal amount;
        try {
            amount = quantity == null ? null : quantity.getNumericalAmount();
        } catch (ArithmeticException | IllegalArgumentException e) {
            return null;
        }
        if (amount == null || amount.signum() < 0 || amount.scale() > MAX_DIGITS
                || amount.precision() - amount.scale() > MAX_DIGITS) {
            return null;
        }
        return amount;
    }

    /**
     * Whether a range names CPU or memory. A pod under one is not BestEffort once the API server has it: LimitRanger
     * gives every container that does not ask the range's defaults (the API server derives them from {@code min} and
     * {@code max} where the range names none), or refuses it.
     */
    boolean namesCpuOrMemory() {
        for (String resource : List.of("cpu", "memory")) {
            if (min.containsKey(resource) || max.containsKey(resource) || maxLimitRequestRatio.containsKey(resource)
                    || podConstrained.contains(resource)) {
                return true;
            }
        }
        return false;
    }

    public boolean none() {
        return min.isEmpty() && max.isEmpty() && maxLimitRequestRatio.isEmpty() && podConstrained.isEmpty();
    }

    /**
     * {@code wanted} changed as little as these limits need: a request or limit below the minimum raised to it, a
     * limit above the maximum lowered to it (and the request with it), a request raised until the limit is within
     * the ratio. A resource that a limit names and {@code wanted} does not ask for gets the minimum as its request,
     * or the maximum as its limit, since LimitRanger refuses a container without one; ephemeral storage under a ratio
     * alone gets the prober volume's size as both. Another resource under a ratio alone is left to the LimitRange's
     * defaults, which LimitRanger gives a container that does not ask.
     */
    public ResourceRequirements fit(ResourceRequirements wanted) {
        if (min.isEmpty() && max.isEmpty() && maxLimitRequestRatio.isEmpty()) {
            return wanted;
        }
        Map<String, BigDecimal> requests = amounts(wanted.getRequests());
        Map<String, BigDecimal> limits = amounts(wanted.getLimits());
        TreeSet<String> resources = new TreeSet<>(min.keySet());
        resources.addAll(max.keySet());
        resources.addAll(maxLimitRequestRatio.keySet());
        for (String resource : resources) {
            BigDecimal request = requests.get(resource);
            BigDecimal limit = limits.get(resource);
            BigDecimal floor = min.get(resource);
            BigDecimal ceiling = max.get(resource);
            BigDecimal ratio = maxLimitRequestRatio.get(resource);
            if (floor != null) {
                request = request == null ? floor : request.max(floor);
                limit = limit == null ? null : limit.max(floor);
            }
            if (ceiling != null) {
                limit = limit == null ? ceiling : limit.min(ceiling);
                request = request == null ? null : request.min(limit);
            }
            if (ratio != null) {
                if (request == null && limit == null) {
                    // LimitRanger wants both; the init container's disk is the volume it fills, a few MiB.
                    if (!EPHEMERAL_STORAGE.equals(resource)) {
                        continue;
                    }
                    request = OWN_DISK;
                }
                request = request == null ? limit : request;
                limit = limit == null ? request : limit;
                BigDecimal least = limit.divide(ratio, 3, RoundingMode.CEILING);
                request = request.max(least).min(limit);
            }
            put(requests, resource, request);
            put(limits, resource, limit);
        }
        ResourceRequirements fitted = new ResourceRequirements(wanted.getClaims(), quantities(limits),
                quantities(requests));
        wanted.getAdditionalProperties().forEach(fitted::setAdditionalProperty);
        return fitted;
    }

    private static void put(Map<String, BigDecimal> into, String resource, BigDecimal amount) {
        if (amount != null) {
            into.put(resource, amount);
        }
    }

    private static Map<String, BigDecimal> amounts(Map<String, Quantity> quantities) {
        Map<String, BigDecimal> out = new TreeMap<>();
        if (quantities != null) {
            quantities.forEach((resource, quantity) -> put(out, resource, amount(quantity)));
        }
        return out;
    }

    private static Map<String, Quantity> quantities(Map<String, BigDecimal> amounts) {
        Map<String, Quantity> out = new TreeMap<>();
        amounts.forEach((resource, amount) -> out.put(resource, quantity(resource, amount)));
        return out;
    }

    /**
     * Written as people write them: CPU in millicores (rounded up: the API server keeps no finer), memory and other
     * byte amounts in Mi where whole, else in bytes (rounded up).
     */
    static Quantity quantity(String resource, BigDecimal amount) {
        if ("cpu".equals(resource)) {
            BigDecimal millis = amount.multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING);
            return millis.remainder(BigDecimal.valueOf(1000)).signum() == 0
                    ? new Quantity(millis.divide(BigDecimal.valueOf(1000)).toPlainString())
                    : new Quantity(millis.toPlainString() + "m");
        }
        BigDecimal whole = amount.setScale(0, RoundingMode.CEILING);
        BigDecimal mebi = BigDecimal.valueOf(1024L * 1024L);
        return whole.signum() > 0 && whole.remainder(mebi).signum() == 0
                ? new Quantity(whole.divide(mebi).toPlainString() + "Mi")
                : new Quantity(whole.toPlainString());
    }
}
