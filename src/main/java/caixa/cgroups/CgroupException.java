package caixa.cgroups;

import java.io.Serial;

/** A cgroup that cannot be created, changed or read as asked. */
public final class CgroupException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public CgroupException(String message) {
        super(message);
    }

    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }
}
