package main

// The kubelet's grpc probe (pkg/probe/grpc) calls grpc.health.v1.Health/Check over plaintext HTTP/2 and is
// healthy only when the answer is SERVING. Go's standard library speaks HTTP/2 only over TLS (plaintext
// "h2c" lives in golang.org/x/net, not available here), so this file makes the one call by hand: the
// client preface, one SETTINGS frame, the request as a HEADERS and a DATA frame on stream 1, then frames
// are read until the stream ends with its trailers (grpc-status). Everything is bounded by one deadline.

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"time"
)

type grpcCheck struct {
	addr, service, userAgent string
	timeout                  time.Duration
	// fallback: --host was not given, so 127.0.0.1 and then ::1 (loopbackDialer); :authority keeps 127.0.0.1.
	fallback bool
}

// servingStatus names grpc.health.v1.HealthCheckResponse.ServingStatus.
var servingStatus = map[uint64]string{0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}

// grpcCodes names the gRPC status codes as grpc-go prints them in the kubelet's messages.
var grpcCodes = []string{"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound",
	"AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
	"Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"}

const (
	grpcUnimplemented    = 12
	grpcDeadlineExceeded = 4
)

func (c *grpcCheck) run() result {
	dialer := newLoopbackDialer(probeDialer(), c.fallback)
	return dialer.noted(c.call(dialer))
}

// call is the check itself, its connection through dialer.
func (c *grpcCheck) call(dialer *loopbackDialer) result {
	deadline := time.Now().Add(c.timeout)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	conn, err := dialUntilDeadline(ctx, dialer, c.addr)
	if err != nil {
		return unhealthy("timeout: failed to connect service %q within %v: %v", c.addr, c.timeout, err)
	}
	defer conn.Close()
	conn.SetDeadline(deadline)
	answer, err := healthCall(conn, c.addr, c.service, c.userAgent, c.timeout)
	if err != nil {
		if isTimeout(err) {
			return unhealthy("timeout: health rpc did not complete within %v", c.timeout)
		}
		return unhealthy("error: health rpc probe failed: %v", err)
	}
	return answer.verdict(c.timeout)
}

// grpc-go's default connection backoff (base 1s, growing 1.6 times, at most 120s), which the kubelet's client uses.
const (
	grpcBackoffBase       = time.Second
	grpcBackoffMultiplier = 1.6
	grpcBackoffMax        = 120 * time.Second
)

// dialUntilDeadline connects as the kubelet's grpc-go client does with WithBlock: a dial that fails (refused, no
// route) is tried again after grpc-go's backoff until the deadline. So an app that starts listening within the
// timeout is reached, and one that never does fails at the deadline with grpc-go's error, "context deadline
// exceeded". grpc-go keeps the last dial's reason to its own log; the prober adds it to the message.
func dialUntilDeadline(ctx context.Context, dialer *loopbackDialer, addr string) (net.Conn, error) {
	backoff := grpcBackoffBase
	for {
		conn, err := dialer.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn, nil
		}
		wait := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			wait.Stop()
			return nil, fmt.Errorf("%v (last dial: %v)", ctx.Err(), err)
		case <-wait.C:
		}
		backoff = time.Duration(float64(backoff) * grpcBackoffMultiplier)
		if backoff > grpcBackoffMax {
			backoff = grpcBackoffMax
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// rpcAnswer is what came back on the stream.
type rpcAnswer struct {
	httpStatus  string
	grpcStatus  int // -1: no grpc-status
	grpcMessage string
	message     []byte // the response message, without the 5-byte prefix; nil when none came
}

func (a rpcAnswer) verdict(timeout time.Duration) result {
	if a.httpStatus != "200" {
		return unhealthy("error: health rpc probe failed: HTTP status %s from the server", oneLine(a.httpStatus, maxAppTextBytes))
	}
	switch {
	case a.grpcStatus < 0:
		return unhealthy("error: health rpc probe failed: the stream ended without grpc-status")
	case a.grpcStatus == grpcUnimplemented:
		return unhealthy("error: this server does not implement the grpc health protocol (grpc.health.v1.Health): %s", a.grpcMessage)
	case a.grpcStatus == grpcDeadlineExceeded:
		return unhealthy("timeout: health rpc did not complete within %v", timeout)
	case a.grpcStatus != 0:
		name := "Code(" + strconv.Itoa(a.grpcStatus) + ")"
		if a.grpcStatus < len(grpcCodes) {
			name = grpcCodes[a.grpcStatus]
		}
		return unhealthy("error: health rpc probe failed: rpc error: code = %s desc = %s", name, a.grpcMessage)
	case a.message == nil:
		return unhealthy("error: health rpc probe failed: no response message")
	}
	status, err := decodeHealthResponse(a.message)
	if err != nil {
		return unhealthy("error: health rpc probe failed: %v", err)
	}
	name, ok := servingStatus[status]
	if !ok {
		name = strconv.FormatUint(status, 10)
	}
	if status != 1 {
		return unhealthy("service unhealthy (responded with %q)", name)
	}
	return healthy("service healthy (SERVING)")
}

// encodeHealthRequest is grpc.health.v1.HealthCheckRequest: field 1, service, a length-delimited string
// (key 0x0a); proto3 leaves out an empty string, so the request for the server as a whole is empty.
func encodeHealthRequest(service string) []byte {
	if service == "" {
		return nil
	}
	b := []byte{0x0a}
	b = binary.AppendUvarint(b, uint64(len(service)))
	return append(b, service...)
}

// decodeHealthResponse reads grpc.health.v1.HealthCheckResponse: field 1, status, a varint enum. Other
// fields are skipped, as protobuf requires; a missing status is UNKNOWN (0), proto3's default.
func decodeHealthResponse(b []byte) (uint64, error) {
	var status uint64
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, errors.New("malformed response message: bad field key")
		}
		b = b[n:]
		field, wire := key>>3, key&7
		switch wire {
		case 0: // varint
			v, n := binary.Uvarint(b)
			if n <= 0 {
				return 0, errors.New("malformed response message: bad varint")
			}
			b = b[n:]
			if field == 1 {
				status = v
			}
		case 1: // 64-bit
			if len(b) < 8 {
				return 0, errors.New("malformed response message: truncated fixed64")
			}
			b = b[8:]
		case 2: // length-delimited
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return 0, errors.New("malformed response message: bad length")
			}
			b = b[n+int(l):]
		case 5: // 32-bit
			if len(b) < 4 {
				return 0, errors.New("malformed response message: truncated fixed32")
			}
			b = b[4:]
		default:
			return 0, fmt.Errorf("malformed response message: wire type %d", wire)
		}
	}
	return status, nil
}

// HTTP/2 (RFC 9113) frame types and flags used here.
const (
	frameData         = 0x0
	frameHeaders      = 0x1
	frameRSTStream    = 0x3
	frameSettings     = 0x4
	framePing         = 0x6
	frameGoAway       = 0x7
	frameContinuation = 0x9

	flagEndStream  = 0x1
	flagAck        = 0x1
	flagEndHeaders = 0x4
	flagPadded     = 0x8
	flagPriority   = 0x20

	// maxFrameSize is SETTINGS_MAX_FRAME_SIZE's default, which we do not raise: a larger frame is an error.
	maxFrameSize = 16384
	// maxResponseBytes bounds the response message; a health answer is a few bytes.
	maxResponseBytes   = 64 * 1024
	settingsEnablePush = 0x2
)

const clientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

func appendFrame(dst []byte, typ, flags byte, stream uint32, payload []byte) []byte {
	dst = append(dst, byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload)), typ, flags)
	dst = binary.BigEndian.AppendUint32(dst, stream&0x7fffffff)
	return append(dst, payload...)
}

// requestBytes is everything the client sends up front: preface, SETTINGS (no server push), and the call
// on stream 1 — HEADERS (gRPC's required fields) and one DATA frame with the length-prefixed message,
// which ends the stream.
func requestBytes(authority, service, userAgent string, timeout time.Duration) []byte {
	out := []byte(clientPreface)
	out = appendFrame(out, frameSettings, 0, 0, []byte{0, settingsEnablePush, 0, 0, 0, 0})
	var block []byte
	for _, f := range []headerField{
		{":method", "POST"}, {":scheme", "http"}, {":path", "/grpc.health.v1.Health/Check"},
		{":authority", authority}, {"content-type", "application/grpc"}, {"te", "trailers"},
		{"user-agent", userAgent}, {"grpc-timeout", grpcTimeout(timeout)},
	} {
		block = appendLiteralField(block, f.name, f.value)
	}
	out = appendFrame(out, frameHeaders, flagEndHeaders, 1, block)
	msg := encodeHealthRequest(service)
	data := []byte{0} // not compressed
	data = binary.BigEndian.AppendUint32(data, uint32(len(msg)))
	data = append(data, msg...)
	return appendFrame(out, frameData, flagEndStream, 1, data)
}

// grpcTimeoutMaxValue is the largest TimeoutValue gRPC's HTTP/2 protocol allows: at most 8 ASCII digits. A server
// may refuse a longer one as a malformed header (grpc-go answers it with an Internal error), so a long timeout is
// sent in a larger unit instead.
const grpcTimeoutMaxValue = 99999999

// grpcTimeoutUnits are the units tried in turn, smallest first, each with its grpc-timeout letter. Milliseconds
// are the smallest we send: a probe's timeout is whole seconds, or a Go duration a person wrote. A time.Duration is
// at most some 2.6 million hours, so hours always fit.
var grpcTimeoutUnits = []struct {
	unit   time.Duration
	letter string
}{{time.Millisecond, "m"}, {time.Second, "S"}, {time.Minute, "M"}, {time.Hour, "H"}}

// grpcTimeout tells the server our deadline, as grpc-go does, so it can stop working for a client that left. As in
// grpc-go, the value is rounded up in the first unit in which it fits 8 digits (the server should not give up
// before the client does), and is at least 1.
func grpcTimeout(d time.Duration) string {
	for _, u := range grpcTimeoutUnits {
		n := int64(d / u.unit)
		if d%u.unit > 0 {
			n++
		}
		if n < 1 {
			n = 1
		}
		if n <= grpcTimeoutMaxValue || u.letter == "H" {
			return strconv.FormatInt(n, 10) + u.letter
		}
	}
	panic("unreachable: hours always fit")
}

// healthCall sends the call and reads frames until stream 1 ends. conn carries the deadline.
func healthCall(conn net.Conn, authority, service, userAgent string, timeout time.Duration) (rpcAnswer, error) {
	answer := rpcAnswer{grpcStatus: -1}
	if _, err := conn.Write(requestBytes(authority, service, userAgent, timeout)); err != nil {
		return answer, err
	}
	r := bufio.NewReader(conn)
	dec := newHpackDecoder()
	var data, block []byte
	headerBlocks := 0
	blockEndsStream := false
	for {
		typ, flags, stream, payload, err := readFrame(r)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return answer, errors.New("connection closed by the server before the call ended")
			}
			return answer, err
		}
		switch typ {
		case frameSettings:
			if flags&flagAck == 0 {
				if _, err := conn.Write(appendFrame(nil, frameSettings, flagAck, 0, nil)); err != nil {
					return answer, err
				}
			}
			continue
		case framePing:
			if flags&flagAck == 0 {
				if _, err := conn.Write(appendFrame(nil, framePing, flagAck, 0, payload)); err != nil {
					return answer, err
				}
			}
			continue
		case frameGoAway:
			if len(payload) >= 8 && binary.BigEndian.Uint32(payload)&0x7fffffff == 0 {
				return answer, fmt.Errorf("the server refused the call (GOAWAY, error code %d)", binary.BigEndian.Uint32(payload[4:8]))
			}
			continue // a graceful GOAWAY still lets stream 1 finish
		}
		if stream != 1 {
			continue // connection-level frames we need not act on (WINDOW_UPDATE, PRIORITY, ...)
		}
		switch typ {
		case frameRSTStream:
			code := uint32(0)
			if len(payload) >= 4 {
				code = binary.BigEndian.Uint32(payload)
			}
			return answer, fmt.Errorf("stream reset by the server (HTTP/2 error code %d)", code)
		case frameData:
			if payload, err = unpad(flags, payload); err != nil {
				return answer, err
			}
			if len(data)+len(payload) > maxResponseBytes {
				return answer, errors.New("response larger than a health check answer")
			}
			data = append(data, payload...)
			if flags&flagEndStream != 0 {
				return answer, errors.New("the stream ended without trailers")
			}
		case frameHeaders, frameContinuation:
			if typ == frameHeaders {
				if payload, err = unpad(flags, payload); err != nil {
					return answer, err
				}
				if flags&flagPriority != 0 {
					if len(payload) < 5 {
						return answer, errors.New("malformed HEADERS frame")
					}
					payload = payload[5:]
				}
				blockEndsStream = flags&flagEndStream != 0
			}
			if len(block)+len(payload) > maxHeaderListBytes {
				return answer, errors.New("response headers too large")
			}
			block = append(block, payload...)
			if flags&flagEndHeaders == 0 {
				continue
			}
			fields, err := dec.decode(block)
			if err != nil {
				return answer, err
			}
			block = nil
			headerBlocks++
			for _, f := range fields {
				switch f.name {
				case ":status":
					answer.httpStatus = f.value
				case "grpc-status":
					if n, err := strconv.Atoi(f.value); err == nil {
						answer.grpcStatus = n
					}
				case "grpc-message":
					// Printed in the verdict: percent-decoded, it may hold line breaks, and the app chooses its length.
					answer.grpcMessage = oneLine(decodeGrpcMessage(f.value), maxAppTextBytes)
				}
			}
			if headerBlocks == 1 && answer.httpStatus != "200" {
				return answer, nil // not a gRPC answer: the verdict names the HTTP status
			}
			if blockEndsStream {
				if answer.grpcStatus == 0 {
					msg, err := grpcMessage(data)
					if err != nil {
						return answer, err
					}
					answer.message = msg
				}
				return answer, nil
			}
		}
	}
}

// grpcMessage takes the single message out of its 5-byte prefix (compressed flag, big-endian length).
func grpcMessage(data []byte) ([]byte, error) {
	if len(data) == 0 {
		return nil, nil
	}
	if len(data) < 5 {
		return nil, errors.New("truncated gRPC message")
	}
	if data[0] != 0 {
		return nil, errors.New("compressed response, though no compression was offered")
	}
	n := binary.BigEndian.Uint32(data[1:5])
	if uint64(n) != uint64(len(data)-5) {
		return nil, fmt.Errorf("gRPC message of %d bytes announced, %d received", n, len(data)-5)
	}
	return data[5:], nil
}

func readFrame(r *bufio.Reader) (typ, flags byte, stream uint32, payload []byte, err error) {
	var head [9]byte
	if _, err = io.ReadFull(r, head[:]); err != nil {
		return
	}
	length := uint32(head[0])<<16 | uint32(head[1])<<8 | uint32(head[2])
	if length > maxFrameSize {
		// An HTTP/1 server answering our preface lands here: its "HTTP/1.1 ..." reads as a huge frame.
		err = fmt.Errorf("not an HTTP/2 answer (frame of %d bytes; is the port plaintext gRPC?)", length)
		return
	}
	typ, flags, stream = head[3], head[4], binary.BigEndian.Uint32(head[5:9])&0x7fffffff
	payload = make([]byte, length)
	_, err = io.ReadFull(r, payload)
	return
}

// unpad strips the padding of a PADDED DATA or HEADERS frame.
func unpad(flags byte, p []byte) ([]byte, error) {
	if flags&flagPadded == 0 {
		return p, nil
	}
	if len(p) == 0 || int(p[0]) >= len(p) {
		return nil, errors.New("malformed padding")
	}
	return p[1 : len(p)-int(p[0])], nil
}

// decodeGrpcMessage undoes grpc-message's percent-encoding; a value that does not decode is shown as sent.
func decodeGrpcMessage(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}
