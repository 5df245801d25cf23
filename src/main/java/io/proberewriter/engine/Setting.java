package io.proberewriter.engine;

/** A resolved setting and where it came from, so that decisions can name the annotation that decided. */
public record Setting<T>(T value, String source) {
}
