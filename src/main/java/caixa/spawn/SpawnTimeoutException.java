package caixa.spawn;

import java.io.Serial;

/** The child did not get where it should in time; it has been killed. */
public final class SpawnTimeoutException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    SpawnTimeoutException(int pid, String what, int timeoutMillis) {
        super("child " + pid + " did not " + what + " within " + timeoutMillis + " ms; killed");
    }
}
