package caixa.rootfs;

import caixa.bindings.linux_h;
import caixa.linux.Linux;
import caixa.linux.SyscallException;
import caixa.spawn.ChildProgram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Set;

/**
 * {@code tmpcopyup}, crun's and runc's extension for a tmpfs mount: the tmpfs starts with a copy of
 * what the directory it covers held. podman asks for it on /tmp, /run and /var/tmp of a
 * {@code --read-only} container, and on {@code --mount type=tmpfs,tmpcopyup}.
 *
 * <p>The child runs no code of its own between clone and exec, so the copy is the parent's, at a
 * barrier: before mounting the tmpfs the child opens the directory (an O_PATH descriptor keeps what
 * the tmpfs then hides reachable), mounts it, opens the tmpfs too, and stops. The parent copies from
 * one descriptor to the other through {@code /proc/PID/fd}, which reach into the child's mount
 * namespace. The source is what the container would have seen there (a volume's content too, if a
 * volume holds the directory), and the copy lands in the container's tmpfs only.
 *
 * <p>The rootfs is untrusted content and the parent is root: directories are walked and files read
 * relative to open directories without following symlinks ({@link SecureDirectoryStream}), so a
 * symlink in the rootfs, even one swapped in while the copy runs, cannot make caixa read a host
 * file into the container. Symlinks are copied as symlinks; directories, regular files and FIFOs
 * keep their mode (setuid, setgid and sticky bits included), owner and group, and directories and
 * regular files their modification time.
 * A device node or socket is refused, naming it: crun recreates them, but a node copied into a
 * tmpfs is a device the container gets without any rule granting it.
 */
final class TmpCopyUp {
    private TmpCopyUp() {
    }

    /** Mode bits chmod takes: permissions plus setuid, setgid and sticky. */
    private static final int MODE_BITS = 07777;

    /**
     * Plans the mount of a tmpfs at {@code target} (the host's path of {@code destination}, before
     * pivot_root) with its copy-up: {@code mountTmpfs} adds the mount's own steps.
     */
    static void plan(ChildProgram program, String target, String destination, Runnable mountTmpfs) {
        int source = program.reserveDescriptor();
        int copy = program.reserveDescriptor();
        int flags = linux_h.O_PATH() | linux_h.O_DIRECTORY() | linux_h.O_NOFOLLOW() | linux_h.O_CLOEXEC();
        program.callKeepingResult("open(" + destination + ")", linux_h.SYS_openat(), linux_h.AT_FDCWD(),
                program.cString(target).address(), flags, 0);
        program.moveKeptTo(source, destination + " for tmpcopyup");
        mountTmpfs.run();
        program.callKeepingResult("open(tmpfs on " + destination + ")", linux_h.SYS_openat(), linux_h.AT_FDCWD(),
                program.cString(target).address(), flags, 0);
        program.moveKeptTo(copy, "tmpfs on " + destination + " for tmpcopyup");
        program.barrier("tmpcopyup " + destination, pid -> copy(pid, source, copy, destination));
        program.close(source, destination + " for tmpcopyup");
        program.close(copy, "tmpfs on " + destination + " for tmpcopyup");
    }

    /** The parent's part: everything under the child's descriptor {@code source} into its descriptor {@code copy}. */
    static void copy(int pid, int source, int copy, String destination) {
        Path from = Path.of("/proc", Integer.toString(pid), "fd", Integer.toString(source));
        Path to = Path.of("/proc", Integer.toString(pid), "fd", Integer.toString(copy));
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(from)) {
            if (!(stream instanceof SecureDirectoryStream<Path> directory)) {
                throw new RootfsException("mount " + destination + ": tmpcopyup needs directory streams relative"
                        + " to an open directory, which this JDK does not offer here");
            }
            // An empty directory has nothing to copy, and so no owner to map.
            copyContents(directory, from, to, destination, destination, () -> requireMapped(pid, destination));
        } catch (IOException e) {
            throw new RootfsException("mount " + destination + ": tmpcopyup: " + RootfsMounts.reason(e));
        }
    }

    /**
     * The copy is made as caixa's uid and gid: a tmpfs that a container mounted in its own user
     * namespace takes no new file from an owner that namespace does not map (EOVERFLOW). Said up
     * front, rather than as the kernel's "Value too large for defined data type".
     */
    private static void requireMapped(int pid, String destination) {
        long uid = Linux.getuid();
        long gid = Linux.getgid();
        if (!maps(pid, "uid_map", uid) || !maps(pid, "gid_map", gid)) {
            throw new RootfsException("mount " + destination + ": tmpcopyup of a directory that is not empty needs"
                    + " the container's user namespace to map uid " + uid + " and gid " + gid
                    + ", as which caixa copies it");
        }
    }

    /** Whether /proc/PID/{uid,gid}_map has a range whose outside ids hold {@code id}. */
    private static boolean maps(int pid, String file, long id) {
        String map;
        try {
            map = Files.readString(Path.of("/proc", Integer.toString(pid), file));
        } catch (IOException e) {
            throw new RootfsException("/proc/" + pid + "/" + file + ": " + RootfsMounts.reason(e));
        }
        for (String line : map.split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length == 3) {
                long outside = Long.parseLong(fields[1]);
                if (id >= outside && id < outside + Long.parseLong(fields[2])) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * @param directory   the source directory, open
     * @param fromPath    its path through the child's descriptor, for what an open directory does not
     *                    tell: a symlink's target, and the mode, owner and group as numbers
     * @param to          the copy's directory
     * @param shownAs     the container's path of {@code directory}, for errors
     * @param destination the tmpfs's mount point, for errors
     * @param beforeFirst   run once, before the first entry is copied
     */
    private static void copyContents(SecureDirectoryStream<Path> directory, Path fromPath, Path to, String shownAs,
                                     String destination, Runnable beforeFirst) throws IOException {
        Runnable first = beforeFirst;
        for (Path entry : directory) {
            first.run();
            first = () -> { };
            Path name = entry.getFileName();
            Path source = fromPath.resolve(name.toString());
            Path target = to.resolve(name.toString());
            String entryShownAs = shownAs + "/" + name;
            Map<String, Object> attributes = Files.readAttributes(source, "unix:mode,uid,gid,lastModifiedTime,fileKey",
                    LinkOption.NOFOLLOW_LINKS);
            // Read through a path, the attributes could be another file's if a directory on the way
            // were swapped for a symlink meanwhile: they count only if they are of the entry itself.
            Object fileKey = directory.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes().fileKey();
            if (!fileKey.equals(attributes.get("fileKey"))) {
                throw new RootfsException("mount " + destination + ": tmpcopyup: " + entryShownAs
                        + " changed while it was copied");
            }
            int mode = (Integer) attributes.get("mode");
            int type = mode & linux_h.S_IFMT();
            if (type == linux_h.S_IFDIR()) {
                Files.createDirectory(target);
                try (SecureDirectoryStream<Path> child = directory.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                    copyContents(child, source, target, entryShownAs, destination, () -> { });
                }
            } else if (type == linux_h.S_IFREG()) {
                copyFile(directory, name, target);
            } else if (type == linux_h.S_IFLNK()) {
                Files.createSymbolicLink(target, Files.readSymbolicLink(source));
            } else if (type == linux_h.S_IFIFO()) {
                makeFifo(target, entryShownAs);
            } else {
                throw new RootfsException("mount " + destination + ": tmpcopyup: " + entryShownAs
                        + " is a device node or a socket, which caixa does not copy into a tmpfs");
            }
            keepAttributes(target, attributes, type);
        }
    }

    private static void copyFile(SecureDirectoryStream<Path> directory, Path name, Path target) throws IOException {
        try (SeekableByteChannel in = directory.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            while (in.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                buffer.clear();
            }
        }
    }

    private static void makeFifo(Path target, String shownAs) {
        try {
            Linux.mkfifo(target.toString(), 0600);
        } catch (SyscallException e) {
            throw new RootfsException("tmpcopyup " + shownAs + ": " + e.getMessage());
        }
    }

    /**
     * Owner first: chown clears setuid and setgid bits, so the mode comes after it. A symlink has no
     * mode of its own; a FIFO keeps no time, since setting one opens it, which waits for a writer.
     */
    private static void keepAttributes(Path target, Map<String, Object> attributes, int type) throws IOException {
        Files.setAttribute(target, "unix:uid", attributes.get("uid"), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(target, "unix:gid", attributes.get("gid"), LinkOption.NOFOLLOW_LINKS);
        if (type == linux_h.S_IFLNK()) {
            return;
        }
        Files.setAttribute(target, "unix:mode", (Integer) attributes.get("mode") & MODE_BITS);
        if (type != linux_h.S_IFIFO()) {
            Files.getFileAttributeView(target, BasicFileAttributeView.class)
                    .setTimes((FileTime) attributes.get("lastModifiedTime"), null, null);
        }
    }
}
