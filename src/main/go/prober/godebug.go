//go:build go1.25

// The kubelet of Kubernetes 1.35 runs with Go 1.25's GODEBUG defaults (its go.mod says godebug default=go1.25):
// its probes' TLS refuses RSA key exchange, 3DES and SHA-1 signatures in TLS 1.2 and offers the X25519MLKEM768 key
// exchange, and its HTTP client refuses a malformed Content-Length. A main module whose go line is older than 1.21
// (ours says 1.19, so that Debian's Go 1.19 builds the prober) gets Go 1.20's defaults from any newer toolchain,
// which accept all of these. This directive gives a Go 1.25 or later toolchain the kubelet's defaults instead.
//
// It lives in a file of its own, built only by Go 1.25 and later, because older toolchains would refuse it: Go 1.21
// and 1.22 know no "default" key, and Go 1.23 and 1.24 refuse a default newer than themselves (Debian 13 ships Go
// 1.24). Go 1.19 and 1.20 would only ignore it. The Dockerfile checks the built binary with go version -m.

//go:debug default=go1.25

package main
