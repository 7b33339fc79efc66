package caixa.runtime;

import caixa.spawn.ExitStatus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Short ways to run a shell script in the test rootfs and look at what it printed. */
final class Run {
    private Run() {
    }

    /**
     * {@code sh -c script} in the test rootfs, with the default namespaces. Its stdin is /dev/null
     * unless a test says otherwise: the JVM's own stdin is surefire's command channel.
     */
    static ContainerSpec.Builder sh(String script) {
        return ContainerSpec.builder(TestRootfs.busybox(), "sh", "-c", script).stdin(Stdio.NULL);
    }

    /** Runs the container to its end with no input and both outputs captured. */
    static Container.Output output(ContainerSpec.Builder spec) {
        try (Container container = Container.start(spec.stdin(Stdio.NULL).stdout(Stdio.PIPE).stderr(Stdio.PIPE).build())) {
            return container.output();
        }
    }

    /** The stdout of a container that must succeed, without its trailing newline. */
    static String stdout(ContainerSpec.Builder spec) {
        Container.Output out = output(spec);
        assertEquals(ExitStatus.exited(0), out.status(), () -> "stderr: " + out.stderr());
        return out.stdout().strip();
    }

    /**
     * The first line a running container printed, or null if it exited without one. The reader is
     * left open: closing it would close the container's stdout, which the container owns.
     */
    @SuppressWarnings("resource")
    static String firstLine(Container container) throws IOException {
        return new BufferedReader(new InputStreamReader(container.stdout(), StandardCharsets.UTF_8)).readLine();
    }

    /** Answers a container waiting in {@code read line}, then closes its stdin. */
    static void endInput(Container container) throws IOException {
        container.stdin().write("done\n".getBytes(StandardCharsets.UTF_8));
        container.stdin().close();
    }
}
