package main

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// A valid value for each flag, so that a parse error can only mean the flag itself is refused.
var sampleValues = map[string]string{
	"port": "8080", "host": "127.0.0.1", "timeout": "1", "scheme": "HTTP", "path": "/healthz",
	"header": "X-A: 1", "user-agent": "kube-probe/1.35", "on-error": "pass", "service": "svc",
}

// TestEveryReleasedFlagIsStillAccepted: a pod rewritten by an earlier release runs its commands with whatever prober
// its init container copies, a newer one included, so no flag a release wrote may go away (testdata/released-flags.txt).
func TestEveryReleasedFlagIsStillAccepted(t *testing.T) {
	f, err := os.Open("testdata/released-flags.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := 0
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		lines++
		kind := fields[0]
		for _, name := range fields[1:] {
			value, ok := sampleValues[name]
			if !ok {
				t.Errorf("%s --%s: no sample value in this test", kind, name)
				continue
			}
			// The engine writes "--name value"; the other forms the docs promise are checked too.
			for _, form := range [][]string{{"--" + name, value}, {"--" + name + "=" + value}, {"-" + name, value}} {
				args := form
				if name != "port" {
					args = append([]string{"--port", "8080"}, form...)
				}
				if _, err := parseCheck(kind, args); err != nil {
					t.Errorf("%s %q: %v", kind, args, err)
				}
			}
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	if lines != 4 {
		t.Errorf("%d checks listed, want the 4 (http, http-hook, tcp, grpc)", lines)
	}
}
