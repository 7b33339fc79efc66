package caixa.cgroups;

import caixa.bindings.linux_h;
import caixa.linux.FdStreams;
import caixa.linux.Linux;
import caixa.spawn.ChildProcess;
import caixa.spawn.ChildProgram;
import caixa.spawn.ExitStatus;
import caixa.spawn.Spawner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs {@code sh -c SCRIPT} inside a cgroup, without namespaces: cloned into its cgroup2 directory,
 * and written into its v1 hierarchies at a barrier before execve, as a container's process is. Its
 * stdout and stderr come back through a pipe.
 */
record ShellInCgroup(ExitStatus status, String output) {

    private static final String PLACEMENT = "cgroup placement";

    static ShellInCgroup run(Cgroup cgroup, String script) {
        int[] pipe = Linux.pipe2(linux_h.O_CLOEXEC());
        try (Arena arena = Arena.ofConfined();
             InputStream output = FdStreams.input(pipe[0], "the child's output")) {
            ChildProcess child;
            try {
                ChildProgram program = new ChildProgram(arena).unblockAllSignals();
                if (cgroup.hasV1()) {
                    program.barrier(PLACEMENT);
                }
                program.dup3(pipe[1], 1).dup3(pipe[1], 2)
                        .execve("/bin/sh", List.of("sh", "-c", script), List.of("PATH=/usr/bin:/bin"), false);
                Spawner.CloneOptions options = Spawner.CloneOptions.namespaces(0);
                if (cgroup.unifiedFd() >= 0) {
                    options = options.intoCgroup(cgroup.unifiedFd());
                }
                child = Spawner.spawn(program, options, (barrier, pid) -> cgroup.addProcessToV1(pid));
            } finally {
                Linux.close(pipe[1]); // the child has its copy: end of file comes when it exits
            }
            try (child) {
                String text = new String(output.readAllBytes(), StandardCharsets.UTF_8);
                return new ShellInCgroup(child.waitFor(), text);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
