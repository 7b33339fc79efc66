package caixa.rootfs;

import caixa.bindings.linux_h;
import caixa.linux.Linux;
import caixa.spawn.ChildProgram;
import caixa.spawn.Step;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans the child's filesystem: the rootfs bound onto itself, the mounts in order (a tmpfs /dev gets
 * the default devices), the read-only remount, pivot_root into it with the old root detached, then the
 * masked and read-only paths. Runs in the parent before the clone; the steps run in the child's new
 * mount namespace, so nothing reaches the host's mount table.
 *
 * @param rootfs          the rootfs directory, as a real path
 * @param readOnly        remount the rootfs read-only once the mounts under it are made
 * @param mounts          the mounts, in order
 * @param userNamespace   whether the child is in a new user namespace
 * @param netNamespace    whether it has a new network namespace (sysfs needs one inside a user namespace)
 * @param ipcNamespace    whether it has a new ipc namespace (mqueue needs one inside a user namespace)
 * @param ttyGroup        the gid devpts gives new terminals, or -1 when the user namespace does not map it
 * @param rootPropagation MS_* propagation for the host's mounts as copied into the namespace
 * @param maskedPaths     paths hidden behind /dev/null (files) or an empty read-only tmpfs (directories)
 * @param readonlyPaths   paths remounted read-only
 * @param devices         device nodes to create in /dev besides the defaults
 * @param cgroupPath      the container's cgroup (relative to each hierarchy), shown by a {@code cgroup}
 *                        mount; null when it has none
 * @param noPivotRoot     enter the rootfs by moving its mount onto / and chrooting, as runc's
 *                        --no-pivot, instead of pivot_root (see {@link #enterRootfs})
 */
public record RootfsMounts(Path rootfs, boolean readOnly, List<Mount> mounts, boolean userNamespace,
                           boolean netNamespace, boolean ipcNamespace, int ttyGroup, long rootPropagation,
                           List<String> maskedPaths, List<String> readonlyPaths, List<Device> devices,
                           String cgroupPath, boolean noPivotRoot) {

    /** Device nodes every container gets, bound from the host's /dev (mknod needs privileges a user namespace lacks). */
    public static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

    private static final long LOCKED_FLAGS = linux_h.MS_NOSUID() | linux_h.MS_NODEV() | linux_h.MS_NOEXEC();

    public RootfsMounts {
        mounts = List.copyOf(mounts);
        maskedPaths = List.copyOf(maskedPaths);
        readonlyPaths = List.copyOf(readonlyPaths);
        devices = List.copyOf(devices);
    }

    /**
     * Creates, on the host, the directories and files the mounts need in the rootfs. The rootfs is
     * untrusted content and we are root: a mount target is walked one component at a time, and a
     * symlink or {@code ..} on the way is refused before anything is created, so a rootfs cannot make
     * caixa create or mount over a host path. Targets inside a filesystem mounted earlier (/dev/pts
     * in the /dev tmpfs) exist only in the child: it creates them itself.
     */
    public void prepareMountpoints() {
        for (Mount mount : mounts) {
            if ("mqueue".equals(mount.type()) && userNamespace && !ipcNamespace) {
                throw new RootfsException("mount " + mount.destination() + ": a user namespace may mount mqueue only"
                        + " for an ipc namespace of its own (add ipc to the namespaces)");
            }
            if (mount.isBind() && !Files.exists(Path.of(mount.source()))) {
                throw new RootfsException("volume " + mount.source() + ": no such file or directory");
            }
            if (coveringMount(mount) == null) {
                ensureTarget(mount.destination(), !mount.isBind() || Files.isDirectory(Path.of(mount.source())));
            }
        }
    }

    /** Appends the mount steps, ending with the process in the new root at {@code /}. */
    public void addTo(ChildProgram program) {
        mountRootfs(program);
        enterRootfs(program);
    }

    /**
     * Appends the steps that build the container's tree under the rootfs (the rootfs bound onto
     * itself, then every mount and device), while the process still sees the host's root.
     */
    public void mountRootfs(ChildProgram program) {
        String root = rootfs.toString();
        program.mount(null, "/", null, linux_h.MS_REC() | rootPropagation, null);
        program.mount(root, root, null, linux_h.MS_BIND() | linux_h.MS_REC(), null);
        for (Mount mount : mounts) {
            addMount(program, root, mount);
        }
        for (Device device : devices) {
            addDevice(program, root, device);
        }
        if (readOnly) {
            remountReadOnly(program, root, Linux.mountFlags(root));
        }
    }

    /**
     * Appends the switch into the rootfs: pivot_root and the old root detached, or with
     * {@code noPivotRoot} the rootfs moved onto / and a chroot.
     */
    public void enterRootfs(ChildProgram program) {
        String root = rootfs.toString();
        program.chdir(root);
        if (noPivotRoot) {
            enterWithoutPivot(program, root);
        } else {
            // pivot_root(".", ".") stacks the old root on the new one; detaching "." then drops it.
            program.pivotRoot(".", ".", root);
            program.umount2(".", linux_h.MNT_DETACH());
        }
        program.chdir("/");
    }

    /**
     * runc's --no-pivot: the rootfs mount is moved onto {@code /} and the process chroots into it.
     * The host's mounts stay in the namespace beneath the new root, where a process allowed to
     * chroot can climb back to them. So first, as runc does, every full proc and sysfs mount of the
     * host is detached, with propagation cut so that the unmount stays in this namespace: through
     * them lie the host's processes and kernel settings, and while one is fully visible the kernel
     * lets a user namespace mount a proc or sysfs of its own despite the container's masked paths.
     * Where the kernel keeps the mount (one locked in a user namespace: EINVAL, EPERM), an empty
     * read-only tmpfs covers it instead; a step program cannot branch on the unmount's result, so
     * the tmpfs goes on in every case (on the bare mount point, in this namespace only, when the
     * unmount succeeded). A path a detached parent took with it is gone (ENOENT), or no longer a mount
     * point (EINVAL): neither is a failure.
     */
    private static void enterWithoutPivot(ChildProgram program, String root) {
        long goneOrLocked = Step.errnos(linux_h.ENOENT(), linux_h.EINVAL(), linux_h.EPERM());
        long gone = Step.errnos(linux_h.ENOENT());
        long notMounted = Step.errnos(linux_h.ENOENT(), linux_h.EINVAL());
        for (String mountPoint : hostKernelFilesystems(root)) {
            long target = program.cString(mountPoint).address();
            program.callTolerating(notMounted, "mount(" + mountPoint + " slave)", linux_h.SYS_mount(), 0, target, 0,
                    linux_h.MS_SLAVE() | linux_h.MS_REC(), 0);
            program.callTolerating(goneOrLocked, "umount2(" + mountPoint + ")", linux_h.SYS_umount2(), target,
                    linux_h.MNT_DETACH());
            program.callTolerating(gone, "mount(empty tmpfs over " + mountPoint + ")", linux_h.SYS_mount(),
                    program.cString("tmpfs").address(), target, program.cString("tmpfs").address(),
                    linux_h.MS_RDONLY() | LOCKED_FLAGS, program.cString("size=0").address());
        }
        program.mount(".", "/", null, linux_h.MS_MOVE(), null);
        program.chroot(".");
    }

    /**
     * The mount points of the host's full proc and sysfs mounts (root {@code /}: not a bind of a
     * part of one), outside the rootfs, from this process's mount table, which the child's new mount
     * namespace copies. Deepest first: a parent detached first would take the others along.
     */
    static List<String> hostKernelFilesystems(String root) {
        List<String> found = new ArrayList<>();
        String mountinfo;
        try {
            mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            throw new RootfsException("/proc/self/mountinfo: " + reason(e));
        }
        for (String line : mountinfo.split("\n")) {
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
            String[] fields = line.split(" ");
            int separator = java.util.Arrays.asList(fields).indexOf("-");
            if (fields.length < 5 || separator < 0 || separator + 1 >= fields.length) {
                continue;
            }
            String fsType = fields[separator + 1];
            String mountPoint = unescape(fields[4]);
            boolean inRootfs = mountPoint.equals(root) || mountPoint.startsWith(root + "/");
            if ((fsType.equals("proc") || fsType.equals("sysfs")) && unescape(fields[3]).equals("/") && !inRootfs) {
                found.add(mountPoint);
            }
        }
        found.sort(java.util.Comparator.comparingInt((String p) -> p.split("/").length).reversed());
        return found;
    }

    /** mountinfo writes a space, tab, newline or backslash in a path as a three-digit octal escape. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * Masks and makes read-only what the spec lists, once inside the new root. Separate from
     * {@link #enterRootfs}: sysctls are written in between, through /proc/sys, before it goes read-only.
     */
    public void restrictPaths(ChildProgram program) {
        for (String path : maskedPaths) {
            mask(program, path);
        }
        for (String path : readonlyPaths) {
            long missing = Step.errnos(linux_h.ENOENT());
            program.callTolerating(missing, "mount(" + path + " on itself)", linux_h.SYS_mount(),
                    program.cString(path).address(), program.cString(path).address(), 0,
                    linux_h.MS_BIND() | linux_h.MS_REC(), 0);
            program.callTolerating(missing, "mount(" + path + " read-only)", linux_h.SYS_mount(), 0,
                    program.cString(path).address(), 0,
                    linux_h.MS_BIND() | linux_h.MS_REMOUNT() | linux_h.MS_RDONLY() | LOCKED_FLAGS, 0);
        }
    }

    private void addMount(ChildProgram program, String root, Mount mount) {
        String target = root + mount.destination();
        Mount covering = coveringMount(mount);
        if (covering != null) {
            createInChild(program, root, covering.destination(), mount);
        }
        MountOptions options = MountOptions.parse(mount.options());
        if (mount.type() != null && mount.type().equals("sysfs") && userNamespace && !netNamespace) {
            // A user namespace may mount sysfs only for a network namespace it owns: show the host's, read-only.
            program.mount("/sys", target, null, linux_h.MS_BIND() | linux_h.MS_REC(), null);
            remountReadOnly(program, target, Linux.mountFlags("/sys"));
        } else if ("cgroup".equals(mount.type()) || "cgroup2".equals(mount.type())) {
            addCgroupMount(program, target, options);
        } else if (mount.isBind()) {
            program.mount(mount.source(), target, null, linux_h.MS_BIND() | (options.flags() & linux_h.MS_REC()), null);
            long extra = options.flags() & ~(linux_h.MS_BIND() | linux_h.MS_REC());
            if (extra != 0) {
                long locked = lockedFlags(Linux.mountFlags(mount.source())) & ~options.cleared();
                program.mount(null, target, null, linux_h.MS_BIND() | linux_h.MS_REMOUNT() | extra | locked, null);
            }
        } else if ("tmpfs".equals(mount.type()) && options.copyUp() && covering == null) {
            // Under an earlier tmpfs (covering) the directory is one the child made: nothing to copy.
            TmpCopyUp.plan(program, target, mount.destination(),
                    () -> program.mount(mount.source(), target, mount.type(), options.flags(), data(mount, options)));
        } else {
            program.mount(mount.source(), target, mount.type(), options.flags(), data(mount, options));
        }
        if (options.propagation() != 0) {
            program.mount(null, target, null, options.propagation(), null);
        }
        if (mount.destination().equals("/dev") && "tmpfs".equals(mount.type())) {
            addDevices(program, target);
        }
    }

    /**
     * A {@code cgroup} mount shows the container its own cgroup, as runc does: on cgroup v1 (or a
     * hybrid host) a tmpfs with one directory per hierarchy, each a bind of the container's cgroup in
     * that hierarchy; on a unified host the container's cgroup2 directory. Mounting a fresh "cgroup"
     * filesystem would instead try to bind every v1 controller into one new hierarchy, which the
     * kernel refuses while they are mounted elsewhere.
     */
    private void addCgroupMount(ChildProgram program, String target, MountOptions options) {
        long readOnly = options.flags() & linux_h.MS_RDONLY();
        long locked = options.flags() & LOCKED_FLAGS;
        caixa.cgroups.CgroupLayout layout = caixa.cgroups.CgroupLayout.host();
        java.util.Map<Path, String> hierarchies = new java.util.LinkedHashMap<>();
        layout.v1().forEach((controller, mount) -> hierarchies.putIfAbsent(mount, mount.getFileName().toString()));
        if (cgroupPath == null) {
            // No cgroup of its own: the host's tree is not the container's business.
            program.mount("tmpfs", target, "tmpfs", locked | linux_h.MS_RDONLY(), "mode=755,size=0");
            return;
        }
        if (layout.mode() == caixa.cgroups.CgroupMode.UNIFIED) {
            bindCgroup(program, layout.unified(), target, readOnly | locked);
            return;
        }
        program.mount("tmpfs", target, "tmpfs", locked, "mode=755");
        if (layout.unified() != null) {
            hierarchies.put(layout.unified(), "unified");
        }
        hierarchies.forEach((mount, name) -> {
            if (!Files.isDirectory(mount.resolve(cgroupPath))) {
                // A rootless container's cgroup exists only in the hierarchies its limits needed.
                return;
            }
            program.mkdir(target + "/" + name, 0755);
            bindCgroup(program, mount, target + "/" + name, readOnly | locked);
        });
        if (readOnly != 0) {
            program.mount(null, target, null, linux_h.MS_REMOUNT() | linux_h.MS_RDONLY() | locked, "mode=755");
        }
    }

    private void bindCgroup(ChildProgram program, Path hierarchy, String target, long flags) {
        Path source = cgroupPath == null ? hierarchy : hierarchy.resolve(cgroupPath);
        program.mount(source.toString(), target, null, linux_h.MS_BIND() | linux_h.MS_REC(), null);
        if (flags != 0) {
            program.mount(null, target, null, linux_h.MS_BIND() | linux_h.MS_REMOUNT() | flags, null);
        }
    }

    /** devpts's gid= names a group of the container: leave it out when the user namespace does not map it. */
    private String data(Mount mount, MountOptions options) {
        if (options.data() == null || !"devpts".equals(mount.type()) || ttyGroup >= 0) {
            return options.data();
        }
        List<String> kept = new ArrayList<>();
        for (String option : options.data().split(",")) {
            if (!option.startsWith("gid=")) {
                kept.add(option);
            }
        }
        return kept.isEmpty() ? null : String.join(",", kept);
    }

    private static void addDevices(ChildProgram program, String dev) {
        for (String device : DEVICES) {
            program.createFile(dev + "/" + device, 0666);
            program.mount("/dev/" + device, dev + "/" + device, null, linux_h.MS_BIND(), null);
        }
        program.symlink("pts/ptmx", dev + "/ptmx");
        program.symlink("/proc/self/fd", dev + "/fd");
        program.symlink("/proc/self/fd/0", dev + "/stdin");
        program.symlink("/proc/self/fd/1", dev + "/stdout");
        program.symlink("/proc/self/fd/2", dev + "/stderr");
    }

    /**
     * mknod where we may; in a user namespace, where mknod is not allowed, the host's node is bound
     * onto an empty file, as runc does.
     */
    private void addDevice(ChildProgram program, String root, Device device) {
        String target = root + device.path();
        if (userNamespace) {
            program.createFile(target, 0666);
            program.mount(device.path(), target, null, linux_h.MS_BIND(), null);
            return;
        }
        int type = switch (device.type()) {
            case "b" -> linux_h.S_IFBLK();
            case "p" -> linux_h.S_IFIFO();
            default -> linux_h.S_IFCHR();
        };
        program.callTolerating(Step.errnos(linux_h.EEXIST()), "mknod(" + device.path() + ")", linux_h.SYS_mknodat(),
                linux_h.AT_FDCWD(), program.cString(target).address(), type | (device.fileMode() & 07777), device.devT());
        program.call("chown(" + device.path() + ")", linux_h.SYS_fchownat(), linux_h.AT_FDCWD(),
                program.cString(target).address(), device.uid(), device.gid(), 0);
    }

    /**
     * A file is hidden behind /dev/null, a directory behind an empty read-only tmpfs; which one it is
     * shows only in the child, so both are tried and the mismatch (ENOTDIR) tolerated, as is a path
     * this kernel does not have.
     */
    private static void mask(ChildProgram program, String path) {
        long tolerated = Step.errnos(linux_h.ENOENT(), linux_h.ENOTDIR());
        long target = program.cString(path).address();
        program.callTolerating(tolerated, "mount(/dev/null on " + path + ")", linux_h.SYS_mount(),
                program.cString("/dev/null").address(), target, 0, linux_h.MS_BIND(), 0);
        program.callTolerating(tolerated, "mount(empty tmpfs on " + path + ")", linux_h.SYS_mount(),
                program.cString("tmpfs").address(), target, program.cString("tmpfs").address(),
                linux_h.MS_RDONLY(), program.cString("size=0").address());
    }

    /** The latest earlier non-bind mount whose filesystem will hold this mount's target, if any. */
    private Mount coveringMount(Mount mount) {
        Mount covering = null;
        for (Mount earlier : mounts) {
            if (earlier == mount) {
                break;
            }
            if (!earlier.isBind() && isUnder(mount.destination(), earlier.destination())) {
                covering = earlier;
            }
        }
        return covering;
    }

    private static boolean isUnder(String path, String dir) {
        return path.startsWith(dir.endsWith("/") ? dir : dir + "/");
    }

    private static void createInChild(ChildProgram program, String root, String base, Mount mount) {
        String[] rest = mount.destination().substring(base.length() + 1).split("/");
        StringBuilder path = new StringBuilder(root).append(base);
        for (int i = 0; i < rest.length; i++) {
            path.append('/').append(rest[i]);
            boolean file = i == rest.length - 1 && mount.isBind() && !Files.isDirectory(Path.of(mount.source()));
            if (file) {
                program.createFile(path.toString(), 0644);
            } else {
                program.mkdir(path.toString(), 0755);
            }
        }
    }

    private static long lockedFlags(long stFlags) {
        long flags = 0;
        if ((stFlags & linux_h.ST_NOSUID()) != 0) flags |= linux_h.MS_NOSUID();
        if ((stFlags & linux_h.ST_NODEV()) != 0) flags |= linux_h.MS_NODEV();
        if ((stFlags & linux_h.ST_NOEXEC()) != 0) flags |= linux_h.MS_NOEXEC();
        if ((stFlags & linux_h.ST_NOATIME()) != 0) flags |= linux_h.MS_NOATIME();
        if ((stFlags & linux_h.ST_NODIRATIME()) != 0) flags |= linux_h.MS_NODIRATIME();
        if ((stFlags & linux_h.ST_RELATIME()) != 0) flags |= linux_h.MS_RELATIME();
        return flags;
    }

    /**
     * A bind mount is remounted read-only keeping the flags it has (statvfs's ST_*): in a user
     * namespace the kernel refuses to clear nosuid, nodev, noexec or atime flags it locked.
     */
    private static void remountReadOnly(ChildProgram program, String target, long stFlags) {
        program.mount(null, target, null,
                linux_h.MS_BIND() | linux_h.MS_REMOUNT() | linux_h.MS_RDONLY() | lockedFlags(stFlags), null);
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

    /** An IOException as one phrase: {@code NoSuchFile /x}, {@code AccessDenied /y}. */
    static String reason(IOException e) {
        return e.getClass().getSimpleName().replace("Exception", "") + " " + e.getMessage();
    }
}
