package caixa.cgroups;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lease is a POSIX record lock, which the kernel keeps per process and inode: closing any
 * descriptor of the file in the holding process drops it. So the checks here look at /proc/locks,
 * the kernel's view, which is what another caixa process sees; this JVM's own bookkeeping of its
 * locks would hide a lost lease.
 */
class CgroupLeaseTest {
    private static final long SELF = ProcessHandle.current().pid();

    private final String path = StaleCgroups.PARENT + "/" + HostCgroups.uniqueName();

    @Test
    void heldLeaseIsSeenAndReleasedLeaseIsGone() throws IOException {
        Path file = CgroupLease.fileFor(path);
        try (CgroupLease ignored = CgroupLease.acquire(path)) {
            assertTrue(lockedByThisProcess(file), "a held lease is a lock in the kernel");
            assertTrue(CgroupLease.isHeld(path));
        }
        assertFalse(Files.exists(file), "the lease file is removed with the lease");
        assertFalse(CgroupLease.isHeld(path));
    }

    /** What a sweep asks of every caixa cgroup, from within a process that holds some of their leases. */
    @Test
    void askingWhetherALeaseIsHeldKeepsItHeld() throws IOException {
        Path file = CgroupLease.fileFor(path);
        try (CgroupLease ignored = CgroupLease.acquire(path)) {
            CgroupLease.isHeld(path);

            assertTrue(lockedByThisProcess(file),
                    "the lease's lock is gone from /proc/locks: another caixa would now sweep the cgroup away");
        }
    }

    @Test
    void secondLeaseInTheSameProcessIsRefusedWithoutSideEffects() throws IOException {
        Path file = CgroupLease.fileFor(path);
        try (CgroupLease ignored = CgroupLease.acquire(path)) {
            List<String> fdsBefore = openDescriptors();

            CgroupException e = assertThrows(CgroupException.class, () -> CgroupLease.acquire(path));

            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            assertEquals(fdsBefore, openDescriptors(), "descriptors of this JVM");
            assertTrue(lockedByThisProcess(file), "the first lease still holds");
        }
    }

    /** What a sweep removes: a lease file whose holder is gone. Held, closed or never taken, it is not one. */
    @Test
    void onlyALeaseFileNoOneHoldsIsAbandoned() {
        assertFalse(CgroupLease.isAbandoned(path), "no lease file: not made by a leasing caixa");
        try (CgroupLease ignored = CgroupLease.acquire(path)) {
            assertFalse(CgroupLease.isAbandoned(path), "held by this process");
        }
        assertFalse(CgroupLease.isAbandoned(path), "closed: handed over or removed with its cgroup");
        HostCgroups.abandonLease(path);
        try {
            assertTrue(CgroupLease.isAbandoned(path), "a lease file no one holds");
        } finally {
            CgroupLease.removeStale(path);
        }
    }

    /**
     * Every entry of the default OCI state directory is a container, and {@code cgroups} is a valid
     * id: the leases live elsewhere.
     */
    @Test
    void leasesLiveOutsideTheDefaultStateDirectory() {
        Path stateRoot = Path.of("/run/caixa");
        assertFalse(CgroupLease.fileFor(path).startsWith(stateRoot), CgroupLease.fileFor(path).toString());
    }

    /** /proc/locks lines read {@code 1: POSIX ADVISORY WRITE PID MAJ:MIN:INODE START END}. */
    private static boolean lockedByThisProcess(Path file) throws IOException {
        long inode = (Long) Files.getAttribute(file, "unix:ino");
        return Files.readAllLines(Path.of("/proc/locks")).stream()
                .map(line -> line.strip().split("\\s+"))
                .anyMatch(f -> f.length >= 6 && f[1].equals("POSIX") && f[4].equals(Long.toString(SELF))
                        && f[5].endsWith(":" + inode));
    }

    private static List<String> openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> fd.getFileName().toString()).sorted().toList();
        }
    }
}
