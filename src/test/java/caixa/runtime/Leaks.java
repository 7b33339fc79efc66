package caixa.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

    /**
     * This JVM's open descriptors, each with what it points at, for a readable failure message.
     * The descriptors of the listing itself are left out: their numbers move with what else is open.
     */
    static Map<Integer, String> openFds() {
        Path fdDir = Path.of("/proc", Long.toString(SELF), "fd");
        Map<Integer, String> fds = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(fdDir)) {
            for (Path fd : dir) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (!target.equals(fdDir)) {
                        fds.put(Integer.parseInt(fd.getFileName().toString()), target.toString());
                    }
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
                    // Latin-1: comm is any bytes a process chose, not necessarily UTF-8.
                    stat = new String(Files.readAllBytes(process.resolve("stat")), StandardCharsets.ISO_8859_1);
                } catch (NoSuchFileException e) {
                    continue; // it exited meanwhile
                } catch (IOException e) {
                    if ("No such process".equals(e.getMessage())) {
                        continue; // it exited while we read its stat (ESRCH)
                    }
                    throw e;
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

    /** The host's mount table, as this JVM (outside every container) sees it. */
    static String hostMountinfo() {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/self/mountinfo")), StandardCharsets.ISO_8859_1);
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
        /**
         * No child process remains and exactly the descriptors of the baseline are open. A baseline
         * descriptor gone is as wrong as a new one left: it means a double close hit a number that
         * had been reused by someone else.
         */
        void assertNoLeaks() {
            assertNoChildProcesses();
            long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000;
            Map<Integer, String> now = openFds();
            while (!now.equals(fds) && System.nanoTime() < deadline) {
                sleep();
                now = openFds();
            }
            assertEquals(Map.of(), difference(now, fds), "descriptors opened since the baseline and still open");
            assertEquals(Map.of(), difference(fds, now), "descriptors of the baseline closed meanwhile");
        }

        private static Map<Integer, String> difference(Map<Integer, String> these, Map<Integer, String> those) {
            Map<Integer, String> diff = new TreeMap<>(these);
            diff.entrySet().removeAll(those.entrySet());
            return diff;
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
