package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a test app that keeps every request it gets.
type recorder struct {
	mu       sync.Mutex
	requests []*http.Request
}

func (r *recorder) keep(req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, req)
}

func (r *recorder) all() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.requests...)
}

func serve(t *testing.T, h func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *recorder) {
	t.Helper()
	rec := &recorder{}
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.keep(r)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s, rec
}

func portOf(t *testing.T, s *httptest.Server) string {
	t.Helper()
	u, _ := url.Parse(s.URL)
	return u.Port()
}

// probe runs the prober's command line against s and returns exit code and output.
func probe(t *testing.T, s *httptest.Server, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	all := append([]string{"http", "--port", portOf(t, s)}, args...)
	code := run(all, &out, &errOut)
	if errOut.Len() > 0 {
		t.Fatalf("%q: unexpected stderr %q", all, errOut.String())
	}
	return code, strings.TrimSpace(out.String())
}

func status(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
}

func TestStatusRange(t *testing.T) {
	for code, want := range map[int]int{200: 0, 204: 0, 299: 0, 300: 0, 304: 0, 399: 0, 400: 1, 404: 1, 500: 1, 503: 1} {
		s, _ := serve(t, status(code))
		got, out := probe(t, s, "--path", "/healthz")
		if got != want {
			t.Errorf("status %d: exit %d, want %d (%s)", code, got, want, out)
		}
		if want == 1 && out != fmt.Sprintf("unhealthy: HTTP probe failed with statuscode: %d (%s/healthz)", code, s.URL) {
			t.Errorf("status %d: output %q", code, out)
		}
	}
}

func TestDefaultHeadersAreTheKubelets(t *testing.T) {
	s, rec := serve(t, status(200))
	if code, out := probe(t, s, "--path", "healthz"); code != 0 {
		t.Fatal(out)
	}
	r := rec.all()[0]
	if r.URL.RequestURI() != "/healthz" {
		t.Errorf("a path without a leading slash gets one, as the kubelet's URL does: %q", r.URL.RequestURI())
	}
	want := http.Header{"User-Agent": {"kube-probe/1.35"}, "Accept": {"*/*"}, "Connection": {"close"}}
	if fmt.Sprint(r.Header) != fmt.Sprint(want) {
		t.Errorf("headers %v, want %v (no Accept-Encoding, no keep-alive)", r.Header, want)
	}
	if r.Host != "127.0.0.1:"+portOf(t, s) {
		t.Errorf("Host %q", r.Host)
	}
}

func TestProbeHeaders(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		check func(r *http.Request) string
	}{
		{"canonical names, order kept", []string{"--header", "x-probe: a", "--header", "X-PROBE: b"},
			func(r *http.Request) string { return fmt.Sprint(r.Header["X-Probe"]) }},
		{"first Host is the virtual host", []string{"--header", "host: health.internal", "--header", "Host: other"},
			func(r *http.Request) string { return r.Host }},
		{"own User-Agent", []string{"--header", "User-Agent: mine/2"},
			func(r *http.Request) string { return fmt.Sprint(r.Header["User-Agent"]) }},
		{"empty User-Agent: none sent", []string{"--header", "User-Agent:"},
			func(r *http.Request) string { return fmt.Sprint(r.Header["User-Agent"]) }},
		{"--user-agent replaces the default", []string{"--user-agent", "kube-probe/1.31"},
			func(r *http.Request) string { return fmt.Sprint(r.Header["User-Agent"]) }},
		{"own Accept", []string{"--header", "Accept: application/json"},
			func(r *http.Request) string { return fmt.Sprint(r.Header["Accept"]) }},
		{"empty Accept: none sent", []string{"--header", "Accept:"},
			func(r *http.Request) string { return fmt.Sprint(r.Header["Accept"]) }},
		{"empty first Accept removes the others", []string{"--header", "Accept:", "--header", "Accept: text/plain"},
			func(r *http.Request) string { return fmt.Sprint(r.Header["Accept"]) }},
		{"non-empty first Accept keeps all", []string{"--header", "Accept: a/b", "--header", "Accept:"},
			func(r *http.Request) string { return fmt.Sprint(r.Header["Accept"]) }},
		{"empty value sent empty", []string{"--header", "X-Empty:"},
			func(r *http.Request) string { return fmt.Sprint(len(r.Header["X-Empty"]), r.Header["X-Empty"]) }},
		{"query string kept", []string{"--path", "/healthz?full=1&format=json"},
			func(r *http.Request) string { return r.URL.RequestURI() }},
		// The webhook writes "Name: " + value: only that one space is the separator. The kubelet sends values
		// untrimmed, and Go then cleans them as it writes the request.
		{"Host of spaces and a name: Go cleans it away, the URL's host is sent",
			[]string{"--header", "Host:  example.com"}, func(r *http.Request) string { return r.Host }},
		{"Accept of spaces: not empty to the kubelet's rule, sent empty", []string{"--header", "Accept:   "},
			func(r *http.Request) string { return fmt.Sprint(len(r.Header["Accept"]), r.Header["Accept"]) }},
		{"User-Agent of spaces: sent empty", []string{"--header", "User-Agent:   "},
			func(r *http.Request) string {
				return fmt.Sprint(len(r.Header["User-Agent"]), r.Header["User-Agent"])
			}},
	}
	want := []string{"[a b]", "health.internal", "[mine/2]", "[]", "[kube-probe/1.31]", "[application/json]",
		"[]", "[]", "[a/b ]", "1 []", "/healthz?full=1&format=json", "127.0.0.1:PORT", "1 []", "1 []"}
	for i, c := range cases {
		s, rec := serve(t, status(200))
		if code, out := probe(t, s, c.args...); code != 0 {
			t.Errorf("%s: %s", c.name, out)
			continue
		}
		if got, want := c.check(rec.all()[0]), strings.Replace(want[i], "PORT", portOf(t, s), 1); got != want {
			t.Errorf("%s: got %q, want %q", c.name, got, want)
		}
	}
}

func TestRedirects(t *testing.T) {
	// Same host: followed, the final status decides; the custom Host survives a relative redirect.
	s, rec := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old":
			http.Redirect(w, r, "/broken", http.StatusFound)
		case "/moved":
			http.Redirect(w, r, "/healthz", http.StatusMovedPermanently)
		case "/healthz":
			w.WriteHeader(200)
		default:
			w.WriteHeader(500)
		}
	})
	if code, out := probe(t, s, "--path", "/moved", "--header", "Host: vhost"); code != 0 {
		t.Errorf("301 → 200: %s", out)
	}
	if reqs := rec.all(); len(reqs) != 2 || reqs[1].Host != "vhost" {
		t.Errorf("the custom Host is kept on a relative redirect: %v", reqs)
	}
	if code, out := probe(t, s, "--path", "/old"); code != 1 || !strings.Contains(out, "statuscode: 500") {
		t.Errorf("302 → 500: %d %s", code, out)
	}
}

func TestRedirectToAnotherHostIsTheResultNotFollowed(t *testing.T) {
	other, otherRec := serve(t, status(500))
	s, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		// 127.0.0.2 is another host name for the same machine: the kubelet compares names, not machines.
		http.Redirect(w, r, "http://127.0.0.2:"+portOf(t, other)+"/x", http.StatusFound)
	})
	code, out := probe(t, s, "--path", "/old")
	if code != 0 || !strings.HasPrefix(out, "healthy: probe terminated redirects (warning): HTTP 302 to http://127.0.0.2:") {
		t.Errorf("exit %d, %q", code, out)
	}
	if n := len(otherRec.all()); n != 0 {
		t.Errorf("the other host was asked %d times", n)
	}
}

func TestRedirectLimitIsGos(t *testing.T) {
	s, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		left, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/chain/"))
		if left == 0 {
			w.WriteHeader(200)
			return
		}
		http.Redirect(w, r, "/chain/"+strconv.Itoa(left-1), http.StatusFound)
	})
	if code, out := probe(t, s, "--path", "/chain/9"); code != 0 {
		t.Errorf("9 redirects: %s", out)
	}
	if code, out := probe(t, s, "--path", "/chain/10"); code != 1 || !strings.Contains(out, "stopped after 10 redirects") {
		t.Errorf("10 redirects: %d %s", code, out)
	}
}

func TestReadsAtMostTenKiBOfTheBody(t *testing.T) {
	// The app sends 10 KiB, then holds the connection open without finishing the body: a client that reads
	// more than 10 KiB waits for the timeout and fails; the kubelet stops reading and judges the status.
	release := make(chan struct{})
	defer close(release)
	s, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(1<<20))
		w.WriteHeader(200)
		w.Write(bytes.Repeat([]byte("x"), maxBodyBytes))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	start := time.Now()
	code, out := probe(t, s, "--timeout", "2s")
	if code != 0 || time.Since(start) > 1500*time.Millisecond {
		t.Errorf("exit %d after %v: %s", code, time.Since(start), out)
	}
}

// A body that breaks off before 10 KiB is not a failure for the kubelet but a probe error: DoHTTPProbe returns
// it as an error, runProbeWithRetries runs the probe again (3 attempts in all), and the worker throws the result
// away. The prober retries the whole exchange, then gives the --on-error verdict.
func TestABrokenBodyIsAProbeErrorRetriedThreeTimes(t *testing.T) {
	s, rec := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		w.Write([]byte("ok"))
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	})
	for _, c := range []struct {
		args []string
		code int
		tail string
	}{
		{nil, 1, "; --on-error=fail"},
		{[]string{"--on-error", "fail"}, 1, "; --on-error=fail"},
		{[]string{"--on-error", "pass"}, 0, "; --on-error=pass"},
	} {
		before := len(rec.all())
		code, out := probe(t, s, c.args...)
		if code != c.code || !strings.Contains(out, "probe errored (3 attempts; the kubelet would discard this result): reading the response from") ||
			!strings.HasSuffix(out, c.tail) {
			t.Errorf("%v: exit %d: %s", c.args, code, out)
		}
		if n := len(rec.all()) - before; n != 3 {
			t.Errorf("%v: %d requests, want 3", c.args, n)
		}
	}
}

// A body that stalls runs into the timeout while it is read: an error too, and the attempts share the one
// --timeout, so this first attempt is the last.
func TestAStalledBodyErrsOnceWithinTheTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s, rec := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		w.Write([]byte("ok"))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	// The runtime kills the exec at timeoutSeconds, counting from before the prober ran: the verdict must be out
	// before --timeout (1s), at its end less the margin (200ms), or the kill, a failure, restarts the container.
	start := time.Now()
	code, out := probe(t, s, "--timeout", "1s", "--on-error", "pass")
	if took := time.Since(start); code != 0 || took < 750*time.Millisecond || took >= time.Second ||
		!strings.Contains(out, "probe errored (1 attempt; ") || !strings.Contains(out, "less 200ms kept for the verdict") {
		t.Errorf("exit %d after %v: %s", code, took, out)
	}
	if n := len(rec.all()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// The margin is for a stalled body only: a response that comes late in --timeout, past the margin, is judged as at
// the kubelet, which gives it all of timeoutSeconds.
func TestALateResponseWithinTheTimeoutIsJudged(t *testing.T) {
	s, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(850 * time.Millisecond)
		w.Write([]byte("ok"))
	})
	if code, out := probe(t, s, "--timeout", "1s"); code != 0 || !strings.Contains(out, "HTTP 200") {
		t.Errorf("exit %d: %s", code, out)
	}
}

func TestVerdictMarginIsAFifthOfTheTimeoutUpTo200ms(t *testing.T) {
	for timeout, want := range map[time.Duration]time.Duration{
		500 * time.Millisecond: 100 * time.Millisecond,
		time.Second:            200 * time.Millisecond,
		10 * time.Second:       200 * time.Millisecond,
	} {
		if got := verdictMargin(timeout); got != want {
			t.Errorf("verdictMargin(%v) = %v, want %v", timeout, got, want)
		}
	}
}

// Only a probe error follows --on-error: a refused connection, a timeout before the status and a bad status are
// failures for the kubelet (DoHTTPProbe turns the client's errors into failures), and fail at once.
func TestFailuresAreNotProbeErrors(t *testing.T) {
	s, rec := serve(t, status(500))
	if code, out := probe(t, s, "--on-error", "pass"); code != 1 || !strings.Contains(out, "statuscode: 500") {
		t.Errorf("500: exit %d: %s", code, out)
	}
	if n := len(rec.all()); n != 1 {
		t.Errorf("500: %d requests, want 1", n)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	var out bytes.Buffer
	if code := run([]string{"http", "--port", port, "--host", "127.0.0.1", "--on-error", "pass"}, &out, &out); code != 1 ||
		!strings.Contains(out.String(), "connection refused") || strings.Contains(out.String(), "errored") {
		t.Errorf("refused: exit %d: %s", code, out.String())
	}
}

func TestTimeoutBoundsTheWholeCheck(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/first" {
			// Spend most of the budget here, so the redirect's answer is what runs out of time.
			time.Sleep(300 * time.Millisecond)
			http.Redirect(w, r, "/slow", http.StatusFound)
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	for _, path := range []string{"/slow", "/first"} {
		start := time.Now()
		code, out := probe(t, s, "--path", path, "--timeout", "500ms")
		took := time.Since(start)
		if code != 1 || !strings.Contains(out, "Client.Timeout exceeded") || took < 450*time.Millisecond || took > 1500*time.Millisecond {
			t.Errorf("%s: exit %d after %v: %s", path, code, took, out)
		}
	}
}

// A timeout so short that it has run out before the request is sent still bounds the check: an http.Client with a
// Timeout of zero or less has none, and a server that never answers held the prober forever.
func TestATimeoutGoneBeforeTheRequestStillEndsTheCheck(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	done := make(chan string, 1)
	go func() {
		code, out := probe(t, s, "--timeout", "1ns")
		done <- fmt.Sprintf("exit %d: %s", code, out)
	}()
	select {
	case got := <-done:
		if !strings.HasPrefix(got, "exit 1: ") {
			t.Errorf("a check out of time fails: %s", got)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("--timeout 1ns: still waiting for a server that never answers after 3 s")
	}
}

func TestHTTPSWithoutVerification(t *testing.T) {
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sick" {
			w.WriteHeader(503)
		}
	}))
	defer s.Close()
	if code, out := probe(t, s, "--scheme", "HTTPS"); code != 0 {
		t.Errorf("self-signed 200: %s", out)
	}
	if code, out := probe(t, s, "--scheme", "https", "--path", "/sick"); code != 1 {
		t.Errorf("self-signed 503: %s", out)
	}
	if code, out := probe(t, s, "--scheme", "HTTP"); code != 1 {
		t.Errorf("plain HTTP to a TLS port must fail: %s", out)
	}
}

func TestConnectionRefused(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	var out bytes.Buffer
	if code := run([]string{"http", "--port", port}, &out, &out); code != 1 || !strings.Contains(out.String(), "connection refused") {
		t.Errorf("exit %d: %s", code, out.String())
	}
}

// TestARedirectsLocationIsPrintedOnOneBoundedLine: the Location of a redirect to another host is the app's text;
// Go's URL parser refuses ASCII control characters in it, but not NEL or the Unicode line separator, nor its length.
func TestARedirectsLocationIsPrintedOnOneBoundedLine(t *testing.T) {
	loc := "http://other.example/a\u0085b\u2028c/" + strings.Repeat("d", 20000)
	s, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusFound)
	})
	code, out := probe(t, s)
	if code != 0 {
		t.Fatalf("exit %d: %.300s", code, out)
	}
	assertOneBoundedLine(t, out, 2048)
	if want := `probe terminated redirects (warning): HTTP 302 to http://other.example/a\u0085b\u2028c/ddd`; !strings.Contains(out, want) {
		t.Errorf("want %q in %.300q", want, out)
	}
	if want := "… (" + strconv.Itoa(len(loc)) + " bytes in all) from http://127.0.0.1:" + portOf(t, s) + "/"; !strings.HasSuffix(out, want) {
		t.Errorf("want the line to end with %q: …%q", want, out[len(out)-80:])
	}
}
