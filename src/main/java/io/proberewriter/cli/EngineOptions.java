package io.proberewriter.cli;

import io.proberewriter.config.ObjectNames;
import io.proberewriter.engine.Annotations;
import io.proberewriter.engine.ExecCommandStyle;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.ImageReference;
import io.proberewriter.engine.Mode;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.PortList;
import io.proberewriter.engine.ProbeKind;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.manifest.SourceDocument;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The settings an offline run needs. {@code --mode}, {@code --exec-command} and {@code --allowed-health-ports}
 * stand for the namespace annotations of the same names (a Namespace document in the input overrides them); the
 * others are the global configuration the webhook would have.
 */
public final class EngineOptions {

    @Option(names = "--mode", paramLabel = "MODE", converter = ModeConverter.class,
            description = "Namespace default mode: exec, port or off (default: " + GlobalSettings.DEFAULT_MODE + ").")
    Mode mode;

    @Option(names = "--exec-command", paramLabel = "CMD", converter = StyleConverter.class,
            description = "Namespace default exec command: prober, curl or wget (default: "
                    + GlobalSettings.DEFAULT_EXEC_COMMAND + ").")
    ExecCommandStyle execCommand;

    @Option(names = "--allowed-health-ports", paramLabel = "PORTS", converter = PortListConverter.class,
            description = "Ports the namespace allows as plaintext health ports in port mode: numbers, low-high "
                    + "ranges or *, comma-separated; stands for the namespace annotation "
                    + "probe-rewriter.io/allowed-health-ports (default: none).")
    PortList allowedHealthPorts;

    @Option(names = "--probes", paramLabel = "KINDS", split = ",", converter = KindConverter.class,
            description = "Probe kinds to rewrite, comma-separated: liveness, readiness, startup (default: "
                    + GlobalSettings.DEFAULT_PROBES + ").")
    Set<ProbeKind> probes;

    @Option(names = "--exclude-annotation", paramLabel = "KEY", converter = AnnotationKeyConverter.class,
            description = "Pod annotation that excludes inbound ports from the mesh, extended in port mode. "
                    + "Repeatable (default: " + GlobalSettings.DEFAULT_EXCLUSION_ANNOTATIONS + ").")
    List<String> exclusionAnnotations = new ArrayList<>();

    @Option(names = "--user-agent", paramLabel = "UA",
            description = "User-Agent of exec probes unless the probe sets one (default: "
                    + GlobalSettings.DEFAULT_USER_AGENT + ").")
    String userAgent;

    @Option(names = "--prober-image", paramLabel = "IMAGE", converter = ImageConverter.class,
            description = "Image the injected init container copies the prober from (default: "
                    + GlobalSettings.DEFAULT_PROBER_IMAGE + ").")
    String proberImage;

    @Option(names = "--proxy-container", paramLabel = "NAME", converter = ContainerNameConverter.class,
            description = "Name of a mesh proxy container whose probes are never touched. Repeatable "
                    + "(default: " + GlobalSettings.DEFAULT_PROXY_CONTAINERS + ").")
    List<String> proxyContainers = new ArrayList<>();

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "default",
            converter = NamespaceConverter.class,
            description = "Namespace of documents that name none (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Mixin
    MtlsOptions mtls;

    GlobalSettings globalSettings() {
        GlobalSettings settings = GlobalSettings.defaults();
        if (probes != null) {
            settings = settings.withProbeKinds(probes);
        }
        if (!exclusionAnnotations.isEmpty()) {
            settings = settings.withExclusionAnnotations(exclusionAnnotations);
        }
        if (userAgent != null) {
            settings = settings.withUserAgent(userAgent);
        }
        if (!proxyContainers.isEmpty()) {
            settings = settings.withProxyContainers(Set.copyOf(proxyContainers));
        }
        if (proberImage != null) {
            settings = settings.withProberImage(proberImage);
        }
        return settings;
    }

    /**
     * The engine for these manifests: the Istio resolver reads its policies and Services from {@code documents};
     * documents it cannot use are reported through {@code warnings}.
     */
    ProbeRewriter engine(List<SourceDocument> documents, Consumer<String> warnings) {
        MtlsOracle oracle = mtls.oracle(documents, namespace, warnings);
        return new ProbeRewriter(globalSettings(), oracle);
    }

    /** The flags that stand for namespace annotations, as annotations. */
    Map<String, String> namespaceDefaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        if (mode != null) {
            defaults.put(Annotations.MODE, mode.value());
        }
        if (execCommand != null) {
            defaults.put(Annotations.EXEC_COMMAND, execCommand.value());
        }
        if (allowedHealthPorts != null) {
            defaults.put(Annotations.ALLOWED_HEALTH_PORTS, allowedHealthPorts.toString());
        }
        return defaults;
    }

    /** A name the API server would refuse in the output, refused as a flag instead. */
    private abstract static class NameConverter implements ITypeConverter<String> {
        abstract Optional<String> problem(String value);

        @Override
        public String convert(String value) {
            problem(value).ifPresent(problem -> {
                throw new TypeConversionException(problem);
            });
            return value;
        }
    }

    /** Written into every pod in port mode: a key the API server refuses would get each of them refused. */
    static final class AnnotationKeyConverter extends NameConverter {
        @Override
        Optional<String> problem(String value) {
            return ObjectNames.annotationKeyProblem(value);
        }
    }

    static final class NamespaceConverter extends NameConverter {
        @Override
        Optional<String> problem(String value) {
            return ObjectNames.labelProblem(value, "namespace");
        }
    }

    static final class ContainerNameConverter extends NameConverter {
        @Override
        Optional<String> problem(String value) {
            return ObjectNames.labelProblem(value, "container");
        }
    }

    static final class ModeConverter implements ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            return Mode.parse(value).orElseThrow(() -> new TypeConversionException(
                    "'" + value + "' is not a mode (accepted: " + Mode.accepted() + ")"));
        }
    }

    static final class StyleConverter implements ITypeConverter<ExecCommandStyle> {
        @Override
        public ExecCommandStyle convert(String value) {
            return ExecCommandStyle.parse(value).orElseThrow(() -> new TypeConversionException(
                    "'" + value + "' is not an exec command (accepted: " + ExecCommandStyle.accepted() + ")"));
        }
    }

    static final class ImageConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            ImageReference.problem(value).ifPresent(problem -> {
                throw new TypeConversionException("'" + value + "' " + problem);
            });
            return value;
        }
    }

    static final class PortListConverter implements ITypeConverter<PortList> {
        @Override
        public PortList convert(String value) {
            return PortList.parse(value).orElseThrow(() -> new TypeConversionException(
                    "'" + value + "' is not a list of ports (accepted: " + PortList.ACCEPTED + ")"));
        }
    }

    static final class KindConverter implements ITypeConverter<ProbeKind> {
        @Override
        public ProbeKind convert(String value) {
            return ProbeKind.fromWord(value.trim()).orElseThrow(() -> new TypeConversionException(
                    "'" + value.trim() + "' is not a probe kind (accepted: liveness, readiness, startup)"));
        }
    }
}
