package io.proberewriter.webhook;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The transport: the API server POSTs an AdmissionReview to {@code /mutate} over HTTPS. Body size limits (413)
 * are enforced by the HTTP layer before this runs; everything else is the controller's.
 */
@Path("/mutate")
public class MutateResource {

    /**
     * Above this, a declared length is not trusted to size an array up front. The HTTP layer refuses bodies over
     * {@code probe-rewriter.webhook.max-body-size} (7 MiB by default) before this runs; this only keeps a setting
     * raised by mistake from letting a header alone reserve memory.
     */
    private static final long LARGEST_PRESIZED_BODY = 64L * 1024 * 1024;

    private final AdmissionController controller;

    MutateResource(AdmissionController controller) {
        this.controller = controller;
    }

    /**
     * Any content type: the body is parsed here, and a wrong one gets a 400 that says what is wrong. The body is
     * taken as a stream, not as a {@code byte[]}: that way the HTTP layer hands over the chunks as they arrive
     * instead of gathering them into a buffer of its own and copying that twice into an array (over the wire, those
     * copies were most of what an admission allocated). The bytes are read once, into an array of the declared size.
     */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response mutate(InputStream body, @HeaderParam(HttpHeaders.CONTENT_LENGTH) Long length)
            throws IOException {
        AdmissionAnswer answer = controller.handle(bytes(body, length));
        return Response.status(answer.status()).type(answer.contentType()).entity(answer.body()).build();
    }

    private static byte[] bytes(InputStream body, Long length) throws IOException {
        if (body == null) {
            return new byte[0];
        }
        if (length == null || length < 0 || length > LARGEST_PRESIZED_BODY) {
            return body.readAllBytes(); // chunked, or a length not to be trusted: read to the end
        }
        byte[] bytes = new byte[(int) (long) length];
        int read = body.readNBytes(bytes, 0, bytes.length);
        // HTTP frames the body by that length, so it can only come short when the caller went away mid-body: what
        // arrived is judged like any other body (and is not an AdmissionReview).
        return read == bytes.length ? bytes : Arrays.copyOf(bytes, read);
    }
}
