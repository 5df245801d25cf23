package io.proberewriter.bench.wire;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.List;

/**
 * The floor: an HTTPS server that does nothing but read the body and answer a fixed, small AdmissionReview, on the
 * webhook's own stack (Vert.x and Netty from the packaged application's jars, BoringSSL's TLS engine as the webhook's
 * default, HTTP/1.1, TLS 1.3 and 1.2, the same certificate). Run in a JVM of its own with the webhook's flags, it is
 * what any server on this stack costs here: the webhook's figures are read against it.
 *
 * <p>Arguments: port, certificate file, key file. Prints {@code listening} once it accepts connections.
 */
public final class FloorServer {

    private static final Buffer ANSWER = Buffer.buffer("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
            + "\"AdmissionReview\",\"response\":{\"uid\":\"floor\",\"allowed\":true,\"auditAnnotations\":"
            + "{\"outcome\":\"unchanged\"}}}");

    private FloorServer() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Vertx vertx = Vertx.vertx();
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(port).setSsl(true)
                .setUseAlpn(false).setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.3", "TLSv1.2"))
                .setKeyCertOptions(new PemKeyCertOptions().setCertPaths(List.of(args[1]))
                        .setKeyPaths(List.of(args[2])))
                .setMaxFormAttributeSize(-1);
        if (OpenSSLEngineOptions.isAvailable()) {
            options.setSslEngineOptions(new OpenSSLEngineOptions());
        }
        // One server instance per event loop, as Quarkus deploys its HTTP verticle.
        int instances = 2 * Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < instances; i++) {
            vertx.createHttpServer(options)
                    .requestHandler(request -> request.body().onComplete(body -> request.response()
                            .putHeader("Content-Type", "application/json").end(ANSWER)))
                    .listen()
                    .toCompletionStage().toCompletableFuture().join();
        }
        System.out.println("listening");
        System.out.flush();
    }
}
