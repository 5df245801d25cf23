package io.proberewriter.launcher;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;

/**
 * {@code serve} as the Deployment runs it, with no options: the servers and informers start with the application, and
 * serving is waiting until told to stop. Main runs it instead of picocli's runner, which would build the whole
 * command tree first, on the main thread, while the first admissions arrive: picocli's classes are compiled for Java
 * 5, which JDK 17's class-data archive cannot hold, so each start parsed and verified some 170 of them again
 * (docs/benchmarks.md, "Serving without picocli"). Anything more on the command line ({@code serve --help}, a
 * mistyped option) still goes through picocli, which prints the usage or the error.
 */
public final class ServeApplication implements QuarkusApplication {

    @Override
    public int run(String... args) {
        Quarkus.waitForExit();
        return 0;
    }
}
