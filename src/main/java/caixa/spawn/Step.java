package caixa.spawn;

/**
 * One raw system call of a child program.
 *
 * @param description     what the step does, for error messages: {@code pivot_root(/srv/rootfs)}
 * @param syscall         the system call number
 * @param args            up to six raw arguments: numbers, or addresses of native memory of the plan
 * @param toleratedErrnos bit N set: errno N does not fail the step (EEXIST for mkdir)
 * @param flags           CAIXA_STEP_* flags: fail on a zero result, keep the result, use the kept result
 */
public record Step(String description, int syscall, long[] args, long toleratedErrnos, long flags) {
    public Step {
        if (args.length > 6) {
            throw new IllegalArgumentException(description + ": a system call takes at most six arguments");
        }
        args = args.clone();
    }

    /** The bitmask for {@code errnos}, each below 64 (all the ones a plan tolerates are). */
    public static long errnos(int... errnos) {
        long mask = 0;
        for (int errno : errnos) {
            if (errno <= 0 || errno >= 64) {
                throw new IllegalArgumentException("errno " + errno + " cannot be tolerated");
            }
            mask |= 1L << errno;
        }
        return mask;
    }
}
