package caixa.seccomp;

import caixa.bindings.linux_h;
import caixa.spawn.ChildProgram;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A profile compiled for one architecture: the BPF program and the flags seccomp(2) installs it with.
 *
 * <p>How a profile reads, as runc with libseccomp reads it:
 * <ul>
 * <li>A system call made through another ABI than {@code arch}'s (i386's {@code int 0x80} or x32 on
 *     x86_64, AArch32 on aarch64) kills the process ({@link #FOREIGN_ARCH}): the rules name calls by
 *     their numbers in one ABI, and would mean other calls in another.</li>
 * <li>A rule whose action is the default action is left out. For each system call, a rule without
 *     conditions decides (the first one); otherwise its conditional rules are tried in order and the
 *     first whose conditions all hold decides; if none does, the default action.</li>
 * <li>Names the architecture does not have are skipped, and listed in {@link #unknownSyscalls}.</li>
 * <li>Unless the default action lets calls through (ALLOW, LOG, TRACE) or is already ERRNO(ENOSYS),
 *     a call whose number is above every number the profile names fails with ENOSYS rather than the
 *     default action, as runc arranges: a call newer than the profile is then one "this kernel does
 *     not have", and libc falls back to an older one (as it does for clone3, which the default
 *     profile answers with ENOSYS on purpose) instead of failing with EPERM.</li>
 * </ul>
 *
 * @param arch            the architecture it is for
 * @param program         the filter
 * @param flags           for seccomp(2)
 * @param unknownSyscalls the profile's names {@code arch} has no number for, which were skipped
 */
public record SeccompFilter(Arch arch, BpfProgram program, Set<FilterFlag> flags, List<String> unknownSyscalls) {
    /** What a system call through a foreign ABI gets. */
    public static final Action FOREIGN_ARCH = Action.KILL_PROCESS;

    public SeccompFilter {
        flags = Set.copyOf(flags);
        unknownSyscalls = List.copyOf(unknownSyscalls);
    }

    public static SeccompFilter compile(SeccompProfile profile, Arch arch) {
        return FilterCompiler.compile(profile, arch);
    }

    /** The flags as seccomp(2)'s {@code flags} argument. */
    public long flagBits() {
        return flags.stream().mapToLong(FilterFlag::bit).reduce(0, (a, b) -> a | b);
    }

    /**
     * Appends the step that installs this filter in {@code child}: seccomp(SECCOMP_SET_MODE_FILTER)
     * with the program in the child program's arena. See {@link Seccomp#install} for where it must go.
     *
     * @throws IllegalStateException when the filter is for another architecture than the host's
     */
    public void appendTo(ChildProgram child) {
        if (arch != Arch.host()) {
            throw new IllegalStateException("a filter for " + arch + " cannot be installed on " + Arch.host());
        }
        MemorySegment fprog = program.toSockFprog(child.arena());
        String flagNames = flags.isEmpty() ? "0"
                : flags.stream().map(FilterFlag::ociName).sorted().collect(Collectors.joining("|"));
        child.call("seccomp(SECCOMP_SET_MODE_FILTER, " + flagNames + ", " + program.length() + " instructions)",
                linux_h.SYS_seccomp(), linux_h.SECCOMP_SET_MODE_FILTER(), flagBits(), fprog.address());
    }
}
