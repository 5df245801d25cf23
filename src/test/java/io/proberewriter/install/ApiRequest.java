package io.proberewriter.install;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One HTTP request to the Kubernetes API as the API server's authorization sees it: the attributes its request-info
 * resolver (k8s.io/apiserver, pkg/endpoints/request/requestinfo.go, {@code NewRequestInfo}) derives from the method,
 * the path and the query, before RBAC checks them. {@link RbacRules} decides on these attributes.
 *
 * <p>Two kinds of request come out of a path:
 * <ul>
 * <li>resource requests, {@code /api/v1/...} (the core group, {@code ""}) and {@code /apis/{group}/{version}/...},
 * with at least a resource after the version;</li>
 * <li>non-resource requests, everything else, including the discovery documents {@code /api}, {@code /api/v1},
 * {@code /apis}, {@code /apis/{group}} and {@code /apis/{group}/{version}}: their verb is the lower-cased HTTP method
 * and RBAC matches their path against {@code nonResourceURLs}.</li>
 * </ul>
 *
 * @param method the HTTP method, upper case as sent ("GET")
 * @param path the URL path, percent-decoded, without the query
 * @param resourceRequest whether this is a request for an API resource (else a non-resource URL)
 * @param verb the Kubernetes verb for a resource request (get, list, watch, create, update, patch, delete,
 *        deletecollection, proxy; "" for a method the resolver does not map), the lower-cased method otherwise
 * @param apiGroup the API group, "" for the core group and for non-resource requests
 * @param apiVersion the API version, "" for non-resource requests
 * @param namespace the namespace the request is in, "" when cluster-scoped or across all namespaces
 * @param resource the resource ("secrets"), "" for non-resource requests
 * @param subresource the subresource ("status"), "" when none
 * @param name the object's name, "" when the request names none (a plain list, a create)
 */
public record ApiRequest(String method, String path, boolean resourceRequest, String verb, String apiGroup,
        String apiVersion, String namespace, String resource, String subresource, String name) {

    /** Path segments that, right after the version, carry the verb themselves (the deprecated verb-in-path form). */
    private static final Set<String> VERBS_IN_PATH = Set.of("watch", "proxy");
    /** After {@code /namespaces/{name}}, these are subresources of that Namespace, not namespaced resources. */
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    public ApiRequest {
        for (String field : new String[] { method, path, verb, apiGroup, apiVersion, namespace, resource, subresource,
                name }) {
            if (field == null) {
                throw new IllegalArgumentException("ApiRequest fields may be empty but not null");
            }
        }
    }

    /**
     * The request for an HTTP method and a path with an optional query string, as a client sends it; the query is
     * still URL-encoded ({@code ?fieldSelector=metadata.name%3Dprobe-rewriter-tls&watch=true}).
     *
     * @throws IllegalArgumentException when the path is not a valid URI path, or is a verb-in-path request without
     *         a resource ({@code /api/v1/watch}), which the API server cannot resolve either
     */
    public static ApiRequest parse(String method, String pathAndQuery) {
        if (method == null || method.isBlank()) {
            throw new IllegalArgumentException("no HTTP method for " + pathAndQuery);
        }
        if (pathAndQuery == null || !pathAndQuery.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute path: " + pathAndQuery);
        }
        URI uri;
        try {
            uri = new URI(pathAndQuery);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid path and query: " + pathAndQuery, e);
        }
        String httpMethod = method.toUpperCase(Locale.ROOT);
        String path = uri.getPath();
        Map<String, List<String>> query = parseQuery(uri.getRawQuery());

        // Until proven otherwise a request is a non-resource one, with the lower-cased method as its verb.
        ApiRequest nonResource = new ApiRequest(httpMethod, path, false, httpMethod.toLowerCase(Locale.ROOT), "", "",
                "", "", "", "");
        List<String> parts = splitPath(path);
        if (parts.size() < 3 || !(parts.get(0).equals("api") || parts.get(0).equals("apis"))) {
            return nonResource;
        }
        boolean grouped = parts.get(0).equals("apis");
        parts = parts.subList(1, parts.size());
        String group = "";
        if (grouped) {
            // /apis/{group}/{version} with nothing after it is the group version's discovery document.
            if (parts.size() < 3) {
                return nonResource;
            }
            group = parts.get(0);
            parts = parts.subList(1, parts.size());
        }
        String version = parts.get(0);
        parts = parts.subList(1, parts.size());

        String verb;
        boolean verbInPath = VERBS_IN_PATH.contains(parts.get(0));
        if (verbInPath) {
            if (parts.size() < 2) {
                throw new IllegalArgumentException("unable to determine kind and namespace from " + pathAndQuery);
            }
            verb = parts.get(0);
            parts = parts.subList(1, parts.size());
        } else {
            verb = switch (httpMethod) {
                case "POST" -> "create";
                case "GET", "HEAD" -> "get";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> "delete";
                default -> "";
            };
        }

        // /namespaces/{ns}/{resource}/... is relative to the resource; /namespaces, /namespaces/{ns} and
        // /namespaces/{ns}/status are the Namespace resource itself (and there {ns} is both name and namespace).
        String namespace = "";
        if (parts.get(0).equals("namespaces") && parts.size() > 1) {
            namespace = parts.get(1);
            if (parts.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(parts.get(2))) {
                parts = parts.subList(2, parts.size());
            }
        }

        // What is left reads resource/name/subresource/anything-else; proxy takes no subresource.
        String resource = parts.get(0);
        String name = parts.size() >= 2 ? parts.get(1) : "";
        String subresource = parts.size() >= 3 && !verb.equals("proxy") ? parts.get(2) : "";

        // A GET without a name is a list or a watch of the collection. Only then does the server read the list
        // options, and a fieldSelector requiring metadata.name to be one value names the object, so that RBAC
        // resourceNames can allow a list or watch of that one object (not so for the /watch/ path form, whose verb
        // is already watch).
        if (name.isEmpty() && verb.equals("get")) {
            ListOptions options = ListOptions.decode(query);
            verb = options.watch() ? "watch" : "list";
            name = options.nameFromFieldSelector().filter(ApiRequest::isValidPathSegmentName).orElse("");
        }
        if (name.isEmpty() && verb.equals("delete")) {
            verb = "deletecollection";
        }
        return new ApiRequest(httpMethod, path, true, verb, group, version, namespace, resource, subresource, name);
    }

    /** The resource with its subresource, as RBAC rules spell it: "pods", "pods/status". */
    public String resourceWithSubresource() {
        return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }

    /**
     * Short and readable: "watch secrets probe-rewriter-system/probe-rewriter-tls", "patch deployments.apps web/api",
     * "create events in demo", "create selfsubjectrulesreviews.authorization.k8s.io", "update namespaces/status demo",
     * "get /version" (a non-resource request shows its path).
     */
    @Override
    public String toString() {
        if (!resourceRequest) {
            return verb + " " + path;
        }
        StringBuilder out = new StringBuilder(verb).append(' ').append(resource);
        if (!apiGroup.isEmpty()) {
            out.append('.').append(apiGroup);
        }
        if (!subresource.isEmpty()) {
            out.append('/').append(subresource);
        }
        // A Namespace's namespace is its own name: say it once.
        boolean namespaceObject = resource.equals("namespaces") && apiGroup.isEmpty() && name.equals(namespace);
        if (!namespace.isEmpty() && !namespaceObject) {
            out.append(name.isEmpty() ? " in " + namespace : " " + namespace + "/" + name);
        } else if (!name.isEmpty()) {
            out.append(' ').append(name);
        }
        return out.toString();
    }

    // --- the path ---

    /** The segments between slashes, leading and trailing slashes ignored, as the API server splits a path. */
    private static List<String> splitPath(String path) {
        String trimmed = path;
        while (trimmed.startsWith("/")) {
            trimmed = trimmed.substring(1);
        }
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("/", -1));
    }

    /** A name that can be a path segment (k8s.io/apimachinery path.IsValidPathSegmentName). */
    private static boolean isValidPathSegmentName(String name) {
        return !name.equals(".") && !name.equals("..") && !name.contains("/") && !name.contains("%");
    }

    // --- the query ---

    /** Query parameters in order, decoded as a form (+ is a space), as Go's url.ParseQuery does. */
    private static Map<String, List<String>> parseQuery(String rawQuery) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad percent-encoding in query: " + text, e);
        }
    }

    /**
     * What the resolver needs of the list options: whether it is a watch, and the name a fieldSelector requires.
     * When the options do not decode (a malformed fieldSelector, a non-integer limit), the API server falls back
     * to a list without a name, still honouring watch; so do we. Other options (labelSelector, continue, ...) do
     * not change the authorization attributes and are not interpreted.
     */
    private record ListOptions(boolean watch, Optional<String> nameFromFieldSelector) {

        static ListOptions decode(Map<String, List<String>> query) {
            boolean watch = watchRequested(query);
            try {
                for (String integer : List.of("limit", "timeoutSeconds")) {
                    String value = first(query, integer);
                    if (value != null) {
                        Long.parseLong(value);
                    }
                }
                String selector = first(query, "fieldSelector");
                Optional<String> name = selector == null ? Optional.empty()
                        : FieldSelector.parse(selector).requiredValue("metadata.name");
                return new ListOptions(watch, name);
            } catch (IllegalArgumentException undecodable) {
                return new ListOptions(watch, Optional.empty());
            }
        }

        /** As Kubernetes converts a query boolean: present and neither "0" nor "false" (any case), even empty. */
        private static boolean watchRequested(Map<String, List<String>> query) {
            String value = first(query, "watch");
            return value != null && !value.equals("0") && !value.equalsIgnoreCase("false");
        }

        private static String first(Map<String, List<String>> query, String key) {
            List<String> values = query.get(key);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /**
     * A field selector as k8s.io/apimachinery's fields.ParseSelector reads it: terms separated by unescaped commas,
     * each {@code field=value}, {@code field==value} or {@code field!=value}; a value escapes {@code \ , =} with a
     * backslash.
     */
    private record FieldSelector(List<Term> terms) {

        private record Term(String field, String operator, String value) {
        }

        private static final List<String> OPERATORS = List.of("!=", "==", "=");

        static FieldSelector parse(String selector) {
            List<String> texts = splitTerms(selector);
            // The API server sorts the terms before reading them, which decides which of two metadata.name terms
            // wins; keep that order for the same answer.
            Collections.sort(texts);
            List<Term> terms = new ArrayList<>();
            for (String text : texts) {
                if (!text.isEmpty()) {
                    terms.add(splitTerm(selector, text));
                }
            }
            return new FieldSelector(terms);
        }

        /** The value an equality term requires of the field, if one does. */
        Optional<String> requiredValue(String field) {
            return terms.stream()
                    .filter(t -> t.field().equals(field) && !t.operator().equals("!="))
                    .map(Term::value)
                    .findFirst();
        }

        private static List<String> splitTerms(String selector) {
            List<String> out = new ArrayList<>();
            if (selector.isEmpty()) {
                return out;
            }
            int start = 0;
            boolean escaped = false;
            for (int i = 0; i < selector.length(); i++) {
                char c = selector.charAt(i);
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == ',') {
                    out.add(selector.substring(start, i));
                    start = i + 1;
                }
            }
            out.add(selector.substring(start));
            return out;
        }

        /** The first operator from the left splits the term; at one position "!=" and "==" are tried before "=". */
        private static Term splitTerm(String selector, String term) {
            for (int i = 0; i < term.length(); i++) {
                for (String operator : OPERATORS) {
                    if (term.startsWith(operator, i)) {
                        return new Term(term.substring(0, i), operator,
                                unescape(term.substring(i + operator.length())));
                    }
                }
            }
            throw new IllegalArgumentException("invalid field selector '" + selector + "': no operator in '" + term
                    + "'");
        }

        private static String unescape(String value) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (i + 1 >= value.length() || "\\,=".indexOf(value.charAt(i + 1)) < 0) {
                    throw new IllegalArgumentException("invalid escape sequence in field selector value " + value);
                }
                out.append(value.charAt(++i));
            }
            return out.toString();
        }
    }
}
