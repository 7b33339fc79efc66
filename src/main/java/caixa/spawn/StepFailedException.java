package caixa.spawn;

import caixa.bindings.linux_h;
import caixa.linux.Errno;

import java.io.Serial;

/** The child program stopped at a step: the child never reached its command. */
public final class StepFailedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int stepIndex;
    private final String step;
    private final int syscall;
    private final int errno;

    StepFailedException(int stepIndex, Step step, int errno) {
        super(step.description() + ": " + (errno == 0 ? "unexpected end of input" : Errno.describe(errno))
                + " (step " + stepIndex + ")");
        this.stepIndex = stepIndex;
        this.step = step.description();
        this.syscall = step.syscall();
        this.errno = errno;
    }

    public int stepIndex() {
        return stepIndex;
    }

    /** The failed step's description, e.g. {@code execve(/bin/sh)}. */
    public String step() {
        return step;
    }

    /** The errno, or 0 when a step saw end of input. */
    public int errno() {
        return errno;
    }

    /** Whether the failure was the final execve (the command itself), not the container's setup. */
    public boolean isExec() {
        return syscall == linux_h.SYS_execve();
    }
}
