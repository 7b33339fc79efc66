package caixa.cgroups;

import caixa.spawn.ChildProcess;
import caixa.spawn.ChildProgram;
import caixa.spawn.ExitStatus;
import caixa.spawn.Spawner;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cgroup2 code paths, on the host's real cgroup2 mount seen as if it were the only hierarchy:
 * on a hybrid host (/sys/fs/cgroup/unified) a unified host without the cpu and memory controllers,
 * enough for CLONE_INTO_CGROUP, cgroup.events, cgroup.kill and controller delegation; on a unified
 * host (/sys/fs/cgroup, as in the cgroup2 VM lane) the whole thing, with every controller. What v2
 * writes to controller files is also checked on a directory laid out like a v2 cgroup, so that a
 * hybrid host, whose kernel gives those controllers to v1, checks it too.
 */
class UnifiedCgroupTest {
    private static final Path UNIFIED = HostCgroups.unifiedMount();
    private static final int SIGKILL = 9;

    private final String name = HostCgroups.uniqueName();

    @TempDir
    Path fakeRoot;

    /** This host's cgroup2 mount, with no v1 hierarchy beside it. */
    private static CgroupLayout pureV2View() {
        String controllers = HostCgroups.read(UNIFIED.resolve("cgroup.controllers"));
        Set<String> offered = controllers.isEmpty() ? Set.of() : Set.of(controllers.split("\\s+"));
        return new CgroupLayout(CgroupMode.UNIFIED, UNIFIED, offered, Map.of());
    }

    @AfterEach
    void nothingLeftInCgroup2() throws IOException {
        List<Path> left = HostCgroups.directoriesOf(name);
        // Innermost first: a cgroup with children cannot be removed.
        for (Path dir : left.reversed()) {
            try (var children = Files.list(dir)) {
                for (Path child : children.filter(Files::isDirectory).toList()) {
                    Files.delete(child);
                }
            }
            Files.delete(dir);
        }
        assertEquals(List.of(), left, "cgroups the test did not remove");
    }

    // ---- the real cgroup2 hierarchy ----

    @Test
    void childStartsInsideTheCgroupAndCgroupKillEndsIt() throws Exception {
        CgroupLayout layout = pureV2View();
        try (Cgroup cgroup = Cgroup.create(layout, name, Set.of())) {
            assertFalse(cgroup.hasV1());
            assertTrue(Files.exists(UNIFIED.resolve(name).resolve("cgroup.kill")),
                    "kill() takes the cgroup.kill path on a kernel that has it (5.14+)");

            try (ChildProcess child = spawnSleepInto(cgroup)) {
                // Spawn returns once the child has exec'd: it must never have been anywhere else.
                assertEquals("0::/" + name, unifiedLine(child.pid()));
                assertEquals(Integer.toString(child.pid()), cgroup.get("cgroup.procs").strip());
                assertEquals(1, HostCgroups.field(cgroup.get("cgroup.events"), "populated"));
                assertTrue(cgroup.populated());

                cgroup.kill();

                ExitStatus status = child.waitFor(Duration.ofSeconds(10))
                        .orElseThrow(() -> new AssertionError("still running 10 s after cgroup.kill"));
                assertEquals(ExitStatus.killed(SIGKILL), status);
                awaitUnpopulated(cgroup, Duration.ofSeconds(2));
                assertEquals(0, HostCgroups.field(cgroup.get("cgroup.events"), "populated"));
            }

            cgroup.delete();

            assertFalse(Files.exists(UNIFIED.resolve(name)));
        }
    }

    /**
     * v2 hands a controller down only through every ancestor's cgroup.subtree_control: a nested
     * cgroup gets each controller the root offers, and removing it with its parents leaves nothing.
     */
    @Test
    void nestedCgroupReceivesTheControllersThroughEachLevel() {
        CgroupLayout layout = pureV2View();
        assertFalse(layout.unifiedControllers().isEmpty(), "this host's cgroup2 offers no controller to hand down");
        String nested = name + "/inner";

        try (Cgroup cgroup = Cgroup.create(layout, nested, layout.unifiedControllers())) {
            assertEquals(layout.unifiedControllers(), words(HostCgroups.read(UNIFIED.resolve(name).resolve("cgroup.subtree_control"))));
            assertEquals(layout.unifiedControllers(), words(cgroup.get("cgroup.controllers")));

            cgroup.deleteCreated(0);
        }

        assertFalse(Files.exists(UNIFIED.resolve(name)));
    }

    private ChildProcess spawnSleepInto(Cgroup cgroup) {
        try (Arena arena = Arena.ofConfined()) {
            ChildProgram program = new ChildProgram(arena)
                    .unblockAllSignals()
                    .closeOnExecFrom(3)
                    .execve("/bin/sleep", List.of("sleep", "30"), List.of(), false);
            return Spawner.spawn(program, Spawner.CloneOptions.namespaces(0).intoCgroup(cgroup.unifiedFd()), Spawner.BarrierHandler.NONE);
        }
    }

    private static String unifiedLine(int pid) {
        return HostCgroups.read(Path.of("/proc", Integer.toString(pid), "cgroup")).lines()
                .filter(line -> line.startsWith("0::"))
                .findFirst().orElseThrow(() -> new AssertionError("no cgroup2 line for " + pid));
    }

    /** The kernel clears populated as the last task exits, which may be a moment after it was reaped. */
    private static void awaitUnpopulated(Cgroup cgroup, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (cgroup.populated()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("cgroup still populated " + timeout + " after its task died");
            }
            Thread.sleep(10);
        }
    }

    // ---- controller files, on a directory laid out like a v2 cgroup ----

    /**
     * Kernel cgroup files replace their whole value on each write; regular files keep the tail of a
     * longer old value, so files that a test writes to start empty.
     */
    private static final Map<String, String> LIMITS_UNSET = Map.of(
            "cpu.max", "", "cpu.weight", "", "memory.max", "", "memory.swap.max", "", "pids.max", "");

    private static final Map<String, String> COUNTERS = Map.of(
            "cgroup.controllers", "",
            "cgroup.events", "populated 0\nfrozen 0\n",
            "cpu.stat", "usage_usec 1234\nuser_usec 1000\nsystem_usec 234\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n",
            "memory.current", "1048576\n",
            "memory.peak", "2097152\n",
            "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 3\n",
            "pids.current", "3\n");

    private CgroupLayout fakeLayout() throws IOException {
        writeFiles(fakeRoot, Map.of("cgroup.controllers", "cpu memory pids\n", "cgroup.subtree_control", ""));
        return new CgroupLayout(CgroupMode.UNIFIED, fakeRoot, Set.of("cpu", "memory", "pids"), Map.of());
    }

    private Cgroup openFakeChild(Map<String, String> limits) throws IOException {
        CgroupLayout layout = fakeLayout();
        Map<String, String> files = new LinkedHashMap<>(COUNTERS);
        files.putAll(limits);
        writeFiles(fakeRoot.resolve("child"), files);
        return Cgroup.open(layout, "child", Set.of("cpu", "memory", "pids"));
    }

    private static void writeFiles(Path dir, Map<String, String> files) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(dir.resolve(file.getKey()), file.getValue());
        }
    }

    private String fakeFile(String file) throws IOException {
        return Files.readString(fakeRoot.resolve("child").resolve(file));
    }

    @Test
    void getReturnsTheFileAsTheKernelWroteIt() throws IOException {
        try (Cgroup cgroup = openFakeChild(Map.of("cpu.max", "max 100000\n", "memory.max", "max\n", "pids.max", "max\n"))) {
            assertEquals("max 100000\n", cgroup.get("cpu.max"));
            assertEquals("low 0\nhigh 0\nmax 0\noom 0\noom_kill 3\n", cgroup.get("memory.events"));
            assertEquals("populated 0\nfrozen 0\n", cgroup.get("cgroup.events"));
            assertFalse(cgroup.populated());
        }
    }

    @Test
    void statsParseV2Counters() throws IOException {
        try (Cgroup unlimited = openFakeChild(Map.of("memory.max", "max\n", "pids.max", "max\n"))) {
            assertEquals(new CgroupStats(1234, 1048576, 2097152, Sizes.UNLIMITED, 3, -1, 3), unlimited.stats());
            assertEquals(3, unlimited.oomKills());
        }
        try (Cgroup limited = openFakeChild(Map.of("memory.max", "50331648\n", "pids.max", "16\n"))) {
            CgroupStats stats = limited.stats();
            assertEquals(50331648, stats.memoryMax());
            assertEquals(16, stats.pidsMax());
        }
    }

    /** No translation on v2: the value goes to the file of the same name, as given. */
    @Test
    void setWritesTheValueToTheFileOfTheKeysName() throws IOException {
        try (Cgroup cgroup = openFakeChild(LIMITS_UNSET)) {
            cgroup.set("cpu.max", "20000 100000");
            cgroup.set("cpu.weight", "100");
            cgroup.set("memory.max", "50331648");
            cgroup.set("memory.swap.max", "0");
            cgroup.set("pids.max", "64");

            assertEquals("20000 100000", fakeFile("cpu.max"));
            assertEquals("100", fakeFile("cpu.weight"));
            assertEquals("50331648", fakeFile("memory.max"));
            assertEquals("0", fakeFile("memory.swap.max"));
            assertEquals("64", fakeFile("pids.max"));
        }
    }

    @Test
    void resourcesWriteDockersLimitsInV2Terms() throws IOException {
        try (Cgroup cgroup = openFakeChild(LIMITS_UNSET)) {
            Resources.NONE.withCpus(0.2).withMemory(48 << 20).withPidsLimit(16).applyTo(cgroup);

            assertEquals("20000 100000", fakeFile("cpu.max"));
            assertEquals("50331648", fakeFile("memory.max"));
            assertEquals("16", fakeFile("pids.max"));
            assertEquals("", fakeFile("memory.swap.max"), "swap left alone when --memory-swap is not given");
        }
    }

    /** cpu.shares becomes cpu.weight by runc's linear formula, from end to end of both ranges. */
    @Test
    void cpuSharesBecomeCpuWeight() throws IOException {
        for (long[] sharesToWeight : new long[][] {{2, 1}, {1024, 39}, {1000, 39}, {262144, 10000}}) {
            try (Cgroup cgroup = openFakeChild(LIMITS_UNSET)) {
                Resources.NONE.withCpuShares(sharesToWeight[0]).applyTo(cgroup);
                assertEquals(Long.toString(sharesToWeight[1]), fakeFile("cpu.weight"), "shares " + sharesToWeight[0]);
            }
        }
    }

    /** docker's --memory-swap is memory plus swap; v2's memory.swap.max is swap alone. */
    @Test
    void memorySwapBecomesSwapAlone() throws IOException {
        try (Cgroup cgroup = openFakeChild(LIMITS_UNSET)) {
            Resources.NONE.withMemory(48 << 20).withMemorySwap(64 << 20).applyTo(cgroup);
            assertEquals(Long.toString(16 << 20), fakeFile("memory.swap.max"));
        }
        try (Cgroup cgroup = openFakeChild(LIMITS_UNSET)) {
            Resources.NONE.withMemory(48 << 20).withMemorySwap(Sizes.UNLIMITED).applyTo(cgroup);
            assertEquals("max", fakeFile("memory.swap.max"));
        }
    }

    /** Creating a cgroup enables in the parent's subtree_control the controllers it lacks, and only those. */
    @Test
    void createEnablesMissingControllersInTheParent() throws IOException {
        CgroupLayout layout = fakeLayout();
        Files.writeString(fakeRoot.resolve("cgroup.subtree_control"), "cpu\n");

        try (Cgroup ignored = Cgroup.create(layout, "child", Set.of("cpu", "memory", "pids"))) {
            assertEquals(Set.of("+memory", "+pids"), words(Files.readString(fakeRoot.resolve("cgroup.subtree_control"))));
        }
    }

    @Test
    void controllerTheHostLacksIsRefusedBeforeAnythingIsMade() throws IOException {
        CgroupLayout layout = fakeLayout();

        CgroupException e = assertThrows(CgroupException.class, () -> Cgroup.create(layout, "child", Set.of("io")));

        assertTrue(e.getMessage().contains("no io controller"), e.getMessage());
        assertFalse(Files.exists(fakeRoot.resolve("child")));
    }

    private static Set<String> words(String text) {
        return Arrays.stream(text.strip().split("\\s+")).filter(w -> !w.isEmpty()).collect(Collectors.toSet());
    }
}
