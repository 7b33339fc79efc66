package caixa.seccomp;

import caixa.bindings.linux_h;

import java.util.OptionalLong;

/**
 * What the filter does with a system call: one of the kernel's SECCOMP_RET_* actions, with its
 * 16-bit datum where it has one (the errno of {@link Kind#ERRNO}, the message of {@link Kind#TRACE}).
 *
 * @param kind the action
 * @param data the errno (0 to 4095) for ERRNO, the tracer's message (0 to 65535) for TRACE, else 0
 */
public record Action(Kind kind, int data) {
    /** The kernel's actions, most severe first, as the kernel ranks them when several filters answer. */
    public enum Kind {
        /** The whole process dies of SIGSYS, as if by an uncatchable signal (Linux 4.14). */
        KILL_PROCESS("SCMP_ACT_KILL_PROCESS"),
        /** The calling thread dies of SIGSYS; libseccomp's and OCI's SCMP_ACT_KILL. */
        KILL_THREAD("SCMP_ACT_KILL_THREAD"),
        /** A SIGSYS the process may catch, with the system call in its siginfo. */
        TRAP("SCMP_ACT_TRAP"),
        /** The call is not made and returns {@code -data}. */
        ERRNO("SCMP_ACT_ERRNO"),
        /** A ptrace tracer is told ({@code PTRACE_EVENT_SECCOMP}); with none, the call fails with ENOSYS. */
        TRACE("SCMP_ACT_TRACE"),
        /** The call is made and logged (Linux 4.14). */
        LOG("SCMP_ACT_LOG"),
        ALLOW("SCMP_ACT_ALLOW");

        private final String ociName;

        Kind(String ociName) {
            this.ociName = ociName;
        }

        public String ociName() {
            return ociName;
        }
    }

    /** The largest errno a filter can return: the kernel turns anything above it into this. */
    public static final int MAX_ERRNO = 4095;

    public static final Action KILL_PROCESS = new Action(Kind.KILL_PROCESS, 0);
    public static final Action KILL_THREAD = new Action(Kind.KILL_THREAD, 0);
    public static final Action TRAP = new Action(Kind.TRAP, 0);
    public static final Action LOG = new Action(Kind.LOG, 0);
    public static final Action ALLOW = new Action(Kind.ALLOW, 0);

    public Action {
        int max = switch (kind) {
            case ERRNO -> MAX_ERRNO;
            case TRACE -> linux_h.SECCOMP_RET_DATA();
            default -> 0;
        };
        if (data < 0 || data > max) {
            throw new IllegalArgumentException(max == 0 ? kind.ociName() + " takes no value, not " + data
                    : kind.ociName() + " takes a value from 0 to " + max + ", not " + data);
        }
    }

    /** The call fails with {@code errno}. */
    public static Action errno(int errno) {
        return new Action(Kind.ERRNO, errno);
    }

    /** A tracer is told, with {@code message} as the event's datum. */
    public static Action trace(int message) {
        return new Action(Kind.TRACE, message);
    }

    /**
     * The action an OCI profile names, with its {@code errnoRet} (or {@code defaultErrnoRet}), as runc
     * reads it: ERRNO and TRACE without a value take EPERM (1), other actions ignore the value;
     * SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD. SCMP_ACT_NOTIFY needs a seccomp agent, which caixa does
     * not run, and is refused like an unknown name.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Action fromOci(String name, OptionalLong errnoRet) {
        long value = errnoRet.orElse(linux_h.EPERM());
        return switch (name) {
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> TRAP;
            case "SCMP_ACT_ERRNO" -> errno(datum(name, value, MAX_ERRNO));
            case "SCMP_ACT_TRACE" -> trace(datum(name, value, linux_h.SECCOMP_RET_DATA()));
            case "SCMP_ACT_LOG" -> LOG;
            case "SCMP_ACT_ALLOW" -> ALLOW;
            case "SCMP_ACT_NOTIFY" -> throw new IllegalArgumentException(
                    "SCMP_ACT_NOTIFY needs a seccomp agent (listenerPath), which caixa does not support");
            default -> throw new IllegalArgumentException("unknown action \"" + name + "\"; expected one of "
                    + "SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, "
                    + "SCMP_ACT_TRAP, SCMP_ACT_TRACE, SCMP_ACT_LOG");
        };
    }

    private static int datum(String action, long value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(action + " takes a value from 0 to " + max + ", not " + value);
        }
        return (int) value;
    }

    /** The 32-bit value a filter returns for this action: SECCOMP_RET_* with the datum in its low 16 bits. */
    public int seccompReturn() {
        return switch (kind) {
            case KILL_PROCESS -> Uapi.SECCOMP_RET_KILL_PROCESS;
            case KILL_THREAD -> linux_h.SECCOMP_RET_KILL_THREAD();
            case TRAP -> linux_h.SECCOMP_RET_TRAP();
            case ERRNO -> linux_h.SECCOMP_RET_ERRNO() | data;
            case TRACE -> linux_h.SECCOMP_RET_TRACE() | data;
            case LOG -> linux_h.SECCOMP_RET_LOG();
            case ALLOW -> linux_h.SECCOMP_RET_ALLOW();
        };
    }

    /**
     * Whether the system call goes ahead: ALLOW, LOG, and TRACE, whose tracer decides (runc counts it
     * as permissive too, since a tracer emulating calls wants to see unknown ones).
     */
    boolean permits() {
        return kind == Kind.ALLOW || kind == Kind.LOG || kind == Kind.TRACE;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case ERRNO, TRACE -> kind.ociName() + "(" + data + ")";
            default -> kind.ociName();
        };
    }
}
