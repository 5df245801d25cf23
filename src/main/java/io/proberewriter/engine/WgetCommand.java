package io.proberewriter.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code wget}, for images that have it but not curl. Only options that GNU wget and BusyBox wget both
 * understand are used, so one argument vector works in Debian-based images and in BusyBox-based ones (Alpine,
 * busybox).
 * There is no portable per-request timeout (BusyBox builds without it reject {@code -T}); the kubelet's exec
 * probe timeout ({@code timeoutSeconds}) bounds the command instead.
 */
final class WgetCommand implements HttpCheckCommand {

    @Override
    public String executable() {
        return "wget";
    }

    @Override
    public List<String> argv(LocalHttpCheck check, PodOs os) {
        List<String> argv = new ArrayList<>();
        argv.add("wget");
        argv.add("-q");
        argv.add("-O");
        argv.add(os.nullDevice());
        // Proxies from the environment off; both wget flavours accept -Y off.
        argv.add("-Y");
        argv.add("off");
        // -U rather than a header: BusyBox would otherwise send its own User-Agent as well.
        argv.add("-U");
        argv.add(check.userAgent());
        // The kubelet never verifies the app's certificate, not even after a redirect from HTTP to HTTPS.
        argv.add("--no-check-certificate");
        for (LocalHttpCheck.Header header : check.headers()) {
            if (header.named("User-Agent")) {
                continue;
            }
            argv.add("--header");
            argv.add(header.name() + ": " + header.value());
        }
        argv.add(check.url());
        return List.copyOf(argv);
    }
}
