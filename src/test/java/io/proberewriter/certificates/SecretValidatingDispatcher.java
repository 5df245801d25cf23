package io.proberewriter.certificates;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.regex.Pattern;

/**
 * The API server's validation of a Secret update, which the mock's CRUD does without: an update that changes the
 * Secret's {@code type}, or the data of a Secret marked {@code immutable}, is refused with 422 Invalid, as the API
 * server refuses it. Expectations set on the server still come first, then the CRUD answers.
 */
final class SecretValidatingDispatcher extends KubernetesMixedDispatcher {

    private static final Pattern ONE_SECRET = Pattern.compile("/api/v1/namespaces/[^/]+/secrets/[^/?]+");

    /** The messages of the updates refused, in order. */
    final List<String> refused = Collections.synchronizedList(new ArrayList<>());

    SecretValidatingDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
        super(responses);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        if ("PUT".equals(request.getMethod()) && ONE_SECRET.matcher(request.getPath()).matches()) {
            // getBytes leaves the body in place for the CRUD to read.
            Secret wanted = Serialization.unmarshal(
                    new String(request.getBody().getBytes(), StandardCharsets.UTF_8), Secret.class);
            MockResponse read = super.dispatch(new RecordedRequest("GET " + request.getPath() + " HTTP/1.1",
                    HttpMethod.GET, request.getPath(), request.getHeaders(), new Buffer()));
            if (read.code() == 200) {
                Secret stored = Serialization.unmarshal(
                        new String(read.getBody().getBytes(), StandardCharsets.UTF_8), Secret.class);
                if (!Objects.equals(stored.getType(), wanted.getType())) {
                    return invalid(stored, "type: Invalid value: \"" + wanted.getType() + "\": field is immutable");
                }
                if (Boolean.TRUE.equals(stored.getImmutable()) && !Objects.equals(stored.getData(), wanted.getData())) {
                    return invalid(stored, "data: Forbidden: field is immutable when `immutable` is set");
                }
            }
        }
        return super.dispatch(request);
    }

    private MockResponse invalid(Secret stored, String cause) {
        String message = "Secret \"" + stored.getMetadata().getName() + "\" is invalid: " + cause;
        refused.add(message);
        Status status = new StatusBuilder().withStatus("Failure").withReason("Invalid").withCode(422)
                .withMessage(message).build();
        return new MockResponse().setResponseCode(422).setBody(Serialization.asJson(status));
    }
}
