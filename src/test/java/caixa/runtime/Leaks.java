package caixa.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a container may leave behind in the JVM that started it: descriptors, unreaped or still
 * running children, and mounts in the host's mount table. Read straight from /proc, so a leak
 * shows whatever the runtime's own bookkeeping believes.
 */
final class Leaks {
    private Leaks() {
    }

    private static final long SELF = ProcessHandle.current().pid();

    /** Time for descriptors closed by other threads to go; a leak stays, so this only delays a failure. */
    private static final long SETTLE_MILLIS = 2_000;

    /** This JVM's open descriptors, each with what it points at, for a readable failure message. */
    static Map<Integer, String> openFds() {
        Map<Integer, String> fds = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : dir) {
                try {
                    fds.put(Integer.parseInt(fd.getFileName().toString()), Files.readSymbolicLink(fd).toString());
                } catch (NoSuchFileException e) {
                    // Closed by another thread between the listing and the readlink: not open.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fds;
    }

    /**
     * Processes whose parent is this JVM, zombies included: a container the runtime forgot to reap
     * is as much a leak as one it forgot to kill.
     */
    static List<String> childProcesses() {
        List<String> children = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : proc) {
                String stat;
                try {
                    stat = Files.readString(process.resolve("stat"));
                } catch (NoSuchFileException e) {
                    continue; // it exited meanwhile
                }
                // comm, in parentheses, may itself hold spaces and parentheses: fields resume after the last ')'.
                int commEnd = stat.lastIndexOf(')');
                String[] fields = stat.substring(commEnd + 2).split(" ");
                if (Long.parseLong(fields[1]) == SELF) {
                    children.add(stat.substring(0, commEnd + 1) + " state " + fields[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return children;
    }

    static String hostMountinfo() {
        try {
            return Files.readString(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertNoChildProcesses() {
        List<String> children = childProcesses();
        if (!children.isEmpty()) {
            fail("child processes of this JVM remain: " + children);
        }
    }

    /** Descriptors open now, to compare with once the code under test is done. */
    static Baseline baseline() {
        return new Baseline(openFds());
    }

    record Baseline(Map<Integer, String> fds) {
        /** No child process remains and exactly the descriptors of the baseline are open. */
        void assertNoLeaks() {
            assertNoChildProcesses();
            long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000;
            Map<Integer, String> now = openFds();
            while (!now.equals(fds) && System.nanoTime() < deadline) {
                sleep();
                now = openFds();
            }
            assertEquals(fds, now, "open descriptors of this JVM (fd -> target) before and after");
        }

        private static void sleep() {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
