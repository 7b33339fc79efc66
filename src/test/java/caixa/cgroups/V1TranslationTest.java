package caixa.cgroups;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The v2 vocabulary on this hybrid host's v1 hierarchies: each key is checked against the v1 files
 * the kernel actually reads, in a real cgroup, not against what the translation says of itself.
 * A unified host (the cgroup2 VM lane) has no v1 hierarchy to translate to: there it is skipped, and
 * the same keys are checked against the v2 files by UnifiedCgroupTest and the container tests.
 */
class V1TranslationTest {
    private static final Path V1 = HostCgroups.ROOT;
    private static final long MIB = 1 << 20;

    private final String name = HostCgroups.uniqueName();
    private Cgroup cgroup;

    @BeforeEach
    void createCgroup() {
        assumeFalse(HostCgroups.unifiedHost(), "a unified host has no v1 hierarchy");
        cgroup = Cgroup.create(CgroupLayout.host(), name, Set.of("cpu", "memory", "pids"));
    }

    @AfterEach
    void removeCgroup() {
        if (cgroup == null) {
            return;
        }
        try {
            cgroup.delete();
        } finally {
            cgroup.close();
        }
        assertEquals(List.of(), HostCgroups.directoriesOf(name));
    }

    private String v1File(String hierarchy, String file) {
        return HostCgroups.read(V1.resolve(hierarchy).resolve(name).resolve(file));
    }

    @Test
    void weightAndSharesMeetAtRuncsEndpoints() {
        assertEquals(2, V1Translation.sharesFromWeight(1));
        assertEquals(262144, V1Translation.sharesFromWeight(10000));
        assertEquals(1, V1Translation.weightFromShares(2));
        assertEquals(10000, V1Translation.weightFromShares(262144));
        // runc: 1 + (1024 - 2) * 9999 / 262142, v1's default share seen from v2.
        assertEquals(39, V1Translation.weightFromShares(1024));
    }

    /**
     * v2's default weight: (100 - 1) * 262142 / 9999 = 2595.46, rounded up so that runc's
     * shares-to-weight formula, which rounds down, gives 100 back.
     */
    @Test
    void defaultWeightIsTheSmallestShareThatReadsBackAsIt() {
        assertEquals(2598, V1Translation.sharesFromWeight(100));
        assertEquals(100, V1Translation.weightFromShares(2598));
        assertEquals(99, V1Translation.weightFromShares(2597));
    }

    @Test
    void everyWeightReadsBackAsWritten() {
        for (long weight = 1; weight <= 10000; weight++) {
            assertEquals(weight, V1Translation.weightFromShares(V1Translation.sharesFromWeight(weight)),
                    "weight " + weight);
        }
    }

    /** cpu statistics live in cpuacct; the cgroup2 directory is made too, for CLONE_INTO_CGROUP. */
    @Test
    void cgroupHasADirectoryInEachHierarchyOfItsControllers() {
        assertEquals(List.of(V1.resolve("cpu").resolve(name), V1.resolve("cpuacct").resolve(name),
                        V1.resolve("memory").resolve(name), V1.resolve("pids").resolve(name),
                        V1.resolve("unified").resolve(name)),
                HostCgroups.directoriesOf(name));
        assertTrue(cgroup.hasV1());
    }

    @Test
    void cpuMaxIsCfsQuotaAndPeriod() {
        cgroup.set("cpu.max", "20000 100000");
        assertEquals("20000", v1File("cpu", "cpu.cfs_quota_us"));
        assertEquals("100000", v1File("cpu", "cpu.cfs_period_us"));
        assertEquals("20000 100000", cgroup.get("cpu.max"));

        cgroup.set("cpu.max", "max 100000");
        assertEquals("-1", v1File("cpu", "cpu.cfs_quota_us"));
        assertEquals("max 100000", cgroup.get("cpu.max"));

        cgroup.set("cpu.max", "10000 50000");
        assertEquals("10000", v1File("cpu", "cpu.cfs_quota_us"));
        assertEquals("50000", v1File("cpu", "cpu.cfs_period_us"));
        assertEquals("10000 50000", cgroup.get("cpu.max"));
    }

    @Test
    void cpuWeightIsCpuShares() {
        assertEquals("1024", v1File("cpu", "cpu.shares"), "v1's default");
        assertEquals("39", cgroup.get("cpu.weight"));

        cgroup.set("cpu.weight", "100");
        assertEquals("2598", v1File("cpu", "cpu.shares"));
        assertEquals("100", cgroup.get("cpu.weight"));
    }

    /**
     * OCI's and docker's cpu.shares go to v1's file as given: 1000 shares is weight 39, which is 999
     * shares again, so a translation through cpu.weight would lose it.
     */
    @Test
    void cpuSharesAreWrittenAsGiven() {
        assertEquals(999, V1Translation.sharesFromWeight(V1Translation.weightFromShares(1000)));

        Resources.NONE.withCpuShares(1000).applyTo(cgroup);

        assertEquals("1000", v1File("cpu", "cpu.shares"));
        assertEquals("39", cgroup.get("cpu.weight"));
    }

    @Test
    void memoryMaxIsLimitInBytes() {
        cgroup.set("memory.max", "48M");
        assertEquals("50331648", v1File("memory", "memory.limit_in_bytes"));
        assertEquals("50331648", cgroup.get("memory.max"));

        // v1 shows no limit as the largest page-aligned counter, 9223372036854771712.
        cgroup.set("memory.max", "max");
        assertEquals("max", cgroup.get("memory.max"));
    }

    /** v2 limits swap alone; v1 limits memory plus swap, so the translation adds the memory limit. */
    @Test
    void swapMaxIsMemswLessTheMemoryLimit() {
        cgroup.set("memory.max", "48M");

        cgroup.set("memory.swap.max", "0");
        assertEquals("50331648", v1File("memory", "memory.memsw.limit_in_bytes"));
        assertEquals("0", cgroup.get("memory.swap.max"));

        cgroup.set("memory.swap.max", "16M");
        assertEquals(Long.toString(64 * MIB), v1File("memory", "memory.memsw.limit_in_bytes"));
        assertEquals(Long.toString(16 * MIB), cgroup.get("memory.swap.max"));

        cgroup.set("memory.swap.max", "max");
        assertEquals("max", cgroup.get("memory.swap.max"));
    }

    @Test
    void pidsMaxIsTheSameFile() {
        cgroup.set("pids.max", "64");
        assertEquals("64", v1File("pids", "pids.max"));
        assertEquals("64", cgroup.get("pids.max").strip());

        cgroup.set("pids.max", "max");
        assertEquals("max", v1File("pids", "pids.max"));
    }

    /** What runs a container: its limits in docker's terms, written the v1 way. */
    @Test
    void resourcesLandInTheV1Files() {
        Resources.NONE.withCpus(0.5).withMemory(64 * MIB).withMemorySwap(64 * MIB).withPidsLimit(32).applyTo(cgroup);

        assertEquals("50000", v1File("cpu", "cpu.cfs_quota_us"));
        assertEquals("100000", v1File("cpu", "cpu.cfs_period_us"));
        assertEquals(Long.toString(64 * MIB), v1File("memory", "memory.limit_in_bytes"));
        assertEquals(Long.toString(64 * MIB), v1File("memory", "memory.memsw.limit_in_bytes"), "no swap");
        assertEquals("32", v1File("pids", "pids.max"));
    }

    @Test
    void countersOfAnEmptyCgroupReadAsNumbers() {
        cgroup.set("memory.max", "48M");
        cgroup.set("pids.max", "64");

        assertEquals(0, Long.parseLong(cgroup.get("memory.current")));
        assertTrue(Long.parseLong(cgroup.get("memory.peak")) >= 0);
        assertEquals(0, HostCgroups.field(cgroup.get("memory.events"), "oom_kill"));
        assertTrue(HostCgroups.field(cgroup.get("cpu.stat"), "usage_usec") >= 0);
        assertEquals(0, HostCgroups.field(cgroup.get("cgroup.events"), "populated"));

        CgroupStats stats = cgroup.stats();
        assertEquals(0, stats.memoryCurrent());
        assertEquals(48 * MIB, stats.memoryMax());
        assertEquals(0, stats.pidsCurrent());
        assertEquals(64, stats.pidsMax());
        assertEquals(0, stats.oomKills());
        assertTrue(stats.cpuUsageMicros() >= 0 && stats.memoryPeak() >= 0, stats::toString);
    }

    /** A v1 host has no cgroup.kill that reaches the v1 hierarchies: kill() signals each listed pid. */
    @Test
    void processMovedInIsInEveryHierarchyAndKilledWithIt() throws Exception {
        Process sleep = new ProcessBuilder("/bin/sleep", "30").start();
        try {
            cgroup.addProcess((int) sleep.pid());

            List<String> lines = HostCgroups.read(Path.of("/proc", Long.toString(sleep.pid()), "cgroup")).lines().toList();
            for (String hierarchy : List.of(":cpu:", ":cpuacct:", ":memory:", ":pids:")) {
                assertTrue(lines.stream().anyMatch(l -> l.contains(hierarchy + "/" + name)), hierarchy + " in " + lines);
            }
            assertTrue(lines.contains("0::/" + name), lines::toString);
            assertTrue(cgroup.populated());
            assertEquals(1, cgroup.stats().pidsCurrent());

            cgroup.kill();

            assertTrue(sleep.waitFor(10, TimeUnit.SECONDS), "still running 10 s after kill()");
            assertEquals(128 + 9, sleep.exitValue(), "killed by SIGKILL");
            awaitEmpty(cgroup, Duration.ofSeconds(2));
        } finally {
            sleep.destroyForcibly().waitFor();
        }
    }

    @Test
    void unknownKeysAreCgroupErrors() {
        assertThrows(CgroupException.class, () -> cgroup.get("memory.high"), "v1 has no equivalent");
        assertThrows(CgroupException.class, () -> cgroup.set("memory.high", "32M"));
        assertThrows(CgroupException.class, () -> cgroup.set("cpu.idle", "1"));
        assertThrows(CgroupException.class, () -> cgroup.get("io.max"), "not one of this cgroup's controllers");
        assertThrows(CgroupException.class, () -> cgroup.get("nonsense"), "not a key");
        assertThrows(CgroupException.class, () -> cgroup.get("../memory.max"), "not a key");
    }

    @Test
    void deleteRemovesEveryDirectory() {
        assertFalse(HostCgroups.directoriesOf(name).isEmpty());

        cgroup.delete();

        assertEquals(List.of(), HostCgroups.directoriesOf(name));
    }

    /** The kernel updates cgroup.procs as a task exits, a moment after its parent sees it gone. */
    private static void awaitEmpty(Cgroup cgroup, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (cgroup.populated()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("cgroup still populated " + timeout + " after its task died");
            }
            Thread.sleep(10);
        }
    }
}
