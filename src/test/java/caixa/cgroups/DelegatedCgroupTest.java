package caixa.cgroups;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How a caller's cgroups are read from /proc/self/cgroup, on each layout. */
class DelegatedCgroupTest {
    @Test
    void hybridHostGivesEachV1ControllerItsPathAndCgroup2TheEmptyName() {
        Map<String, String> paths = DelegatedCgroup.parseProcCgroup("""
                9:name=systemd:/
                8:pids:/caixa-rl
                4:memory:/process_api/c2d5
                2:cpu,cpuacct:/
                0::/user.slice/app.scope
                """);

        assertEquals("caixa-rl", paths.get("pids"));
        assertEquals("process_api/c2d5", paths.get("memory"));
        assertEquals("", paths.get("cpu"));
        assertEquals("", paths.get("cpuacct"));
        assertEquals("user.slice/app.scope", paths.get(""));
    }

    @Test
    void unifiedHostHasOnlyTheCgroup2Line() {
        assertEquals(Map.of("", "lane"), DelegatedCgroup.parseProcCgroup("0::/lane\n"));
    }

    @Test
    void aMissingMessageNamesTheKeyFirst() {
        DelegatedCgroup.Missing missing = new DelegatedCgroup.Missing("memory.max", "memory cgroup /x is not writable by uid 1001");

        assertEquals("memory.max", missing.what());
        assertEquals("memory.max: rootless: no delegated cgroup (memory cgroup /x is not writable by uid 1001)",
                missing.getMessage());
    }
}
