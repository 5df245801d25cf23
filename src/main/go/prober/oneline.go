package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxAppTextBytes bounds text the app chose that the prober's line quotes: a redirect's Location, a grpc-message, an
// HTTP/2 :status. The line ends up in an Event, whose note Kubernetes caps at 1 KiB (events.k8s.io/v1, NoteLengthLimit),
// and the kubelet keeps at most 10 KiB of an exec probe's output; a Location that may run to megabytes (Go reads
// response headers up to 10 MiB) says nothing more to a reader past 1 KiB, and bounding it keeps the rest of the line
// (the status, the URL, the verdict's reason) within what the kubelet keeps.
const maxAppTextBytes = 1024

// maxLineBytes bounds the whole line, whatever it quotes (a URL after a followed redirect, an error that embeds a
// Location): the kubelet reads at most 10 KiB of an exec probe's output, so the prober cuts there itself and says so,
// rather than have the kubelet cut the line without a mark.
const maxLineBytes = 10 * 1024

// oneLine makes s safe to print within one line of at most max bytes: control characters (C0, DEL, C1 such as NEL),
// the Unicode line and paragraph separators and invalid UTF-8 are written as Go escapes (\n, \x00, \u0085, \u2028,
// \xff), so that a reader of the Event sees them and no log or terminal breaks the line; past max, s is cut at a
// character boundary and ends with how long it was.
func oneLine(s string, max int) string {
	if len(s) <= max && isPrintableASCII(s) {
		return s // the usual message: nothing to escape or cut, nothing built
	}
	var b strings.Builder
	marker := fmt.Sprintf("… (%d bytes in all)", len(s))
	// cut is where the text ends if it must be cut: the last character boundary that leaves room for the marker.
	cut := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		piece := s[i : i+size]
		switch {
		case r == utf8.RuneError && size == 1:
			piece = fmt.Sprintf(`\x%02x`, s[i])
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			q := strconv.QuoteRuneToASCII(r)
			piece = q[1 : len(q)-1]
		}
		if b.Len()+len(piece) > max {
			return b.String()[:cut] + marker
		}
		b.WriteString(piece)
		if b.Len()+len(marker) <= max {
			cut = b.Len()
		}
		i += size
	}
	return b.String()
}

// isPrintableASCII says whether every byte of s is printable ASCII (space to tilde), which oneLine leaves as is.
func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
