package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// runAsProber makes the test binary the prober: TestMain runs main instead of the tests, so a test can start the
// built program, with the environment it chooses, as the kubelet's exec does.
const runAsProber = "PROBE_REWRITER_TEST_RUN_AS_PROBER"

func TestMain(m *testing.M) {
	if os.Getenv(runAsProber) == "1" {
		// Each program image the process runs says so on stderr, with the GODEBUG it was started with.
		fmt.Fprintf(os.Stderr, "pid %d GODEBUG=%q\n", os.Getpid(), os.Getenv("GODEBUG"))
		main()
	}
	os.Exit(m.Run())
}

// TestTheContainersGODEBUGDoesNotReachTheCheck: an exec probe inherits the container's environment; a GODEBUG set
// for the app (here http2client=0, which turns off HTTP/2 in Go's client) must not change the prober's HTTP and
// TLS from the kubelet's. The prober re-executes itself once, in the same process, without it.
func TestTheContainersGODEBUGDoesNotReachTheCheck(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("re-executes through /proc/self/exe")
	}
	var mu sync.Mutex
	var protos []string
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		protos = append(protos, r.Proto)
		mu.Unlock()
	}))
	s.EnableHTTP2 = true
	s.StartTLS()
	defer s.Close()
	check := func(env ...string) (proto string, images []string) {
		t.Helper()
		mu.Lock()
		protos = nil
		mu.Unlock()
		cmd := exec.Command(os.Args[0], "http", "--scheme", "HTTPS", "--port", portOf(t, s), "--timeout", "10")
		cmd.Env = []string{runAsProber + "=1"}
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "GODEBUG=") && !strings.HasPrefix(kv, reexecMarker+"=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %v; stdout %q, stderr %q", env, err, stdout.String(), stderr.String())
		}
		mu.Lock()
		defer mu.Unlock()
		if len(protos) != 1 {
			t.Fatalf("%v: %d requests, want 1; stdout %q", env, len(protos), stdout.String())
		}
		return protos[0], strings.Split(strings.TrimSpace(stderr.String()), "\n")
	}

	if proto, images := check(); proto != "HTTP/2.0" || len(images) != 1 {
		t.Errorf("without GODEBUG: %s, program images %q; want HTTP/2.0, as the kubelet's transport, and no re-exec", proto, images)
	}

	proto, images := check("GODEBUG=http2client=0")
	if proto != "HTTP/2.0" {
		t.Errorf("with the container's GODEBUG=http2client=0: %s, want HTTP/2.0, as without it", proto)
	}
	// Two program images, in the same process (the kubelet waits for that pid), the second without GODEBUG: one
	// re-exec, never a loop.
	pid := strings.Fields(images[0])[1]
	if len(images) != 2 || images[0] != "pid "+pid+` GODEBUG="http2client=0"` || images[1] != "pid "+pid+` GODEBUG=""` {
		t.Errorf("program images %q: want the prober started with the container's GODEBUG, then once more without it, same pid", images)
	}

	// The guard: a prober that already re-executed runs as it is, GODEBUG and all (which also shows that this test
	// sees what GODEBUG does).
	if proto, images := check("GODEBUG=http2client=0", reexecMarker+"=1"); proto != "HTTP/1.1" || len(images) != 1 {
		t.Errorf("already re-executed: %s, program images %q; want HTTP/1.1 (GODEBUG applies) and no second re-exec", proto, images)
	}
}

// TestAFailedReexecRunsTheProberAsItIs: when no exec works, withoutContainerGODEBUG returns, and main goes on with
// the container's GODEBUG, as before the re-exec existed.
func TestAFailedReexecRunsTheProberAsItIs(t *testing.T) {
	t.Setenv("GODEBUG", "http2client=0")
	t.Setenv(reexecMarker, "")
	if err := withoutContainerGODEBUG([]string{"/nonexistent/prober", ""}); err == nil {
		t.Error("exec of no executable reported no error")
	}
	if err := withoutContainerGODEBUG(nil); err != errNoExec {
		t.Errorf("no executable to try: %v, want %v", err, errNoExec)
	}
	if os.Getenv("GODEBUG") != "http2client=0" {
		t.Error("a failed re-exec changed this process's environment")
	}
}
