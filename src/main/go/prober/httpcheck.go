package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// maxBodyBytes is how much of the response the kubelet reads before it stops (and still judges the status).
const maxBodyBytes = 10 * 1024

// maxAttempts is the kubelet's maxProbeRetries: an exchange that ends in a probe error (not a failure) is run again,
// up to this many times in all, before the kubelet gives up on the period.
const maxAttempts = 3

// maxRequests is the kubelet's redirect limit, Go's default: the check refuses a redirect once this many
// requests were made, so at most 9 redirects are followed.
const maxRequests = 10

// httpCheck is the kubelet's httpGet probe (pkg/probe/http), with Go's net/http, the kubelet's own client.
type httpCheck struct {
	scheme, host string
	port         int
	path         string
	headers      []header
	userAgent    string
	timeout      time.Duration
	// fallback: --host was not given, so 127.0.0.1 and then ::1 (loopbackDialer). The URL, and so the Host the
	// app sees, keeps 127.0.0.1 either way: only the connection moves.
	fallback bool
	// passOnError (--on-error=pass) is the verdict when every attempt ended in a probe error, a case the kubelet
	// neither counts as a failure nor as a success: it discards the result. An exec probe must say one or the
	// other; pass is right for a liveness probe (the kubelet never restarts a container over errors), fail for
	// readiness and startup (their state starts as failure, and an error never moves it).
	passOnError bool
}

// url builds the probe's URL as the kubelet does: the path is parsed as a URL reference (query included);
// if it does not parse, it is taken whole as the path. Scheme and host:port are then set on it, which also
// gives a path without a leading slash one.
func (c *httpCheck) url() *url.URL {
	u, err := url.Parse(c.path)
	if err != nil {
		u = &url.URL{Path: c.path}
	}
	u.Scheme = c.scheme
	u.Host = net.JoinHostPort(c.host, strconv.Itoa(c.port))
	return u
}

// requestHeaders applies the kubelet's rules: names canonicalised and values kept in order; User-Agent and
// Accept: */* added when the probe sets none; a first Accept that is empty removes every Accept. An empty
// first User-Agent stays, and net/http then sends no User-Agent at all (nor its own).
func (c *httpCheck) requestHeaders() http.Header {
	h := http.Header{}
	for _, x := range c.headers {
		h.Add(x.name, x.value)
	}
	if _, ok := h["User-Agent"]; !ok {
		h.Set("User-Agent", c.userAgent)
	}
	if _, ok := h["Accept"]; !ok {
		h.Set("Accept", "*/*")
	} else if h.Get("Accept") == "" {
		h.Del("Accept")
	}
	return h
}

func (c *httpCheck) request() (*http.Request, error) {
	req, err := http.NewRequest(http.MethodGet, c.url().String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header = c.requestHeaders()
	// The first Host header names the virtual host; net/http never sends a Host from the header map.
	req.Host = req.Header.Get("Host")
	return req, nil
}

func (c *httpCheck) client(dialer *loopbackDialer, timeout time.Duration) *http.Client {
	if timeout <= 0 {
		// The time left is already gone (a --timeout of a millisecond or less, or a CPU-starved start): an
		// http.Client reads a Timeout of zero or less as none at all, and the check would wait forever.
		timeout = time.Nanosecond
	}
	transport := &http.Transport{
		// The kubelet does not verify the app's certificate.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		// One connection per check, closed after it (Connection: close), as the kubelet does.
		DisableKeepAlives: true,
		// No proxy from the environment: the check is for the app, inside the pod.
		Proxy: nil,
		// No Accept-Encoding: gzip added behind the probe's back.
		DisableCompression:  true,
		DialContext:         dialer.DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
		// The kubelet's transport speaks HTTP/2 when TLS offers it; a custom dialer would otherwise turn it off.
		ForceAttemptHTTP2: true,
	}
	return &http.Client{
		// Bounds the attempt: connection, redirects, headers and the body read below; the attempts share --timeout.
		Timeout:       timeout,
		Transport:     transport,
		CheckRedirect: sameHostRedirects,
	}
}

// sameHostRedirects is the kubelet's redirect rule: a redirect to another host name is not followed and
// its 3xx becomes the result (a warning, which counts as success); on the same host, Go's limit applies.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if req.URL.Hostname() != via[0].URL.Hostname() {
		return http.ErrUseLastResponse
	}
	if len(via) >= maxRequests {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

// run is the kubelet's runProbeWithRetries around DoHTTPProbe: an attempt that ends in a probe error is run
// again, up to maxAttempts in all. The kubelet gives each attempt its own timeout; an exec probe is killed at
// timeoutSeconds, so here the attempts share the one --timeout. A response gets all of it, as at the kubelet: one
// that comes later fails, as the runtime's kill does. Only a probe error must be decided before the kill, which is a
// failure whatever --on-error says: its body reads stop, and no attempt starts, past verdictMargin before the end.
func (c *httpCheck) run() result {
	dialer := newLoopbackDialer(probeDialer(), c.fallback)
	deadline := time.Now().Add(c.timeout)
	errorVerdictBy := deadline.Add(-verdictMargin(c.timeout))
	var errs []string
	for len(errs) < maxAttempts && (len(errs) == 0 || time.Now().Before(errorVerdictBy)) {
		r, err := c.get(dialer, time.Until(deadline), errorVerdictBy)
		if err == nil {
			return dialer.noted(r)
		}
		errs = append(errs, err.Error())
	}
	return dialer.noted(c.errored(errs))
}

// verdictMargin is how long before --timeout a probe error is decided: min(200ms, 20% of it). The container
// runtime starts its exec timer before the prober runs (process start, Go's start) and kills it at timeoutSeconds;
// 200ms covers that start with room on a loaded node, and 20% keeps a short --timeout mostly for the body. The
// margin only shortens the wait for a body that stalls; a response's headers still have all of --timeout.
func verdictMargin(timeout time.Duration) time.Duration {
	margin := timeout / 5
	if margin > 200*time.Millisecond {
		margin = 200 * time.Millisecond
	}
	return margin
}

// errored is the verdict when every attempt ended in a probe error: the kubelet would discard the result, so the
// line says so, and --on-error picks the exit code.
func (c *httpCheck) errored(errs []string) result {
	attempts := "1 attempt"
	if len(errs) > 1 {
		attempts = fmt.Sprintf("%d attempts", len(errs))
	}
	msg := fmt.Sprintf("probe errored (%s; the kubelet would discard this result): %s", attempts, errs[len(errs)-1])
	if c.passOnError {
		return healthy("%s; --on-error=pass", msg)
	}
	return unhealthy("%s; --on-error=fail", msg)
}

// get is one attempt, every connection through dialer, bounded by timeout. A non-nil error is a probe error in the
// kubelet's sense (the request could not be built, or the body broke off before 10 KiB); a failed exchange
// (refused, timed out, TLS, a refused redirect) is a failure, as DoHTTPProbe turns client errors into failures.
// The body read stops at bodyBy, so that its error is decided before the runtime's kill; a response whose headers
// come after bodyBy has its body read for what is left of timeout (a body already there is judged).
func (c *httpCheck) get(dialer *loopbackDialer, timeout time.Duration, bodyBy time.Time) (result, error) {
	req, err := c.request()
	if err != nil {
		return result{}, err
	}
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	res, err := c.client(dialer, timeout).Do(req.WithContext(ctx))
	if err != nil {
		return unhealthy("%v", err), nil
	}
	defer res.Body.Close()
	var stopped atomic.Bool
	if left := time.Until(bodyBy); left > 0 {
		// Cancelling the request's context after its headers aborts the body read, in HTTP/1.1 as in HTTP/2.
		stop := time.AfterFunc(left, func() {
			stopped.Store(true)
			cancel()
		})
		defer stop.Stop()
	}
	// The kubelet reads at most 10 KiB and does not mind the rest; an error before that is a probe error.
	if _, err := io.Copy(io.Discard, io.LimitReader(res.Body, maxBodyBytes)); err != nil {
		if stopped.Load() {
			return result{}, fmt.Errorf("reading the response from %s: the body (up to 10 KiB) did not come within --timeout %v less %v kept for the verdict",
				res.Request.URL, c.timeout, verdictMargin(c.timeout))
		}
		return result{}, fmt.Errorf("reading the response from %s: %v", res.Request.URL, err)
	}
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return healthy("HTTP %d from %s", res.StatusCode, res.Request.URL), nil
	case res.StatusCode >= 300 && res.StatusCode < 400:
		where := ""
		if loc := res.Header.Get("Location"); loc != "" {
			// The app chose it, and it may be long or hold line breaks: bounded and escaped (oneLine).
			where = " to " + oneLine(loc, maxAppTextBytes)
		}
		return healthy("probe terminated redirects (warning): HTTP %d%s from %s", res.StatusCode, where, res.Request.URL), nil
	default:
		return unhealthy("HTTP probe failed with statuscode: %d (%s)", res.StatusCode, res.Request.URL), nil
	}
}
