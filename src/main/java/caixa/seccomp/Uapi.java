package caixa.seccomp;

/**
 * Kernel ABI values the jextract bindings do not carry, each checked against the headers by
 * {@code UapiTest}:
 * <ul>
 * <li>unsigned 32-bit constants of 2^31 and above, which jextract types as a Java {@code int} (so
 *     negative) and which the bindings' conformance test, comparing values as signed numbers, would
 *     report as mismatches;</li>
 * <li>values of an architecture other than the host's, which bindings generated on the host cannot
 *     hold: a filter for aarch64 is assembled the same way on x86_64.</li>
 * </ul>
 * All are used as the 32-bit patterns the kernel compares: {@code seccomp_data.arch}, a filter's
 * return value, a bit of {@code seccomp_data.nr}.
 */
final class Uapi {
    private Uapi() {
    }

    /** {@code <linux/seccomp.h>}: kill the whole process (Linux 4.14), 0x80000000U. */
    static final int SECCOMP_RET_KILL_PROCESS = 0x8000_0000;

    /** {@code <linux/audit.h>}: EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
    static final int AUDIT_ARCH_X86_64 = 0xC000_003E;

    /** {@code <linux/audit.h>}: EM_AARCH64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
    static final int AUDIT_ARCH_AARCH64 = 0xC000_00B7;

    /**
     * x86's {@code <asm/unistd.h>}: {@code __X32_SYSCALL_BIT}. An x32 process enters the kernel as
     * x86_64 ({@code seccomp_data.arch} is AUDIT_ARCH_X86_64) with this bit set in the number.
     */
    static final int X32_SYSCALL_BIT = 0x4000_0000;
}
