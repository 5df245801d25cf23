package io.proberewriter.engine;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Settings for every container of a pod, or the reason a scope is left alone.
 *
 * @param podBlocked       set when an invalid pod or namespace value keeps the whole pod unchanged
 * @param containerBlocked container name → why an invalid container value keeps it unchanged
 * @param warnings         one short line per problem, naming the annotation and the accepted values
 */
record PodSettings(Optional<String> podBlocked, Map<String, String> containerBlocked,
                   Map<String, ContainerSettings> containers, List<String> warnings) {
}
