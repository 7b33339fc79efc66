package caixa.runtime;

import caixa.spawn.ExitStatus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a container ends, and what the host learns of it. */
@ExtendWith(NothingLeftBehind.class)
class ExitAndSignalTest {
    private static final int SIGKILL = 9;
    private static final int SIGTERM = 15;

    @Test
    void exitCodeIsPropagated() {
        ExitStatus status = Run.output(Run.sh("exit 42")).status();

        assertEquals(ExitStatus.exited(42), status);
        assertEquals(42, status.shellCode());
    }

    /** SIGKILL from the parent pid namespace reaches even an init, which ignores signals it has no handler for. */
    @Test
    void killedContainerReportsTheSignal() {
        try (Container container = Container.start(Run.sh("sleep 100").build())) {
            assertTrue(container.kill());

            ExitStatus status = container.waitFor(Duration.ofSeconds(10))
                    .orElseThrow(() -> new AssertionError("still running 10 s after SIGKILL"));

            assertEquals(ExitStatus.killed(SIGKILL), status);
            assertEquals(137, status.shellCode());
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void signalReachesTheCommandsHandler() throws IOException {
        ContainerSpec spec = Run.sh("trap 'exit 42' TERM; echo ready; while true; do sleep 0.1; done")
                .stdout(Stdio.PIPE).build();
        try (Container container = Container.start(spec)) {
            // Until the trap is set, sh as init ignores SIGTERM: a signal sent earlier would be lost.
            assertEquals("ready", Run.firstLine(container));

            assertTrue(container.signal(SIGTERM));

            assertEquals(ExitStatus.exited(42), container.waitFor());
        }
    }

    /**
     * The kernel drops signals to a pid namespace's init that it has no handler for, so SIGTERM
     * does not stop a shell without a trap. Being negative, a slow machine can make this test pass
     * wrongly, never fail wrongly.
     */
    @Test
    void initWithoutAHandlerIgnoresSigterm() {
        try (Container container = Container.start(Run.sh("sleep 100").build())) {
            assertTrue(container.signal(SIGTERM));

            assertEquals(Optional.empty(), container.waitFor(Duration.ofMillis(300)));
        }
    }

    @Test
    void signalAfterExitIsRefused() {
        try (Container container = Container.start(Run.sh("true").build())) {
            container.waitFor();

            assertFalse(container.signal(SIGTERM));
            assertFalse(container.kill());
        }
    }
}
