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
    /** Root maps any range; a rootless caller only its own /etc/subuid and /etc/subgid ranges (newuidmap checks). */
    private static final IdMapping UIDS = range(Path.of("/etc/subuid"));
    private static final IdMapping GIDS = range(Path.of("/etc/subgid"));

    private static IdMapping range(Path subordinateFile) {
        if (!Rootless.active()) {
            return IdMapping.parse("0:100000:65536");
        }
        IdMapping own = Rootless.subordinateRanges(subordinateFile, System.getProperty("user.name"),
                caixa.linux.Linux.geteuid()).stream().findFirst()
                .orElseThrow(() -> new IllegalStateException(subordinateFile + " has no range for this user"));
        return new IdMapping(0, own.hostId(), Math.min(own.count(), 65536));
    }

    private static ContainerSpec.Builder mapped(String script) {
        return Run.sh(script).userNamespace(List.of(UIDS), List.of(GIDS));
    }

    @Test
    void containerRootIsUidZeroInside() {
        assertEquals("0 0", Run.stdout(mapped("echo $(id -u) $(id -g)")));
    }

    /** The kernel pads the columns; the values are what count. */
    @Test
    void idMapsAreWrittenAsGiven() {
        String maps = Run.stdout(mapped("cat /proc/self/uid_map /proc/self/gid_map"));

        assertEquals(List.of(UIDS.line().strip(), GIDS.line().strip()), normalized(maps));
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
            assertEquals("Uid:" + ("\t" + UIDS.hostId()).repeat(4), field(status, "Uid:"));
            assertEquals("Gid:" + ("\t" + GIDS.hostId()).repeat(4), field(status, "Gid:"));

            Run.endInput(container);
            assertEquals(ExitStatus.exited(0), container.waitFor());
        }
    }

    @Test
    void mapRootUserMapsOneId() {
        int uid = caixa.linux.Linux.geteuid();
        int gid = caixa.linux.Linux.getegid();
        String out = Run.stdout(Run.sh("id -u; cat /proc/self/uid_map /proc/self/gid_map").mapRootUser(uid, gid));

        assertEquals(List.of("0", "0 " + uid + " 1", "0 " + gid + " 1"), normalized(out));
    }

    private static List<String> normalized(String lines) {
        return lines.lines().map(line -> line.strip().replaceAll("\\s+", " ")).toList();
    }

    private static String field(List<String> status, String name) {
        return status.stream().filter(line -> line.startsWith(name)).findFirst().orElseThrow();
    }
}
