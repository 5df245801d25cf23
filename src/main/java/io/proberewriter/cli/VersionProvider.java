package io.proberewriter.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version Maven wrote into the build (offline runs have no Quarkus configuration to ask). */
final class VersionProvider implements IVersionProvider {

    static final String RESOURCE = "/probe-rewriter-version.properties";

    @Override
    public String[] getVersion() {
        return new String[] {"probe-rewriter " + version()};
    }

    static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
