// Command prober runs one health check from inside a pod, the way the kubelet runs the probe it replaces,
// and exits 0 (healthy) or 1 (unhealthy) after printing one line that says why: the kubelet keeps an exec
// probe's output and shows it in the probe's Event. Arguments it cannot use exit 2, so a broken command
// line is told apart from a sick app. The command line is a contract with the webhook that generates it:
// docs/prober.md describes it, and it only grows.
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit codes. The kubelet only tells zero from non-zero; the distinction is for people reading the Event.
const (
	exitHealthy   = 0
	exitUnhealthy = 1
	exitUsage     = 2
)

// version is set at build time (-ldflags '-X main.version=...'); it names the build in `prober version`.
var version = "dev"

func main() {
	// Only returns when it did not re-execute; an exec that failed leaves the prober as it was, so the error only
	// says why the container's GODEBUG still applies, which changes no verdict it would not have changed before.
	_ = withoutContainerGODEBUG(selfExecutables())
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code, so tests can call it.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "prober: usage error: no command; "+usageLine)
		return exitUsage
	}
	switch args[0] {
	case "http", "http-hook", "tcp", "grpc":
		c, err := parseCheck(args[0], args[1:])
		if err != nil {
			fmt.Fprintf(stderr, "prober %s: usage error: %v\n", args[0], err)
			return exitUsage
		}
		r := c.run()
		fmt.Fprintln(stdout, r.line())
		if r.healthy {
			return exitHealthy
		}
		return exitUnhealthy
	case "install":
		if len(args) != 2 || args[1] == "" || args[1][0] == '-' {
			fmt.Fprintln(stderr, "prober install: usage error: expected exactly one destination path, e.g. prober install /probe-rewriter/prober")
			return exitUsage
		}
		if err := install(args[1]); err != nil {
			fmt.Fprintf(stderr, "prober install: %v\n", err)
			return exitUnhealthy
		}
		fmt.Fprintf(stdout, "installed %s\n", args[1])
		return exitHealthy
	case "version", "--version":
		fmt.Fprintf(stdout, "prober %s (user agent %s)\n", version, defaultUserAgent)
		return exitHealthy
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usageText)
		return exitHealthy
	default:
		fmt.Fprintf(stderr, "prober: usage error: unknown command %q; %s\n", args[0], usageLine)
		return exitUsage
	}
}

// result is a check's verdict and the line the kubelet will show for it. A lifecycle hook is not healthy or
// unhealthy but delivered or not, so its line says "succeeded" or "failed".
type result struct {
	healthy bool
	message string
	hook    bool
}

// line is what the prober prints: one line, within what the kubelet keeps of an exec probe's output, whatever the
// message quotes from the app (see oneLine).
func (r result) line() string {
	var prefix string
	switch {
	case r.hook && r.healthy:
		prefix = "succeeded: "
	case r.hook:
		prefix = "failed: "
	case r.healthy:
		prefix = "healthy: "
	default:
		prefix = "unhealthy: "
	}
	return prefix + oneLine(r.message, maxLineBytes-len(prefix))
}

func healthy(format string, a ...interface{}) result {
	return result{true, fmt.Sprintf(format, a...), false}
}

func unhealthy(format string, a ...interface{}) result {
	return result{false, fmt.Sprintf(format, a...), false}
}

func hookSucceeded(format string, a ...interface{}) result {
	return result{true, fmt.Sprintf(format, a...), true}
}

func hookFailed(format string, a ...interface{}) result {
	return result{false, fmt.Sprintf(format, a...), true}
}

const usageLine = "commands: http, http-hook, tcp, grpc, install, version (prober help for more)"

const usageText = `prober: one health check, judged as the kubelet judges it; exit 0 healthy, 1 unhealthy, 2 usage error.

  prober http      --port N [--host 127.0.0.1] [--scheme HTTP|HTTPS] [--path /p] [--header 'Name: value']...
                   [--user-agent kube-probe/1.35] [--timeout 1s] [--on-error fail|pass]
  prober http-hook --port N [--host 127.0.0.1] [--scheme HTTP|HTTPS] [--path /p] [--header 'Name: value']...
                   [--user-agent kube-lifecycle/1.35] [--timeout 0]
  prober tcp       --port N [--host 127.0.0.1] [--timeout 1s]
  prober grpc      --port N [--host 127.0.0.1] [--service NAME] [--user-agent kube-probe/1.35] [--timeout 1s]
  prober install   DEST      copy this executable to DEST (mode 0555)
  prober version

Without --host a check connects to 127.0.0.1 and, if nothing takes the connection there, to ::1 (same port,
same timeout); a --host given is used as given. --timeout is the probe's timeoutSeconds: a bare number of
seconds or a duration (500ms, 2s); it bounds the whole check. http runs the exchange again, up to 3 times within
that timeout, when it ends in what the kubelet calls a probe error (the body breaks off before 10 KiB); if every
attempt errs, --on-error gives the verdict (fail by default; pass for a liveness probe), min(200ms, 20%) before
the timeout, so that the runtime's kill at timeoutSeconds does not fail it first. http-hook is an httpGet lifecycle hook (postStart,
preStop), judged as the kubelet judges it: any HTTP response succeeds, only a failed exchange fails; it has no
timeout unless given one (0: none).
Exit 0 succeeded, 1 failed. See docs/prober.md.`
