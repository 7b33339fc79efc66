package caixa.runtime;

import caixa.rootfs.BusyboxRootfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The busybox rootfs the integration tests share, built once under target/ (a busybox rootfs takes a
 * container run to build; every test class building its own would dominate the run time).
 * Tests that add files to it remove them again: it outlives the JVM.
 */
final class TestRootfs {
    private TestRootfs() {
    }

    /** Surefire sets basedir; an IDE runs tests in the project directory, which "" resolves to. */
    private static final Path LOCATION = Path.of(System.getProperty("basedir", ""))
            .resolve("target/test-rootfs/busybox").toAbsolutePath();

    private static Path built;

    /** The rootfs, as a real path (mount tables show real paths). */
    static synchronized Path busybox() {
        if (built == null) {
            built = build();
        }
        return built;
    }

    /** A name no other test (nor a concurrent build of this project) uses, for a file in the rootfs. */
    static String uniqueName(String prefix) {
        byte[] bytes = new byte[4];
        ThreadLocalRandom.current().nextBytes(bytes);
        return prefix + "-" + HexFormat.of().formatHex(bytes);
    }

    /**
     * The file lock keeps two Maven runs in one checkout (several people work here) from deleting
     * each other's half-built rootfs; the synchronized caller does the same for threads of one JVM.
     */
    private static Path build() {
        try {
            Files.createDirectories(LOCATION.getParent());
            try (FileChannel lockFile = FileChannel.open(LOCATION.resolveSibling(".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                if (Files.exists(LOCATION, LinkOption.NOFOLLOW_LINKS) && !isComplete(LOCATION)) {
                    deleteTree(LOCATION);
                }
                if (!Files.exists(LOCATION, LinkOption.NOFOLLOW_LINKS)) {
                    BusyboxRootfs.create(LOCATION);
                }
                if (!isComplete(LOCATION)) {
                    throw new IllegalStateException("test rootfs " + LOCATION + ": still incomplete after a rebuild");
                }
                return LOCATION.toRealPath();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An interrupted build (or a test that deleted too much) leaves a rootfs that cannot run sh. */
    private static boolean isComplete(Path root) {
        return Files.isExecutable(root.resolve("bin/busybox"))
                && Files.isSymbolicLink(root.resolve("bin/sh"))
                && Files.isRegularFile(root.resolve("etc/passwd"))
                && Files.isDirectory(root.resolve("mnt"));
    }

    /** Deletes a file, or a directory with what is in it (symbolic links are deleted, not followed). */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
