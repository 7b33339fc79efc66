package caixa.spawn;

/**
 * One raw system call of a child program.
 *
 * @param description what the step does, for error messages: {@code pivot_root(/srv/rootfs)}
 * @param syscall     the system call number
 * @param args        up to six raw arguments: numbers, or addresses of native memory of the plan
 * @param toleratedErrno an errno that does not fail the step (EEXIST for mkdir), or 0
 * @param failOnZero  a zero result fails the step (read() at end of file)
 */
public record Step(String description, int syscall, long[] args, int toleratedErrno, boolean failOnZero) {
    public Step {
        if (args.length > 6) {
            throw new IllegalArgumentException(description + ": a system call takes at most six arguments");
        }
        args = args.clone();
    }
}
