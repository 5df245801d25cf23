package io.proberewriter.config;

/**
 * The mode written for the health port. Both let the kubelet's plaintext request through; PERMISSIVE still accepts
 * mTLS from meshed clients, DISABLE refuses it (plaintext only), which some operators prefer for a port nobody
 * but the kubelet should call.
 */
public enum ExceptionMode {
    PERMISSIVE,
    DISABLE
}
