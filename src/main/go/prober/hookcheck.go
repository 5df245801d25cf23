package main

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// httpHookCheck is the kubelet's httpGet lifecycle handler (postStart, preStop), which is not a probe: the
// request is built by the probe's own code (same URL, same header rules, User-Agent kube-lifecycle/<version>),
// but it is judged differently and sent by another client:
//   - any HTTP response counts as delivered, whatever its status (a 500 or a 404 too): only an exchange that
//     yields no response fails the hook (refused, reset, TLS failure, the 10th redirect);
//   - an HTTPS request answered in plain HTTP is sent again once over HTTP, without its Authorization header,
//     and the hook succeeds if that second request gets a response;
//   - the client has no timeout; keep-alive and Go's transparent gzip are on, HTTP/2 is off (a plain
//     http.Transport with only TLS settings); the certificate is not verified;
//   - redirects follow the probe's rule (same host name only, a redirect elsewhere ends the hook with its 3xx);
//   - at most 10 KiB of the body is read, and only when the response does not announce more; what happens while
//     reading it never changes the outcome.
type httpHookCheck struct {
	httpCheck
}

func (c *httpHookCheck) client(dialer *loopbackDialer) *http.Client {
	return &http.Client{
		// Only TLS settings: no proxy, no dial or handshake timeout, HTTP/1.1 only, as the kubelet's client. The
		// dialer is the bare net.Dialer such a transport uses, with the loopback fallback of every check.
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
			DialContext: dialer.DialContext},
		CheckRedirect: sameHostRedirects,
	}
}

func (c *httpHookCheck) run() result {
	dialer := newLoopbackDialer(&net.Dialer{}, c.fallback)
	return dialer.noted(c.deliver(dialer))
}

// deliver sends the hook, every connection through dialer.
func (c *httpHookCheck) deliver(dialer *loopbackDialer) result {
	req, err := c.request()
	if err != nil {
		return hookFailed("%v", err)
	}
	// The kubelet sets no bound; --timeout, when given, bounds both attempts and the body reads together.
	ctx := context.Background()
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	req = req.WithContext(ctx)
	client := c.client(dialer)
	res, err := client.Do(req)
	discardHookBody(res)
	if err == nil {
		return hookSucceeded("HTTP %d from %s", res.StatusCode, res.Request.URL)
	}
	if !gaveHTTPResponseToHTTPS(err) {
		return hookFailed("%v", err)
	}
	plain := req.Clone(ctx)
	plain.URL.Scheme = "http"
	// A credential meant for TLS is not sent in clear text.
	plain.Header.Del("Authorization")
	retried, retryErr := client.Do(plain)
	discardHookBody(retried)
	if retryErr != nil {
		// The kubelet reports the HTTPS attempt's error, not the fallback's.
		return hookFailed("%v", err)
	}
	return hookSucceeded("HTTP %d from %s (warning: the HTTPS request got an HTTP response; retried with HTTP)",
		retried.StatusCode, retried.Request.URL)
}

// gaveHTTPResponseToHTTPS is the kubelet's test for its fallback: net/http's own error for a TLS hello answered
// by a plain HTTP server, inside the client's url.Error.
func gaveHTTPResponseToHTTPS(err error) bool {
	var urlErr *url.Error
	return errors.As(err, &urlErr) && strings.Contains(urlErr.Err.Error(), "server gave HTTP response to HTTPS client")
}

// discardHookBody reads and drops what the kubelet reads of a hook's response: up to 10 KiB, and nothing at all
// when the response announces a longer body. Errors are ignored, as the kubelet ignores them.
func discardHookBody(res *http.Response) {
	if res == nil {
		return
	}
	defer res.Body.Close()
	if res.ContentLength <= maxBodyBytes {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxBodyBytes))
	}
}
