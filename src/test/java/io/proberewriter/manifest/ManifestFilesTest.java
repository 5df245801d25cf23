package io.proberewriter.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Standard input is read as a file is: the same bytes give the same documents, or the same refusal. */
class ManifestFilesTest {

    @TempDir
    Path dir;

    private static final String POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: caf\u00e9\n";

    private static List<SourceDocument> stdin(byte[] bytes) throws ManifestException {
        InputStream in = new ByteArrayInputStream(bytes);
        return new ManifestFiles().read(List.of("-"), false, in);
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedOnStdinAsInAFile() throws IOException {
        byte[][] inputs = {
                // Latin-1 é: a Helm chart's values file saved in the wrong encoding
                POD.replace("\u00e9", "\u0000").getBytes(StandardCharsets.UTF_8),
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: \"\u00ff\"\n"
                        .getBytes(StandardCharsets.ISO_8859_1),
                {(byte) 0xff, (byte) 0xfe, 'a', 0, 'p', 0},
                // a surrogate encoded as three bytes (CESU-8), which UTF-8 does not allow
                {'a', ':', ' ', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '\n'},
        };
        inputs[0][inputs[0].length - 2] = (byte) 0xe9;
        for (byte[] input : inputs) {
            Path file = Files.write(dir.resolve("in.yaml"), input);
            ManifestException fromFile = assertThrows(ManifestException.class,
                    () -> new ManifestFiles().read(List.of(file.toString()), false, InputStream.nullInputStream()));
            assertEquals(file + ": not UTF-8 text", fromFile.getMessage());
            ManifestException fromStdin = assertThrows(ManifestException.class, () -> stdin(input));
            assertEquals("<stdin>: not UTF-8 text", fromStdin.getMessage());
        }
    }

    @Test
    void utf8OnStdinIsReadAsIs() throws ManifestException {
        List<SourceDocument> documents = stdin(POD.getBytes(StandardCharsets.UTF_8));
        assertEquals(1, documents.size());
        assertEquals("<stdin>", documents.get(0).source());
        assertEquals("caf\u00e9", documents.get(0).content().path("metadata").path("name").asText());
    }
}
