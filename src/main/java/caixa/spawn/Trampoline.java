package caixa.spawn;

import caixa.bindings.linux_h;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads the native trampoline shipped in the jar. The generated bindings resolve symbols through the
 * class loader's lookup, which sees libraries loaded with {@link System#load}: loading it here is
 * what makes {@code linux_h.caixa_spawn} callable.
 */
final class Trampoline {
    private Trampoline() {
    }

    private static final String RESOURCE =
            "/caixa/native/linux-" + System.getProperty("os.arch") + "/libcaixa_trampoline.so";

    static {
        System.load(locate().toString());
    }

    /** Clones and runs the program; the child's pid, or -errno when clone3 failed. */
    static long spawn(MemorySegment program) {
        return linux_h.caixa_spawn(program);
    }

    private static Path locate() {
        URL url = Trampoline.class.getResource(RESOURCE);
        if (url == null) {
            throw new UnsatisfiedLinkError("caixa: no trampoline for this architecture (" + RESOURCE + ")");
        }
        try {
            if (url.getProtocol().equals("file")) {
                return Path.of(url.toURI());
            }
            // Inside a jar: dlopen needs a file. Once loaded, the mapping outlives the file.
            Path copy = Files.createTempFile("caixa-trampoline", ".so");
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            copy.toFile().deleteOnExit();
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("caixa: extracting the trampoline", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
