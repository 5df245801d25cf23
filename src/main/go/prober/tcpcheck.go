package main

import (
	"context"
	"time"
)

// tcpCheck is the kubelet's tcpSocket probe: healthy when a connection opens within the timeout; nothing
// is sent. Run inside the pod against loopback, it reaches the app itself, where the kubelet's own
// connection would be accepted by a sidecar whether the app is there or not.
type tcpCheck struct {
	addr     string
	timeout  time.Duration
	fallback bool // --host not given: 127.0.0.1, then ::1 (loopbackDialer)
}

func (c *tcpCheck) run() result {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	conn, err := newLoopbackDialer(probeDialer(), c.fallback).DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return unhealthy("%v", err)
	}
	conn.Close()
	// The address connected to: [::1]:PORT when 127.0.0.1 took nothing.
	return healthy("tcp connection to %s opened", conn.RemoteAddr())
}
