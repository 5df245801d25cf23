package io.proberewriter.config;

/** Where the webhook's serving certificate comes from. */
public enum TlsSource {
    /** PEM files on disk (a mounted Secret), re-read when they change. */
    FILES,
    /** The Secret the operator manages, watched through the API: no volume, renewals seen within seconds. */
    SECRET
}
