package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestHealthRequestEncoding(t *testing.T) {
	if got := encodeHealthRequest(""); len(got) != 0 {
		t.Errorf("empty service: proto3 sends nothing, got %x", got)
	}
	if got := hex.EncodeToString(encodeHealthRequest("grpc.health")); got != "0a0b677270632e6865616c7468" {
		t.Errorf("service: %s", got)
	}
	long := strings.Repeat("s", 200) // a length past one varint byte
	if got := encodeHealthRequest(long); !bytes.Equal(got[:3], []byte{0x0a, 0xc8, 0x01}) || len(got) != 203 {
		t.Errorf("long service: %x", got[:3])
	}
}

func TestHealthResponseDecoding(t *testing.T) {
	for in, want := range map[string]uint64{
		"":                                   0, // UNKNOWN: proto3 leaves out the default
		"0801":                               1,
		"0802":                               2,
		"0803":                               3,
		"12036162630801":                     1, // an unknown length-delimited field first is skipped
		"0801180a":                           1, // an unknown varint field after is skipped
		"0801250000000029000000000000000008": 1, // fixed32 and fixed64 fields skipped; then a bare key... see below
	} {
		if in == "0801250000000029000000000000000008" {
			continue // checked below: a truncated field is an error
		}
		got, err := decodeHealthResponse(mustHex(t, in))
		if err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"08", "0a05ab", "0b", "0d0000", "09000000"} {
		if _, err := decodeHealthResponse(mustHex(t, bad)); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fakeServer is a scripted HTTP/2 peer: it checks the client's call and answers with frames the way a real
// gRPC server may (Huffman strings, indexed fields, split header blocks, padding, a PING first).
type fakeServer struct {
	t       *testing.T
	l       net.Listener
	request chan []headerField // the call's header fields
	message chan []byte        // the call's DATA payload
	pingAck chan bool
}

func newFakeServer(t *testing.T, answer func(w io.Writer)) *fakeServer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return newFakeServerOn(t, l, answer)
}

// newFakeServerOn is newFakeServer on a listener of the test's choosing.
func newFakeServerOn(t *testing.T, l net.Listener, answer func(w io.Writer)) *fakeServer {
	f := &fakeServer{t: t, l: l, request: make(chan []headerField, 1), message: make(chan []byte, 1), pingAck: make(chan bool, 1)}
	t.Cleanup(func() { l.Close() })
	go f.serve(answer)
	return f
}

func (f *fakeServer) port() string { return strconv.Itoa(f.l.Addr().(*net.TCPAddr).Port) }

func (f *fakeServer) serve(answer func(w io.Writer)) {
	conn, err := f.l.Accept()
	if err != nil {
		return
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(conn)
	preface := make([]byte, len(clientPreface))
	if _, err := io.ReadFull(r, preface); err != nil || string(preface) != clientPreface {
		f.t.Errorf("preface %q, %v", preface, err)
		return
	}
	dec := newHpackDecoder()
	for got := 0; got < 3; got++ { // SETTINGS, HEADERS, DATA
		typ, flags, stream, payload, err := readFrame(r)
		if err != nil {
			f.t.Errorf("reading the call: %v", err)
			return
		}
		switch typ {
		case frameHeaders:
			fields, err := dec.decode(payload)
			if err != nil || stream != 1 || flags != flagEndHeaders {
				f.t.Errorf("HEADERS on %d, flags %x: %v", stream, flags, err)
			}
			f.request <- fields
		case frameData:
			if stream != 1 || flags != flagEndStream {
				f.t.Errorf("DATA on %d, flags %x", stream, flags)
			}
			f.message <- payload
		}
	}
	// Ask for a PING answer before anything else; the client must send it back.
	conn.Write(appendFrame(nil, frameSettings, 0, 0, nil))
	conn.Write(appendFrame(nil, framePing, 0, 0, []byte("12345678")))
	for {
		typ, flags, _, payload, err := readFrame(r)
		if err != nil {
			f.pingAck <- false
			break
		}
		if typ == framePing && flags&flagAck != 0 && string(payload) == "12345678" {
			f.pingAck <- true
			break
		}
	}
	answer(conn)
	io.Copy(io.Discard, r) // until the client closes
}

// huffmanLiteral is a literal with incremental indexing, new name, both strings Huffman-coded.
func huffmanLiteral(name, value string) []byte {
	b := []byte{0x40}
	for _, s := range []string{name, value} {
		h := huffmanEncode(s)
		b = appendHpackInt(b, 0x80, 7, uint64(len(h)))
		b = append(b, h...)
	}
	return b
}

// responseHeaders: :status 200 (static index 8) and content-type (name from static index 31).
func responseHeaders() []byte {
	b := []byte{0x88, 0x5f}
	h := huffmanEncode("application/grpc")
	b = appendHpackInt(b, 0x80, 7, uint64(len(h)))
	return append(b, h...)
}

func grpcData(msg []byte) []byte {
	d := []byte{0}
	d = binary.BigEndian.AppendUint32(d, uint32(len(msg)))
	return append(d, msg...)
}

func answerWith(status string, grpcStatus, grpcMessage string) func(io.Writer) {
	return func(w io.Writer) {
		w.Write(appendFrame(nil, frameHeaders, flagEndHeaders, 1, responseHeaders()))
		// Padded DATA: 2 bytes of padding after the message.
		data := append([]byte{2}, grpcData(mustHexNoT(status))...)
		w.Write(appendFrame(nil, frameData, flagPadded, 1, append(data, 0, 0)))
		trailers := huffmanLiteral("grpc-status", grpcStatus)
		if grpcMessage != "" {
			trailers = append(trailers, huffmanLiteral("grpc-message", grpcMessage)...)
		}
		// Trailers split over HEADERS and CONTINUATION.
		w.Write(appendFrame(nil, frameHeaders, flagEndStream, 1, trailers[:3]))
		w.Write(appendFrame(nil, frameContinuation, flagEndHeaders, 1, trailers[3:]))
	}
}

func mustHexNoT(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}

func grpcProbe(t *testing.T, port string, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"grpc", "--port", port}, args...), &out, &errOut)
	if errOut.Len() > 0 {
		t.Fatalf("stderr %q", errOut.String())
	}
	return code, strings.TrimSpace(out.String())
}

func TestGrpcServing(t *testing.T) {
	f := newFakeServer(t, answerWith("0801", "0", ""))
	code, out := grpcProbe(t, f.port(), "--service", "my.Service", "--timeout", "3")
	if code != 0 || out != "healthy: service healthy (SERVING)" {
		t.Errorf("exit %d: %s", code, out)
	}
	req := map[string]string{}
	for _, h := range <-f.request {
		req[h.name] = h.value
	}
	want := map[string]string{":method": "POST", ":scheme": "http", ":path": "/grpc.health.v1.Health/Check",
		":authority": "127.0.0.1:" + f.port(), "content-type": "application/grpc", "te": "trailers",
		"user-agent": "kube-probe/1.35", "grpc-timeout": "3000m"}
	for k, v := range want {
		if req[k] != v {
			t.Errorf("request header %s = %q, want %q", k, req[k], v)
		}
	}
	if msg := <-f.message; hex.EncodeToString(msg) != "000000000c"+"0a0a"+hex.EncodeToString([]byte("my.Service")) {
		t.Errorf("request message %x", msg)
	}
	if !<-f.pingAck {
		t.Error("the client did not answer the server's PING")
	}
}

func TestGrpcVerdicts(t *testing.T) {
	trailersOnly := func(status, message string) func(io.Writer) {
		return func(w io.Writer) {
			block := append(responseHeaders(), huffmanLiteral("grpc-status", status)...)
			block = append(block, huffmanLiteral("grpc-message", message)...)
			w.Write(appendFrame(nil, frameHeaders, flagEndHeaders|flagEndStream, 1, block))
		}
	}
	cases := []struct {
		name   string
		answer func(io.Writer)
		want   string
	}{
		{"NOT_SERVING", answerWith("0802", "0", ""), `unhealthy: service unhealthy (responded with "NOT_SERVING")`},
		{"SERVICE_UNKNOWN", answerWith("0803", "0", ""), `unhealthy: service unhealthy (responded with "SERVICE_UNKNOWN")`},
		{"UNKNOWN (empty message)", answerWith("", "0", ""), `unhealthy: service unhealthy (responded with "UNKNOWN")`},
		{"unknown service", trailersOnly("5", "unknown%20service"), "unhealthy: error: health rpc probe failed: rpc error: code = NotFound desc = unknown service"},
		{"no health service", trailersOnly("12", "Method not found"), "unhealthy: error: this server does not implement the grpc health protocol (grpc.health.v1.Health): Method not found"},
		{"reset", func(w io.Writer) { w.Write(appendFrame(nil, frameRSTStream, 0, 1, []byte{0, 0, 0, 2})) },
			"unhealthy: error: health rpc probe failed: stream reset by the server (HTTP/2 error code 2)"},
		{"goaway", func(w io.Writer) { w.Write(appendFrame(nil, frameGoAway, 0, 0, make([]byte, 8))) },
			"unhealthy: error: health rpc probe failed: the server refused the call (GOAWAY, error code 0)"},
		{"HTTP 404", func(w io.Writer) {
			w.Write(appendFrame(nil, frameHeaders, flagEndHeaders|flagEndStream, 1, []byte{0x8d}))
		}, "unhealthy: error: health rpc probe failed: HTTP status 404 from the server"},
		{"closed", func(w io.Writer) { w.(net.Conn).Close() },
			"unhealthy: error: health rpc probe failed: connection closed by the server before the call ended"},
	}
	for _, c := range cases {
		f := newFakeServer(t, c.answer)
		code, out := grpcProbe(t, f.port(), "--timeout", "3")
		if code != 1 || out != c.want {
			t.Errorf("%s: exit %d, %q; want %q", c.name, code, out, c.want)
		}
	}
}

func TestGrpcTimeoutBoundsTheCall(t *testing.T) {
	f := newFakeServer(t, func(w io.Writer) { time.Sleep(3 * time.Second) })
	start := time.Now()
	code, out := grpcProbe(t, f.port(), "--timeout", "500ms")
	if took := time.Since(start); code != 1 || out != "unhealthy: timeout: health rpc did not complete within 500ms" || took > 1500*time.Millisecond {
		t.Errorf("exit %d after %v: %s", code, took, out)
	}
}

func TestGrpcAgainstHTTP1AndNothing(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	go func() {
		c, err := l.Accept()
		if err == nil {
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
			time.Sleep(time.Second)
			c.Close()
		}
	}()
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	if code, out := grpcProbe(t, port); code != 1 || !strings.Contains(out, "not an HTTP/2 answer") {
		t.Errorf("HTTP/1 server: %d %s", code, out)
	}
	l.Close()
	start := time.Now()
	code, out := grpcProbe(t, port, "--timeout", "500ms")
	if took := time.Since(start); code != 1 || took < 450*time.Millisecond ||
		!strings.HasPrefix(out, `unhealthy: timeout: failed to connect service "127.0.0.1:`+port+`" within 500ms: context deadline exceeded (last dial: `) ||
		!strings.Contains(out, "connection refused") {
		t.Errorf("nothing listening: exit %d after %v: %s", code, took, out)
	}
}

// The kubelet's grpc-go client (WithBlock) dials a refused port again after its backoff until the timeout, so an
// app that starts listening within the timeout passes.
func TestGrpcRetriesARefusedConnectionUntilTheTimeout(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	started := make(chan *fakeServer, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Errorf("listening again on %s: %v", addr, err)
			started <- nil
			return
		}
		started <- newFakeServerOn(t, l, answerWith("0801", "0", ""))
	}()
	code, out := grpcProbe(t, port, "--timeout", "3")
	<-started
	if code != 0 || out != "healthy: service healthy (SERVING)" {
		t.Errorf("exit %d: %s", code, out)
	}
}

func TestTCP(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	var out bytes.Buffer
	// Healthy even though the app never calls accept: the kernel completes the handshake, as for the kubelet.
	if code := run([]string{"tcp", "--port", port}, &out, &out); code != 0 {
		t.Errorf("listening: %d %s", code, out.String())
	}
	l.Close()
	out.Reset()
	if code := run([]string{"tcp", "--port", port}, &out, &out); code != 1 || !strings.Contains(out.String(), "connection refused") {
		t.Errorf("nothing listening: %d %s", code, out.String())
	}
}

// FuzzHealthResponse: a response message never panics the decoder.
func FuzzHealthResponse(f *testing.F) {
	for _, seed := range []string{"", "0801", "12036162630801", "08", "0a05ab", "ffffffffffffffffffff01"} {
		b, _ := hex.DecodeString(seed)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		decodeHealthResponse(msg)
	})
}

// TestGrpcTimeoutHeaderHasAtMostEightDigits: gRPC's protocol allows a TimeoutValue of 8 ASCII digits at most, so a
// long --timeout moves to a larger unit instead of sending 9 or 10 digits a server may refuse.
func TestGrpcTimeoutHeaderHasAtMostEightDigits(t *testing.T) {
	cases := map[time.Duration]string{
		500 * time.Microsecond:                  "1m",
		time.Second:                             "1000m",
		3 * time.Second:                         "3000m",
		1500*time.Millisecond + time.Nanosecond: "1501m",
		99999999 * time.Millisecond:             "99999999m",
		100000 * time.Second:                    "100000S",
		99999999 * time.Second:                  "99999999S",
		100000000 * time.Second:                 "1666667M",
		100000000 * time.Minute:                 "1666667H",
		9223372036 * time.Second:                "2562048H",
		time.Duration(math.MaxInt64):            "2562048H",
		99999999*time.Minute + time.Second:      "1666667H",
	}
	for d, want := range cases {
		got := grpcTimeout(d)
		if got != want {
			t.Errorf("grpcTimeout(%v) = %q, want %q", d, got, want)
		}
		if digits := strings.TrimRight(got, "mSMH"); len(digits) > 8 {
			t.Errorf("grpcTimeout(%v) = %q: more than 8 digits", d, got)
		}
	}
	// The header the check sends, for the longest --timeout it accepts.
	f := newFakeServer(t, answerWith("0801", "0", ""))
	if code, out := grpcProbe(t, f.port(), "--timeout", "9223372036"); code != 0 {
		t.Errorf("exit %d: %s", code, out)
	}
	for _, h := range <-f.request {
		if h.name == "grpc-timeout" && h.value != "2562048H" {
			t.Errorf("grpc-timeout sent: %q, want 2562048H", h.value)
		}
	}
}

// TestAGrpcMessageIsPrintedOnOneBoundedLine: grpc-message is the app's text, percent-decoded, so it can carry line
// breaks and any length its header block allows.
func TestAGrpcMessageIsPrintedOnOneBoundedLine(t *testing.T) {
	f := newFakeServer(t, func(w io.Writer) {
		block := append(responseHeaders(), huffmanLiteral("grpc-status", "5")...)
		// Decoded: 17 bytes before the z's, 5017 in all.
		block = append(block, huffmanLiteral("grpc-message", "no%0Asuch%0D%00service "+strings.Repeat("z", 5000))...)
		w.Write(appendFrame(nil, frameHeaders, flagEndHeaders|flagEndStream, 1, block))
	})
	code, out := grpcProbe(t, f.port(), "--timeout", "3")
	if code != 1 {
		t.Fatalf("exit %d: %.300s", code, out)
	}
	assertOneBoundedLine(t, out, 2048)
	want := `unhealthy: error: health rpc probe failed: rpc error: code = NotFound desc = no\nsuch\r\x00service zzz`
	if !strings.HasPrefix(out, want) || !strings.HasSuffix(out, "… (5017 bytes in all)") {
		t.Errorf("want %q…(5017 bytes in all), got %.200q…%q", want, out, out[len(out)-40:])
	}
}
