package dev.headroom.sense.process;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fixture trees under {@code src/test/resources/process/}. */
final class Fixtures {

    private Fixtures() {
    }

    static Path path(String name) {
        URL url = Fixtures.class.getResource("/process/" + name);
        if (url == null) {
            throw new IllegalStateException("no fixture process/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(String name) throws IOException {
        return Files.readString(path(name), StandardCharsets.ISO_8859_1);
    }
}
