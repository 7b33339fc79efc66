package caixa.spawn;

/**
 * How a process ended: an exit code, or the signal that killed it.
 *
 * @param code   the exit code, when the process exited
 * @param signal the signal number, when a signal killed it (0 otherwise)
 */
public record ExitStatus(int code, int signal) {
    public static ExitStatus exited(int code) {
        return new ExitStatus(code, 0);
    }

    public static ExitStatus killed(int signal) {
        return new ExitStatus(0, signal);
    }

    public boolean wasKilled() {
        return signal != 0;
    }

    /** The shell's convention, as docker and podman report it: the code, or 128 + the signal. */
    public int shellCode() {
        return wasKilled() ? 128 + signal : code;
    }

    @Override
    public String toString() {
        return wasKilled() ? "killed by signal " + signal : "exited with " + code;
    }
}
