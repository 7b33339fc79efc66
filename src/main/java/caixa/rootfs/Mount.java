package caixa.rootfs;

import java.util.List;

/**
 * A mount in the container, as OCI's config.json writes one: where, what filesystem, from where,
 * and fstab-style options ({@code ro}, {@code nosuid}, {@code rbind}, {@code mode=755}, ...).
 *
 * @param destination an absolute path inside the container
 * @param type        the filesystem type; {@code bind} (or a {@code bind}/{@code rbind} option) binds {@code source}
 * @param source      the device, host path (for binds) or a label such as {@code proc}
 * @param options     mount options, see {@link MountOptions}
 */
public record Mount(String destination, String type, String source, List<String> options) {
    public Mount {
        if (destination == null || !destination.startsWith("/")) {
            throw new IllegalArgumentException("mount destination '" + destination + "': must be an absolute path");
        }
        options = List.copyOf(options);
    }

    public boolean isBind() {
        return "bind".equals(type) || options.contains("bind") || options.contains("rbind");
    }

    /** A bind mount of a host path, as {@code -v HOST:CTR[:ro]} asks. */
    public static Mount bind(String hostPath, String destination, boolean readOnly) {
        return new Mount(destination, "bind", hostPath, readOnly ? List.of("rbind", "ro") : List.of("rbind", "rw"));
    }

    /**
     * What {@code caixa run} mounts: runc's default set (proc, a tmpfs /dev, devpts, /dev/shm, mqueue,
     * read-only sysfs, the container's own cgroup read-only) plus the walkthrough's tmpfs /tmp.
     */
    public static List<Mount> defaults() {
        return List.of(
                new Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                new Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new Mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                new Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                new Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")),
                new Mount("/tmp", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777")));
    }
}
