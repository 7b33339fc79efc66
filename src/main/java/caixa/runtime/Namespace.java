package caixa.runtime;

import caixa.bindings.linux_h;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The namespaces a container can get, each with the clone3 flag that creates it. */
public enum Namespace {
    PID(linux_h.CLONE_NEWPID()),
    MOUNT(linux_h.CLONE_NEWNS()),
    UTS(linux_h.CLONE_NEWUTS()),
    IPC(linux_h.CLONE_NEWIPC()),
    NET(linux_h.CLONE_NEWNET()),
    USER(linux_h.CLONE_NEWUSER()),
    CGROUP(linux_h.CLONE_NEWCGROUP()),
    TIME(linux_h.CLONE_NEWTIME());

    private final long cloneFlag;

    Namespace(long cloneFlag) {
        this.cloneFlag = cloneFlag;
    }

    public long cloneFlag() {
        return cloneFlag;
    }

    /** The name used by the CLI and by /proc/PID/ns (except {@code mnt} for MOUNT). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * What a container gets unless told otherwise, as docker does: pid, mount, uts, ipc, net and
     * cgroup. A user namespace comes with id mappings; a time namespace only when asked for.
     */
    public static Set<Namespace> defaults() {
        return EnumSet.of(PID, MOUNT, UTS, IPC, NET, CGROUP);
    }

    public static Namespace parse(String label) {
        String l = label.toLowerCase(Locale.ROOT);
        if (l.equals("mnt")) {
            return MOUNT;
        }
        for (Namespace ns : values()) {
            if (ns.label().equals(l)) {
                return ns;
            }
        }
        throw new IllegalArgumentException("unknown namespace '" + label
                + "' (pid, mount, uts, ipc, net, user, cgroup, time)");
    }

    static long cloneFlags(Set<Namespace> namespaces) {
        long flags = 0;
        for (Namespace ns : namespaces) {
            flags |= ns.cloneFlag;
        }
        return flags;
    }
}
