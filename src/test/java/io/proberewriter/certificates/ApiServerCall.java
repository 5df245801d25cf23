package io.proberewriter.certificates;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * One call as the API server makes it: it trusts exactly the caBundle of the webhook configuration, and checks the
 * served certificate against the Service's DNS name (the socket goes to 127.0.0.1, the name is the Service's).
 */
record ApiServerCall(int status, X509Certificate served) {

    static ApiServerCall post(int port, String serviceHost, String caBundleBase64, String body) throws Exception {
        return post(port, serviceHost, caBundleBase64, body, Instant.now());
    }

    /**
     * The same by an API server whose clock reads {@code now}: it checks the certificates' validity at that moment,
     * as the webhook and the operator do on a test's stepped clock.
     */
    static ApiServerCall post(int port, String serviceHost, String caBundleBase64, String body, Instant now)
            throws Exception {
        List<X509Certificate> trusted = PemCodec.certificates(
                new String(Base64.getDecoder().decode(caBundleBase64), StandardCharsets.US_ASCII));
        if (trusted.isEmpty()) {
            throw new IllegalStateException("the caBundle holds no certificate");
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        for (int i = 0; i < trusted.size(); i++) {
            store.setCertificateEntry("ca-" + i, trusted.get(i));
        }
        PKIXBuilderParameters validation = new PKIXBuilderParameters(store, new X509CertSelector());
        validation.setRevocationEnabled(false);
        validation.setDate(Date.from(now));
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(new CertPathTrustManagerParameters(validation));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);

        Socket plain = new Socket("127.0.0.1", port);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, serviceHost, port, true)) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setServerNames(List.of(new SNIHostName(serviceHost)));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            byte[] payload = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /mutate HTTP/1.1\r\nHost: " + serviceHost + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + payload.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream statusLine = new ByteArrayOutputStream();
            for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
                statusLine.write(b);
            }
            String[] parts = statusLine.toString(StandardCharsets.US_ASCII).split(" ");
            int status = parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
            in.transferTo(OutputStream.nullOutputStream());
            return new ApiServerCall(status, served);
        }
    }
}
