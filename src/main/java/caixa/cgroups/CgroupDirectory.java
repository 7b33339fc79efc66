package caixa.cgroups;

import caixa.linux.Linux;
import caixa.linux.SyscallException;

import java.nio.file.Path;

/**
 * One cgroup directory in one hierarchy, held open: its files are read and written relative to the
 * descriptor (openat), and the same descriptor is what CLONE_INTO_CGROUP takes.
 */
final class CgroupDirectory implements AutoCloseable {
    private final Path path;
    private final int fd;
    private final boolean created;
    private boolean closed;

    private CgroupDirectory(Path path, int fd, boolean created) {
        this.path = path;
        this.fd = fd;
        this.created = created;
    }

    /** Opens the directory, creating it and its missing parents first when asked. */
    static CgroupDirectory open(Path path, boolean create) {
        boolean created = create && mkdirs(path);
        try {
            return new CgroupDirectory(path, Linux.openDirectory(path.toString()), created);
        } catch (SyscallException e) {
            throw new CgroupException("cgroup " + path + ": " + reason(e), e);
        }
    }

    /** True when this call made the directory (not when it already existed). */
    private static boolean mkdirs(Path path) {
        Path parent = path.getParent();
        if (parent != null && !java.nio.file.Files.isDirectory(parent)) {
            mkdirs(parent);
        }
        try {
            try {
                return Linux.mkdirat(caixa.bindings.linux_h.AT_FDCWD(), path.toString(), 0755);
            } catch (SyscallException e) {
                if (e.errno() != caixa.bindings.linux_h.ENOENT() || parent == null) {
                    throw e;
                }
                // Another caixa removed the shared parent (its last container ended) since we looked.
                mkdirs(parent);
                return Linux.mkdirat(caixa.bindings.linux_h.AT_FDCWD(), path.toString(), 0755);
            }
        } catch (SyscallException e) {
            throw new CgroupException("cgroup " + path + ": cannot create: " + reason(e), e);
        }
    }

    Path path() {
        return path;
    }

    /** Whether opening it created it: only what caixa made, caixa removes. */
    boolean created() {
        return created;
    }

    int fd() {
        return fd;
    }

    boolean has(String file) {
        return java.nio.file.Files.exists(path.resolve(file));
    }

    void write(String file, String value) {
        try {
            Linux.writeFile(fd, file, value);
        } catch (SyscallException e) {
            throw new CgroupException("cgroup " + path + ": writing " + value.strip() + " to " + file + ": "
                    + reason(e), e);
        }
    }

    String read(String file) {
        try {
            return Linux.readFile(fd, file);
        } catch (SyscallException e) {
            throw new CgroupException("cgroup " + path + ": reading " + file + ": " + reason(e), e);
        }
    }

    long readLong(String file) {
        String text = read(file).strip();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new CgroupException("cgroup " + path + ": " + file + " holds '" + text + "', not a number");
        }
    }

    /** {@code key value} lines (cpu.stat, memory.events, memory.oom_control): the value of {@code key}, or -1. */
    long readField(String file, String key) {
        for (String line : read(file).split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2 && kv[0].equals(key)) {
                return Long.parseLong(kv[1]);
            }
        }
        return -1;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Linux.close(fd);
        }
    }

    static String reason(SyscallException e) {
        return caixa.linux.Errno.describe(e.errno());
    }
}
