package caixa.runtime;

import caixa.cgroups.Resources;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parts of rootless mode that are plain data: /etc/subuid ranges, the controllers limits need. */
class RootlessMappingsTest {
    @Test
    void subordinateRangesAreTheUsersByNameOrUidInFileOrder(@TempDir Path dir) throws IOException {
        Path subuid = Files.writeString(dir.resolve("subuid"), """
                other:100000:65536
                alice:165536:65536
                1001:300000:1000
                alice:400000:0
                """);

        assertEquals(List.of(new IdMapping(0, 165536, 65536), new IdMapping(0, 300000, 1000)),
                Rootless.subordinateRanges(subuid, "alice", 1001));
        assertEquals(List.of(), Rootless.subordinateRanges(subuid, "bob", 1002));
        assertEquals(List.of(), Rootless.subordinateRanges(dir.resolve("absent"), "alice", 1001));
    }

    @Test
    void aMalformedRangeIsAnErrorNamingTheFile(@TempDir Path dir) throws IOException {
        Path subuid = Files.writeString(dir.resolve("subuid"), "alice:lots:65536\n");

        ContainerException e = assertThrows(ContainerException.class,
                () -> Rootless.subordinateRanges(subuid, "alice", 1001));
        assertTrue(e.getMessage().startsWith(subuid + ": 'alice:lots:65536': "), e.getMessage());
    }

    @Test
    void aContainersCgroupHoldsTheControllersItsLimitsNeed() {
        assertEquals(Set.of(), Rootless.cgroupControllers(Resources.NONE));
        assertEquals(Set.of("memory", "pids"),
                Rootless.cgroupControllers(Resources.NONE.withMemory(32 << 20).withPidsLimit(20)));
        assertEquals(Set.of("cpu", "cpuset"), Rootless.cgroupControllers(Resources.NONE.withCpus(0.5).withCpusetCpus("0")));
        assertEquals(Set.of("cpu"), Rootless.cgroupControllers(Resources.NONE.withCpuShares(512)));
    }
}
