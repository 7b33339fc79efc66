package caixa.runtime;

import caixa.cgroups.Cgroup;
import caixa.cgroups.CgroupLayout;
import caixa.cgroups.CgroupLease;
import caixa.cgroups.CgroupStats;
import caixa.cgroups.DeviceController;
import caixa.cgroups.Sizes;

import java.util.Optional;

/**
 * A container's cgroup for its lifetime: leased, created (or joined) and limited before the clone;
 * once the container has exited, its OOM count is read and the cgroup removed (if caixa made it).
 */
final class ContainerCgroup {
    private final Cgroup cgroup;
    private final CgroupLease lease;
    private final boolean isDefaultPath;
    private long oomKills = -1;
    private long memoryLimit = Sizes.UNLIMITED;
    private boolean released;

    private ContainerCgroup(Cgroup cgroup, CgroupLease lease, boolean isDefaultPath) {
        this.cgroup = cgroup;
        this.lease = lease;
        this.isDefaultPath = isDefaultPath;
    }

    /** Null when the spec asks for no cgroup. */
    static ContainerCgroup setUp(ContainerSpec spec) {
        if (spec.cgroup() == null) {
            return null;
        }
        CgroupLayout layout = CgroupLayout.host();
        boolean rootless = Rootless.active();
        // The lease is for the stale sweep, which only root runs (over /run/caixa-cgroups): a rootless
        // container's cgroup lives under the user's delegated one, and is the user's to clean.
        CgroupLease lease = rootless ? null : CgroupLease.acquire(spec.cgroup());
        Cgroup cgroup = null;
        try {
            cgroup = rootless
                    ? Cgroup.createDelegated(layout, spec.cgroup(), Rootless.cgroupControllers(spec.resources()))
                    : Cgroup.createForContainer(layout, spec.cgroup());
            String ownDefault = ContainerSpec.defaultCgroup(spec.id());
            boolean isDefaultPath = spec.cgroup().equals(ownDefault)
                    || rootless && spec.cgroup().endsWith("/" + ownDefault);
            ContainerCgroup result = new ContainerCgroup(cgroup, lease, isDefaultPath);
            try {
                spec.resources().applyTo(cgroup);
                // Rootless: no device rules. The user namespace already forbids mknod and opening a
                // host device the user could not open; the devices controller is root's anyway.
                if (!rootless && cgroup.createdEverywhere()) {
                    // A cgroup the caller brought may hold other processes: its device rules stay theirs.
                    DeviceController.apply(cgroup, spec.deviceRules());
                }
            } catch (RuntimeException e) {
                result.release();
                throw e;
            }
            return result;
        } catch (RuntimeException e) {
            if (cgroup == null && lease != null) {
                lease.close();
            }
            throw e;
        }
    }

    Cgroup cgroup() {
        return cgroup;
    }

    synchronized long oomKills() {
        return released ? oomKills : cgroup.oomKills();
    }

    /** The memory limit in force when the container ended (-1: none). */
    synchronized long memoryLimitAtExit() {
        return memoryLimit;
    }

    synchronized Optional<CgroupStats> stats() {
        return released ? Optional.empty() : Optional.of(cgroup.stats());
    }

    /** Leaves the cgroup to the container (another process will remove it): releases our handles only. */
    synchronized void detach() {
        if (!released) {
            released = true;
            cgroup.close();
            if (lease != null) {
                lease.close();
            }
        }
    }

    /**
     * Kills what is left in a cgroup that is the container's own (orphans of an init that shared our
     * pid namespace), then removes what caixa made of it. A cgroup the caller brought may hold
     * other processes: those are left alone.
     */
    synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        try {
            oomKills = cgroup.oomKills();
            memoryLimit = cgroup.stats().memoryMax();
            if (cgroup.createdEverywhere()) {
                cgroup.kill();
            }
            // The default caixa/<id> (under a rootless caller's delegated cgroup) also takes caixa/ once empty.
            int segments = cgroup.path().split("/").length;
            cgroup.deleteCreated(isDefaultPath ? segments - 2 : segments - 1);
        } finally {
            cgroup.close();
            if (lease != null) {
                lease.close();
            }
        }
    }
}
