package io.proberewriter.webhook;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The transport: the API server POSTs an AdmissionReview to {@code /mutate} over HTTPS. Body size limits (413)
 * are enforced by the HTTP layer before this runs; everything else is the controller's.
 */
@Path("/mutate")
public class MutateResource {

    private final AdmissionController controller;

    MutateResource(AdmissionController controller) {
        this.controller = controller;
    }

    /** Any content type: the body is parsed here, and a wrong one gets a 400 that says what is wrong. */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response mutate(byte[] body) {
        AdmissionAnswer answer = controller.handle(body == null ? new byte[0] : body);
        return Response.status(answer.status()).type(answer.contentType()).entity(answer.body()).build();
    }
}
