package caixa.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Bundles for the tests: a directory with a config.json and an empty rootfs/. */
final class Bundles {
    private Bundles() {
    }

    /** A test resource under caixa/spec/, as text. */
    static String resource(String name) {
        try (InputStream in = Bundles.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource caixa/spec/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code config} as dir/config.json, next to an empty dir/rootfs, and returns dir. */
    static Path write(Path dir, String config) {
        try {
            Files.createDirectories(dir.resolve("rootfs"));
            Files.writeString(dir.resolve("config.json"), config);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static OciBundle load(Path dir, String config) {
        return OciBundle.load(write(dir, config));
    }
}
