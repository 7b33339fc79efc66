package caixa.runtime;

import caixa.rootfs.Volume;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Containers that cannot start: the exit status a shell would report, a message naming the culprit,
 * and nothing left behind. Every spec pipes all three streams, so a failure path that forgets a
 * descriptor shows.
 */
@ExtendWith(NothingLeftBehind.class)
class StartErrorTest {

    /** Loads and opens whatever a first container needs, so the baselines below count only what a start leaves. */
    @BeforeAll
    static void warmUp() {
        Run.stdout(Run.sh("true"));
    }

    @Test
    void commandNotFoundIs127() {
        Leaks.Baseline baseline = Leaks.baseline();

        ContainerException e = assertThrows(ContainerException.class,
                () -> start(ContainerSpec.builder(TestRootfs.busybox(), "no-such-command")));

        assertEquals(ContainerException.NOT_FOUND, e.exitCode());
        assertTrue(e.getMessage().contains("no-such-command"), e.getMessage());
        baseline.assertNoLeaks();
    }

    @Test
    void commandNotExecutableIs126() {
        Leaks.Baseline baseline = Leaks.baseline();

        ContainerException e = assertThrows(ContainerException.class,
                () -> start(ContainerSpec.builder(TestRootfs.busybox(), "/etc/passwd")));

        assertEquals(ContainerException.NOT_EXECUTABLE, e.exitCode());
        assertTrue(e.getMessage().contains("/etc/passwd"), e.getMessage());
        baseline.assertNoLeaks();
    }

    @Test
    void missingRootfsIs125() {
        Path missing = Path.of("/nonexistent");
        assertFalse(Files.exists(missing), missing + " must not exist on the host");
        Leaks.Baseline baseline = Leaks.baseline();

        ContainerException e = assertThrows(ContainerException.class,
                () -> start(ContainerSpec.builder(missing, "sh")));

        assertEquals(ContainerException.RUNTIME_ERROR, e.exitCode());
        assertEquals("rootfs /nonexistent: no such directory", e.getMessage());
        baseline.assertNoLeaks();
    }

    @Test
    void missingVolumeSourceIs125(@TempDir Path host) {
        Path missing = host.resolve("missing");
        String target = "/" + TestRootfs.uniqueName("vol");
        Leaks.Baseline baseline = Leaks.baseline();

        ContainerException e = assertThrows(ContainerException.class,
                () -> start(Run.sh("true").volume(new Volume(missing, target, false))));

        assertEquals(ContainerException.RUNTIME_ERROR, e.exitCode());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertFalse(Files.exists(TestRootfs.busybox().resolve(target.substring(1))),
                "a mount point was created for a volume that cannot be mounted");
        baseline.assertNoLeaks();
    }

    private static void start(ContainerSpec.Builder spec) {
        Container.start(spec.stdin(Stdio.PIPE).stdout(Stdio.PIPE).stderr(Stdio.PIPE).build()).close();
    }
}
