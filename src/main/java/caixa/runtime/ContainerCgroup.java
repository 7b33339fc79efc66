package caixa.runtime;

import caixa.cgroups.Cgroup;
import caixa.cgroups.CgroupLayout;
import caixa.cgroups.CgroupLease;
import caixa.cgroups.CgroupStats;

import java.nio.file.Files;
import java.util.Optional;

/**
 * A container's cgroup for its lifetime: leased, created (or joined) and limited before the clone;
 * once the container has exited, its OOM count is read and the cgroup removed (if caixa made it).
 */
final class ContainerCgroup {
    private final Cgroup cgroup;
    private final CgroupLease lease;
    private final boolean created;
    private final boolean isDefaultPath;
    private long oomKills = -1;
    private boolean released;

    private ContainerCgroup(Cgroup cgroup, CgroupLease lease, boolean created, boolean isDefaultPath) {
        this.cgroup = cgroup;
        this.lease = lease;
        this.created = created;
        this.isDefaultPath = isDefaultPath;
    }

    /** Null when the spec asks for no cgroup. */
    static ContainerCgroup setUp(ContainerSpec spec) {
        if (spec.cgroup() == null) {
            return null;
        }
        CgroupLayout layout = CgroupLayout.host();
        CgroupLease lease = CgroupLease.acquire(spec.cgroup());
        Cgroup cgroup = null;
        try {
            boolean existed = exists(layout, spec.cgroup());
            cgroup = Cgroup.createForContainer(layout, spec.cgroup());
            ContainerCgroup result = new ContainerCgroup(cgroup, lease, !existed,
                    spec.cgroup().equals(ContainerSpec.defaultCgroup(spec.id())));
            try {
                spec.resources().applyTo(cgroup);
            } catch (RuntimeException e) {
                result.release();
                throw e;
            }
            return result;
        } catch (RuntimeException e) {
            if (cgroup == null) {
                lease.close();
            }
            throw e;
        }
    }

    private static boolean exists(CgroupLayout layout, String path) {
        if (layout.unified() != null && Files.isDirectory(layout.unified().resolve(path))) {
            return true;
        }
        return layout.v1().values().stream().anyMatch(mount -> Files.isDirectory(mount.resolve(path)));
    }

    Cgroup cgroup() {
        return cgroup;
    }

    synchronized long oomKills() {
        return released ? oomKills : cgroup.oomKills();
    }

    synchronized Optional<CgroupStats> stats() {
        return released ? Optional.empty() : Optional.of(cgroup.stats());
    }

    /** Kills what is left in it (orphans of an init that shared our pid namespace), then removes it. */
    synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        try {
            oomKills = cgroup.oomKills();
            if (created) {
                cgroup.kill();
                if (isDefaultPath) {
                    cgroup.deleteWithEmptyParents(0);
                } else {
                    cgroup.delete();
                }
            }
        } finally {
            cgroup.close();
            lease.close();
        }
    }
}
