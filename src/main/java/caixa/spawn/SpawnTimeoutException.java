package caixa.spawn;

import java.io.Serial;
import java.time.Duration;

/** The child did not reach execve in time; it has been killed. */
public final class SpawnTimeoutException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    SpawnTimeoutException(int pid, Duration timeout) {
        super("child " + pid + " did not reach execve within " + timeout.toMillis() + " ms; killed");
    }
}
