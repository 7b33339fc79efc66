package caixa.cli;

import caixa.cgroups.CgroupLayout;
import caixa.linux.Linux;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rootless mode as an unprivileged user meets it. Run as root, as the suite is, it makes that user
 * ({@value #USER}: a home, /etc/subuid and /etc/subgid ranges, an XDG_RUNTIME_DIR; it stays for the
 * next run) and runs caixa and the core container tests as it, from a world-readable copy of the
 * build: the checkout may be closed to other users.
 */
class RootlessTest {
    static final String USER = "caixa-rootless";

    /** The core container tests, which must pass unprivileged too. */
    private static final List<String> CORE_TESTS = List.of("caixa.runtime.IsolationTest",
            "caixa.runtime.ExitAndSignalTest", "caixa.runtime.StartErrorTest", "caixa.runtime.EnvironmentTest",
            "caixa.runtime.VolumeTest", "caixa.runtime.UserNamespaceTest", "caixa.runtime.SecureDefaultsTest");

    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static int uid;
    private static int gid;
    private static Path home;
    private static Path runtimeDir;
    /** The copy of the build, readable by the user; its {@code user/} is the user's to write. */
    private static Path work;
    private static Path rootfs;

    record Result(int status, String stdout, String stderr) {
        String all() {
            return "exit " + status + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    @BeforeAll
    static void userAndBuild() throws Exception {
        assertEquals(0, Linux.geteuid(), "RootlessTest runs as root (as the suite does): it creates the user");
        for (String helper : List.of("newuidmap", "newgidmap", "setpriv", "useradd")) {
            assertEquals(0, root("sh", "-c", "command -v " + helper).status(),
                    helper + " is not installed (bin/test installs uidmap; setpriv and useradd are in every Debian)");
        }
        if (root("id", "-u", USER).status() != 0) {
            Result added = root("useradd", "--create-home", "--shell", "/bin/sh", USER);
            assertEquals(0, added.status(), added.all());
        }
        uid = Integer.parseInt(root("id", "-u", USER).stdout().strip());
        gid = Integer.parseInt(root("id", "-g", USER).stdout().strip());
        home = Path.of(root("sh", "-c", "getent passwd " + USER + " | cut -d: -f6").stdout().strip());
        ensureSubordinateRange(Path.of("/etc/subuid"));
        ensureSubordinateRange(Path.of("/etc/subgid"));
        runtimeDir = Path.of("/run/user", Integer.toString(uid));
        Files.createDirectories(runtimeDir);
        chown(runtimeDir);
        Files.setPosixFilePermissions(runtimeDir, PosixFilePermissions.fromString("rwx------"));

        work = Files.createTempDirectory("caixa-rootless-test-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path target = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target");
        Result copied = root("cp", "-a", target.resolve("classes").toString(), target.resolve("test-classes").toString(),
                consoleLauncher(target).toString(), work.toString());
        assertEquals(0, copied.status(), copied.all());
        assertEquals(0, root("chmod", "-R", "a+rX", work.toString()).status());
        Path userDir = Files.createDirectory(work.resolve("user"));
        chown(userDir);
        rootfs = userDir.resolve("rootfs");
        Result built = caixa("rootfs", "busybox", rootfs.toString());
        assertEquals(0, built.status(), "building a rootfs as " + USER + ": " + built.all());
    }

    @AfterAll
    static void removeCopy() throws IOException {
        if (work == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(work)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Appends a 65536-id range for the user after every range the file already gives, if it has none. */
    private static void ensureSubordinateRange(Path file) throws IOException {
        List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
        long next = 100_000;
        for (String line : lines) {
            String[] f = line.split(":");
            if (f.length != 3) {
                continue;
            }
            if (f[0].equals(USER) || f[0].equals(Integer.toString(uid))) {
                return;
            }
            next = Math.max(next, Long.parseLong(f[1]) + Long.parseLong(f[2]));
        }
        Files.writeString(file, USER + ":" + next + ":65536\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** junit-platform-console-standalone for this JUnit, as src/test/vm/lane.sh gets it. */
    private static Path consoleLauncher(Path target) throws Exception {
        String platform = "1." + junitVersion().substring(2);
        String name = "junit-platform-console-standalone-" + platform + ".jar";
        Path cached = Path.of(System.getProperty("user.home"), ".m2/repository/org/junit/platform",
                "junit-platform-console-standalone", platform, name);
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        Path dir = target.resolve("junit-console");
        Result fetched = root("mvn", "-B", "-ntp", "-q", "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy",
                "-Dartifact=org.junit.platform:junit-platform-console-standalone:" + platform,
                "-DoutputDirectory=" + dir);
        assertEquals(0, fetched.status(), "fetching " + name + ": " + fetched.all());
        return dir.resolve(name);
    }

    private static String junitVersion() throws IOException {
        Matcher m = Pattern.compile("<junit.version>(.*)</junit.version>").matcher(
                Files.readString(Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("pom.xml")));
        assertTrue(m.find(), "pom.xml names no junit.version");
        return m.group(1);
    }

    @Test
    void coreContainerTestsPassAsTheUser() throws Exception {
        Path base = work.resolve("user/base");
        List<String> command = new ArrayList<>(List.of(java(), "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dbasedir=" + base,
                "-jar", work.resolve(consoleJarName()).toString(), "execute",
                "--class-path", work.resolve("classes") + ":" + work.resolve("test-classes"),
                "--include-engine=junit-jupiter", "--disable-banner", "--disable-ansi-colors", "--details=tree",
                "--fail-if-no-tests"));
        CORE_TESTS.forEach(test -> command.add("--select-class=" + test));
        Result run = asUser(PATH, null, command, 600);

        String report = run.all();
        assertEquals(0, run.status(), report);
        assertTrue(count(run.stdout(), "tests successful") > 0, report);
        assertEquals(0, count(run.stdout(), "tests failed"), report);
        assertEquals(0, count(run.stdout(), "tests aborted"), report);
    }

    /** The launcher's summary: {@code [        31 tests successful      ]}. */
    private static int count(String output, String what) {
        Matcher m = Pattern.compile("\\[\\s*(\\d+) " + what + "\\s*]").matcher(output);
        assertTrue(m.find(), "no '" + what + "' in the launcher's summary");
        return Integer.parseInt(m.group(1));
    }

    private static String consoleJarName() throws IOException {
        try (Stream<Path> files = Files.list(work)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("junit-platform-console-standalone")).findFirst().orElseThrow();
        }
    }

    @Test
    void rootInsideIsTheUserOutsideWithItsSubordinateRange() throws Exception {
        Result run = caixaRun("-v", work.resolve("user") + ":/out", "--",
                "sh", "-c", "id -u; cat /proc/self/uid_map /proc/self/gid_map; touch /out/made-inside");
        assertEquals(0, run.status(), run.all());

        long subuid = firstRange(Path.of("/etc/subuid"));
        long subgid = firstRange(Path.of("/etc/subgid"));
        assertEquals(List.of("0", "0 " + uid + " 1", "1 " + subuid + " 65536", "0 " + gid + " 1", "1 " + subgid + " 65536"),
                normalized(run.stdout()));
        Path made = work.resolve("user/made-inside");
        assertEquals(uid, Files.getAttribute(made, "unix:uid"), "root inside owns files as the user outside");
        Files.delete(made);
    }

    @Test
    void withoutNewuidmapOnlyTheUserIsMapped() throws Exception {
        // Without the helpers in PATH, caixa maps only what the kernel lets a user map: its own ids.
        Result run = asUser("/nonexistent", null, caixaCommand("run", "--rootfs", rootfs.toString(), "--",
                "sh", "-c", "id -u; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups"), 60);
        assertEquals(0, run.status(), run.all());
        assertEquals(List.of("0", "0 " + uid + " 1", "0 " + gid + " 1", "deny"), normalized(run.stdout()));
    }

    @Test
    void aLimitWithoutADelegatedCgroupFailsAndLeavesNothing() throws Exception {
        CgroupLayout layout = CgroupLayout.host();
        Path memoryCgroup = layout.inV1("memory") ? ownCgroup("memory") : ownCgroup("");
        Set<String> before = subdirectories(memoryCgroup);

        Result run = caixaRun("--memory", "32M", "--", "true");

        assertEquals(125, run.status(), run.all());
        if (layout.inV1("memory")) {
            assertEquals("caixa: --memory: rootless: no delegated cgroup (memory cgroup " + memoryCgroup
                    + " is not writable by uid " + uid + ")\n", run.stderr());
        } else {
            assertTrue(run.stderr().startsWith("caixa: --memory: rootless: no delegated cgroup (cgroup ")
                    && run.stderr().endsWith(")\n") && run.stderr().lines().count() == 1, run.all());
        }
        assertEquals(before, subdirectories(memoryCgroup), "a cgroup was left in " + memoryCgroup);
        assertStateEmpty();
    }

    /**
     * Root makes a cgroup, hands it to the user (chown, as systemd's Delegate=yes does) and starts the
     * user's shell in it; caixa, run from that shell, puts the container and its limits under it. On
     * v1 that is the user's cgroup in the memory and pids hierarchies; on v2 the shell goes to a leaf
     * below it, since v2 hands controllers only to the children of a cgroup without processes.
     */
    @Test
    void aLimitIsAppliedInADelegatedCgroup() throws Exception {
        CgroupLayout layout = CgroupLayout.host();
        String name = "caixa-rootless-test-" + ProcessHandle.current().pid();
        boolean v1 = layout.inV1("memory");
        assertTrue(v1 == layout.inV1("pids"), "memory and pids in different cgroup versions");
        List<Path> delegated = v1 ? List.of(layout.v1().get("memory").resolve(name), layout.v1().get("pids").resolve(name))
                : List.of(layout.unified().resolve(name));
        List<Path> entered = v1 ? delegated : List.of(delegated.getFirst().resolve("leaf"));
        for (Path dir : delegated) {
            Files.createDirectory(dir);
        }
        if (!v1) {
            Files.createDirectory(entered.getFirst());
        }
        for (Path dir : delegated) {
            assertEquals(0, root("chown", "-R", uid + ":" + gid, dir.toString()).status());
        }
        try {
            // Root puts the shell in the delegated cgroups, then it becomes the user and runs caixa.
            String enter = entered.stream().map(d -> "echo $$ > " + d + "/cgroup.procs").collect(Collectors.joining(" && "));
            List<String> command = new ArrayList<>(List.of("sh", "-c", enter + " && exec \"$@\"", "sh"));
            command.addAll(userCommand(PATH, caixaCommand("run", "--rootfs", rootfs.toString(), "--memory", "32M",
                    "--pids-limit", "20", "--", "sh", "-c", v1
                            ? "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max"
                            : "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max")));
            Result run = exec(command, null, 60);

            assertEquals(0, run.status(), run.all());
            assertEquals(List.of("33554432", "20"), normalized(run.stdout()));
            for (Path dir : delegated) {
                assertEquals(v1 ? Set.of() : Set.of("leaf"), subdirectories(dir), "the container's cgroup is left in " + dir);
            }
        } finally {
            if (!v1) {
                Linux.rmdirat(caixa.bindings.linux_h.AT_FDCWD(), entered.getFirst().toString());
            }
            for (Path dir : delegated) {
                Linux.rmdirat(caixa.bindings.linux_h.AT_FDCWD(), dir.toString());
            }
        }
    }

    @Test
    void ociLifecycleWithStateUnderTheRuntimeDirectory() throws Exception {
        Path bundle = work.resolve("user/bundle");
        Result made = asUser(PATH, null, List.of("mkdir", bundle.toString()), 10);
        assertEquals(0, made.status(), made.all());
        Result spec = caixaIn(bundle, "spec", "--rootless");
        assertEquals(0, spec.status(), spec.all());
        Path config = bundle.resolve("config.json");
        String text = Files.readString(config);
        assertTrue(text.contains("\"hostID\": " + uid), text);
        assertEquals(0, asUser(PATH, null, List.of("ln", "-s", rootfs.toString(), bundle.resolve("rootfs").toString()), 10).status());
        writeAsUser(config, text.replace("\"terminal\": true", "\"terminal\": false")
                .replace("\"sh\"\n", "\"sh\", \"-c\", \"echo hello from $(id -u)\"\n"));

        Result run = caixaIn(bundle, "run", "rootless-run");
        assertEquals(0, run.status(), run.all());
        assertEquals("hello from 0\n", run.stdout());

        writeAsUser(config, Files.readString(config).replace("\"sh\", \"-c\", \"echo hello from $(id -u)\"", "\"sleep\", \"60\""));
        Result create = caixaIn(bundle, "create", "rootless-oci");
        assertEquals(0, create.status(), create.all());
        assertTrue(Files.isDirectory(runtimeDir.resolve("caixa/rootless-oci")), "no state under " + runtimeDir);
        assertTrue(caixaIn(bundle, "state", "rootless-oci").stdout().contains("\"status\": \"created\""));
        assertEquals(0, caixaIn(bundle, "start", "rootless-oci").status());
        assertTrue(caixaIn(bundle, "state", "rootless-oci").stdout().contains("\"status\": \"running\""));
        assertEquals(0, caixaIn(bundle, "kill", "rootless-oci", "KILL").status());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!caixaIn(bundle, "state", "rootless-oci").stdout().contains("\"status\": \"stopped\"")) {
            assertTrue(System.nanoTime() < deadline, "still not stopped 10 s after SIGKILL");
            Thread.sleep(50);
        }
        Result delete = caixaIn(bundle, "delete", "rootless-oci");
        assertEquals(0, delete.status(), delete.all());
        assertStateEmpty();

        writeAsUser(config, Files.readString(config).replace("\"linux\": {",
                "\"linux\": {\n\t\t\"resources\": {\"memory\": {\"limit\": 33554432}},"));
        Result limited = caixaIn(bundle, "run", "rootless-limited");
        assertEquals(1, limited.status(), limited.all());
        assertTrue(limited.stderr().startsWith("caixa: config.json: linux.resources.memory.limit: rootless: no"
                + " delegated cgroup (") && limited.stderr().lines().count() == 1, limited.all());
        assertStateEmpty();
    }

    @Test
    void aRootlessContainerIsClosedDownAsARootOne() throws Exception {
        Result run = caixaRun("--", "sh", "-c", String.join("; ",
                "cat /proc/sys/kernel/hostname > /proc/sys/kernel/hostname 2>/dev/null && echo sysctl-written || echo sysctl-refused",
                "mount -t tmpfs none /mnt 2>/dev/null && echo mounted || echo mount-refused",
                "grep -E '^(CapEff|Seccomp):' /proc/self/status"));
        assertEquals(0, run.status(), run.all());
        assertEquals(List.of("sysctl-refused", "mount-refused", "CapEff: 00000000a80425fb", "Seccomp: 2"),
                normalized(run.stdout()));
    }

    private static void assertStateEmpty() throws IOException {
        Path state = runtimeDir.resolve("caixa");
        if (Files.isDirectory(state)) {
            assertEquals(Set.of(), subdirectories(state), "containers left in " + state);
        }
    }

    /** The caller's (and so the user's, which inherits it) cgroup in a v1 hierarchy, or with "" in cgroup2. */
    private static Path ownCgroup(String hierarchy) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            if (List.of(f[1].split(",", -1)).contains(hierarchy)) {
                Path mount = hierarchy.isEmpty() ? CgroupLayout.host().unified() : CgroupLayout.host().v1().get(hierarchy);
                return f[2].equals("/") ? mount : mount.resolve(f[2].substring(1));
            }
        }
        throw new IllegalStateException("no " + hierarchy + " line in /proc/self/cgroup");
    }

    private static Set<String> subdirectories(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static long firstRange(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(l -> l.split(":")).filter(f -> f.length == 3 && f[0].equals(USER))
                .map(f -> Long.parseLong(f[1])).findFirst().orElseThrow();
    }

    private static List<String> normalized(String text) {
        return text.lines().map(line -> line.strip().replaceAll("\\s+", " ")).toList();
    }

    private static void writeAsUser(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        chown(file);
    }

    private static void chown(Path path) throws IOException {
        Files.setAttribute(path, "unix:uid", uid);
        Files.setAttribute(path, "unix:gid", gid);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> caixaCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(java(), "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", work.resolve("classes").toString(),
                Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    private static Result caixa(String... args) throws Exception {
        return asUser(PATH, null, caixaCommand(args), 120);
    }

    private static Result caixaIn(Path dir, String... args) throws Exception {
        return asUser(PATH, dir, caixaCommand(args), 60);
    }

    private static Result caixaRun(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("run", "--rootfs", rootfs.toString()));
        all.addAll(List.of(args));
        return caixa(all.toArray(String[]::new));
    }

    /** {@code command} as the user, with a login's environment and nothing of root's. */
    private static List<String> userCommand(String path, List<String> command) {
        List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--init-groups",
                "env", "-i", "PATH=" + path, "HOME=" + home, "USER=" + USER, "LOGNAME=" + USER,
                "XDG_RUNTIME_DIR=" + runtimeDir));
        all.addAll(command);
        return all;
    }

    private static Result asUser(String path, Path dir, List<String> command, int timeoutSeconds) throws Exception {
        return exec(userCommand(path, command), dir, timeoutSeconds);
    }

    private static Result root(String... command) throws Exception {
        return exec(List.of(command), null, 120);
    }

    private static Result exec(List<String> command, Path dir, int timeoutSeconds) throws Exception {
        Path out = Files.createTempFile("caixa-rootless-", ".out");
        Path err = Files.createTempFile("caixa-rootless-", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            if (dir != null) {
                builder.directory(dir.toFile());
            }
            Process process = builder.start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", command) + ": did not finish in " + timeoutSeconds + " s\n"
                        + Files.readString(out) + Files.readString(err));
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }
}
