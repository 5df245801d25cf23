package io.proberewriter.certificates;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * One call as the API server makes it: it trusts exactly the caBundle of the webhook configuration, and checks the
 * served certificate against the Service's DNS name (the socket goes to 127.0.0.1, the name is the Service's).
 */
record ApiServerCall(int status, X509Certificate served) {

    static ApiServerCall post(int port, String serviceHost, String caBundleBase64, String body) throws Exception {
        return post(port, serviceHost, caBundleBase64, body, Optional.empty());
    }

    /**
     * The same by an API server whose clock is {@code clock}: it checks the certificates' validity at the moment
     * that clock reads during the handshake, as the webhook and the operator do on a test's stepped clock.
     */
    static ApiServerCall post(int port, String serviceHost, String caBundleBase64, String body, Clock clock)
            throws Exception {
        return post(port, serviceHost, caBundleBase64, body, Optional.of(clock));
    }

    private static ApiServerCall post(int port, String serviceHost, String caBundleBase64, String body,
                                      Optional<Clock> clock) throws Exception {
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
        TrustManager[] trust;
        if (clock.isPresent()) {
            trust = new TrustManager[] {new TrustingAt(store, clock.get())};
        } else {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            trust = factory.getTrustManagers();
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust, null);

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

    /**
     * The JDK's PKIX checks of a server's chain (trust, validity, the host name), made at the moment {@code clock}
     * reads when the server's certificate arrives: a time read before the call began could precede a certificate
     * issued meanwhile.
     */
    private static final class TrustingAt extends X509ExtendedTrustManager {

        private final KeyStore trusted;
        private final Clock clock;

        TrustingAt(KeyStore trusted, Clock clock) {
            this.trusted = trusted;
            this.clock = clock;
        }

        private X509ExtendedTrustManager now() throws CertificateException {
            try {
                PKIXBuilderParameters parameters = new PKIXBuilderParameters(trusted, new X509CertSelector());
                parameters.setRevocationEnabled(false);
                parameters.setDate(Date.from(clock.instant()));
                TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
                factory.init(new CertPathTrustManagerParameters(parameters));
                return (X509ExtendedTrustManager) factory.getTrustManagers()[0];
            } catch (GeneralSecurityException e) {
                throw new CertificateException(e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            now().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            now().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            now().checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            throw new UnsupportedOperationException("a client's trust only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            throw new UnsupportedOperationException("a client's trust only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("a client's trust only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
