package caixa.spawn;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** The native files shipped in the jar for this architecture, as files the kernel can load or run. */
final class NativeFiles {
    private NativeFiles() {
    }

    private static final String DIRECTORY = "/caixa/native/linux-" + System.getProperty("os.arch") + "/";

    /**
     * The file itself when running from classes on disk; inside a jar, a private copy (dlopen and
     * execve need a file), deleted when the JVM exits: a loaded library or an open descriptor outlives it.
     */
    static Path locate(String name) {
        URL url = NativeFiles.class.getResource(DIRECTORY + name);
        if (url == null) {
            throw new UnsatisfiedLinkError("caixa: no " + name + " for this architecture (" + DIRECTORY + ")");
        }
        try {
            if (url.getProtocol().equals("file")) {
                return Path.of(url.toURI());
            }
            Path copy = Files.createTempFile("caixa-", "-" + name);
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            // Set after the copy, which replaces the file. Readable and executable by everyone:
            // caixa-init is executed after the switch to the container's user, and a binary that
            // user cannot read would also leave the process undumpable, its /proc/self/fd closed to it.
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
            copy.toFile().deleteOnExit();
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("caixa: extracting " + name, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
