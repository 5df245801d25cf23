package io.proberewriter.fidelity;

import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.proberewriter.engine.ExecCommandStyle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP clients an exec probe may find in an image: the engine's two command styles, and for {@code wget}
 * both flavours, since one argument vector must work in Debian-based (GNU) and BusyBox-based images; and the
 * project's own prober, which the webhook copies into the pod (its command line: {@link ProberCommand}).
 */
enum ExecFlavour {
    CURL("curl", ExecCommandStyle.CURL, List.of("curl", "--version"), "curl "),
    GNU_WGET("wget (GNU)", ExecCommandStyle.WGET, List.of("wget", "--version"), "GNU Wget"),
    BUSYBOX_WGET("wget (BusyBox)", ExecCommandStyle.WGET, List.of("busybox", "wget", "--help"), "Usage: wget"),
    /** Not an engine style yet: its command line comes from {@link ProberCommand}; the binary from the build. */
    PROBER("prober", null, List.of(), "prober ");

    /** The Debian packages that provide all three. */
    static final String APT_PACKAGES = "curl wget busybox-static";

    final String label;
    final ExecCommandStyle style;
    private final List<String> versionCommand;
    private final String versionMarker;

    ExecFlavour(String label, ExecCommandStyle style, List<String> versionCommand, String versionMarker) {
        this.label = label;
        this.style = style;
        this.versionCommand = versionCommand;
        this.versionMarker = versionMarker;
    }

    /** The exec probe that stands for {@code original} (aimed at {@code port}) with this client. */
    Probe execProbe(Probe original, int port) {
        if (this == PROBER) {
            return ProberCommand.execProbe(original, ProberBinary.path().toString());
        }
        return adapt(Rewrites.execProbe(original, port, style));
    }

    /**
     * The rewritten probe as this flavour runs it: BusyBox is called as {@code busybox wget}, where an image
     * would have {@code wget} linked to busybox.
     */
    Probe adapt(Probe rewritten) {
        if (this != BUSYBOX_WGET) {
            return rewritten;
        }
        List<String> argv = rewritten.getExec().getCommand();
        if (!"wget".equals(argv.get(0))) {
            throw new IllegalStateException("expected a wget command, got " + argv);
        }
        List<String> busybox = new ArrayList<>(List.of("busybox", "wget"));
        busybox.addAll(argv.subList(1, argv.size()));
        return new ProbeBuilder(rewritten).editExec().withCommand(busybox).endExec().build();
    }

    /** Null when the client is installed, else what is missing. */
    String missing() {
        List<String> versionCommand = this.versionCommand;
        if (this == PROBER) {
            if (!ProberBinary.available()) {
                return label + ": not built at " + ProberBinary.path() + " (needs Go)";
            }
            versionCommand = List.of(ProberBinary.path().toString(), "version");
        }
        try {
            Process p = new ProcessBuilder(versionCommand).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return label + ": `" + String.join(" ", versionCommand) + "` did not finish";
            }
            return out.contains(versionMarker) ? null
                    : label + ": `" + String.join(" ", versionCommand) + "` does not print \"" + versionMarker
                    + "\" (another implementation?): " + out.lines().findFirst().orElse("");
        } catch (IOException e) {
            return label + ": cannot run `" + String.join(" ", versionCommand) + "`: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return label + ": interrupted";
        }
    }
}
