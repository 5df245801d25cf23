package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.PodSpec;

/**
 * The operating system a pod's containers run on, as far as an exec command depends on it. curl and wget are told to
 * throw the response body away; on Windows there is no {@code /dev/null} (curl.exe takes it for the file
 * {@code C:\dev\null} and fails with exit code 23 as soon as the app sends a body, which would fail every probe), and
 * the device is {@code NUL}.
 */
enum PodOs {
    LINUX("/dev/null"),
    WINDOWS("NUL");

    private final String nullDevice;

    PodOs(String nullDevice) {
        this.nullDevice = nullDevice;
    }

    /** Where a command writes what it must read but not keep. */
    String nullDevice() {
        return nullDevice;
    }

    static PodOs of(PodSpec spec) {
        return WindowsPod.evidence(spec).isPresent() ? WINDOWS : LINUX;
    }
}
