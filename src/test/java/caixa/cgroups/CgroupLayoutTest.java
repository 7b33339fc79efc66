package caixa.cgroups;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finding each controller's hierarchy in /proc/self/mountinfo, on the three kinds of host runc knows. */
class CgroupLayoutTest {

    /** Fedora, Ubuntu 22.04 and later: one cgroup2 mount holds every controller. */
    private static final String UNIFIED = """
            22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
            26 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
            30 26 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
            """;

    /**
     * systemd's hybrid setup (Ubuntu 20.04, Debian 10): v1 hierarchies, cpu and cpuacct co-mounted,
     * plus a cgroup2 mount for systemd's own tracking that holds no controller.
     */
    private static final String HYBRID = """
            25 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
            26 25 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755
            27 26 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate
            28 26 0:25 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,name=systemd
            31 26 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpu,cpuacct
            32 26 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,memory
            33 26 0:30 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,net_cls,net_prio
            34 26 0:31 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,pids
            35 26 0:32 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,blkio
            """;

    /**
     * CentOS 7 style: v1 only. The pids hierarchy is mounted at a path with a space, which mountinfo
     * writes as \040; the co-mount lists its controllers in the other order.
     */
    private static final String LEGACY = """
            18 60 0:17 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw,seclabel
            24 18 0:20 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:7 - tmpfs tmpfs ro,seclabel,mode=755
            25 24 0:21 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd
            28 24 0:24 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,cpuacct,cpu
            29 24 0:25 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,memory
            40 60 0:36 / /srv/my\\040cgroups/pids rw,relatime shared:20 master:3 - cgroup cgroup rw,pids
            """;

    @Test
    void unifiedHostHasEveryControllerInCgroup2() {
        List<Path> asked = new ArrayList<>();
        CgroupLayout layout = CgroupLayout.parse(UNIFIED, mount -> {
            asked.add(mount);
            return "cpuset cpu io memory hugetlb pids rdma misc\n";
        });

        assertEquals(CgroupMode.UNIFIED, layout.mode());
        assertEquals(Path.of("/sys/fs/cgroup"), layout.unified());
        assertEquals(List.of(Path.of("/sys/fs/cgroup")), asked, "cgroup.controllers is read at the cgroup2 root");
        assertEquals(Set.of("cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"),
                layout.unifiedControllers());
        assertEquals(Map.of(), layout.v1());
        assertTrue(layout.inUnified("memory"));
        assertFalse(layout.inV1("memory"));
    }

    @Test
    void hybridHostKeepsControllersInV1AndFindsCoMountedOnes() {
        CgroupLayout layout = CgroupLayout.parse(HYBRID, mount -> "\n");

        assertEquals(CgroupMode.HYBRID, layout.mode());
        assertEquals(Path.of("/sys/fs/cgroup/unified"), layout.unified());
        assertEquals(Set.of(), layout.unifiedControllers(), "an empty cgroup.controllers is no controller");
        Path cpuCpuacct = Path.of("/sys/fs/cgroup/cpu,cpuacct");
        assertEquals(Map.of("cpu", cpuCpuacct, "cpuacct", cpuCpuacct,
                        "memory", Path.of("/sys/fs/cgroup/memory"),
                        "pids", Path.of("/sys/fs/cgroup/pids"),
                        "blkio", Path.of("/sys/fs/cgroup/blkio")),
                layout.v1(), "name=systemd and net_cls,net_prio are hierarchies, but none a container joins");
        assertTrue(layout.inV1("memory"));
        assertFalse(layout.inUnified("memory"));
        assertTrue(layout.inV1("io"), "v2's io is v1's blkio");
    }

    @Test
    void legacyHostHasNoCgroup2AndUnescapesMountPoints() {
        Function<Path, String> noCgroup2 = mount -> {
            throw new AssertionError("cgroup.controllers read on a host without cgroup2, at " + mount);
        };
        CgroupLayout layout = CgroupLayout.parse(LEGACY, noCgroup2);

        assertEquals(CgroupMode.LEGACY, layout.mode());
        assertNull(layout.unified());
        assertEquals(Set.of(), layout.unifiedControllers());
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), layout.v1().get("cpu"));
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), layout.v1().get("cpuacct"));
        assertEquals(Path.of("/srv/my cgroups/pids"), layout.v1().get("pids"));
        assertFalse(layout.inUnified("pids"));
    }

    /** A hierarchy bind-mounted again (into a chroot, say) is still found where the host mounted it first. */
    @Test
    void firstMountOfAHierarchyWins() {
        String mountinfo = LEGACY + """
                90 60 0:25 / /var/lib/jail/sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
                """;

        assertEquals(Path.of("/sys/fs/cgroup/memory"), CgroupLayout.parse(mountinfo, m -> "").v1().get("memory"));
    }

    /** The kernel binds a controller to one hierarchy; where both claim it, the v1 one has it. */
    @Test
    void v1HierarchyWinsOverCgroup2() {
        CgroupLayout layout = new CgroupLayout(CgroupMode.HYBRID, Path.of("/sys/fs/cgroup/unified"),
                Set.of("memory", "hugetlb"), Map.of("memory", Path.of("/sys/fs/cgroup/memory")));

        assertFalse(layout.inUnified("memory"));
        assertTrue(layout.inUnified("hugetlb"));
    }

    @Test
    void noCgroupMountIsAnError() {
        String mountinfo = "22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n";

        CgroupException e = assertThrows(CgroupException.class, () -> CgroupLayout.parse(mountinfo, m -> ""));
        assertTrue(e.getMessage().contains("no cgroup or cgroup2 filesystem"), e.getMessage());
    }

    /**
     * The CI host (and the development machine) is hybrid: the usual v1 hierarchies, and cgroup2 at
     * /sys/fs/cgroup/unified with what v1 left it. The cgroup2 VM lane is unified: cgroup2 at
     * /sys/fs/cgroup with every controller, and no v1 hierarchy. Which one this is comes from the
     * filesystem type of /sys/fs/cgroup, not from the code under test.
     */
    @Test
    void thisHostsLayoutIsWhatItsCgroupMountsSay() {
        CgroupLayout layout = CgroupLayout.host();

        if (HostCgroups.unifiedHost()) {
            assertEquals(CgroupMode.UNIFIED, layout.mode());
            assertEquals(Path.of("/sys/fs/cgroup"), layout.unified());
            assertEquals(Map.of(), layout.v1());
            for (String controller : List.of("cpu", "memory", "pids", "cpuset", "io")) {
                assertTrue(layout.inUnified(controller), controller);
                assertFalse(layout.inV1(controller), controller);
            }
        } else {
            assertEquals(CgroupMode.HYBRID, layout.mode());
            assertEquals(Path.of("/sys/fs/cgroup/unified"), layout.unified());
            assertEquals(Path.of("/sys/fs/cgroup/memory"), layout.v1().get("memory"));
            assertEquals(Set.of("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"),
                    layout.v1().keySet());
            assertTrue(layout.inV1("memory"));
            assertFalse(layout.inUnified("memory"));
        }
        String controllers = HostCgroups.read(layout.unified().resolve("cgroup.controllers"));
        assertEquals(controllers.isEmpty() ? Set.of() : Set.of(controllers.split("\\s+")), layout.unifiedControllers());
    }
}
