package caixa.cli;

import caixa.rootfs.BusyboxRootfs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the OCI tests share: running a command to completion, the busybox rootfs, the launcher that
 * podman and containerd run as their OCI runtime, installing those clients, and finding what a
 * container left behind.
 */
final class OciTesting {
    private OciTesting() {
    }

    /** Surefire sets basedir; an IDE runs tests in the project directory, which "" resolves to. */
    static final Path TARGET = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target");

    /** The output of a finished command; {@code stdoutFile} keeps receiving what a container it started writes. */
    record Result(int status, String stdout, String stderr, Path stdoutFile) {
        /** The exit status, with the output in the message should it not be the expected one. */
        Result assertStatus(int expected) {
            assertEquals(expected, status, () -> "exit status; stdout: " + stdout + "\nstderr: " + stderr);
            return this;
        }

        Result assertSuccess() {
            return assertStatus(0);
        }

        /** Success without a word on stderr, as runc's commands succeed. */
        Result assertQuiet() {
            assertStatus(0);
            assertEquals("", stderr, "stderr");
            return this;
        }

        /** A failure reported as exactly one line on stderr. */
        Result assertError(int expectedStatus, String line) {
            assertStatus(expectedStatus);
            assertEquals(line + "\n", stderr, "stderr");
            return this;
        }

        /** What the command's stdout holds now: a container started by it may have written more since. */
        String stdoutNow() {
            return read(stdoutFile);
        }
    }

    private static final AtomicInteger RUNS = new AtomicInteger();

    /**
     * Runs {@code command} to completion. stdout and stderr go to files under {@code outputDir}, not
     * pipes: a container that {@code create} or {@code run -d} starts inherits them and keeps them
     * open after the command exits, so reading a pipe to its end would wait for the container.
     * The command runs in {@code outputDir} too: conmon, for one, leaves a file named "oom" in its
     * working directory after an OOM kill, which must not land in the project.
     *
     * @param stdin what the command reads, or null for /dev/null
     */
    static Result run(List<String> command, Path outputDir, String stdin, Duration timeout) {
        try {
            Files.createDirectories(outputDir);
            int n = RUNS.incrementAndGet();
            Path out = outputDir.resolve(n + ".out");
            Path err = outputDir.resolve(n + ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(outputDir.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())
                            : ProcessBuilder.Redirect.PIPE);
            Process process = builder.start();
            if (stdin != null) {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + ": still running after " + timeout + "; stdout: " + read(out)
                        + "\nstderr: " + read(err));
            }
            return new Result(process.exitValue(), read(out), read(err), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits up to {@code timeout} for {@code condition}; fails with {@code what} if it never holds. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("waited " + timeout + " for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * The busybox rootfs the OCI tests start from, built once under target/. Tests copy it (a
     * container, and caixa creating mount points, may write to its rootfs) or tar it for podman.
     */
    static synchronized Path busyboxRootfs() {
        Path rootfs = TARGET.resolve("test-rootfs/oci");
        if (!Files.isDirectory(rootfs.resolve("bin"))) {
            BusyboxRootfs.create(rootfs); // atomic: a concurrent build by another JVM is as good
        }
        return rootfs;
    }

    /** A copy of the busybox rootfs at {@code target}, with owners, modes and symlinks as they are. */
    static Path copyOfRootfs(Path target) {
        run(List.of("cp", "-a", busyboxRootfs().toString(), target.toString()), target.resolveSibling(".cp-output"),
                null, Duration.ofSeconds(60)).assertSuccess();
        return target;
    }

    /**
     * The command that runs caixa's CLI from the classes under test on the test JVM's own JDK, with
     * bin/caixa's start-up flags (C1 only, the serial collector): every OCI command is a new JVM.
     */
    static List<String> caixaCommand() {
        String classes;
        try {
            classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "--enable-native-access=ALL-UNNAMED",
                "-cp", classes, Main.class.getName());
    }

    /**
     * Writes {@code dir/caixa}, the OCI runtime podman and containerd are given: the classes under
     * test on the test JVM's own JDK, with bin/caixa's start-up flags. Not bin/caixa itself: that
     * rebuilds target/caixa.jar with Maven when sources are newer, which a test run inside Maven must
     * not wait for (surefire runs before the package phase, so the jar may be stale or missing).
     * Its state goes to {@code stateRoot}, not the machine's /run/caixa; a client that passes its own
     * {@code --root} (containerd's shim does) overrides that, since the last --root counts.
     */
    static Path launcher(Path dir, Path stateRoot) {
        List<String> words = new ArrayList<>(caixaCommand());
        words.addAll(List.of("--root", stateRoot.toString()));
        StringBuilder command = new StringBuilder("exec");
        for (String word : words) {
            if (word.contains("'")) {
                throw new IllegalStateException("cannot quote " + word + " for sh");
            }
            command.append(" '").append(word).append('\'');
        }
        String script = "#!/bin/sh\n"
                + "# caixa as an OCI runtime, from the classes under test (written by " + OciTesting.class.getName() + ")\n"
                + command + " \"$@\"\n";
        try {
            Files.createDirectories(dir);
            Path launcher = dir.resolve("caixa");
            Path tmp = dir.resolve(".caixa.tmp");
            Files.writeString(tmp, script);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, launcher, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return launcher;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes sure the commands are on PATH: the tests run the real clients, never skip for lack of
     * them. When one is missing, installs podman and containerd from Debian (as root, as the
     * whole suite runs) and fails loudly if that does not produce the commands.
     */
    static synchronized void requireCommands(String... commands) {
        if (missing(commands).isEmpty()) {
            return;
        }
        Path log = TARGET.resolve("apt-get");
        List<String> apt = List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get");
        Result update = run(concat(apt, List.of("update")), log, null, Duration.ofMinutes(10));
        assertEquals(0, update.status(), () -> "apt-get update failed:\n" + update.stdout() + update.stderr());
        Result install = run(concat(apt, List.of("install", "-y", "podman", "containerd")), log, null,
                Duration.ofMinutes(20));
        assertEquals(0, install.status(), () -> "apt-get install -y podman containerd failed:\n"
                + install.stdout() + install.stderr());
        assertEquals(List.of(), missing(commands), "still missing after apt-get install -y podman containerd");
    }

    private static List<String> missing(String... commands) {
        List<String> missing = new ArrayList<>();
        for (String command : commands) {
            // `which`, as a user would check; its exit status says whether the command is on PATH.
            if (run(List.of("which", command), TARGET.resolve("which"), null, Duration.ofSeconds(30)).status() != 0) {
                missing.add(command);
            }
        }
        return missing;
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * What containers may have left on the host, each as a line for a failure message: cgroup
     * directories with one of {@code cgroupNames} in any hierarchy, processes whose root directory is
     * under {@code dir} (a container's, seen from the host), and host mounts of anything under {@code dir}.
     */
    static List<String> leftovers(Collection<String> cgroupNames, Path dir) {
        List<String> left = new ArrayList<>();
        for (Path cgroup : cgroupsNamed(cgroupNames)) {
            left.add("cgroup " + cgroup);
        }
        String prefix = dir.toString() + "/";
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String root = Files.readSymbolicLink(process.resolve("root")).toString();
                    if (root.equals(dir.toString()) || root.startsWith(prefix)) {
                        left.add("process " + process.getFileName() + " ("
                                + Files.readString(process.resolve("comm")).strip() + ") with root " + root);
                    }
                } catch (IOException e) {
                    // gone meanwhile, or a kernel thread: not a container's
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : read(Path.of("/proc/self/mountinfo")).split("\n")) {
            if (line.contains(prefix)) {
                left.add("mount " + line);
            }
        }
        return left;
    }

    /** Directories named one of {@code names} in any cgroup hierarchy, a few levels deep. */
    static List<Path> cgroupsNamed(Collection<String> names) {
        List<Path> found = new ArrayList<>();
        if (names.isEmpty()) {
            return found;
        }
        try {
            Files.walkFileTree(Path.of("/sys/fs/cgroup"), java.util.Set.of(), 5, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (names.contains(dir.getFileName().toString())) {
                        found.add(dir);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // a cgroup removed while we walk
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** A new directory under /tmp for one test class's bundles, storage and output. */
    static Path workDirectory(String prefix) {
        try {
            return Files.createTempDirectory("caixa-" + prefix + "-").toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Deletes a directory with what is in it; symbolic links are deleted, not followed (a rootfs
     * holds absolute ones). A mount left inside makes this fail: it is a leak worth hearing about.
     */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entries of a directory, or none if it does not exist. */
    static List<String> entries(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertContains(String haystack, String needle) {
        assertTrue(haystack.contains(needle), () -> "expected " + needle + " in:\n" + haystack);
    }
}
