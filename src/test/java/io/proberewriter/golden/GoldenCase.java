package io.proberewriter.golden;

import io.proberewriter.manifest.ManifestReader;
import io.proberewriter.manifest.MeshPolicyDocuments;
import io.proberewriter.manifest.SourceDocument;
import io.proberewriter.mtls.MeshPolicies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One folder under {@code src/test/resources/golden}: {@code input.yaml} (or {@code input.json}), optional
 * {@code args} (CLI flags, one per line), {@code expected.yaml} and {@code explain.txt}. The CLI and the webhook
 * are both tested against every case.
 */
public record GoldenCase(Path dir) {

    public static final Path ROOT = Path.of("src/test/resources/golden");
    /** {@code -Dgolden.update=true}: write expected files instead of comparing. */
    public static final boolean UPDATE = Boolean.getBoolean("golden.update");

    public static Stream<GoldenCase> all() throws IOException {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(Files::isDirectory).sorted().map(GoldenCase::new).toList().stream();
        }
    }

    public String name() {
        return dir.getFileName().toString();
    }

    public Path input() {
        Path json = dir.resolve("input.json");
        return Files.exists(json) ? json : dir.resolve("input.yaml");
    }

    public Path expected() {
        return dir.resolve("expected.yaml");
    }

    public Path explain() {
        return dir.resolve("explain.txt");
    }

    /** The CLI flags of the case; unchecked, so that test factories can filter cases by them. */
    public List<String> flags() {
        Path args = dir.resolve("args");
        if (!Files.exists(args)) {
            return List.of();
        }
        try {
            return Files.readAllLines(args).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value of a {@code --flag value} pair in {@code args}, or null. */
    public String flag(String name) {
        List<String> flags = flags();
        int at = flags.indexOf(name);
        return at >= 0 && at + 1 < flags.size() ? flags.get(at + 1) : null;
    }

    /**
     * The resolver the CLI runs this case with: the {@code --mtls} flag, or for {@code auto} (the default) istio when
     * the input holds Istio's policies or Istio 0.8's mesh config, assume-all otherwise.
     */
    public String resolver() {
        String flag = flag("--mtls");
        if (flag != null && !flag.equals("auto")) {
            return flag;
        }
        return inputs().stream().anyMatch(d -> MeshPolicies.isPolicyKind(d.content().path("apiVersion").asText(""),
                d.content().path("kind").asText("")) || MeshPolicyDocuments.isIstioMeshConfig(d, "istio-system"))
                ? "istio" : "assume-all";
    }

    /** {@code --istio-rewrites-probes}, empty when the case leaves it unset. */
    public Optional<Boolean> istioRewritesProbes() {
        return Optional.ofNullable(flag("--istio-rewrites-probes")).map(Boolean::parseBoolean);
    }

    /** Whether the input holds a document of this kind (top level). */
    public boolean holdsKind(String kind) {
        return inputs().stream().anyMatch(d -> kind.equals(d.content().path("kind").asText("")));
    }

    public List<SourceDocument> inputs() {
        try {
            return new ManifestReader().read(input().toString(), Files.readString(input()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + input(), e);
        }
    }

    public String[] rewriteArgs(Path file, boolean withCommandName) throws IOException {
        List<String> args = new ArrayList<>();
        if (withCommandName) {
            args.add("rewrite");
        }
        args.add("-f");
        args.add(file.toString());
        args.add("--explain");
        args.addAll(flags());
        return args.toArray(String[]::new);
    }

    /** Reports name files by the path given; golden files name them relative to the case folder. */
    public String normalize(String text) {
        return text.replace(dir.toString() + "/", "");
    }
}
