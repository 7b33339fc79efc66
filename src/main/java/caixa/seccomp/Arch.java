package caixa.seccomp;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The architectures a filter can be built for: each has its own system call numbers and the value
 * the kernel puts in {@code seccomp_data.arch}. A filter covers exactly one ABI, the native one of
 * its architecture; a system call made through another (i386's {@code int 0x80} or x32 on x86_64,
 * AArch32 on aarch64) gets {@link SeccompFilter#FOREIGN_ARCH}. Each architecture's values are held
 * here whatever the host, so a filter for one can be built (and inspected) on the other.
 */
public enum Arch {
    X86_64("SCMP_ARCH_X86_64", "amd64", Uapi.AUDIT_ARCH_X86_64, SyscallTable.X86_64, true),
    AARCH64("SCMP_ARCH_AARCH64", "arm64", Uapi.AUDIT_ARCH_AARCH64, SyscallTable.AARCH64, false);

    private final String ociName;
    private final String dockerName;
    private final int auditArch;
    private final Map<String, Integer> syscalls;
    private final boolean hasX32Abi;

    Arch(String ociName, String dockerName, int auditArch, Map<String, Integer> syscalls, boolean hasX32Abi) {
        this.ociName = ociName;
        this.dockerName = dockerName;
        this.auditArch = auditArch;
        this.syscalls = syscalls;
        this.hasX32Abi = hasX32Abi;
    }

    /** The JVM's architecture, which is the one its child processes run. */
    public static Arch host() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64" -> AARCH64;
            default -> throw new UnsupportedOperationException("seccomp filters are built for x86_64 and aarch64, not " + arch);
        };
    }

    /** The architecture an OCI {@code linux.seccomp.architectures} entry names, if it is one of these. */
    public static Optional<Arch> fromOciName(String name) {
        for (Arch arch : values()) {
            if (arch.ociName.equals(name)) {
                return Optional.of(arch);
            }
        }
        return Optional.empty();
    }

    /** As OCI and libseccomp name it: {@code SCMP_ARCH_X86_64}. */
    public String ociName() {
        return ociName;
    }

    /** As docker profiles' {@code includes.arches} name it (Go's GOARCH): {@code amd64}. */
    public String dockerName() {
        return dockerName;
    }

    /** The AUDIT_ARCH_* value the kernel reports in {@code seccomp_data.arch}. */
    public int auditArch() {
        return auditArch;
    }

    /** The number of a system call, if this architecture has one of that name. */
    public OptionalInt syscallNumber(String name) {
        Integer number = syscalls.get(name);
        return number == null ? OptionalInt.empty() : OptionalInt.of(number);
    }

    /** Every system call of this architecture by name. */
    public Map<String, Integer> syscalls() {
        return syscalls;
    }

    /** Whether a second ABI shares this architecture's AUDIT_ARCH value, told apart by a bit of the number. */
    boolean hasX32Abi() {
        return hasX32Abi;
    }
}
