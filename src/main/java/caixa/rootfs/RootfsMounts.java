package caixa.rootfs;

import caixa.bindings.linux_h;
import caixa.linux.Linux;
import caixa.spawn.ChildProgram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Plans the child's mounts: the rootfs bound onto itself, /proc, /sys, /tmp, a minimal /dev,
 * volumes, then pivot_root into it and the old root detached. Runs in the parent before the clone;
 * the steps run in the child's new mount namespace, so nothing reaches the host's mount table.
 *
 * @param rootfs      the rootfs directory, as a real path
 * @param readOnly    remount the rootfs read-only once the mounts under it are made
 * @param volumes     host paths to bind in
 * @param newSysfs    mount a sysfs of our own (needs a network namespace when in a user namespace);
 *                    otherwise bind the host's /sys read-only
 * @param ttyGroup    the gid devpts gives new terminals (5 in most distributions), or -1 when it is
 *                    not mapped in the container's user namespace
 */
public record RootfsMounts(Path rootfs, boolean readOnly, List<Volume> volumes, boolean newSysfs, int ttyGroup) {

    /** Device nodes every container gets, bound from the host's /dev (mknod needs privileges a user namespace lacks). */
    public static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

    private static final int NOSUID_NODEV_NOEXEC = linux_h.MS_NOSUID() | linux_h.MS_NODEV() | linux_h.MS_NOEXEC();

    public RootfsMounts {
        volumes = List.copyOf(volumes);
    }

    /**
     * Creates, on the host, the directories and files the mounts need in the rootfs. The rootfs is
     * untrusted content and we are root: a mount target is walked one component at a time, and a
     * symlink or {@code ..} on the way is refused before anything is created, so a rootfs cannot make
     * caixa create or mount over a host path.
     */
    public void prepareMountpoints() {
        for (String dir : List.of("/proc", "/sys", "/tmp", "/dev")) {
            ensureTarget(dir, true);
        }
        for (Volume volume : volumes) {
            if (!Files.exists(volume.hostPath())) {
                throw new RootfsException("volume " + volume.hostPath() + ": no such file or directory");
            }
            ensureTarget(volume.containerPath(), Files.isDirectory(volume.hostPath()));
        }
    }

    private void ensureTarget(String containerPath, boolean directory) {
        String[] components = containerPath.substring(1).split("/");
        Path current = rootfs;
        for (int i = 0; i < components.length; i++) {
            String component = components[i];
            if (component.isEmpty() || component.equals(".")) {
                continue;
            }
            if (component.equals("..")) {
                throw new RootfsException("mount target " + containerPath + ": must not contain ..");
            }
            current = current.resolve(component);
            boolean last = i == components.length - 1;
            if (Files.isSymbolicLink(current)) {
                throw new RootfsException("mount target " + containerPath + ": " + rootfs.relativize(current)
                        + " is a symlink in the rootfs (not followed)");
            }
            try {
                if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                    if (last && !directory) {
                        Files.createFile(current);
                    } else {
                        Files.createDirectory(current);
                    }
                }
            } catch (IOException e) {
                throw new RootfsException("rootfs " + rootfs + ": cannot create " + containerPath + ": " + reason(e));
            }
        }
    }

    /** Appends the mount steps, ending with the process in the new root at {@code /}. */
    public void addTo(ChildProgram program) {
        String root = rootfs.toString();
        program.mount(null, "/", null, linux_h.MS_REC() | linux_h.MS_PRIVATE(), null);
        program.mount(root, root, null, linux_h.MS_BIND() | linux_h.MS_REC(), null);
        program.mount("proc", root + "/proc", "proc", NOSUID_NODEV_NOEXEC, null);
        if (newSysfs) {
            program.mount("sysfs", root + "/sys", "sysfs", NOSUID_NODEV_NOEXEC | linux_h.MS_RDONLY(), null);
        } else {
            program.mount("/sys", root + "/sys", null, linux_h.MS_BIND() | linux_h.MS_REC(), null);
            remountReadOnly(program, root + "/sys", Linux.mountFlags("/sys"));
        }
        program.mount("tmpfs", root + "/tmp", "tmpfs", linux_h.MS_NOSUID() | linux_h.MS_NODEV(), "mode=1777");
        addDev(program, root + "/dev");
        for (Volume volume : volumes) {
            String target = root + volume.containerPath();
            program.mount(volume.hostPath().toString(), target, null, linux_h.MS_BIND() | linux_h.MS_REC(), null);
            if (volume.readOnly()) {
                remountReadOnly(program, target, Linux.mountFlags(volume.hostPath().toString()));
            }
        }
        if (readOnly) {
            remountReadOnly(program, root, Linux.mountFlags(root));
        }
        // pivot_root(".", ".") stacks the old root on the new one; detaching "." then drops it.
        program.chdir(root);
        program.pivotRoot(".", ".", root);
        program.umount2(".", linux_h.MNT_DETACH());
        program.chdir("/");
    }

    private void addDev(ChildProgram program, String dev) {
        program.mount("tmpfs", dev, "tmpfs", linux_h.MS_NOSUID() | linux_h.MS_STRICTATIME(), "mode=755,size=65536k");
        for (String device : DEVICES) {
            program.createFile(dev + "/" + device, 0666);
            program.mount("/dev/" + device, dev + "/" + device, null, linux_h.MS_BIND(), null);
        }
        program.mkdir(dev + "/pts", 0755);
        program.mount("devpts", dev + "/pts", "devpts", linux_h.MS_NOSUID() | linux_h.MS_NOEXEC(),
                "newinstance,ptmxmode=0666,mode=0620" + (ttyGroup >= 0 ? ",gid=" + ttyGroup : ""));
        program.symlink("pts/ptmx", dev + "/ptmx");
        program.mkdir(dev + "/shm", 01777);
        program.mount("shm", dev + "/shm", "tmpfs", NOSUID_NODEV_NOEXEC, "mode=1777,size=65536k");
        program.symlink("/proc/self/fd", dev + "/fd");
        program.symlink("/proc/self/fd/0", dev + "/stdin");
        program.symlink("/proc/self/fd/1", dev + "/stdout");
        program.symlink("/proc/self/fd/2", dev + "/stderr");
    }

    /**
     * A bind mount is remounted read-only keeping the flags it has (statvfs's ST_*): in a user
     * namespace the kernel refuses to clear nosuid, nodev, noexec or atime flags it locked.
     */
    private static void remountReadOnly(ChildProgram program, String target, long stFlags) {
        long flags = linux_h.MS_BIND() | linux_h.MS_REMOUNT() | linux_h.MS_RDONLY();
        if ((stFlags & linux_h.ST_NOSUID()) != 0) flags |= linux_h.MS_NOSUID();
        if ((stFlags & linux_h.ST_NODEV()) != 0) flags |= linux_h.MS_NODEV();
        if ((stFlags & linux_h.ST_NOEXEC()) != 0) flags |= linux_h.MS_NOEXEC();
        if ((stFlags & linux_h.ST_NOATIME()) != 0) flags |= linux_h.MS_NOATIME();
        if ((stFlags & linux_h.ST_NODIRATIME()) != 0) flags |= linux_h.MS_NODIRATIME();
        if ((stFlags & linux_h.ST_RELATIME()) != 0) flags |= linux_h.MS_RELATIME();
        program.mount(null, target, null, flags, null);
    }





    private static String reason(IOException e) {
        return e.getClass().getSimpleName().replace("Exception", "") + " " + e.getMessage();
    }
}
