package caixa.capabilities;

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
import java.util.function.Consumer;

/**
 * Runs {@code sh -c SCRIPT} at the spawn level, without namespaces, after the steps a test plans, and
 * collects what it writes to stdout and stderr through a pipe.
 */
record ShellRun(ExitStatus status, String output) {

    static ShellRun run(Consumer<ChildProgram> steps, String script) {
        int[] pipe = Linux.pipe2(linux_h.O_CLOEXEC());
        try (Arena arena = Arena.ofConfined();
             InputStream output = FdStreams.input(pipe[0], "the child's output")) {
            ChildProcess child;
            try {
                ChildProgram program = new ChildProgram(arena).unblockAllSignals();
                steps.accept(program);
                program.dup3(pipe[1], 1).dup3(pipe[1], 2)
                        .execve("/bin/sh", List.of("sh", "-c", script), List.of("PATH=/usr/bin:/bin"), false);
                child = Spawner.spawn(program, Spawner.CloneOptions.namespaces(0), Spawner.BarrierHandler.NONE);
            } finally {
                Linux.close(pipe[1]); // the child has its copy: end of file comes when it exits
            }
            try (child) {
                String text = new String(output.readAllBytes(), StandardCharsets.UTF_8);
                return new ShellRun(child.waitFor(), text);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A capability mask of /proc/self/status: {@code CapEff} and the like. */
    long mask(String field) {
        for (String line : output.split("\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseUnsignedLong(line.substring(field.length() + 1).strip(), 16);
            }
        }
        throw new AssertionError("no " + field + " in the output:\n" + output);
    }
}
