package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// hook runs `prober http-hook --port <port> args...` and returns exit code and output; it fails the test if the
// command has not returned within limit, so a hook that would hang is caught without hanging the tests.
func hook(t *testing.T, port string, limit time.Duration, args ...string) (int, string) {
	t.Helper()
	type outcome struct {
		code     int
		out, err string
	}
	done := make(chan outcome, 1)
	all := append([]string{"http-hook", "--port", port}, args...)
	go func() {
		var out, errOut bytes.Buffer
		code := run(all, &out, &errOut)
		done <- outcome{code, strings.TrimSpace(out.String()), errOut.String()}
	}()
	select {
	case o := <-done:
		if o.err != "" {
			t.Fatalf("%q: unexpected stderr %q", all, o.err)
		}
		return o.code, o.out
	case <-time.After(limit):
		t.Fatalf("%q: still running after %v", all, limit)
		return 0, ""
	}
}

func TestHookSucceedsOnAnyHTTPStatus(t *testing.T) {
	for _, code := range []int{200, 204, 400, 404, 500, 503} {
		s, rec := serve(t, status(code))
		got, out := hook(t, portOf(t, s), 5*time.Second, "--path", "/shutdown")
		if got != exitHealthy {
			t.Errorf("status %d: exit %d, want 0: the kubelet ignores a hook's status (%s)", code, got, out)
		}
		if want := fmt.Sprintf("succeeded: HTTP %d from %s/shutdown", code, s.URL); out != want {
			t.Errorf("status %d: output %q, want %q", code, out, want)
		}
		if n := len(rec.all()); n != 1 {
			t.Errorf("status %d: %d requests, want 1", code, n)
		}
	}
}

func TestHookFailsWhenNoResponseComes(t *testing.T) {
	closed := freePort(t)
	got, out := hook(t, closed, 5*time.Second)
	if got != exitUnhealthy || !strings.HasPrefix(out, "failed: Get \"http://127.0.0.1:"+closed+"/\": dial tcp") ||
		!strings.Contains(out, "connection refused") {
		t.Errorf("refused: exit %d, output %q", got, out)
	}

	// A server that reads the request and hangs up without answering.
	ln := listen(t)
	acceptEach(ln, func(conn net.Conn) {
		buf := make([]byte, 4096)
		_, _ = conn.Read(buf)
	})
	got, out = hook(t, portOfListener(ln), 5*time.Second)
	if got != exitUnhealthy || !strings.Contains(out, "EOF") {
		t.Errorf("no answer: exit %d, output %q", got, out)
	}
}

func TestHookSendsTheProbeHeadersWithTheLifecycleUserAgent(t *testing.T) {
	s, rec := serve(t, status(200))
	got, out := hook(t, portOf(t, s), 5*time.Second, "--path", "/drain?grace=5",
		"--header", "x-token: s3cret", "--header", "X-Token: second", "--header", "Host: app.example")
	if got != exitHealthy {
		t.Fatalf("exit %d (%s)", got, out)
	}
	r := rec.all()[0]
	checks := map[string][2]string{
		"path":            {r.URL.RequestURI(), "/drain?grace=5"},
		"User-Agent":      {r.Header.Get("User-Agent"), "kube-lifecycle/1.35"},
		"Accept":          {r.Header.Get("Accept"), "*/*"},
		"X-Token values":  {strings.Join(r.Header.Values("X-Token"), ","), "s3cret,second"},
		"Host":            {r.Host, "app.example"},
		"Accept-Encoding": {r.Header.Get("Accept-Encoding"), "gzip"},
		// Keep-alive is on, unlike the probe's client: no Connection: close is sent.
		"Connection": {r.Header.Get("Connection"), ""},
		"protocol":   {r.Proto, "HTTP/1.1"},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: got %q, want %q", what, c[0], c[1])
		}
	}

	s2, rec2 := serve(t, status(200))
	hook(t, portOf(t, s2), 5*time.Second, "--user-agent", "kube-lifecycle/1.30", "--header", "Accept:")
	r2 := rec2.all()[0]
	if r2.Header.Get("User-Agent") != "kube-lifecycle/1.30" {
		t.Errorf("--user-agent: got %q", r2.Header.Get("User-Agent"))
	}
	if _, ok := r2.Header["Accept"]; ok {
		t.Errorf("an empty first Accept sends none, as for probes: got %q", r2.Header["Accept"])
	}
}

// plainHTTPAnsweringTLS is an app that speaks plain HTTP on a port the hook calls with HTTPS: like any HTTP
// server, it answers the TLS hello with an HTTP error, then serves the plain HTTP request that follows.
// answerPlain false makes it hang up on plain requests too, so the fallback fails.
func plainHTTPAnsweringTLS(t *testing.T, answerPlain bool) (port string, plainRequests chan *http.Request) {
	t.Helper()
	ln := listen(t)
	plainRequests = make(chan *http.Request, 4)
	acceptEach(ln, func(conn net.Conn) {
		buf := make([]byte, 1)
		if _, err := conn.Read(buf); err != nil {
			return
		}
		if buf[0] == 0x16 { // a TLS handshake record: not HTTP
			fmt.Fprint(conn, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			return
		}
		if !answerPlain {
			return
		}
		req, err := http.ReadRequest(bufioReader(buf, conn))
		if err != nil {
			return
		}
		plainRequests <- req
		fmt.Fprint(conn, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	})
	return portOfListener(ln), plainRequests
}

func TestHookRetriesAnHTTPSRequestAnsweredInPlainHTTPOverHTTPWithoutAuthorization(t *testing.T) {
	port, plain := plainHTTPAnsweringTLS(t, true)
	got, out := hook(t, port, 5*time.Second, "--scheme", "HTTPS", "--path", "/stop",
		"--header", "Authorization: Bearer t0ken", "--header", "X-Kept: yes")
	want := "succeeded: HTTP 503 from http://127.0.0.1:" + port + "/stop (warning: the HTTPS request got an HTTP response; retried with HTTP)"
	if got != exitHealthy || out != want {
		t.Fatalf("exit %d, output %q; want 0, %q", got, out, want)
	}
	r := <-plain
	if r.Header.Get("Authorization") != "" || r.Header.Get("X-Kept") != "yes" || r.URL.Path != "/stop" {
		t.Errorf("the retry must drop Authorization and keep the rest: %v %v", r.URL, r.Header)
	}
}

func TestHookFallbackThatFailsReportsTheHTTPSError(t *testing.T) {
	port, _ := plainHTTPAnsweringTLS(t, false)
	got, out := hook(t, port, 5*time.Second, "--scheme", "https")
	want := `failed: Get "https://127.0.0.1:` + port + `/": http: server gave HTTP response to HTTPS client`
	if got != exitUnhealthy || out != want {
		t.Errorf("exit %d, output %q; want 1, %q", got, out, want)
	}
}

func TestHookOverHTTPSIgnoresTheCertificateAndTheStatus(t *testing.T) {
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 1 {
			w.WriteHeader(http.StatusHTTPVersionNotSupported)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
	}))
	// The app offers HTTP/2; the kubelet's hook client (custom TLS settings, no ForceAttemptHTTP2) does not take it.
	s.EnableHTTP2 = true
	s.StartTLS()
	t.Cleanup(s.Close)
	got, out := hook(t, portOf(t, s), 5*time.Second, "--scheme", "HTTPS")
	if got != exitHealthy || !strings.HasPrefix(out, "succeeded: HTTP 500 from https://") {
		t.Errorf("exit %d, output %q (want a 500 over HTTP/1.1, the hook's client does not offer HTTP/2)", got, out)
	}
}

func TestHookRedirects(t *testing.T) {
	var hops int32
	s, rec := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/elsewhere":
			http.Redirect(w, r, "http://other.invalid:9/", http.StatusFound)
		case "/same":
			http.Redirect(w, r, "/final", http.StatusFound)
		case "/final":
			w.WriteHeader(http.StatusInternalServerError)
		case "/loop":
			atomic.AddInt32(&hops, 1)
			http.Redirect(w, r, "/loop", http.StatusFound)
		}
	})
	port := portOf(t, s)
	if got, out := hook(t, port, 5*time.Second, "--path", "/elsewhere"); got != exitHealthy ||
		!strings.HasPrefix(out, "succeeded: HTTP 302 from") {
		t.Errorf("a redirect to another host is not followed and its 3xx delivers the hook: exit %d, %q", got, out)
	}
	if got, out := hook(t, port, 5*time.Second, "--path", "/same"); got != exitHealthy ||
		out != "succeeded: HTTP 500 from "+s.URL+"/final" {
		t.Errorf("same-host redirect followed, its 500 delivers the hook: exit %d, %q", got, out)
	}
	got, out := hook(t, port, 5*time.Second, "--path", "/loop")
	if got != exitUnhealthy || !strings.HasSuffix(out, "stopped after 10 redirects") || atomic.LoadInt32(&hops) != 10 {
		t.Errorf("loop: exit %d, %q after %d requests; want a failure after 10", got, out, hops)
	}
	for _, r := range rec.all() {
		if r.Host == "other.invalid:9" {
			t.Errorf("followed a redirect to another host")
		}
	}
}

func TestHookHasNoTimeoutUnlessGivenOne(t *testing.T) {
	slow := 1500 * time.Millisecond // longer than the probe's default timeout of 1 s
	s, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(slow)
		w.WriteHeader(http.StatusOK)
	})
	if got, out := hook(t, portOf(t, s), 10*time.Second); got != exitHealthy {
		t.Errorf("no --timeout: the hook waits for the app (exit %d, %q)", got, out)
	}
	for _, zero := range []string{"0", "0s", "0ms"} {
		if got, out := hook(t, portOf(t, s), 10*time.Second, "--timeout", zero); got != exitHealthy {
			t.Errorf("--timeout %s is no bound (exit %d, %q)", zero, got, out)
		}
	}
	start := time.Now()
	got, out := hook(t, portOf(t, s), 10*time.Second, "--timeout", "300ms")
	if got != exitUnhealthy || !strings.Contains(out, "context deadline exceeded") || time.Since(start) > slow {
		t.Errorf("--timeout 300ms: exit %d, %q after %v", got, out, time.Since(start))
	}
}

// bodyStaller answers with the given Content-Length (-1: chunked) and a few bytes of body, then stalls.
func bodyStaller(t *testing.T, contentLength int) string {
	t.Helper()
	ln := listen(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	acceptEach(ln, func(conn net.Conn) {
		buf := make([]byte, 4096)
		_, _ = conn.Read(buf)
		if contentLength < 0 {
			fmt.Fprint(conn, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
		} else {
			fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\nhello", contentLength)
		}
		<-release
	})
	return portOfListener(ln)
}

func TestHookReadsNoBodyThatAnnouncesMoreThan10KiB(t *testing.T) {
	// The kubelet does not read such a body at all, so a stalled one cannot hold the hook.
	if got, out := hook(t, bodyStaller(t, 1<<20), 3*time.Second); got != exitHealthy {
		t.Errorf("exit %d, %q", got, out)
	}
}

func TestHookBodyErrorsDoNotFailIt(t *testing.T) {
	// A body within 10 KiB is read; a stall there holds the hook (the kubelet's too) until a bound ends it, and
	// the end of the read is not a failure: the response had come.
	for _, length := range []int{-1, 100} {
		got, out := hook(t, bodyStaller(t, length), 5*time.Second, "--timeout", "500ms")
		if got != exitHealthy || !strings.HasPrefix(out, "succeeded: HTTP 200") {
			t.Errorf("Content-Length %d: exit %d, %q", length, got, out)
		}
	}
}

func TestHookUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"http-hook", "--help"}, &out, &errOut); code != exitUsage ||
		!strings.Contains(errOut.String(), "http-hook takes: --header --host --path --port --scheme --timeout --user-agent") {
		t.Errorf("--help: exit %d, %q", code, errOut.String())
	}
	for _, bad := range [][]string{{"--port", "80", "--timeout", "-1"}, {"--port", "80", "--timeout", "soon"},
		{"--port", "80", "--scheme", "ftp"}, {}} {
		errOut.Reset()
		if code := run(append([]string{"http-hook"}, bad...), &out, &errOut); code != exitUsage ||
			!strings.HasPrefix(errOut.String(), "prober http-hook: usage error: ") {
			t.Errorf("%q: exit %d, %q", bad, code, errOut.String())
		}
	}
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func portOfListener(ln net.Listener) string {
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// freePort is a loopback port where nothing listens (bound, then released).
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := portOfListener(ln)
	ln.Close()
	return port
}

// bufioReader reads an HTTP request whose first bytes were already taken from conn.
func bufioReader(first []byte, conn net.Conn) *bufio.Reader {
	return bufio.NewReader(io.MultiReader(bytes.NewReader(first), conn))
}

// acceptEach hands every connection ln accepts to handle, each in a goroutine of its own, and closes it when handle
// returns; it stops when ln is closed.
func acceptEach(ln net.Listener, handle func(net.Conn)) {
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				handle(conn)
			}()
		}
	}()
}
