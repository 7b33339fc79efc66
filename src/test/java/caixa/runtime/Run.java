package caixa.runtime;

import caixa.spawn.ExitStatus;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Short ways to run a shell script in the test rootfs and look at what it printed. */
final class Run {
    private Run() {
    }

    /** {@code sh -c script} in the test rootfs, with the default namespaces. */
    static ContainerSpec.Builder sh(String script) {
        return ContainerSpec.builder(TestRootfs.busybox(), "sh", "-c", script);
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
}
