package main

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestOneLineEscapesLineBreaksAndControlCharacters(t *testing.T) {
	cases := map[string]string{
		"plain /healthz?x=1 é ✓":             "plain /healthz?x=1 é ✓",
		"a\nb\r\tc":                          `a\nb\r\tc`,
		"nul\x00 del\x7f esc\x1b":            `nul\x00 del\x7f esc\x1b`,
		"nel\u0085 ls\u2028 ps\u2029":        `nel\u0085 ls\u2028 ps\u2029`,
		"bad utf-8 \xff\xfe":                 `bad utf-8 \xff\xfe`,
		strings.Repeat("x", maxAppTextBytes): strings.Repeat("x", maxAppTextBytes),
		"":                                   "",
	}
	for in, want := range cases {
		if got := oneLine(in, maxAppTextBytes); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOneLineCutsAtACharacterAndSaysHowLongItWas(t *testing.T) {
	for _, in := range []string{strings.Repeat("é", 1000), strings.Repeat("x", maxAppTextBytes+1), strings.Repeat("\n", 600)} {
		got := oneLine(in, maxAppTextBytes)
		if len(got) > maxAppTextBytes || !utf8.ValidString(got) || strings.ContainsAny(got, "\n\r") {
			t.Errorf("oneLine of %d bytes: %d bytes, valid UTF-8 %v: %q", len(in), len(got), utf8.ValidString(got), got)
		}
		if want := "… (" + strconv.Itoa(len(in)) + " bytes in all)"; !strings.HasSuffix(got, want) {
			t.Errorf("oneLine of %d bytes does not end with %q: %q", len(in), want, got[len(got)-40:])
		}
	}
}

// assertOneBoundedLine checks what the kubelet keeps of an exec probe's output: one line, within its 10 KiB, with no
// character a log or a terminal takes for a line break.
func assertOneBoundedLine(t *testing.T, out string, within int) {
	t.Helper()
	if len(out) > within {
		t.Errorf("line of %d bytes, want at most %d: %.200q…", len(out), within, out)
	}
	if i := strings.IndexFunc(out, func(r rune) bool {
		return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == '\u2028' || r == '\u2029'
	}); i >= 0 {
		r, _ := utf8.DecodeRuneInString(out[i:])
		t.Errorf("line holds %q at byte %d: %.200q…", r, i, out)
	}
}

func TestTheLineIsOneLineWithinWhatTheKubeletKeeps(t *testing.T) {
	for _, r := range []result{
		unhealthy("Get %q: failed to parse Location header: %s", "http://127.0.0.1:8080/", "a\nb"+strings.Repeat("y", 20000)),
		hookFailed("%s", strings.Repeat("\u2028", 5000)),
	} {
		assertOneBoundedLine(t, r.line(), 10*1024)
	}
}
