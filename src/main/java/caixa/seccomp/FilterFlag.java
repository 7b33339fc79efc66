package caixa.seccomp;

import caixa.bindings.linux_h;

import java.util.Optional;

/** The SECCOMP_FILTER_FLAG_* flags an OCI profile may set (runc's set), passed to seccomp(2) as they are. */
public enum FilterFlag {
    /**
     * Synchronize every thread of the process onto the filter. The child that installs it is a
     * single thread (it execs right after), so this changes nothing; runc accepts it the same way.
     */
    TSYNC("SECCOMP_FILTER_FLAG_TSYNC", linux_h.SECCOMP_FILTER_FLAG_TSYNC()),
    /** Log every action but ALLOW to the audit log (Linux 4.14). */
    LOG("SECCOMP_FILTER_FLAG_LOG", linux_h.SECCOMP_FILTER_FLAG_LOG()),
    /** Leave speculative store bypass mitigation off, which seccomp otherwise turns on (Linux 4.17). */
    SPEC_ALLOW("SECCOMP_FILTER_FLAG_SPEC_ALLOW", linux_h.SECCOMP_FILTER_FLAG_SPEC_ALLOW());

    private final String ociName;
    private final long bit;

    FilterFlag(String ociName, long bit) {
        this.ociName = ociName;
        this.bit = bit;
    }

    public String ociName() {
        return ociName;
    }

    /** The flag's bit in seccomp(2)'s {@code flags} argument. */
    public long bit() {
        return bit;
    }

    public static Optional<FilterFlag> fromOciName(String name) {
        for (FilterFlag flag : values()) {
            if (flag.ociName.equals(name)) {
                return Optional.of(flag);
            }
        }
        return Optional.empty();
    }
}
