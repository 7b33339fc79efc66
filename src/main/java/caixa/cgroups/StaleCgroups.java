package caixa.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Removes caixa cgroups whose owner is gone: empty, with a lease file that no live process holds
 * (see {@link CgroupLease}). A killed caixa leaves its container's cgroup behind; the next caixa
 * cleans it up. A cgroup under caixa/ without a lease file is left alone: an OCI container's, which
 * its state owns until {@code delete} even while its init waits in caixa-init or after it exited,
 * or one made by {@code caixa cgroup create}.
 */
public final class StaleCgroups {
    private StaleCgroups() {
    }

    /** The parent under which containers' cgroups live by default. */
    public static final String PARENT = "caixa";

    /** Returns the cgroup paths removed. */
    public static Set<String> sweep(CgroupLayout layout) {
        Set<Path> roots = new LinkedHashSet<>(layout.v1().values());
        if (layout.unified() != null) {
            roots.add(layout.unified());
        }
        Set<String> candidates = new TreeSet<>();
        for (Path root : roots) {
            Path parent = root.resolve(PARENT);
            if (!Files.isDirectory(parent)) {
                continue;
            }
            try (Stream<Path> children = Files.list(parent)) {
                children.filter(Files::isDirectory).forEach(c -> candidates.add(PARENT + "/" + c.getFileName()));
            } catch (IOException e) {
                throw new CgroupException("cgroup " + parent + ": " + e.getMessage(), e);
            }
        }
        Set<String> removed = new TreeSet<>();
        for (String path : candidates) {
            if (!CgroupLease.isAbandoned(path)) {
                continue;
            }
            if (isEmptyEverywhere(roots, path)) {
                for (Path root : roots) {
                    removeDirectory(root.resolve(path));
                }
                CgroupLease.removeStale(path);
                removed.add(path);
            }
        }
        if (!removed.isEmpty()) {
            for (Path root : roots) {
                removeIfEmpty(root.resolve(PARENT));
            }
        }
        return removed;
    }

    /** The shared parent goes once no container uses it; another caixa may be adding one right now. */
    private static void removeIfEmpty(Path dir) {
        try {
            caixa.linux.Linux.rmdirat(caixa.bindings.linux_h.AT_FDCWD(), dir.toString());
        } catch (caixa.linux.SyscallException e) {
            if (e.errno() != caixa.bindings.linux_h.EBUSY() && e.errno() != caixa.bindings.linux_h.ENOTEMPTY()) {
                throw new CgroupException("cgroup " + dir + ": cannot remove: " + e.getMessage(), e);
            }
        }
    }

    private static boolean isEmptyEverywhere(Set<Path> roots, String path) {
        for (Path root : roots) {
            Path procs = root.resolve(path).resolve("cgroup.procs");
            try {
                if (Files.exists(procs) && !Files.readString(procs).isBlank()) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static void removeDirectory(Path dir) {
        if (Files.isDirectory(dir)) {
            try {
                caixa.linux.Linux.rmdirat(caixa.bindings.linux_h.AT_FDCWD(), dir.toString());
            } catch (caixa.linux.SyscallException e) {
                throw new CgroupException("cgroup " + dir + ": cannot remove: " + e.getMessage(), e);
            }
        }
    }
}
