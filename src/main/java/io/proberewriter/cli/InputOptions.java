package io.proberewriter.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where manifests come from, as in kubectl. */
public final class InputOptions {

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE",
            description = "Manifest file, directory of manifests, or - for standard input. Repeatable.")
    List<String> files = new ArrayList<>();

    @Option(names = {"-R", "--recursive"}, description = "Read directories given with -f recursively.")
    boolean recursive;
}
