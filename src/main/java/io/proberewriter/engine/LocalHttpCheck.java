package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The request the kubelet would send for an {@code httpGet} probe, aimed at localhost: what an exec probe
 * must reproduce. Header rules follow the kubelet's HTTP client: the first {@code Host} becomes the request's
 * host, only the first {@code User-Agent} is sent, other repeated headers are all sent, and
 * {@code User-Agent: kube-probe/…} and {@code Accept: *}{@code /*} are added unless the probe sets its own.
 * An empty {@code Host} means the default host; an empty {@code User-Agent} or {@code Accept} means none is sent
 * at all ({@link #suppressed()}), as the kubelet's client does.
 *
 * @param suppressed default headers the tool adds by itself and must not send here
 */
public record LocalHttpCheck(boolean https, int port, String pathAndQuery, List<Header> headers,
                             List<String> suppressed, int timeoutSeconds) {

    /** One request header; {@code value} may be empty. */
    public record Header(String name, String value) {
        boolean named(String other) {
            return name.equalsIgnoreCase(other);
        }
    }

    /** The kubelet's default when timeoutSeconds is unset, and its minimum. */
    public static final int DEFAULT_TIMEOUT_SECONDS = 1;

    public LocalHttpCheck {
        headers = List.copyOf(headers);
        suppressed = List.copyOf(suppressed);
    }

    /** RFC 9110 token characters: what a header name may consist of. */
    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    /**
     * Why this request cannot be reproduced faithfully, or null. Mutating webhooks run before the API server
     * validates the pod, so header names are checked here: a name must be an HTTP token, as the API server
     * requires (a name like {@code @file} would make curl read headers from a file). Values the API server lets
     * through but the kubelet's HTTP client refuses to send are refused too: such a probe fails every time the
     * kubelet runs it, and a command that sends the header anyway could pass.
     */
    static String problemWith(HTTPGetAction get) {
        List<HTTPHeader> headers = get.getHttpHeaders() == null ? List.of() : get.getHttpHeaders();
        for (int i = 0; i < headers.size(); i++) {
            HTTPHeader h = headers.get(i);
            if (h == null || h.getName() == null || !TOKEN.matcher(h.getName()).matches()) {
                return "httpHeaders[" + i + "] has no valid header name, which the API server will refuse too";
            }
            String value = h.getValue() == null ? "" : h.getValue();
            int refused = firstCharacterGoRefuses(value);
            if (refused >= 0) {
                return "httpHeaders[" + i + "] (" + h.getName() + ") has the control character "
                        + describe(value.charAt(refused)) + " in its value, which the kubelet refuses to send:"
                        + " the probe fails whatever the app answers";
            }
        }
        return null;
    }

    /**
     * The index of the first character the kubelet's HTTP client (Go's net/http) refuses in a header value, or -1.
     * Go checks the value's bytes before it connects: every control character (0x00–0x1F) except horizontal tab,
     * and DEL (0x7F), is refused, and the request fails with {@code net/http: invalid header field value}. Space,
     * tab, visible ASCII and every byte of 0x80 and above (any non-ASCII character in UTF-8, C1 controls included)
     * are sent as they are.
     */
    static int firstCharacterGoRefuses(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return i;
            }
        }
        return -1;
    }

    /** {@code U+001B (ESC)}: the code point and its ASCII name, so that an invisible character can be found. */
    private static String describe(char control) {
        String[] names = {"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR",
                "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS",
                "RS", "US"};
        String name = control == 0x7f ? "DEL" : names[control];
        return String.format(Locale.ROOT, "U+%04X (%s)", (int) control, name);
    }

    static LocalHttpCheck of(HTTPGetAction get, int port, Integer timeoutSeconds, String defaultUserAgent) {
        boolean https = "HTTPS".equalsIgnoreCase(get.getScheme());
        List<Header> headers = new ArrayList<>();
        List<String> suppressed = new ArrayList<>();
        List<HTTPHeader> given = get.getHttpHeaders() == null ? List.of() : get.getHttpHeaders();
        // The kubelet reads Accept with Header.Get (the first value): empty there removes every Accept header.
        boolean acceptRemoved = given.stream().filter(h -> "Accept".equalsIgnoreCase(h.getName())).findFirst()
                .map(h -> h.getValue() == null || h.getValue().isEmpty()).orElse(false);
        boolean hostSeen = false;
        boolean agentSeen = false;
        boolean acceptSeen = false;
        for (HTTPHeader h : given) {
            Header header = new Header(h.getName(), h.getValue() == null ? "" : h.getValue());
            if (header.named("Host")) {
                if (hostSeen) {
                    continue;
                }
                hostSeen = true;
                if (header.value().isEmpty()) {
                    continue;
                }
            } else if (header.named("User-Agent")) {
                if (agentSeen) {
                    continue;
                }
                agentSeen = true;
                if (header.value().isEmpty()) {
                    suppressed.add("User-Agent");
                    continue;
                }
            } else if (header.named("Accept")) {
                acceptSeen = true;
                if (acceptRemoved) {
                    continue;
                }
            }
            headers.add(header);
        }
        if (!agentSeen) {
            headers.add(new Header("User-Agent", defaultUserAgent));
        }
        if (acceptRemoved) {
            suppressed.add("Accept");
        } else if (!acceptSeen) {
            headers.add(new Header("Accept", "*/*"));
        }
        int timeout = timeoutSeconds == null || timeoutSeconds < DEFAULT_TIMEOUT_SECONDS
                ? DEFAULT_TIMEOUT_SECONDS : timeoutSeconds;
        return new LocalHttpCheck(https, port, normalizePath(get.getPath()), headers, suppressed, timeout);
    }

    /** {@code http://localhost:PORT/PATH?QUERY}. */
    public String url() {
        return (https ? "https" : "http") + "://localhost:" + port + pathAndQuery;
    }

    /**
     * The kubelet's URL handling: default {@code /}, a leading slash added, the fragment dropped, and
     * characters that cannot appear in a request line percent-encoded (as Go's URL formatting does).
     */
    static String normalizePath(String path) {
        String p = path == null ? "" : path;
        int fragment = p.indexOf('#');
        if (fragment >= 0) {
            p = p.substring(0, fragment);
        }
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        StringBuilder out = new StringBuilder(p.length());
        byte[] bytes = p.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean validEscape = b == '%' && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2]);
            if (b > 0x20 && b < 0x7f && "\"<>\\^`{|}".indexOf(b) < 0 && (b != '%' || validEscape)) {
                out.append((char) b);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", b));
            }
        }
        return out.toString();
    }

    private static boolean isHex(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    /** The User-Agent to send: the probe's own (first) or the default added in {@link #of}; empty for none. */
    public String userAgent() {
        return headers.stream().filter(h -> h.named("User-Agent")).findFirst().map(Header::value).orElse("");
    }
}
