package io.proberewriter.config;

import io.proberewriter.engine.GlobalSettings;

/** The global settings the webhook's engine is built with, from a configuration read without Quarkus. */
public final class WebhookGlobalSettings {

    private WebhookGlobalSettings() {
    }

    public static GlobalSettings of(ProbeRewriterConfig config) {
        return new GlobalSettingsProducer().globalSettings(config);
    }
}
