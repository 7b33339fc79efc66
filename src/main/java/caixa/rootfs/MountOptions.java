package caixa.rootfs;

import caixa.bindings.linux_h;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * fstab-style mount options split as mount(2) takes them: flags to set, flags to clear, propagation
 * changes (a separate mount call), and the rest as the filesystem's data string.
 *
 * @param flags       MS_* flags to set
 * @param cleared     MS_* flags the options clear ({@code rw}, {@code suid}, ...), for bind remounts
 * @param propagation MS_PRIVATE / MS_SHARED / MS_SLAVE / MS_UNBINDABLE, possibly with MS_REC, or 0
 * @param data        the filesystem-specific options, comma-separated, or null
 * @param copyUp      {@code tmpcopyup}, runc's extension for a tmpfs: it starts with what the
 *                    directory it covers held (podman asks it for /tmp, /run and /var/tmp with
 *                    --read-only); see {@link TmpCopyUp}
 */
public record MountOptions(long flags, long cleared, long propagation, String data, boolean copyUp) {

    private static final long MS_UNBINDABLE = 1L << 17;

    /** option → {set, clear}; as runc's table. */
    private static final Map<String, long[]> FLAGS = Map.ofEntries(
            Map.entry("ro", new long[] {linux_h.MS_RDONLY(), 0}),
            Map.entry("rw", new long[] {0, linux_h.MS_RDONLY()}),
            Map.entry("nosuid", new long[] {linux_h.MS_NOSUID(), 0}),
            Map.entry("suid", new long[] {0, linux_h.MS_NOSUID()}),
            Map.entry("nodev", new long[] {linux_h.MS_NODEV(), 0}),
            Map.entry("dev", new long[] {0, linux_h.MS_NODEV()}),
            Map.entry("noexec", new long[] {linux_h.MS_NOEXEC(), 0}),
            Map.entry("exec", new long[] {0, linux_h.MS_NOEXEC()}),
            Map.entry("noatime", new long[] {linux_h.MS_NOATIME(), 0}),
            Map.entry("atime", new long[] {0, linux_h.MS_NOATIME()}),
            Map.entry("nodiratime", new long[] {linux_h.MS_NODIRATIME(), 0}),
            Map.entry("diratime", new long[] {0, linux_h.MS_NODIRATIME()}),
            Map.entry("relatime", new long[] {linux_h.MS_RELATIME(), 0}),
            Map.entry("norelatime", new long[] {0, linux_h.MS_RELATIME()}),
            Map.entry("strictatime", new long[] {linux_h.MS_STRICTATIME(), 0}),
            Map.entry("nostrictatime", new long[] {0, linux_h.MS_STRICTATIME()}),
            Map.entry("bind", new long[] {linux_h.MS_BIND(), 0}),
            Map.entry("rbind", new long[] {linux_h.MS_BIND() | linux_h.MS_REC(), 0}),
            Map.entry("defaults", new long[] {0, 0}));

    private static final Map<String, Long> PROPAGATION = Map.of(
            "private", (long) linux_h.MS_PRIVATE(),
            "rprivate", (long) (linux_h.MS_PRIVATE() | linux_h.MS_REC()),
            "shared", (long) linux_h.MS_SHARED(),
            "rshared", (long) (linux_h.MS_SHARED() | linux_h.MS_REC()),
            "slave", (long) linux_h.MS_SLAVE(),
            "rslave", (long) (linux_h.MS_SLAVE() | linux_h.MS_REC()),
            "unbindable", MS_UNBINDABLE,
            "runbindable", MS_UNBINDABLE | linux_h.MS_REC());

    public static MountOptions parse(List<String> options) {
        long flags = 0;
        long cleared = 0;
        long propagation = 0;
        List<String> data = new ArrayList<>();
        boolean copyUp = false;
        for (String option : options) {
            long[] flag = FLAGS.get(option);
            Long prop = PROPAGATION.get(option);
            if (option.equals("tmpcopyup")) {
                copyUp = true;
            } else if (flag != null) {
                flags = (flags | flag[0]) & ~flag[1];
                cleared |= flag[1];
            } else if (prop != null) {
                propagation = prop;
            } else {
                data.add(option);
            }
        }
        return new MountOptions(flags, cleared, propagation, data.isEmpty() ? null : String.join(",", data), copyUp);
    }

    /** A rootfs propagation name (OCI linux.rootfsPropagation) as flags for the mount of "/". */
    public static long propagation(String name) {
        Long flags = PROPAGATION.get(name);
        if (flags == null) {
            throw new IllegalArgumentException("rootfs propagation '" + name + "': expected one of " + PROPAGATION.keySet());
        }
        return flags;
    }
}
