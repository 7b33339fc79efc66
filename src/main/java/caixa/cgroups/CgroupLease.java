package caixa.cgroups;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Proof that a live caixa owns a cgroup: a lock on a file under {@link #DIRECTORY}, taken before the
 * cgroup is created and held until it is removed, when the file goes too. The kernel drops the lock
 * when its holder dies however it dies, and the file stays: a lease file that no one holds marks an
 * abandoned cgroup, which anyone may remove once it is empty. A cgroup without a lease file is not
 * a leftover: no leasing caixa made it ({@code caixa cgroup create} did, or someone else), or its
 * lease was handed over (closed while the cgroup stays: an OCI container's cgroup belongs to its
 * state directory until {@code delete}, whether its init is waiting, running or gone).
 */
public final class CgroupLease implements AutoCloseable {
    /**
     * Machine-wide, as cgroups are, whatever state directory ({@code --root}) a command uses; on
     * /run, so it is emptied at boot as the cgroups are. Not inside the default OCI state directory
     * /run/caixa, where it used to be: every entry there is a container, and {@code cgroups} is a
     * valid container id.
     */
    static final Path DIRECTORY = Path.of("/run/caixa-cgroups");

    /**
     * The lease files this process holds. The kernel keeps a POSIX lock per process and inode, and
     * drops it when the process closes any descriptor of the file: this process must not open (and
     * so close) a lease file it holds, so it answers for its own leases from here.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private CgroupLease(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    static Path fileFor(String cgroupPath) {
        return DIRECTORY.resolve(cgroupPath.replace("/", "%") + ".lock");
    }

    public static CgroupLease acquire(String cgroupPath) {
        Path file = fileFor(cgroupPath);
        if (!HELD.add(file)) {
            throw new CgroupException("cgroup " + cgroupPath + ": in use by another container of this process");
        }
        try {
            Files.createDirectories(DIRECTORY);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new CgroupException("cgroup " + cgroupPath + ": in use by another caixa");
            }
            return new CgroupLease(file, channel, lock);
        } catch (IOException e) {
            HELD.remove(file);
            throw new CgroupException("cgroup " + cgroupPath + ": lease " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            HELD.remove(file);
            throw e;
        }
    }

    /** Whether a live process holds the lease of {@code cgroupPath}. */
    static boolean isHeld(String cgroupPath) {
        Path file = fileFor(cgroupPath);
        if (HELD.contains(file)) {
            return true;
        }
        if (!Files.exists(file)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return true; // cannot tell: keep the cgroup
        }
    }

    /**
     * Whether the lease of {@code cgroupPath} was abandoned: its file is there and no live process
     * holds its lock, so the caixa that made the cgroup died before removing it. False when there
     * is no lease file (see the class comment), and when it cannot tell.
     */
    static boolean isAbandoned(String cgroupPath) {
        Path file = fileFor(cgroupPath);
        if (HELD.contains(file)) {
            return false;
        }
        // Opened without CREATE: a lease closed meanwhile must not be brought back as an abandoned one.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return false;
            }
            lock.release();
            return true;
        } catch (NoSuchFileException | OverlappingFileLockException e) {
            return false;
        } catch (IOException e) {
            return false; // cannot tell: keep the cgroup
        }
    }

    static void removeStale(String cgroupPath) {
        try {
            Files.deleteIfExists(fileFor(cgroupPath));
        } catch (IOException e) {
            throw new CgroupException("lease of " + cgroupPath + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new CgroupException("lease " + file + ": " + e.getMessage(), e);
        } finally {
            HELD.remove(file);
        }
    }
}
