package main

import (
	"errors"
	"os"
	"strings"
)

// reexecMarker is set in the environment of a prober that re-executed itself without GODEBUG, so that it never does
// so a second time, whatever the environment then holds: the re-exec can happen once, never in a loop.
const reexecMarker = "PROBE_REWRITER_PROBER_REEXECUTED"

// errNoExec says the platform has no exec that replaces the process; the prober then runs as is.
var errNoExec = errors.New("no exec on this platform")

// withoutContainerGODEBUG runs the prober again, in the same process, without the container's GODEBUG. An exec
// probe runs with the container's environment, and a GODEBUG the app's image sets (http2client=0, tlsrsakex=1,
// tls3des=1, …) would change the prober's HTTP and TLS from the kubelet's, which runs with its own; Go reads GODEBUG
// as the process starts (and some packages at their first use), so it cannot be unset from inside: only a new
// program image started without it gets the build's defaults. It returns only when it did not re-execute: no
// GODEBUG (or an empty one, which sets nothing), already re-executed once, or the exec failed, in which case the
// prober runs as is, with the container's GODEBUG, as it did before.
func withoutContainerGODEBUG(executables []string) error {
	if os.Getenv("GODEBUG") == "" || os.Getenv(reexecMarker) != "" {
		return nil
	}
	env := []string{reexecMarker + "=1"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GODEBUG=") {
			env = append(env, kv)
		}
	}
	err := errNoExec
	for _, exe := range executables {
		// On success exec does not return: the new image runs main again, with the same arguments.
		err = execProgram(exe, os.Args, env)
	}
	return err
}

// selfExecutables are the paths of this executable, in the order tried: /proc/self/exe names the running image even
// if its file was renamed or replaced; os.Executable is the path it was started from, where /proc is not mounted.
func selfExecutables() []string {
	paths := []string{"/proc/self/exe"}
	if exe, err := os.Executable(); err == nil {
		paths = append(paths, exe)
	}
	return paths
}
