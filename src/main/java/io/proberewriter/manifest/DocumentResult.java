package io.proberewriter.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A document after the rewrite: the same node when nothing changed, and a report per pod template. */
public record DocumentResult(SourceDocument input, JsonNode output, List<WorkloadReport> workloads) {
}
