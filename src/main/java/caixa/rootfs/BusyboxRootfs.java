package caixa.rootfs;

import caixa.runtime.Container;
import caixa.runtime.ContainerSpec;
import caixa.runtime.Namespace;
import caixa.runtime.Stdio;
import caixa.spawn.ExitStatus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;

/**
 * The default rootfs: a static busybox and its applet links, enough for a shell and the usual tools.
 * Built once, atomically (in a sibling directory renamed into place), so concurrent first uses agree.
 */
public final class BusyboxRootfs {
    private BusyboxRootfs() {
    }

    /** Where Debian's busybox-static installs the binary. */
    public static final List<Path> BUSYBOX_CANDIDATES = List.of(Path.of("/bin/busybox"), Path.of("/usr/bin/busybox"));

    /** The default rootfs's directory: under /var/lib/caixa for root, under the XDG data home otherwise. */
    public static Path defaultLocation() {
        String override = System.getenv("CAIXA_ROOTFS");
        if (override != null && !override.isEmpty()) {
            return Path.of(override);
        }
        if (caixa.linux.Linux.geteuid() == 0) {
            return Path.of("/var/lib/caixa/rootfs/busybox");
        }
        String dataHome = System.getenv("XDG_DATA_HOME");
        Path base = dataHome != null && !dataHome.isEmpty() ? Path.of(dataHome)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("caixa/rootfs/busybox");
    }

    /** The default rootfs, built on first use. */
    public static Path ensureDefault() {
        Path dir = defaultLocation();
        if (!Files.isDirectory(dir.resolve("bin"))) {
            create(dir);
        }
        return dir;
    }

    /** Builds a busybox rootfs at {@code target}, which must not exist yet (or be empty). */
    public static void create(Path target) {
        Path busybox = findStaticBusybox();
        Path parent = target.toAbsolutePath().getParent();
        Path staging = null;
        try {
            Files.createDirectories(parent);
            staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".building-");
            layOut(staging, busybox);
            installApplets(staging);
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                if (!Files.isDirectory(target.resolve("bin"))) {
                    throw new RootfsException("rootfs " + target + ": exists and is not a busybox rootfs");
                }
                // Someone else built it meanwhile; theirs is as good as ours.
            } catch (AtomicMoveNotSupportedException e) {
                throw new RootfsException("rootfs " + target + ": cannot rename into place: " + e.getMessage());
            }
        } catch (IOException e) {
            throw new RootfsException("rootfs " + target + ": " + e.getMessage());
        } finally {
            if (staging != null) {
                deleteTree(staging);
            }
        }
    }

    private static void layOut(Path root, Path busybox) throws IOException {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String dir : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "tmp",
                "root", "home", "mnt", "var", "run")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.setPosixFilePermissions(root.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(root.resolve("root"), PosixFilePermissions.fromString("rwx------"));
        Path binary = root.resolve("bin/busybox");
        Files.copy(busybox, binary);
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(root.resolve("etc/passwd"), """
                root:x:0:0:root:/root:/bin/sh
                nobody:x:65534:65534:nobody:/nonexistent:/bin/false
                """);
        Files.writeString(root.resolve("etc/group"), """
                root:x:0:
                tty:x:5:
                nogroup:x:65534:
                """);
        Files.writeString(root.resolve("etc/hosts"), "127.0.0.1\tlocalhost\n::1\tlocalhost\n");
    }

    /**
     * busybox links its own applets ({@code --install -s}); it runs in a container of the new
     * rootfs, so it sees the rootfs as / and needs no helper program on the host.
     */
    private static void installApplets(Path root) {
        ContainerSpec spec = ContainerSpec.builder(root, "/bin/busybox", "--install", "-s")
                // ipc too: the default mounts hold an mqueue, which a rootless caller's user namespace
                // may mount only for an ipc namespace of its own.
                .namespaces(EnumSet.of(Namespace.PID, Namespace.MOUNT, Namespace.IPC))
                .stdin(Stdio.NULL)
                .stdout(Stdio.PIPE)
                .stderr(Stdio.PIPE)
                .dieWithParent(true)
                .build();
        try (Container installer = Container.start(spec)) {
            Container.Output output = installer.output();
            if (!output.status().equals(ExitStatus.exited(0))) {
                throw new RootfsException("busybox --install " + output.status() + ": " + output.stderr().strip());
            }
        }
    }

    private static Path findStaticBusybox() {
        for (Path candidate : BUSYBOX_CANDIDATES) {
            if (Files.isRegularFile(candidate) && isStatic(candidate)) {
                return candidate;
            }
        }
        throw new RootfsException("busybox: no static busybox in " + BUSYBOX_CANDIDATES
                + " (Debian: apt-get install busybox-static)");
    }

    /** An ELF with no PT_INTERP program header needs no dynamic loader, so it runs in an empty rootfs. */
    static boolean isStatic(Path elf) {
        final int ptInterp = 3;
        try (FileChannel file = FileChannel.open(elf, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            file.read(header, 0);
            if (header.getInt(0) != 0x464c457f || header.get(4) != 2) {
                return false; // not a 64-bit ELF
            }
            long phoff = header.getLong(0x20);
            int phentsize = Short.toUnsignedInt(header.getShort(0x36));
            int phnum = Short.toUnsignedInt(header.getShort(0x38));
            ByteBuffer entry = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < phnum; i++) {
                entry.clear();
                file.read(entry, phoff + (long) i * phentsize);
                if (entry.getInt(0) == ptInterp) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
