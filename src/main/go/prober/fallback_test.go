package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// listenIPv6Only listens on [::1] at a port where nothing listens on 127.0.0.1, as an app bound only to IPv6
// (nginx's `listen [::]:80`, an Envoy listener on `::`) is seen from inside its pod. Skips without IPv6 loopback.
func listenIPv6Only(t *testing.T) (net.Listener, string) {
	t.Helper()
	for try := 0; try < 10; try++ {
		l, err := net.Listen("tcp6", "[::1]:0")
		if err != nil {
			t.Skipf("no IPv6 loopback on this machine: %v", err)
		}
		port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
		// The same port must be free on 127.0.0.1, or the check would reach whatever holds it.
		if v4, err := net.Listen("tcp4", "127.0.0.1:"+port); err == nil {
			v4.Close()
			t.Cleanup(func() { l.Close() })
			return l, port
		}
		l.Close()
	}
	t.Fatal("no port free on both loopbacks")
	return nil, ""
}

func runCheck(args ...string) (int, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, strings.TrimSpace(out.String() + errOut.String())
}

func TestHTTPReachesAnAppListeningOnlyOnIPv6Loopback(t *testing.T) {
	l, port := listenIPv6Only(t)
	rec := &recorder{}
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.keep(r)
		w.WriteHeader(http.StatusOK)
	}))
	s.Listener.Close()
	s.Listener = l
	s.Start()
	t.Cleanup(s.Close)

	code, out := runCheck("http", "--port", port, "--path", "/healthz")
	want := "healthy: HTTP 200 from http://127.0.0.1:" + port + "/healthz (over [::1]: nothing listens on 127.0.0.1)"
	if code != exitHealthy || out != want {
		t.Errorf("http: exit %d, %q; want %q", code, out, want)
	}
	// Only the connection moves: the request is the one sent to 127.0.0.1, Host included.
	if reqs := rec.all(); len(reqs) != 1 || reqs[0].Host != "127.0.0.1:"+port {
		t.Errorf("requests %v", reqs)
	}
	code, out = runCheck("http-hook", "--port", port, "--path", "/drain", "--timeout", "5")
	if code != exitHealthy || !strings.HasPrefix(out, "succeeded: HTTP 200 from http://127.0.0.1:"+port+"/drain (over [::1]") {
		t.Errorf("http-hook: exit %d, %q", code, out)
	}
}

func TestTCPReachesAnAppListeningOnlyOnIPv6Loopback(t *testing.T) {
	_, port := listenIPv6Only(t)
	code, out := runCheck("tcp", "--port", port)
	if want := "healthy: tcp connection to [::1]:" + port + " opened"; code != exitHealthy || out != want {
		t.Errorf("exit %d, %q; want %q", code, out, want)
	}
}

func TestGrpcReachesAnAppListeningOnlyOnIPv6Loopback(t *testing.T) {
	l, port := listenIPv6Only(t)
	f := newFakeServerOn(t, l, answerWith("0801", "0", ""))
	code, out := grpcProbe(t, port, "--timeout", "3")
	if want := "healthy: service healthy (SERVING) (over [::1]: nothing listens on 127.0.0.1)"; code != exitHealthy || out != want {
		t.Errorf("exit %d, %q; want %q", code, out, want)
	}
	if code != exitHealthy {
		return // no call came: nothing more to look at
	}
	for _, h := range <-f.request {
		if h.name == ":authority" && h.value != "127.0.0.1:"+port {
			t.Errorf(":authority %q, want the one sent to 127.0.0.1", h.value)
		}
	}
}

func TestBothLoopbacksRefusedNamesBothAddresses(t *testing.T) {
	port := freePort(t)
	for _, kind := range []string{"http", "http-hook", "tcp", "grpc"} {
		code, out := runCheck(kind, "--port", port, "--timeout", "2")
		if code != exitUnhealthy || !strings.Contains(out, "dial tcp 127.0.0.1:"+port+": connect: connection refused; dial tcp [::1]:"+port+": ") {
			t.Errorf("%s: exit %d, %q", kind, code, out)
		}
	}
}

func TestAnExplicitHostIsDialledAsGiven(t *testing.T) {
	l, port := listenIPv6Only(t)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	for _, kind := range []string{"http", "http-hook", "tcp", "grpc"} {
		code, out := runCheck(kind, "--port", port, "--host", "127.0.0.1", "--timeout", "2")
		if code != exitUnhealthy || !strings.Contains(out, "127.0.0.1:"+port) || !strings.Contains(out, "connection refused") ||
			strings.Contains(out, "::1") {
			t.Errorf("%s --host 127.0.0.1: exit %d, %q; want refused, without a fallback", kind, code, out)
		}
	}
	if code, out := runCheck("tcp", "--port", port, "--host", "::1"); code != exitHealthy {
		t.Errorf("tcp --host ::1: exit %d, %q", code, out)
	}
}
