package io.proberewriter.manifest;

import io.proberewriter.engine.RewriteResult;

/** What the engine decided for one pod template of one document. */
public record WorkloadReport(SourceDocument document, PodTemplateSite site, String namespace, RewriteResult result) {
}
