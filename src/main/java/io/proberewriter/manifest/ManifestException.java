package io.proberewriter.manifest;

/** Bad input: the message names the source, the document and the field, and is meant for the user as is. */
public final class ManifestException extends Exception {

    public ManifestException(String message) {
        super(message);
    }

    public ManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
