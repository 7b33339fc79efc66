package caixa.cli;

import caixa.cgroups.CgroupLayout;
import caixa.cgroups.HostCgroups;
import caixa.rootfs.BusyboxRootfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code caixa cgroup} and {@code caixa top} as a user meets them, each value checked against the
 * kernel's own file: the v1 one where this host keeps the controller in a v1 hierarchy, else cgroup2's.
 */
class CgroupCommandTest {
    private static final Path ROOTFS = Path.of("target/test-rootfs/cli").toAbsolutePath();
    private static final CgroupLayout LAYOUT = CgroupLayout.host();

    /** Unique per test, so parallel runs do not collide; every cgroup a test makes starts with it. */
    private final String name = "caixa-test-" + HexFormat.of().formatHex(randomBytes());

    @BeforeAll
    static void rootfs() {
        if (!Files.isDirectory(ROOTFS.resolve("bin"))) {
            BusyboxRootfs.create(ROOTFS);
        }
    }

    @AfterEach
    void nothingLeftBehind() throws IOException {
        List<Path> left = leftovers();
        for (Path dir : left) {
            removeTree(dir); // so one failure does not leak into the next run
        }
        assertEquals(List.of(), left, "cgroups left behind");
    }

    record Result(int status, String stdout, String stderr) {
    }

    @Test
    void limitsRoundTripThroughTheKernelFiles() throws Exception {
        String inner = name + "/inner";
        ok(run("cgroup", "create", "-g", "cpu,memory,pids:" + name, "-g", "cpu,memory,pids:" + inner));
        for (String controller : List.of("cpu", "memory", "pids")) {
            assertTrue(Files.isDirectory(kernelDir(controller, inner)), controller + " " + inner);
        }

        ok(run("cgroup", "set", "-r", "cpu.max=20000", "-r", "memory.max=48M", "-r", "pids.max=10", name, inner));

        assertEquals("20000 100000", kernelCpuMax(name)); // the quota alone: the period stays the default
        assertEquals("50331648", kernel("memory", name, "memory.max", "memory.limit_in_bytes"));
        assertEquals("10", kernel("pids", name, "pids.max", "pids.max"));
        String expected = name + ":\n"
                + "cpu.max: " + kernelCpuMax(name) + "\n"
                + "memory.max: " + kernel("memory", name, "memory.max", "memory.limit_in_bytes") + "\n"
                + "pids.max: " + kernel("pids", name, "pids.max", "pids.max") + "\n"
                + "\n";
        Result get = ok(run("cgroup", "get", "-r", "cpu.max", "-r", "memory.max", "-r", "pids.max", name, inner));
        assertEquals(expected + expected.replace(name + ":", inner + ":"), get.stdout());

        assertEquals("memory.max: 50331648\npids.max: 10\n",
                ok(run("cgroup", "get", "-n", "-r", "memory.max", "-r", "pids.max", name)).stdout());
        assertEquals("50331648\n10\n", ok(run("cgroup", "get", "-n", "-v", "-r", "memory.max", "-r", "pids.max", name)).stdout());
        assertEquals(name + ":\n50331648\n\n", ok(run("cgroup", "get", "-v", "-r", "memory.max", name)).stdout());

        ok(run("cgroup", "set", "-r", "cpu.max=max", "-r", "memory.max=max", "-r", "pids.max=max", name));
        assertEquals("max 100000", kernelCpuMax(name));
        assertEquals("cpu.max: max 100000\nmemory.max: max\npids.max: max\n",
                ok(run("cgroup", "get", "-n", "-r", "cpu.max", "-r", "memory.max", "-r", "pids.max", name)).stdout());

        assertError(run("cgroup", "delete", "-g", "cpu,memory,pids:" + name), 125,
                "caixa: cgroup " + name + ": has child cgroups (" + inner + "); delete them first, or use -r");
        ok(run("cgroup", "delete", "-r", "-g", "cpu,memory,pids:" + name));
        for (String controller : List.of("cpu", "memory", "pids")) {
            assertTrue(Files.notExists(kernelDir(controller, name)), controller + " " + name);
        }
    }

    @Test
    void memoryPeakOfAClassifiedProcess() throws Exception {
        ok(run("cgroup", "create", "-g", "cpu,memory:" + name));
        ok(run("cgroup", "set", "-r", "memory.max=48M", name));
        // dd's 16 MiB buffer is charged where dd runs: in the cgroup, since it starts after the classify.
        Process p = new ProcessBuilder("sh", "-c", "read go; dd if=/dev/zero of=/dev/null bs=16M count=1 2>/dev/null; echo done; exec sleep 1000")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            ok(run("cgroup", "classify", "-g", "cpu,memory:" + name, Long.toString(p.pid())));
            assertEquals(Long.toString(p.pid()), Files.readString(kernelDir("memory", name).resolve("cgroup.procs")).strip());
            assertEquals(Long.toString(p.pid()), Files.readString(kernelDir("cpu", name).resolve("cgroup.procs")).strip());
            p.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
            assertEquals("done", new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine());

            String peak = kernel("memory", name, "memory.peak", "memory.max_usage_in_bytes");
            assertTrue(Long.parseLong(peak) >= 16 << 20, peak);
            assertEquals(name + ":\nmemory.peak: " + peak + "\n\n", ok(run("cgroup", "get", "-r", "memory.peak", name)).stdout());
            assertEquals(peak + "\n", ok(run("cgroup", "get", "-n", "-v", "-r", "memory.peak", name)).stdout());
            assertError(run("cgroup", "delete", "-g", "cpu,memory:" + name), 125,
                    "caixa: cgroup " + name + ": cannot remove: processes are in it");
        } finally {
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        }
        ok(run("cgroup", "delete", "-g", "cpu,memory:" + name));
    }

    @Test
    void errorsAreOneLineWithStatus125() throws Exception {
        ok(run("cgroup", "create", "-g", "cpu,memory,pids:" + name));
        String cgroup = "caixa: cgroup " + name + ": ";
        assertError(run("cgroup", "get", "-r", "memory.bogus", name), 125,
                cgroup + "memory.bogus: " + (LAYOUT.inV1("memory") ? "no cgroup v1 equivalent" : "no such key"));
        assertError(run("cgroup", "set", "-r", "memory.max=lots", name), 125,
                cgroup + "memory.max=lots: " + (LAYOUT.inV1("memory")
                        ? "'lots' is not a size (like 48M, 1G, 65536 or max)" : "Invalid argument"));
        assertError(run("cgroup", "set", "-r", "pids.max=-5", name), 125, cgroup + "pids.max=-5: Invalid argument");
        assertError(run("cgroup", "set", "-r", "cpu.max=abc", name), 125, cgroup + "cpu.max=abc: Invalid argument");
        assertError(run("cgroup", "get", "-r", "bogus", name), 125,
                cgroup + "'bogus': not a cgroup key (like cpu.max or memory.peak)");
        assertError(run("cgroup", "create", "-g", "cpuacct:" + name + "-x"), 125,
                "caixa: cgroup " + name + "-x: unknown controller cpuacct (cpu, cpuset, devices, freezer, hugetlb, io, memory, pids)");
        assertError(run("cgroup", "classify", "-g", "cpu:" + name, "2147483647"), 125,
                cgroup + "pid 2147483647: No such process");

        String missing = name + "-missing";
        for (Result r : List.of(run("cgroup", "get", "-r", "memory.peak", missing),
                run("cgroup", "set", "-r", "pids.max=1", missing),
                run("cgroup", "classify", "-g", "memory:" + missing, "1"),
                run("cgroup", "delete", "-g", "cpu,memory:" + missing))) {
            assertError(r, 125, "caixa: cgroup " + missing + ": no such cgroup");
        }
        assertError(run("cgroup", "get", "-r", "memory.peak", "../" + name), 125,
                "caixa: cgroup '../" + name + "': expected a relative path like caixa/web");
        assertError(run("cgroup", "get", name), 125, "caixa: cgroup get: -r KEY is required");
        assertError(run("cgroup", "set", "-r", "cpu.max", name), 125,
                "caixa: cgroup set: -r cpu.max: expected KEY=VALUE, like cpu.max=20000");
        assertError(run("cgroup", "create", "-g", name), 125,
                "caixa: cgroup create: -g '" + name + "': expected CONTROLLERS:NAME, like cpu,memory:mazoni");
        assertError(run("cgroup", "frob"), 125, "caixa: cgroup: unknown verb frob (create, classify, set, get, delete)");

        // Nothing was changed by the failures.
        assertEquals("max", kernel("pids", name, "pids.max", "pids.max"));
        ok(run("cgroup", "delete", "-g", "cpu,memory,pids:" + name));
    }

    @Test
    void topShowsARunningContainer() throws Exception {
        Process container = caixa(List.of("run", "--rootfs", ROOTFS.toString(), "--name", name, "--cpus", "0.5", "--memory", "64M",
                "--", "sh", "-c", "trap 'exit 0' TERM; echo ready; while :; do :; done"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            assertEquals("ready", new BufferedReader(new InputStreamReader(container.getInputStream(), StandardCharsets.UTF_8)).readLine());
            Pattern row = Pattern.compile("^caixa/" + name + " +(\\d+\\.\\d) +\\S+ \\S+ +\\S+ \\S+ +64 MiB +(\\d+)/max$", Pattern.MULTILINE);
            for (List<String> args : List.of(List.of("top", "--once"), List.of("top", name, "--once"))) {
                Result top = ok(run(args.toArray(String[]::new)));
                assertTrue(top.stdout().startsWith("NAME "), top.stdout());
                assertTrue(top.stdout().split("\n")[0].matches("NAME +CPU% +MEM +PEAK +LIMIT +PIDS"), top.stdout());
                Matcher m = row.matcher(top.stdout());
                assertTrue(m.find(), top.stdout());
                double cpu = Double.parseDouble(m.group(1));
                // Half a CPU at most; a busy host may give it less, but over half a second never none.
                assertTrue(cpu > 0 && cpu <= 70, top.stdout());
                assertTrue(Integer.parseInt(m.group(2)) >= 1, top.stdout());
            }
            assertError(run("top", "--once", name + "-missing"), 125,
                    "caixa: cgroup " + name + "-missing: no such cgroup (nor container caixa/" + name + "-missing)");
        } finally {
            container.destroy();
            assertTrue(container.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(0, container.exitValue());
    }

    private static Result ok(Result r) {
        assertEquals(0, r.status(), r.stderr());
        assertEquals("", r.stderr());
        return r;
    }

    private static void assertError(Result r, int status, String line) {
        assertEquals(status, r.status(), r.stderr());
        assertEquals(line + "\n", r.stderr());
        assertEquals("", r.stdout());
    }

    /** The directory of {@code path} where this host keeps {@code controller} (v2 name). */
    private static Path kernelDir(String controller, String path) {
        return LAYOUT.inV1(controller) ? LAYOUT.v1().get(controller).resolve(path) : LAYOUT.unified().resolve(path);
    }

    /** The kernel's file for a v2 key: {@code v1File} where the controller is in a v1 hierarchy. */
    private static String kernel(String controller, String path, String v2File, String v1File) throws IOException {
        String file = LAYOUT.inV1(controller) ? v1File : v2File;
        return Files.readString(kernelDir(controller, path).resolve(file)).strip();
    }

    /** cpu.max as v2 writes it; v1 keeps the quota (-1 for none) and the period in two files. */
    private static String kernelCpuMax(String path) throws IOException {
        if (!LAYOUT.inV1("cpu")) {
            return kernel("cpu", path, "cpu.max", null);
        }
        String quota = kernel("cpu", path, null, "cpu.cfs_quota_us");
        return (quota.equals("-1") ? "max" : quota) + " " + kernel("cpu", path, null, "cpu.cfs_period_us");
    }

    /** Every cgroup directory, in any hierarchy, named with this test's prefix (its own and its container's). */
    private List<Path> leftovers() throws IOException {
        List<Path> found = new ArrayList<>();
        // /sys/fs/cgroup is the one hierarchy on a unified host, and holds one per hierarchy on a hybrid one.
        List<Path> hierarchies = new ArrayList<>();
        if (HostCgroups.unifiedHost()) {
            hierarchies.add(HostCgroups.ROOT);
        } else {
            try (DirectoryStream<Path> roots = Files.newDirectoryStream(HostCgroups.ROOT)) {
                roots.forEach(hierarchies::add);
            }
        }
        for (Path root : hierarchies) {
            for (Path parent : List.of(root, root.resolve("caixa"))) {
                if (Files.isDirectory(parent)) {
                    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, name + "*")) {
                        dirs.forEach(found::add);
                    }
                }
            }
        }
        return found;
    }

    private static void removeTree(Path dir) throws IOException {
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path d : tree.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(d); // rmdir: a cgroup's control files go with it
            }
        }
    }

    /** The JVM as bin/caixa starts it: C1 only and the serial collector start fastest. */
    private static ProcessBuilder caixa(List<String> args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(args);
        return new ProcessBuilder(command);
    }

    private static Result run(String... args) throws Exception {
        Process p = caixa(List.of(args)).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("caixa " + String.join(" ", args) + " did not finish");
        }
        return new Result(p.exitValue(), out, err);
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[4];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
