package caixa.runtime;

import caixa.cgroups.Cgroup;
import caixa.cgroups.CgroupLayout;
import caixa.cgroups.CgroupLease;
import caixa.cgroups.CgroupStats;
import caixa.cgroups.HostCgroups;
import caixa.cgroups.Resources;
import caixa.cgroups.StaleCgroups;
import caixa.spawn.ExitStatus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Docker's limits on a real kernel: a busy loop held to its CPU share, a memory hog OOM-killed
 * inside its cgroup alone, a fork loop stopped at its task limit, and every cgroup gone afterwards.
 * Measured values go to stdout, to be quoted.
 */
@ExtendWith(NothingLeftBehind.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CgroupLimitsTest {
    private static final long MIB = 1 << 20;
    private static final int SIGKILL = 9;

    /** Every cgroup path a test made or had caixa make: none may remain in any hierarchy. */
    private final List<String> cgroupPaths = new ArrayList<>();

    /** A container id whose default cgroup, caixa/ID, this test watches. */
    private String newContainerId() {
        String id = HostCgroups.uniqueName();
        cgroupPaths.add(ContainerSpec.defaultCgroup(id));
        return id;
    }

    private String newCgroupPath(String prefix) {
        String path = prefix + HostCgroups.uniqueName();
        cgroupPaths.add(path);
        return path;
    }

    /**
     * Only this test's own names are looked for: on a shared host other runs' containers come and go
     * under /sys/fs/cgroup/&#42;/caixa meanwhile.
     */
    @AfterEach
    void noCgroupLeftInAnyHierarchy() {
        Map<String, List<Path>> left = new TreeMap<>();
        for (String path : cgroupPaths) {
            List<Path> dirs = HostCgroups.directoriesOf(path);
            if (!dirs.isEmpty()) {
                left.put(path, dirs);
            }
        }
        assertEquals(Map.of(), left, "cgroups left behind");
    }

    @Test
    void busyLoopIsHeldToItsCpuShare() throws InterruptedException {
        ContainerSpec spec = Run.sh("timeout 20 dd if=/dev/zero of=/dev/null bs=8k")
                .id(newContainerId())
                .stdout(Stdio.NULL).stderr(Stdio.NULL)
                .resources(Resources.NONE.withCpus(0.2))
                .build();
        try (Container container = Container.start(spec)) {
            // The first moments go to exec'ing sh, timeout and dd: measure the loop alone.
            Thread.sleep(500);
            Sample first = Sample.of(container);
            Thread.sleep(3000);
            Sample last = Sample.of(container);

            double share = (double) (last.usageMicros - first.usageMicros) / (last.wallMicros - first.wallMicros);
            System.out.printf(Locale.ROOT, "CPU: --cpus 0.2, dd busy loop: %.3f s of CPU in %.3f s: share %.3f%n",
                    (last.usageMicros - first.usageMicros) / 1e6, (last.wallMicros - first.wallMicros) / 1e6, share);
            assertTrue(share >= 0.17 && share <= 0.23, "CPU share " + share + ", expected 0.2 ± 0.03");

            assertTrue(container.kill());
            assertEquals(ExitStatus.killed(SIGKILL), container.waitFor());
        }
    }

    private record Sample(long usageMicros, long wallMicros) {
        /** Wall time taken halfway through the read, so the read's own duration cancels out. */
        static Sample of(Container container) {
            long before = System.nanoTime();
            CgroupStats stats = container.stats().orElseThrow(() -> new AssertionError("no cgroup statistics"));
            long after = System.nanoTime();
            assertTrue(stats.cpuUsageMicros() >= 0, "this host keeps no CPU usage counter");
            return new Sample(stats.cpuUsageMicros(), (before + after) / 2000);
        }
    }

    /**
     * The cgroup is made beforehand, so that caixa joins it rather than creates it, and so leaves it
     * in place: its counters can be read once the container is gone.
     */
    @Test
    void memoryHogIsOomKilledInsideItsCgroupOnly() {
        long hostOomKillsBefore = thisJvmsOomKills();
        String path = newCgroupPath("");
        try (Cgroup cgroup = Cgroup.createForContainer(CgroupLayout.host(), path)) {
            try {
                ContainerSpec spec = ContainerSpec.builder(TestRootfs.busybox(),
                                "dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1")
                        .stdin(Stdio.NULL).stdout(Stdio.PIPE).stderr(Stdio.PIPE)
                        .resources(Resources.NONE.withMemory(48 * MIB).withMemorySwap(48 * MIB))
                        .cgroup(path)
                        .build();
                Container.Output output;
                String report;
                try (Container container = Container.start(spec)) {
                    output = container.output();
                    assertTrue(container.oomKilled(), "oomKilled()");
                    report = container.oomReport().orElseThrow(() -> new AssertionError("no OOM report"));
                }

                long peak = Long.parseLong(cgroup.get("memory.peak").strip());
                long oomKills = HostCgroups.field(cgroup.get("memory.events"), "oom_kill");
                System.out.printf(Locale.ROOT, "Memory: --memory 48M --memory-swap 48M, dd bs=100M: %s (exit %d); "
                                + "report \"%s\"; memory.peak %d (%.2f MiB); memory.events oom_kill %d%n",
                        output.status(), output.status().shellCode(), report, peak, (double) peak / MIB, oomKills);

                assertEquals(ExitStatus.killed(SIGKILL), output.status(), () -> "stderr: " + output.stderr());
                assertEquals(137, output.status().shellCode());
                assertTrue(report.startsWith("out of memory") && report.contains("48 MiB"), report);
                assertTrue(peak <= 48 * MIB, "memory.peak " + peak + " above the limit");
                assertTrue(peak > 40 * MIB, "memory.peak " + peak + ": the hog never came near the limit");
                assertTrue(oomKills >= 1, "memory.events oom_kill " + oomKills);
            } finally {
                cgroup.delete();
            }
        }
        assertEquals(hostOomKillsBefore, thisJvmsOomKills(), "OOM kills in this JVM's own memory cgroup");
    }

    /**
     * The OOM killer's count in the memory cgroup this JVM runs in (read from the host's files): the
     * v1 memory hierarchy's memory.oom_control, or on a unified host cgroup2's memory.events.
     */
    private static long thisJvmsOomKills() {
        List<String> lines = HostCgroups.read(Path.of("/proc/self/cgroup")).lines().toList();
        if (HostCgroups.unifiedHost()) {
            String path = lines.stream().filter(line -> line.startsWith("0::/")).findFirst()
                    .orElseThrow(() -> new AssertionError("this JVM is in no cgroup2 cgroup: " + lines)).substring(4);
            Path events = HostCgroups.ROOT.resolve(path).resolve("memory.events");
            assertTrue(!path.isEmpty() && java.nio.file.Files.exists(events),
                    "this JVM runs in cgroup2's root, which keeps no memory.events");
            return HostCgroups.field(HostCgroups.read(events), "oom_kill");
        }
        String memoryLine = lines.stream()
                .filter(line -> line.split(":", 3)[1].equals("memory"))
                .findFirst().orElseThrow(() -> new AssertionError("this JVM is in no v1 memory cgroup"));
        Path dir = HostCgroups.ROOT.resolve("memory").resolve(memoryLine.split(":", 3)[2].substring(1));
        return HostCgroups.field(HostCgroups.read(dir.resolve("memory.oom_control")), "oom_kill");
    }

    /**
     * The loop runs in a subshell, so a refused fork ends the subshell (ash gives up on "can't fork")
     * but not the container's init, which then waits on stdin while the test reads the counters.
     */
    @Test
    void forkLoopStopsAtThePidsLimit() throws IOException {
        ContainerSpec spec = Run.sh("""
                        ( i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i+1)); echo $i; done )
                        echo refused
                        read line
                        """)
                .id(newContainerId())
                .stdin(Stdio.PIPE).stdout(Stdio.PIPE).stderr(Stdio.PIPE)
                .resources(Resources.NONE.withPidsLimit(16))
                .build();
        try (Container container = Container.start(spec)) {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(container.stdout(), StandardCharsets.UTF_8));
            int started = 0;
            for (String line = stdout.readLine(); !"refused".equals(line); line = stdout.readLine()) {
                assertNotNull(line, "the container ended before its loop did");
                started = Integer.parseInt(line);
            }
            CgroupStats stats = container.stats().orElseThrow(() -> new AssertionError("no cgroup statistics"));

            Run.endInput(container);
            String stderr = new String(container.stderr().readAllBytes(), StandardCharsets.UTF_8);
            ExitStatus status = container.waitFor();
            System.out.printf(Locale.ROOT, "pids: --pids-limit 16: %d of 40 sleeps started; pids.current %d, "
                    + "pids.max %d; stderr \"%s\"%n", started, stats.pidsCurrent(), stats.pidsMax(), stderr.strip());

            assertEquals(ExitStatus.exited(0), status, () -> "stderr: " + stderr);
            assertTrue(stderr.contains("can't fork"), "stderr: " + stderr);
            assertEquals(16, stats.pidsMax());
            // The init, the subshell and its sleeps fill the 16 slots; the subshell's has been freed since.
            assertEquals(16 - 2, started, "sleeps started before the first refused fork");
            assertEquals(1 + started, stats.pidsCurrent(), "tasks: the init and the sleeps");
        }
    }

    /**
     * cpu.shares as OCI and docker give it reaches the kernel: on the hybrid host v1's own cpu.shares
     * file holds exactly 1000 (through cpu.weight it would come back as 999: the weight scale is
     * coarser), on a unified host cpu.weight holds runc's conversion of it, 39.
     */
    @Test
    void cpuSharesReachTheKernelsFile() throws IOException {
        String id = newContainerId();
        String path = ContainerSpec.defaultCgroup(id);
        ContainerSpec spec = Run.sh("echo ready; read line")
                .id(id)
                .stdin(Stdio.PIPE).stdout(Stdio.PIPE).stderr(Stdio.NULL)
                .resources(Resources.NONE.withCpuShares(1000))
                .build();
        try (Container container = Container.start(spec)) {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(container.stdout(), StandardCharsets.UTF_8));
            assertEquals("ready", stdout.readLine());
            if (HostCgroups.unifiedHost()) {
                assertEquals("39", HostCgroups.read(HostCgroups.ROOT.resolve(path).resolve("cpu.weight")));
            } else {
                assertEquals("1000", HostCgroups.read(HostCgroups.ROOT.resolve("cpu").resolve(path).resolve("cpu.shares")));
            }
            Run.endInput(container);
            assertEquals(ExitStatus.exited(0), container.waitFor());
        }
    }

    /**
     * A caixa killed before it removed its container's cgroup leaves one, empty, with a lease file
     * no one holds: the sweep removes both.
     */
    @Test
    void sweepRemovesAnAbandonedCaixaCgroupFromEveryHierarchy() {
        String path = newCgroupPath(StaleCgroups.PARENT + "/");
        HostCgroups.abandonLease(path);
        Cgroup.create(CgroupLayout.host(), path, Set.of("cpu", "memory", "pids")).close();
        assertEquals(hierarchiesOfCpuMemoryPids(path), HostCgroups.directoriesOf(path));

        Set<String> removed = StaleCgroups.sweep(CgroupLayout.host());

        assertTrue(removed.contains(path), "swept: " + removed);
        assertEquals(List.of(), HostCgroups.directoriesOf(path));
        assertFalse(HostCgroups.hasLeaseFile(path), "the abandoned lease file goes with its cgroup");
    }

    /**
     * No lease file: no leasing caixa made it, or its lease was handed over (an OCI container's
     * cgroup, owned by its state until delete). Empty or not, it is not the sweep's.
     */
    @Test
    void sweepLeavesACaixaCgroupThatHasNoLeaseFile() {
        String path = newCgroupPath(StaleCgroups.PARENT + "/");
        try (Cgroup cgroup = Cgroup.create(CgroupLayout.host(), path, Set.of("cpu", "memory", "pids"))) {
            try {
                Set<String> removed = StaleCgroups.sweep(CgroupLayout.host());

                assertFalse(removed.contains(path), "swept: " + removed);
                assertEquals(hierarchiesOfCpuMemoryPids(path), HostCgroups.directoriesOf(path));
            } finally {
                cgroup.deleteCreated(0);
            }
        }
    }

    @Test
    void sweepLeavesALeasedCaixaCgroup() {
        String path = newCgroupPath(StaleCgroups.PARENT + "/");
        try (CgroupLease ignored = CgroupLease.acquire(path);
             Cgroup cgroup = Cgroup.create(CgroupLayout.host(), path, Set.of("cpu", "memory", "pids"))) {
            try {
                Set<String> removed = StaleCgroups.sweep(CgroupLayout.host());

                assertFalse(removed.contains(path), "swept: " + removed);
                assertEquals(hierarchiesOfCpuMemoryPids(path), HostCgroups.directoriesOf(path));
            } finally {
                cgroup.deleteCreated(0);
            }
        }
    }

    /**
     * Where a cgroup with the cpu, memory and pids controllers has its directories: the one cgroup2
     * directory on a unified host; on the hybrid host one per v1 hierarchy (cpu statistics live in
     * cpuacct), plus the cgroup2 one that CLONE_INTO_CGROUP needs.
     */
    private static List<Path> hierarchiesOfCpuMemoryPids(String path) {
        if (HostCgroups.unifiedHost()) {
            return List.of(HostCgroups.ROOT.resolve(path));
        }
        return List.of("cpu", "cpuacct", "memory", "pids", "unified").stream()
                .map(hierarchy -> HostCgroups.ROOT.resolve(hierarchy).resolve(path)).toList();
    }

    /**
     * A container with limits is in its cgroup from its first instruction, with the limits in the
     * kernel's own files: on a unified host it is cloned into the cgroup2 directory (CLONE_INTO_CGROUP)
     * whose cpu, memory and pids controllers were handed down through every ancestor, and cpu.max,
     * memory.max and pids.max hold the limits; on the hybrid host the parent writes it into each v1
     * hierarchy before releasing it, and the v1 files (cfs quota and period, limit_in_bytes, pids.max)
     * hold them. Either way its cgroup namespace is rooted at that cgroup in every hierarchy.
     */
    @Test
    void containerStartsInsideItsLimitedCgroup() throws IOException {
        String id = newContainerId();
        String path = ContainerSpec.defaultCgroup(id);
        ContainerSpec spec = Run.sh("cat /proc/self/cgroup; echo ready; read line")
                .id(id)
                .stdin(Stdio.PIPE).stdout(Stdio.PIPE).stderr(Stdio.PIPE)
                .resources(Resources.NONE.withCpus(0.2).withMemory(48 * MIB).withPidsLimit(16))
                .build();
        try (Container container = Container.start(spec)) {
            // Read before anything else: spawn has returned, so the kernel must already say so.
            List<String> seenFromHost = HostCgroups.read(Path.of("/proc", Integer.toString(container.pid()), "cgroup"))
                    .lines().toList();

            List<String> seenInside = new ArrayList<>();
            BufferedReader stdout = new BufferedReader(new InputStreamReader(container.stdout(), StandardCharsets.UTF_8));
            for (String line = stdout.readLine(); !"ready".equals(line); line = stdout.readLine()) {
                assertNotNull(line, "the container ended before it was ready");
                seenInside.add(line);
            }
            String pid = Integer.toString(container.pid());
            if (HostCgroups.unifiedHost()) {
                Path dir = HostCgroups.ROOT.resolve(path);
                assertEquals(List.of("0::/" + path), seenFromHost, "/proc/" + pid + "/cgroup");
                assertEquals("20000 100000", HostCgroups.read(dir.resolve("cpu.max")));
                assertEquals("50331648", HostCgroups.read(dir.resolve("memory.max")));
                assertEquals("16", HostCgroups.read(dir.resolve("pids.max")));
                Set<String> controllers = Set.of(HostCgroups.read(dir.resolve("cgroup.controllers")).split("\\s+"));
                assertTrue(controllers.containsAll(Set.of("cpu", "memory", "pids")), "cgroup.controllers " + controllers);
                assertEquals(pid, HostCgroups.read(dir.resolve("cgroup.procs")));
                assertEquals(List.of("0::/"), seenInside, "/proc/self/cgroup inside");
            } else {
                for (String hierarchy : List.of("cpu", "cpuacct", "memory", "pids")) {
                    assertTrue(seenFromHost.stream().anyMatch(l -> l.matches("\\d+:([^:]*,)?" + hierarchy + "(,[^:]*)?:/" + path)),
                            hierarchy + " in " + seenFromHost);
                    assertEquals(pid, HostCgroups.read(HostCgroups.ROOT.resolve(hierarchy).resolve(path).resolve("cgroup.procs")),
                            "cgroup.procs of " + hierarchy);
                }
                assertTrue(seenFromHost.contains("0::/" + path), seenFromHost::toString);
                Path v1 = HostCgroups.ROOT;
                assertEquals("20000", HostCgroups.read(v1.resolve("cpu").resolve(path).resolve("cpu.cfs_quota_us")));
                assertEquals("100000", HostCgroups.read(v1.resolve("cpu").resolve(path).resolve("cpu.cfs_period_us")));
                assertEquals("50331648", HostCgroups.read(v1.resolve("memory").resolve(path).resolve("memory.limit_in_bytes")));
                assertEquals("16", HostCgroups.read(v1.resolve("pids").resolve(path).resolve("pids.max")));
                for (String line : seenInside) {
                    assertTrue(line.endsWith(":/"), "/proc/self/cgroup inside: " + seenInside);
                }
            }
            System.out.printf(Locale.ROOT, "Placement: /proc/%s/cgroup %s; inside %s%n", pid, seenFromHost, seenInside);

            Run.endInput(container);
            assertEquals(ExitStatus.exited(0), container.waitFor());
        }
    }
}
