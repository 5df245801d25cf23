package io.proberewriter.engine;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The syntax of a container image reference ({@code registry/name:tag} or {@code name@sha256:…}), checked loosely:
 * enough that a typo in the prober's image setting is refused at startup, naming the setting, rather than turning
 * into an init container the API server refuses or a pod that never starts.
 */
public final class ImageReference {

    /** Lower-case repository path, then an optional tag and an optional digest, as the image spec allows. */
    private static final Pattern REFERENCE = Pattern.compile(
            "[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
                    + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[a-z0-9]+(?:[+._-][a-z0-9]+)*:[A-Fa-f0-9]{32,})?");

    /** The longest repository name registries take (the distribution spec's limit, registry and path together). */
    private static final int NAME_MAX = 255;
    /**
     * Longer than any reference with a name of {@link #NAME_MAX}, a tag of 128 and a sha512 digest. Checked before the
     * pattern, whose repeated groups Java matches by recursion: a few thousand characters overflow the stack.
     */
    private static final int REFERENCE_MAX = 600;

    private ImageReference() {
    }

    /** Why {@code image} is not an image reference, or empty when it is one. */
    public static Optional<String> problem(String image) {
        if (image == null || image.isBlank()) {
            return Optional.of("is empty");
        }
        if (image.length() > REFERENCE_MAX) {
            return Optional.of("is " + image.length() + " characters long, longer than any image reference ("
                    + NAME_MAX + " for the name, 128 for the tag)");
        }
        if (!REFERENCE.matcher(image).matches()) {
            return Optional.of("is not an image reference (registry/name:tag or name@sha256:digest, lower-case name)");
        }
        int at = image.indexOf('@');
        String name = at < 0 ? image : image.substring(0, at);
        if (name.lastIndexOf(':') > name.lastIndexOf('/')) {
            name = name.substring(0, name.lastIndexOf(':'));
        }
        if (name.length() > NAME_MAX) {
            return Optional.of("has a name of " + name.length() + " characters: registries take " + NAME_MAX
                    + " at most");
        }
        return Optional.empty();
    }
}
