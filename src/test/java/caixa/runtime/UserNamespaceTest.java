package caixa.runtime;

import caixa.spawn.ExitStatus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Root in the container, an unprivileged range on the host. */
@ExtendWith(NothingLeftBehind.class)
class UserNamespaceTest {
    private static final IdMapping RANGE = IdMapping.parse("0:100000:65536");

    private static ContainerSpec.Builder mapped(String script) {
        return Run.sh(script).userNamespace(List.of(RANGE), List.of(RANGE));
    }

    @Test
    void containerRootIsUidZeroInside() {
        assertEquals("0 0", Run.stdout(mapped("echo $(id -u) $(id -g)")));
    }

    /** The kernel pads the columns; the values are what count. */
    @Test
    void idMapsAreWrittenAsGiven() {
        String maps = Run.stdout(mapped("cat /proc/self/uid_map /proc/self/gid_map"));

        assertEquals(List.of("0 100000 65536", "0 100000 65536"), normalized(maps));
    }

    @Test
    void containerHasItsOwnUserNamespace() throws IOException {
        String inside = Run.stdout(mapped("readlink /proc/self/ns/user"));

        assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString(), inside);
    }

    /** Read while the container runs: /proc/PID/status of a reaped process is gone. */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void hostSeesContainerRootAsTheMappedUid() throws IOException {
        ContainerSpec spec = mapped("id -u; read line").stdin(Stdio.PIPE).stdout(Stdio.PIPE).stderr(Stdio.PIPE).build();
        try (Container container = Container.start(spec)) {
            assertEquals("0", Run.firstLine(container));

            List<String> status = Files.readAllLines(Path.of("/proc", Integer.toString(container.pid()), "status"));
            assertEquals("Uid:\t100000\t100000\t100000\t100000", field(status, "Uid:"));
            assertEquals("Gid:\t100000\t100000\t100000\t100000", field(status, "Gid:"));

            Run.endInput(container);
            assertEquals(ExitStatus.exited(0), container.waitFor());
        }
    }

    @Test
    void mapRootUserMapsOneId() {
        String out = Run.stdout(Run.sh("id -u; cat /proc/self/uid_map /proc/self/gid_map").mapRootUser(0, 0));

        assertEquals(List.of("0", "0 0 1", "0 0 1"), normalized(out));
    }

    private static List<String> normalized(String lines) {
        return lines.lines().map(line -> line.strip().replaceAll("\\s+", " ")).toList();
    }

    private static String field(List<String> status, String name) {
        return status.stream().filter(line -> line.startsWith(name)).findFirst().orElseThrow();
    }
}
