package caixa.linux;

import java.io.Serial;

/** A failed system call: what was being done, and the errno the kernel gave. */
public final class SyscallException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int errno;

    public SyscallException(String operation, int errno) {
        super(operation + ": " + Errno.describe(errno));
        this.operation = operation;
        this.errno = errno;
    }

    /** The call and its subject, e.g. {@code open(/proc/42/uid_map)}. */
    public String operation() {
        return operation;
    }

    public int errno() {
        return errno;
    }
}
