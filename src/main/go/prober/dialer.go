package main

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"syscall"
)

// defaultHost is where a check connects when --host is not given: the app itself, on loopback, under the sidecar.
const defaultHost = "127.0.0.1"

// fallbackHost is the IPv6 loopback, tried when nothing takes the connection on defaultHost. The kubelet connects
// to the pod IP, which in an IPv6-only cluster is an IPv6 address: an app listening only on IPv6 (a socket on
// [::] with IPV6_V6ONLY, as nginx's `listen [::]:80` and Envoy's listeners on `::` open, or one on ::1) is
// healthy to the kubelet and would be refused on 127.0.0.1.
const fallbackHost = "::1"

// probeDialer opens connections as the kubelet's probes do: SO_LINGER on with a 1-second linger, so a
// probe that runs every few seconds does not leave sockets in TIME_WAIT behind it.
func probeDialer() *net.Dialer {
	return &net.Dialer{
		Control: func(network, address string, c syscall.RawConn) error {
			var soErr error
			err := c.Control(func(fd uintptr) {
				soErr = syscall.SetsockoptLinger(int(fd), syscall.SOL_SOCKET, syscall.SO_LINGER,
					&syscall.Linger{Onoff: 1, Linger: 1})
			})
			if err != nil {
				return err
			}
			return soErr
		},
	}
}

// loopbackDialer is the one dialer of every check (the http transports' DialContext included). With fallback
// set (--host not given), a connection to 127.0.0.1 that nothing takes (refused, or no IPv4 loopback at all) is
// dialled again on [::1], same port, within the same context: the check's one timeout bounds both attempts. An
// explicit --host has no fallback: it is dialled as given.
type loopbackDialer struct {
	dialer   *net.Dialer
	fallback bool
	// fellBack records that a connection was opened on [::1], for the check's message.
	fellBack atomic.Bool
}

func newLoopbackDialer(d *net.Dialer, fallback bool) *loopbackDialer {
	return &loopbackDialer{dialer: d, fallback: fallback}
}

func (d *loopbackDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := d.dialer.DialContext(ctx, network, addr)
	if err == nil || !d.fallback || !nobodyThere(err) {
		return conn, err
	}
	host, port, splitErr := net.SplitHostPort(addr)
	if splitErr != nil || host != defaultHost {
		return nil, err
	}
	conn, err6 := d.dialer.DialContext(ctx, network, net.JoinHostPort(fallbackHost, port))
	if err6 != nil {
		return nil, &bothFailedError{v4: err, v6: err6}
	}
	d.fellBack.Store(true)
	return conn, nil
}

// noted adds to a check's message, whatever the verdict, that the app was reached on [::1]: the URL or address
// in the message still says 127.0.0.1.
func (d *loopbackDialer) noted(r result) result {
	if d.fellBack.Load() {
		r.message += " (over [::1]: nothing listens on 127.0.0.1)"
	}
	return r
}

// nobodyThere says whether a dial failed because nothing can take the connection at that address (as opposed to
// a timeout, which waiting on another address would not cure).
func nobodyThere(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EADDRNOTAVAIL) ||
		errors.Is(err, syscall.ENETUNREACH)
}

// bothFailedError is a failed fallback: it names both addresses tried, 127.0.0.1's reason first.
type bothFailedError struct{ v4, v6 error }

func (e *bothFailedError) Error() string { return e.v4.Error() + "; " + e.v6.Error() }

// Unwrap gives the last attempt's error, so a timeout on [::1] is still seen as a timeout.
func (e *bothFailedError) Unwrap() error { return e.v6 }
