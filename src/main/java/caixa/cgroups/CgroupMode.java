package caixa.cgroups;

/** How a host mounts cgroups, in runc's terms. */
public enum CgroupMode {
    /** Only cgroup2, at /sys/fs/cgroup. */
    UNIFIED,
    /** v1 controller hierarchies, plus a cgroup2 mount (often at /sys/fs/cgroup/unified). */
    HYBRID,
    /** Only v1 hierarchies. */
    LEGACY
}
