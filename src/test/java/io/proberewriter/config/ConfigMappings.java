package io.proberewriter.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;

/** A configuration mapping read by SmallRye from given properties, as the application reads it, without Quarkus. */
public final class ConfigMappings {

    private ConfigMappings() {
    }

    public static <T> T read(Class<T> mapping, Map<String, String> values) {
        return new SmallRyeConfigBuilder()
                .withMapping(mapping)
                // As in the application: Quarkus reads durations like "30s".
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(values, "test", 500))
                .build()
                .getConfigMapping(mapping);
    }
}
