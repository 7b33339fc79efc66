package caixa.seccomp;

import caixa.spawn.ChildProgram;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** Installs a seccomp profile in a child program, and says what profiles may contain. */
public final class Seccomp {
    private Seccomp() {
    }

    /**
     * Compiles {@code profile} for the host's architecture and appends the step that installs it:
     * {@code seccomp(SECCOMP_SET_MODE_FILTER, flags, &fprog)}, the filter built in
     * {@code program}'s arena. From that step on, every system call of the child, its own later
     * steps included, goes through the filter; so it belongs right before execve, as the last step.
     *
     * <p>What must come before it, and after it:
     * <ul>
     * <li>The kernel installs a filter only for a process with no_new_privs set or CAP_SYS_ADMIN in
     *     its user namespace: the caller sets {@code prctl(PR_SET_NO_NEW_PRIVS, 1)} earlier in the
     *     program (caixa's default). Without no_new_privs, the step must come while the child still
     *     holds CAP_SYS_ADMIN, before capabilities are dropped (as runc does), and every step after
     *     it must then pass the filter.</li>
     * <li>The steps after it (the execve attempts of a PATH search; for a created container, the
     *     static caixa-init's openat, write, close, execve and exit_group) and the trampoline's failure
     *     report (write, exit) must be allowed by the profile. The default profile allows them all; a
     *     profile that does not makes the start fail or the child die there, as it would with runc.</li>
     * </ul>
     *
     * @return the compiled filter, with the names the architecture lacks (skipped)
     */
    public static SeccompFilter install(ChildProgram program, SeccompProfile profile) {
        SeccompFilter filter = SeccompFilter.compile(profile, Arch.host());
        filter.appendTo(program);
        return filter;
    }

    /** The actions a profile may name, for the OCI features document ({@code linux.seccomp.actions}). */
    public static List<String> actions() {
        return Stream.concat(Stream.of("SCMP_ACT_KILL"), Arrays.stream(Action.Kind.values()).map(Action.Kind::ociName))
                .sorted().toList();
    }

    /** The operators of argument conditions ({@code linux.seccomp.operators}). */
    public static List<String> operators() {
        return Arrays.stream(ArgCondition.Op.values()).map(ArgCondition.Op::ociName).sorted().toList();
    }

    /**
     * The architecture names a profile may list ({@code linux.seccomp.archs}): libseccomp's, as runc
     * accepts them. The filter covers the host's native ABI only (see {@link Arch}).
     */
    public static List<String> architectures() {
        return OciSeccomp.ARCHITECTURES.stream().sorted().toList();
    }

    /** The SECCOMP_FILTER_FLAG_* names a profile may set ({@code knownFlags} and {@code supportedFlags}). */
    public static List<String> flags() {
        return Arrays.stream(FilterFlag.values()).map(FilterFlag::ociName).sorted().toList();
    }
}
