package io.proberewriter.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code curl}, the seeds' liveness command ({@code curl -f http://localhost:PORT/PATH}), with the flags that
 * make it judge the app as the kubelet would.
 */
final class CurlCommand implements HttpCheckCommand {

    @Override
    public String executable() {
        return "curl";
    }

    @Override
    public List<String> argv(LocalHttpCheck check, PodOs os) {
        List<String> argv = new ArrayList<>();
        argv.add("curl");
        // Must come first: a ~/.curlrc in the image must not change what the probe does.
        argv.add("--disable");
        argv.add("--silent");
        // Errors go to stderr, which the kubelet records in the probe's failure event.
        argv.add("--show-error");
        // Exit non-zero on 400 and above; with the redirects followed below, success is a final 200-399.
        argv.add("--fail");
        // Brackets and braces in a path are literal for the kubelet, URL patterns for curl.
        argv.add("--globoff");
        // The kubelet sends /a/../b as written; curl would squash it.
        argv.add("--path-as-is");
        argv.add("--noproxy");
        argv.add("*");
        // Go's client refuses the 10th redirect, so the kubelet follows at most 9 (docs/fidelity.md).
        argv.add("--location");
        argv.add("--max-redirs");
        argv.add("9");
        argv.add("--max-time");
        argv.add(Integer.toString(check.timeoutSeconds()));
        // The kubelet never verifies the app's certificate, not even after a redirect from HTTP to HTTPS.
        argv.add("--insecure");
        argv.add("--output");
        argv.add(os.nullDevice());
        for (LocalHttpCheck.Header header : check.headers()) {
            argv.add("--header");
            // "Name:" would make curl drop the header; "Name;" is curl's way to send it empty.
            argv.add(header.value().isEmpty() ? header.name() + ";" : header.name() + ": " + header.value());
        }
        for (String name : check.suppressed()) {
            // "Name:" with nothing after it tells curl not to send its own default.
            argv.add("--header");
            argv.add(name + ":");
        }
        argv.add(check.url());
        return List.copyOf(argv);
    }
}
