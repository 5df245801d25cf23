package io.proberewriter.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Resolves {@code -f} arguments as kubectl does: a file, {@code -} for standard input, or a directory whose
 * {@code .yaml}, {@code .yml} and {@code .json} files are read in name order (recursively on request).
 */
public final class ManifestFiles {

    /** How standard input ({@code -f -}) is named in messages and reports. */
    static final String STDIN = "<stdin>";

    private final ManifestReader reader = new ManifestReader();

    public List<SourceDocument> read(List<String> arguments, boolean recursive, InputStream stdin)
            throws ManifestException {
        List<SourceDocument> documents = new ArrayList<>();
        for (String argument : arguments) {
            if (argument.equals("-")) {
                documents.addAll(reader.read(STDIN, readStdin(stdin)));
                continue;
            }
            Path path = Path.of(argument);
            if (Files.isDirectory(path)) {
                List<Path> files = manifestsIn(path, recursive);
                if (files.isEmpty()) {
                    // As kubectl's "no objects passed": a wrong path in a pipeline must not pass as a clean one.
                    throw new ManifestException(argument + ": no .yaml, .yml or .json file in this directory"
                            + (recursive ? "" : " (its subdirectories are read with -R)"));
                }
                for (Path file : files) {
                    documents.addAll(reader.read(file.toString(), readFile(file)));
                }
            } else {
                documents.addAll(reader.read(argument, readFile(path)));
            }
        }
        return documents;
    }

    private static List<Path> manifestsIn(Path dir, boolean recursive) throws ManifestException {
        try (Stream<Path> files = recursive ? Files.walk(dir) : Files.list(dir)) {
            // A link to nothing is kept, to be named as missing: skipping it would hide a manifest that is not there.
            return files.filter(p -> Files.isRegularFile(p) || (Files.isSymbolicLink(p) && !Files.exists(p)))
                    .filter(p -> {
                        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
                        return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new ManifestException(dir + ": cannot list directory: " + e.getMessage(), e);
        }
    }

    private static String readFile(Path file) throws ManifestException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ManifestException(file + ": no such file", e);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ManifestException(file + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new ManifestException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Standard input is refused as a file is when it is not UTF-8: {@code new String(bytes, UTF_8)} would turn each
     * bad byte into U+FFFD, and a Helm post-renderer would then install manifests whose values were silently changed.
     */
    private static String readStdin(InputStream stdin) throws ManifestException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(stdin.readAllBytes()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ManifestException(STDIN + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new ManifestException(STDIN + ": cannot read: " + e.getMessage(), e);
        }
    }
}
