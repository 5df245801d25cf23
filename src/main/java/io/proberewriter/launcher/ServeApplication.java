package io.proberewriter.launcher;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;

/**
 * {@code serve} as the Deployment runs it, with no options: the servers and informers start with the application, and
 * serving is waiting until told to stop. Main runs it instead of picocli's runner, which would first build the tree of
 * every command on the main thread while the first admissions arrive: picocli's classes are compiled for Java 5,
 * which JDK 17's class-data archive cannot hold, so each start parsed and verified some 170 of them again
 * (docs/benchmarks.md, "One compiler thread, and serving without picocli"). A mistyped option after {@code serve}
 * never gets here: Main has picocli refuse it before the application starts; {@code --help} and {@code --version}
 * never start the application either (Main.offline). The exit code is the one {@code Quarkus.asyncExit} gave, if any: the
 * class-data training's failure among them.
 */
public final class ServeApplication implements QuarkusApplication {

    @Override
    public int run(String... args) {
        Quarkus.waitForExit();
        return 0;
    }
}
