package main

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestUsageErrorsExitTwoWithOneClearLine(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, "no command"},
		{[]string{"ping"}, `unknown command "ping"`},
		{[]string{"http"}, "--port is required"},
		{[]string{"http", "--port", "0"}, "--port 0: out of range 1-65535"},
		{[]string{"http", "--port", "65536"}, "--port 65536: out of range 1-65535"},
		{[]string{"tcp", "--port", "http"}, `invalid value "http" for flag -port`},
		// Only ASCII decimal, as Kubernetes stores a port: Go's integer flag would read 0x50 as 80 and 080 as 64.
		{[]string{"http", "--port", "0x50"}, `invalid value "0x50" for flag -port: want the port in decimal digits`},
		{[]string{"tcp", "--port", "080"}, `invalid value "080" for flag -port: want the port in decimal digits without leading zeros`},
		{[]string{"tcp", "--port=0o120"}, `invalid value "0o120" for flag -port`},
		{[]string{"grpc", "--port", "0b1010000"}, `invalid value "0b1010000" for flag -port`},
		{[]string{"tcp", "--port", "8_080"}, `invalid value "8_080" for flag -port`},
		{[]string{"tcp", "--port", "+80"}, `invalid value "+80" for flag -port`},
		{[]string{"tcp", "--port", "-80"}, `invalid value "-80" for flag -port`},
		{[]string{"tcp", "--port", " 80"}, `invalid value " 80" for flag -port`},
		{[]string{"tcp", "--port", "\uff18\uff10"}, `for flag -port: want the port in decimal digits`},
		{[]string{"tcp", "--port", ""}, `invalid value "" for flag -port`},
		{[]string{"tcp", "--port", "99999999999999999999"}, `invalid value "99999999999999999999" for flag -port: out of range 1-65535`},
		{[]string{"http", "--port", "80", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"http", "--port", "80", "--scheme", "ftp"}, `--scheme "ftp": want HTTP or HTTPS`},
		{[]string{"http", "--port", "80", "--header", "NoColon"}, `want "Name: value"`},
		{[]string{"http", "--port", "80", "--header", "Bad Name: x"}, `invalid header name "Bad Name"`},
		{[]string{"http", "--port", "80", "--header", ": x"}, `invalid header name ""`},
		{[]string{"http", "--port", "80", "--timeout", "0"}, "must be positive"},
		{[]string{"http", "--port", "80", "--timeout", "soon"}, "want seconds (1) or a duration"},
		// Seconds past the longest time.Duration would wrap in nanoseconds: 18446744074 s to 0.29 s, 36028797018963968 s
		// to 0 (for http-hook: no timeout at all), 9223372037 s to a negative one.
		{[]string{"http", "--port", "80", "--timeout", "18446744074"}, `invalid value "18446744074" for flag -timeout: more than the longest timeout the prober can keep, 9223372036 seconds`},
		{[]string{"http-hook", "--port", "80", "--timeout", "36028797018963968"}, "for flag -timeout: more than the longest timeout"},
		{[]string{"tcp", "--port", "80", "--timeout", "9223372037"}, "for flag -timeout: more than the longest timeout"},
		{[]string{"grpc", "--port", "80", "--timeout", "99999999999999999999"}, "for flag -timeout: more than the longest timeout"},
		{[]string{"tcp", "--port", "80", "--timeout", "2562048h"}, "for flag -timeout: want seconds (1) or a duration (1s, 500ms) of at most 2562047h47m16.854775807s"},
		{[]string{"tcp", "--port", "80", "--timeout", "-99999999999999999999"}, "for flag -timeout: must be positive"},
		{[]string{"http", "--port", "80", "--host", "[::1]"}, "no brackets"},
		{[]string{"http", "--port", "80", "--host", "a b"}, `--host "a b"`},
		{[]string{"http", "--port", "80", "extra"}, `unexpected argument "extra"`},
		{[]string{"tcp", "--port", "80", "--path", "/x"}, "flag provided but not defined: -path"},
		{[]string{"grpc", "--port", "80", "--header", "A: b"}, "flag provided but not defined: -header"},
		{[]string{"install"}, "exactly one destination"},
		{[]string{"install", "a", "b"}, "exactly one destination"},
		{[]string{"http", "--help"}, "http takes: --header --host --on-error --path --port --scheme --timeout --user-agent"},
		{[]string{"http", "--port", "80", "--on-error", "ignore"}, `invalid value "ignore" for flag -on-error: want pass or fail`},
		{[]string{"tcp", "--port", "80", "--on-error", "pass"}, "flag provided but not defined: -on-error"},
		{[]string{"http-hook", "--port", "80", "--on-error", "pass"}, "flag provided but not defined: -on-error"},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := run(c.args, &out, &errOut)
		if code != exitUsage {
			t.Errorf("%q: exit %d, want %d (stdout %q, stderr %q)", c.args, code, exitUsage, out.String(), errOut.String())
			continue
		}
		lines := strings.Split(strings.TrimSuffix(errOut.String(), "\n"), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], "usage error") || !strings.Contains(lines[0], c.want) {
			t.Errorf("%q: want one usage line containing %q, got %q", c.args, c.want, errOut.String())
		}
		if out.Len() != 0 {
			t.Errorf("%q: nothing on stdout for a usage error, got %q", c.args, out.String())
		}
	}
}

func TestTimeoutTakesSecondsOrADuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"1": time.Second, "30": 30 * time.Second, "500ms": 500 * time.Millisecond, "2s": 2 * time.Second,
		"9223372036": 9223372036 * time.Second, "2562047h": 2562047 * time.Hour} {
		got, err := parseTimeout(in)
		if err != nil || got != want {
			t.Errorf("parseTimeout(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"18446744074", "9223372037", "36028797018963968"} {
		if got, err := parseTimeout(in); err == nil {
			t.Errorf("parseTimeout(%q) = %v, want an error: %s seconds overflow a time.Duration", in, got, in)
		}
	}
}

func TestParsedCheckKeepsEverything(t *testing.T) {
	c, err := parseCheck("http", []string{"--port", "8443", "--scheme", "HTTPS", "--path", "/healthz?x=1",
		"--header", "X-A: 1", "--header", "x-a:2", "--header", "X-Empty:", "--timeout", "3", "--host", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	h := c.(*httpCheck)
	if h.scheme != "https" || h.port != 8443 || h.timeout != 3*time.Second || h.host != "::1" || h.fallback {
		t.Errorf("parsed %+v", h)
	}
	if got := h.url().String(); got != "https://[::1]:8443/healthz?x=1" {
		t.Errorf("url %q", got)
	}
	want := []header{{"X-A", "1"}, {"x-a", "2"}, {"X-Empty", ""}}
	if len(h.headers) != len(want) {
		t.Fatalf("headers %v", h.headers)
	}
	for i := range want {
		if h.headers[i] != want[i] {
			t.Errorf("header %d: %v, want %v", i, h.headers[i], want[i])
		}
	}
	g, err := parseCheck("grpc", []string{"--port", "9000"})
	if err != nil {
		t.Fatal(err)
	}
	if gc := g.(*grpcCheck); gc.addr != "127.0.0.1:9000" || gc.service != "" || gc.timeout != time.Second || gc.userAgent != "kube-probe/1.35" || !gc.fallback {
		t.Errorf("grpc defaults %+v", gc)
	}
}

func TestPortTakesDecimalDigits(t *testing.T) {
	for in, want := range map[string]int{"1": 1, "80": 80, "8080": 8080, "65535": 65535} {
		c, err := parseCheck("tcp", []string{"--port", in})
		if err != nil {
			t.Errorf("--port %s: %v", in, err)
			continue
		}
		if got := c.(*tcpCheck).addr; got != "127.0.0.1:"+strconv.Itoa(want) {
			t.Errorf("--port %s: address %s", in, got)
		}
	}
}
