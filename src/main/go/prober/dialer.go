package main

import (
	"net"
	"syscall"
)

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
