package io.proberewriter.bench.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How the webhook runs in a cluster, read from the shipped Deployment rather than copied here: its
 * {@code JAVA_OPTS_APPEND} (what the image's entry point hands to {@code java}) and the container's limits, which the
 * JVM would see through the container's cgroup and which outside a container are given to it as
 * {@code -XX:MaxRAM} and {@code -XX:ActiveProcessorCount} (so the JVM sizes its heap, picks its collector and
 * its thread pools as it would in the pod). A CPU limit is also enforced as the kubelet enforces it, with a CFS quota
 * on a cgroup of the server's own ({@link CpuQuota}), where this machine lets the benchmark make one
 * ({@code -Dbench.cpu-quota=false} turns that off). A quota lets a pod run on any core, but only for its limit's worth
 * of CPU time in each 100 ms; pinning instead ({@code -Dbench.pin=true}, with taskset) ties the server to one core
 * that other work on a shared machine also lands on, which measured the neighbours more than the server.
 *
 * <p>{@code -Dbench.java} picks another JDK, {@code -Dbench.jvm-options} adds options and {@code -Dbench.cpu-limit}
 * replaces the Deployment's CPU limit ({@code none}, or a quantity such as {@code 2} or {@code 1500m}), for
 * comparisons.
 */
public record ShippedRuntime(String java, List<String> options, long memoryLimitBytes, double cpuLimit,
                             boolean cpuQuota, List<String> pinning, List<String> imageOptions,
                             List<String> imageLaunch) {

    static final Path DEPLOYMENT = Path.of("k8s/base/deployment.yaml");
    static final Path OPERATOR_DEPLOYMENT = Path.of("k8s/base/deployment-operator.yaml");

    /** The webhook's ({@code serve}). */
    public static ShippedRuntime read() throws IOException {
        return read(DEPLOYMENT, "webhook");
    }

    /** The operator's ({@code operate}). */
    public static ShippedRuntime operator() throws IOException {
        return read(OPERATOR_DEPLOYMENT, "operator");
    }

    private static ShippedRuntime read(Path deployment, String name) throws IOException {
        JsonNode container = null;
        try (MappingIterator<JsonNode> documents = new YAMLMapper().readerFor(JsonNode.class)
                .readValues(Files.readString(deployment))) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                for (JsonNode candidate : document.at("/spec/template/spec/containers")) {
                    if (name.equals(candidate.path("name").asText())) {
                        container = candidate;
                    }
                }
            }
        }
        if (container == null) {
            throw new IllegalStateException("no container named " + name + " in " + deployment);
        }
        String javaOpts = "";
        for (JsonNode env : container.path("env")) {
            if ("JAVA_OPTS_APPEND".equals(env.path("name").asText())) {
                javaOpts = env.path("value").asText();
            }
        }
        long memory = quantityBytes(container.at("/resources/limits/memory").asText());
        String limit = System.getProperty("bench.cpu-limit", container.at("/resources/limits/cpu").asText());
        double cpuLimit = limit.isBlank() || "none".equals(limit) ? 0 : cpuQuantity(limit);
        int cores = cores(cpuLimit);
        List<String> options = new ArrayList<>();
        options.add("-XX:MaxRAM=" + memory);
        if (cpuLimit > 0) {
            // What the JVM reads from the pod's cgroup; without a limit, the container's own options say it, if any.
            options.add("-XX:ActiveProcessorCount=" + cores);
        }
        options.addAll(words(javaOpts));
        options.addAll(words(System.getProperty("bench.jvm-options", "")));
        String java = System.getProperty("bench.java", ProcessHandle.current().info().command().orElse("java"));
        List<String> pinning = List.of();
        boolean pin = Boolean.parseBoolean(System.getProperty("bench.pin", "false"));
        if (pin && cpuLimit > 0 && Files.isExecutable(Path.of("/usr/bin/taskset"))
                && cores < Runtime.getRuntime().availableProcessors()) {
            pinning = List.of("/usr/bin/taskset", "-c", "0-" + (cores - 1));
        }
        boolean quota = cpuLimit > 0 && pinning.isEmpty()
                && Boolean.parseBoolean(System.getProperty("bench.cpu-quota", "true"));
        return new ShippedRuntime(java, List.copyOf(options), memory, cpuLimit, quota, pinning, List.of(), List.of());
    }

    /**
     * The same, run as the image's entrypoint runs it: with the options it gives before {@code JAVA_OPTS_APPEND}
     * ({@code entrypointOptions}: the class archive made by the image's training run with this build among them) and
     * from the flat class path of its argument file ({@code launch}: io.proberewriter.packaging.ImageClassArchive).
     */
    public ShippedRuntime asImage(List<String> entrypointOptions, List<String> launch) {
        return new ShippedRuntime(java, options, memoryLimitBytes, cpuLimit, cpuQuota, pinning,
                List.copyOf(entrypointOptions), List.copyOf(launch));
    }

    /**
     * What follows {@link #command} to run the fast-jar whose {@code quarkus-run.jar} is {@code jar}: the image's
     * argument file when there is one, {@code -jar jar} otherwise.
     */
    public List<String> launch(String jar) {
        return imageLaunch.isEmpty() ? List.of("-jar", jar) : imageLaunch;
    }

    /**
     * The command that starts the fast-jar's {@code java} as the image does: its own options, then these (pinned,
     * when the limit is below the machine's).
     */
    public List<String> command(List<String> extraOptions) {
        List<String> command = new ArrayList<>(pinning);
        command.add(java);
        command.addAll(imageOptions);
        command.addAll(options);
        command.addAll(extraOptions);
        return command;
    }

    /** The same JVM without the image's options, which belong to the fast-jar: for a server that is not it. */
    public List<String> plainCommand(List<String> extraOptions) {
        return new ShippedRuntime(java, options, memoryLimitBytes, cpuLimit, cpuQuota, pinning, List.of(), List.of())
                .command(extraOptions);
    }

    public String describe() {
        List<String> all = new ArrayList<>(imageOptions);
        all.addAll(options);
        if (!imageLaunch.isEmpty()) {
            all.add("(the image's flat class path)");
        }
        String cpu;
        if (cpuLimit == 0) {
            cpu = " (no CPU limit)";
        } else if (!pinning.isEmpty()) {
            cpu = " pinned to " + cores(cpuLimit) + " core(s) with taskset";
        } else {
            cpu = String.format(Locale.ROOT, cpuQuota ? " (CPU limit of %s core(s) as a CFS quota, where a cgroup could"
                    + " be made: see each server's line)" : " (CPU limit of %s core(s) not enforced)", cpuLimit);
        }
        return String.format(Locale.ROOT, "%s %s%s", java, String.join(" ", all), cpu);
    }

    /** The whole cores a limit spans, as the JVM counts them from a quota. */
    private static int cores(double cpuLimit) {
        return (int) Math.max(1, Math.ceil(cpuLimit));
    }

    private static List<String> words(String text) {
        return text.isBlank() ? List.of() : Arrays.asList(text.trim().split("\\s+"));
    }

    private static long quantityBytes(String quantity) {
        String[][] suffixes = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"k", "1000"},
            {"M", "1000000"}, {"G", "1000000000"}};
        for (String[] suffix : suffixes) {
            if (quantity.endsWith(suffix[0])) {
                return Long.parseLong(quantity.substring(0, quantity.length() - suffix[0].length()))
                        * Long.parseLong(suffix[1]);
            }
        }
        return Long.parseLong(quantity);
    }

    private static double cpuQuantity(String quantity) {
        return quantity.endsWith("m") ? Double.parseDouble(quantity.substring(0, quantity.length() - 1)) / 1000
                : Double.parseDouble(quantity);
    }
}
