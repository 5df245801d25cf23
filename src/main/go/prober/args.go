package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"time"
)

// defaultUserAgent is what the kubelet the engine targets sends (kube-probe/<major>.<minor>); the webhook
// passes --user-agent when it is configured for another kubelet version.
const defaultUserAgent = "kube-probe/1.35"

// defaultHookUserAgent is what the same kubelet sends with an httpGet lifecycle hook: the probe's request
// builder, given the purpose "lifecycle" instead of "probe" (kube-lifecycle/<major>.<minor>).
const defaultHookUserAgent = "kube-lifecycle/1.35"

// defaultTimeout is the kubelet's default timeoutSeconds.
const defaultTimeout = time.Second

// noTimeout is http-hook's default: the kubelet's lifecycle HTTP client has no timeout of its own (a preStop
// hook is cut short by the grace period, by the kubelet, not by the handler), and an exec hook has none either.
const noTimeout time.Duration = 0

// check is one parsed command, ready to run.
type check interface {
	run() result
}

// header is one --header argument, in the order given: the kubelet's rules depend on order (the first
// Accept or User-Agent decides).
type header struct{ name, value string }

type headerList []header

func (h *headerList) String() string { return fmt.Sprint(*h) }

// Set takes "Name: value", as the webhook writes it: the one space after the colon is the separator, and the
// rest is the value exactly as the probe holds it. The kubelet sends values untrimmed, so spaces are kept: a Host
// of " example.com" is cleaned to nothing by Go (and the URL's host is used), an Accept or User-Agent of spaces
// is sent empty. The value may be empty ("X-Empty: " or "X-Empty:"), which the kubelet sends as an empty header
// (or, for Accept and User-Agent, as a request to send none).
func (h *headerList) Set(s string) error {
	colon := strings.IndexByte(s, ':')
	if colon < 0 {
		return fmt.Errorf("want \"Name: value\", got %q", s)
	}
	name := s[:colon]
	if !isToken(name) {
		return fmt.Errorf("invalid header name %q in %q", name, s)
	}
	*h = append(*h, header{name, strings.TrimPrefix(s[colon+1:], " ")})
	return nil
}

// isToken says whether s is an HTTP token (RFC 7230), as Kubernetes requires of a probe header's name.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// timeoutFlag accepts the probe's timeoutSeconds as written in the pod ("1") or a Go duration ("1s", "500ms").
// For http-hook, whose default is no bound, a zero ("0", "0s") says the same explicitly.
type timeoutFlag struct {
	d             time.Duration
	zeroMeansNone bool
}

func (t *timeoutFlag) String() string { return t.d.String() }

func (t *timeoutFlag) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	switch {
	case d == 0 && t.zeroMeansNone:
		t.d = noTimeout
	case d <= 0 && t.zeroMeansNone:
		return fmt.Errorf("must be positive, or 0 for none, got %q", s)
	case d <= 0:
		return fmt.Errorf("must be positive, got %q", s)
	default:
		t.d = d
	}
	return nil
}

// portFlag is --port: ASCII decimal digits only, as the probe's port is an integer in the pod's JSON. The flag
// package's own integer flag reads base prefixes and signs (0x50 is 80, 080 is octal 64, 0b1, 8_080, +80), which
// would send the check to a port the probe never named instead of refusing the argument.
type portFlag struct{ n int }

func (p *portFlag) String() string { return strconv.Itoa(p.n) }

func (p *portFlag) Set(s string) error {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return fmt.Errorf("want the port in decimal digits, 1-65535 (no sign, base prefix or separator), got %q", s)
		}
	}
	// A leading zero reads as octal to some parsers and never appears in a port Kubernetes stores: refused, so
	// that no reader can take 080 for 64.
	if s == "" || len(s) > 1 && s[0] == '0' {
		return fmt.Errorf("want the port in decimal digits without leading zeros, 1-65535, got %q", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("out of range 1-65535")
	}
	// The range is checked once parsing is done, so that its message names the port (--port 70000).
	p.n = n
	return nil
}

// onErrorFlag is --on-error: pass for a liveness probe, fail (the default) for readiness and startup.
type onErrorFlag struct{ pass bool }

func (o *onErrorFlag) String() string {
	if o.pass {
		return "pass"
	}
	return "fail"
}

func (o *onErrorFlag) Set(s string) error {
	switch s {
	case "pass":
		o.pass = true
	case "fail":
		o.pass = false
	default:
		return fmt.Errorf("want pass or fail, got %q", s)
	}
	return nil
}

// parseTimeout reads a positive timeout.
func parseTimeout(s string) (time.Duration, error) {
	d, err := parseDuration(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("must be positive, got %q", s)
	}
	return d, nil
}

// maxDurationSeconds is the most whole seconds a time.Duration holds (about 292 years). Multiplied into
// nanoseconds, a larger count overflows int64 and wraps: to a negative timeout, or to a short positive one
// (18446744074 seconds becomes 0.29 s) that the check would then run with. Kubernetes' timeoutSeconds is an int32,
// so no probe comes near it; only a hand-written command can.
const maxDurationSeconds = int64(math.MaxInt64 / time.Second)

// parseDuration reads seconds as written in a pod ("1") or a Go duration ("1s", "500ms"). A value past the longest
// time.Duration is refused rather than wrapped; time.ParseDuration already refuses it for a duration.
func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		switch {
		case strings.HasPrefix(s, "-"):
			// Refused by every caller as not positive; its exact value does not matter, and could overflow too.
			return -1, nil
		case err != nil || n > maxDurationSeconds:
			return 0, fmt.Errorf("more than the longest timeout the prober can keep, %d seconds (%v), got %q",
				maxDurationSeconds, time.Duration(math.MaxInt64), s)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("want seconds (1) or a duration (1s, 500ms) of at most %v, got %q", time.Duration(math.MaxInt64), s)
	}
	return d, nil
}

// parseCheck reads the arguments of one check. Every error names the argument, for the pod's Events.
func parseCheck(kind string, args []string) (check, error) {
	fs := flag.NewFlagSet(kind, flag.ContinueOnError)
	// The flag package would print its own usage on errors; the error it returns is enough for one line.
	fs.SetOutput(io.Discard)
	host := fs.String("host", defaultHost, "address to check (default 127.0.0.1, then ::1 if refused)")
	var port portFlag
	fs.Var(&port, "port", "port (1-65535, decimal)")
	timeout := timeoutFlag{d: defaultTimeout}
	if kind == "http-hook" {
		timeout = timeoutFlag{d: noTimeout, zeroMeansNone: true}
	}
	fs.Var(&timeout, "timeout", "bound on the whole check (the probe's timeoutSeconds)")
	var scheme, path, service, userAgent *string
	var headers headerList
	onError := onErrorFlag{}
	switch kind {
	case "http", "http-hook":
		scheme = fs.String("scheme", "HTTP", "HTTP or HTTPS")
		path = fs.String("path", "/", "request path, query included")
		fs.Var(&headers, "header", "request header \"Name: value\" (repeatable, order kept)")
		agent := defaultUserAgent
		if kind == "http-hook" {
			agent = defaultHookUserAgent
		}
		userAgent = fs.String("user-agent", agent, "User-Agent sent unless a header sets it")
		if kind == "http" {
			// Only an http probe has probe errors (a body that breaks off): tcp and grpc only fail, and a hook
			// only fails or is delivered.
			fs.Var(&onError, "on-error", "verdict when every attempt errs, which the kubelet discards: pass or fail")
		}
	case "grpc":
		service = fs.String("service", "", "service name for grpc.health.v1.Health/Check")
		userAgent = fs.String("user-agent", defaultUserAgent, "User-Agent sent with the call")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, fmt.Errorf("%s takes: %s", kind, flagNames(fs))
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags take the form --name value)", fs.Arg(0))
	}
	seen := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { seen[f.Name] = true })
	if !seen["port"] {
		return nil, errors.New("--port is required")
	}
	if port.n < 1 || port.n > 65535 {
		return nil, fmt.Errorf("--port %d: out of range 1-65535", port.n)
	}
	if err := validHost(*host); err != nil {
		return nil, err
	}
	// Without --host, 127.0.0.1 and then ::1 (see loopbackDialer); a --host given is dialled as given, even
	// --host 127.0.0.1.
	fallback := !seen["host"]
	addr := net.JoinHostPort(*host, strconv.Itoa(port.n))
	switch kind {
	case "http", "http-hook":
		s := strings.ToLower(*scheme)
		if s != "http" && s != "https" {
			return nil, fmt.Errorf("--scheme %q: want HTTP or HTTPS", *scheme)
		}
		get := httpCheck{scheme: s, host: *host, port: port.n, path: *path, headers: headers,
			userAgent: *userAgent, timeout: timeout.d, fallback: fallback, passOnError: onError.pass}
		if kind == "http-hook" {
			return &httpHookCheck{get}, nil
		}
		return &get, nil
	case "tcp":
		return &tcpCheck{addr: addr, timeout: timeout.d, fallback: fallback}, nil
	default:
		return &grpcCheck{addr: addr, service: *service, userAgent: *userAgent, timeout: timeout.d, fallback: fallback}, nil
	}
}

// validHost accepts an IP address (without brackets) or a host name.
func validHost(h string) error {
	if net.ParseIP(h) != nil {
		return nil
	}
	if h == "" || len(h) > 253 {
		return fmt.Errorf("--host %q: want an IP address or a host name", h)
	}
	for _, c := range []byte(h) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return fmt.Errorf("--host %q: want an IP address (no brackets) or a host name", h)
		}
	}
	return nil
}

func flagNames(fs *flag.FlagSet) string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, "--"+f.Name) })
	return strings.Join(names, " ")
}
