package caixa.runtime.oci;

import caixa.bindings.linux_h;
import caixa.linux.FdStreams;
import caixa.linux.Linux;
import caixa.runtime.ContainerException;
import caixa.runtime.Exec;
import caixa.runtime.ExecSpec;
import caixa.spawn.ChildProcess;
import caixa.spawn.ExitStatus;
import caixa.spec.Hook;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs OCI hooks: each is a program the bundle names, given the container's state on stdin; a hook
 * that fails, or outlives its timeout, fails the operation. Hooks are the user's programs; caixa runs
 * no helper of its own.
 *
 * <p>Where a hook runs is the spec's: prestart, createRuntime, poststart and poststop in the runtime's
 * namespaces ({@link #run}); createContainer and startContainer in the container's ({@link #runInContainer}),
 * joining the namespaces and cgroup of its init as {@code exec} does. createContainer runs before
 * pivot_root, while the container's mount namespace still shows the host's tree, so its path resolves
 * as on the host; startContainer runs after it, so its path resolves in the container's root.
 */
final class HookRunner {
    private HookRunner() {
    }

    /** Runs {@code hooks} in order, in the runtime's namespaces. */
    static void run(String phase, List<Hook> hooks, String stateJson) {
        for (Hook hook : hooks) {
            ProcessBuilder builder = new ProcessBuilder(command(hook)).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().clear();
            for (String entry : hook.env()) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    builder.environment().put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw failure(phase, hook, e.getMessage());
            }
            feed(process.getOutputStream(), stateJson);
            ExitStatus status = awaitProcess(phase, hook, process);
            check(phase, hook, status);
        }
    }

    /** Runs {@code hooks} in order, inside the namespaces and cgroup of the container whose init is {@code initPid}. */
    static void runInContainer(String phase, List<Hook> hooks, String stateJson, int initPid, String cgroup) {
        for (Hook hook : hooks) {
            int[] stdin = Linux.pipe2(linux_h.O_CLOEXEC());
            ChildProcess child;
            try {
                child = Exec.start(ExecSpec.asRoot(initPid, cgroup, command(hook), hook.env(), stdin[0]));
            } catch (ContainerException e) {
                Linux.close(stdin[1]);
                throw failure(phase, hook, e.getMessage());
            } finally {
                Linux.close(stdin[0]);
            }
            try (child) {
                feed(FdStreams.output(stdin[1], "stdin of the " + phase + " hook"), stateJson);
                int timeout = hook.timeout().orElse(0);
                Optional<ExitStatus> status = child.waitFor(timeout > 0 ? Duration.ofSeconds(timeout) : null);
                if (status.isEmpty()) {
                    child.kill();
                    child.waitFor();
                    throw failure(phase, hook, "timed out after " + timeout + " s");
                }
                check(phase, hook, status.get());
            }
        }
    }

    /** argv: the hook's path, then its args after the first (args[0] names the program, as execv's). */
    private static List<String> command(Hook hook) {
        List<String> command = new ArrayList<>();
        command.add(hook.path());
        if (hook.args().size() > 1) {
            command.addAll(hook.args().subList(1, hook.args().size()));
        }
        return command;
    }

    private static void feed(OutputStream stdin, String stateJson) {
        try (stdin) {
            stdin.write(stateJson.getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // A hook need not read its stdin; a closed pipe is its choice.
        }
    }

    private static ExitStatus awaitProcess(String phase, Hook hook, Process process) {
        try {
            int timeout = hook.timeout().orElse(0);
            if (timeout > 0 && !process.waitFor(timeout, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw failure(phase, hook, "timed out after " + timeout + " s");
            }
            int code = process.waitFor();
            return ExitStatus.exited(code);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(phase, hook, "interrupted");
        }
    }

    private static void check(String phase, Hook hook, ExitStatus status) {
        if (status.wasKilled() || status.code() != 0) {
            throw failure(phase, hook, status.toString());
        }
    }

    private static OciException failure(String phase, Hook hook, String reason) {
        return new OciException(phase + " hook " + hook.path() + ": " + reason);
    }
}
