package caixa.runtime.oci;

import caixa.spec.Hook;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs OCI hooks: each is a program the bundle names, given the container's state on stdin; a hook
 * that fails, or outlives its timeout, fails the operation. Hooks are the user's programs; caixa runs
 * no helper of its own.
 */
final class HookRunner {
    private HookRunner() {
    }

    static void run(String phase, List<Hook> hooks, String stateJson) {
        for (Hook hook : hooks) {
            List<String> command = new ArrayList<>();
            command.add(hook.path());
            if (hook.args().size() > 1) {
                command.addAll(hook.args().subList(1, hook.args().size()));
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().clear();
            for (String entry : hook.env()) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    builder.environment().put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
            try {
                Process process = builder.start();
                try (OutputStream stdin = process.getOutputStream()) {
                    stdin.write(stateJson.getBytes(StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // A hook need not read its stdin; a closed pipe is its choice.
                }
                int timeout = hook.timeout().orElse(0);
                boolean done = timeout > 0 ? process.waitFor(timeout, TimeUnit.SECONDS) : process.waitFor() >= 0;
                if (!done) {
                    process.destroyForcibly().waitFor();
                    throw new OciException(phase + " hook " + hook.path() + ": timed out after " + timeout + " s");
                }
                if (process.exitValue() != 0) {
                    throw new OciException(phase + " hook " + hook.path() + ": exited with " + process.exitValue());
                }
            } catch (IOException e) {
                throw new OciException(phase + " hook " + hook.path() + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OciException(phase + " hook " + hook.path() + ": interrupted", e);
            }
        }
    }
}
