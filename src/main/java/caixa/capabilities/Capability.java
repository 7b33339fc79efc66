package caixa.capabilities;

import caixa.bindings.linux_h;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A Linux capability, named as docker and OCI name it ({@code CAP_CHOWN}), numbered as the kernel
 * numbers it (from {@code <linux/capability.h>} through the bindings).
 */
public enum Capability {
    CHOWN(linux_h.CAP_CHOWN()),
    DAC_OVERRIDE(linux_h.CAP_DAC_OVERRIDE()),
    DAC_READ_SEARCH(linux_h.CAP_DAC_READ_SEARCH()),
    FOWNER(linux_h.CAP_FOWNER()),
    FSETID(linux_h.CAP_FSETID()),
    KILL(linux_h.CAP_KILL()),
    SETGID(linux_h.CAP_SETGID()),
    SETUID(linux_h.CAP_SETUID()),
    SETPCAP(linux_h.CAP_SETPCAP()),
    LINUX_IMMUTABLE(linux_h.CAP_LINUX_IMMUTABLE()),
    NET_BIND_SERVICE(linux_h.CAP_NET_BIND_SERVICE()),
    NET_BROADCAST(linux_h.CAP_NET_BROADCAST()),
    NET_ADMIN(linux_h.CAP_NET_ADMIN()),
    NET_RAW(linux_h.CAP_NET_RAW()),
    IPC_LOCK(linux_h.CAP_IPC_LOCK()),
    IPC_OWNER(linux_h.CAP_IPC_OWNER()),
    SYS_MODULE(linux_h.CAP_SYS_MODULE()),
    SYS_RAWIO(linux_h.CAP_SYS_RAWIO()),
    SYS_CHROOT(linux_h.CAP_SYS_CHROOT()),
    SYS_PTRACE(linux_h.CAP_SYS_PTRACE()),
    SYS_PACCT(linux_h.CAP_SYS_PACCT()),
    SYS_ADMIN(linux_h.CAP_SYS_ADMIN()),
    SYS_BOOT(linux_h.CAP_SYS_BOOT()),
    SYS_NICE(linux_h.CAP_SYS_NICE()),
    SYS_RESOURCE(linux_h.CAP_SYS_RESOURCE()),
    SYS_TIME(linux_h.CAP_SYS_TIME()),
    SYS_TTY_CONFIG(linux_h.CAP_SYS_TTY_CONFIG()),
    MKNOD(linux_h.CAP_MKNOD()),
    LEASE(linux_h.CAP_LEASE()),
    AUDIT_WRITE(linux_h.CAP_AUDIT_WRITE()),
    AUDIT_CONTROL(linux_h.CAP_AUDIT_CONTROL()),
    SETFCAP(linux_h.CAP_SETFCAP()),
    MAC_OVERRIDE(linux_h.CAP_MAC_OVERRIDE()),
    MAC_ADMIN(linux_h.CAP_MAC_ADMIN()),
    SYSLOG(linux_h.CAP_SYSLOG()),
    WAKE_ALARM(linux_h.CAP_WAKE_ALARM()),
    BLOCK_SUSPEND(linux_h.CAP_BLOCK_SUSPEND()),
    AUDIT_READ(linux_h.CAP_AUDIT_READ()),
    PERFMON(linux_h.CAP_PERFMON()),
    BPF(linux_h.CAP_BPF()),
    CHECKPOINT_RESTORE(linux_h.CAP_CHECKPOINT_RESTORE());

    /** The word docker's {@code --cap-add}/{@code --cap-drop} take for every capability. */
    public static final String ALL = "ALL";

    private static final String PREFIX = "CAP_";

    private final int number;

    Capability(int number) {
        this.number = number;
    }

    /** The kernel's number: the bit in a capability mask, the argument of PR_CAPBSET_DROP. */
    public int number() {
        return number;
    }

    /** {@code CAP_CHOWN}, as OCI's process.capabilities and /proc's tools spell it. */
    @Override
    public String toString() {
        return PREFIX + name();
    }

    /**
     * Parses one capability name: {@code CHOWN}, {@code CAP_CHOWN}, {@code cap_chown}, {@code chown}.
     * {@link #ALL} is no single capability: see {@link #isAll}.
     */
    public static Capability parse(String name) {
        String upper = name.strip().toUpperCase(Locale.ROOT);
        String bare = upper.startsWith(PREFIX) ? upper.substring(PREFIX.length()) : upper;
        if (bare.equals(ALL)) {
            throw new IllegalArgumentException("capability '" + name + "': ALL names every capability, not one");
        }
        try {
            return valueOf(bare);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("capability '" + name + "': unknown (CAP_CHOWN, NET_ADMIN, ...)");
        }
    }

    /** Whether {@code name} is docker's {@code ALL} (any case, with or without CAP_). */
    public static boolean isAll(String name) {
        String upper = name.strip().toUpperCase(Locale.ROOT);
        return upper.equals(ALL) || upper.equals(PREFIX + ALL);
    }

    /** The capability with kernel number {@code number}, if this enum knows it. */
    public static Optional<Capability> ofNumber(int number) {
        for (Capability c : values()) {
            if (c.number == number) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** The mask the kernel uses for a set: bit {@link #number()} of each capability (/proc's CapEff and the like). */
    public static long mask(Collection<Capability> capabilities) {
        long mask = 0;
        for (Capability c : capabilities) {
            mask |= 1L << c.number;
        }
        return mask;
    }

    /** The capabilities in {@code mask}; bits of capabilities newer than this enum are left out. */
    public static Set<Capability> fromMask(long mask) {
        EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
        for (Capability c : values()) {
            if ((mask & (1L << c.number)) != 0) {
                set.add(c);
            }
        }
        return Collections.unmodifiableSet(set);
    }
}
