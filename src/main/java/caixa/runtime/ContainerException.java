package caixa.runtime;

import java.io.Serial;

/**
 * A container that could not be started, with the exit status a shell would report for it
 * (as docker and podman do): 125 when the runtime or its input failed, 126 when the command cannot
 * be executed, 127 when it is not found.
 */
public final class ContainerException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public static final int RUNTIME_ERROR = 125;
    public static final int NOT_EXECUTABLE = 126;
    public static final int NOT_FOUND = 127;

    private final int exitCode;

    public ContainerException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ContainerException(String message) {
        this(message, RUNTIME_ERROR, null);
    }

    public int exitCode() {
        return exitCode;
    }
}
