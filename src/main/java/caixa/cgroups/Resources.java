package caixa.cgroups;

import java.util.Locale;

/**
 * Limits in docker's terms, applied through the v2 vocabulary (so the same on v1 and v2).
 *
 * @param cpus        CPUs' worth of time per period (0.2 = 20% of one CPU), or 0 for no limit
 * @param memory      bytes, or {@link Sizes#UNLIMITED}
 * @param memorySwap  memory plus swap in bytes, as docker's --memory-swap; {@link Sizes#UNLIMITED}
 *                    for unlimited swap; 0 to leave swap alone
 * @param pidsLimit   tasks, or 0 for no limit
 * @param cpusetCpus  CPUs to run on ({@code 0-1}), or null
 * @param cpuShares   the relative CPU weight under contention, in cpu.shares units as docker's
 *                    --cpu-shares and OCI's cpu.shares give it (1024 is the default weight), or 0
 *                    to leave it alone. Kept in shares rather than as a v2 cpu.weight: the
 *                    conversion is not one to one, and a v1 cpu hierarchy gets the exact value.
 */
public record Resources(double cpus, long memory, long memorySwap, long pidsLimit, String cpusetCpus, long cpuShares) {
    public static final Resources NONE = new Resources(0, Sizes.UNLIMITED, 0, 0, null, 0);

    /** The kernel's range for cgroup v1 cpu.shares (it clamps others silently: caixa refuses them). */
    public static final long MIN_CPU_SHARES = 2;
    public static final long MAX_CPU_SHARES = 262_144;

    /** The CFS period runc and docker use; the quota is cpus times it. */
    public static final long CPU_PERIOD_MICROS = 100_000;

    public Resources {
        if (cpus < 0) {
            throw new IllegalArgumentException("cpus " + cpus + ": must not be negative");
        }
        if (memorySwap > 0 && memory != Sizes.UNLIMITED && memorySwap < memory) {
            throw new IllegalArgumentException("memory-swap " + Sizes.human(memorySwap)
                    + ": must be at least the memory limit (" + Sizes.human(memory) + ")");
        }
        if (memorySwap > 0 && memory == Sizes.UNLIMITED) {
            throw new IllegalArgumentException("memory-swap needs a memory limit");
        }
        if (cpuShares != 0 && (cpuShares < MIN_CPU_SHARES || cpuShares > MAX_CPU_SHARES)) {
            throw new IllegalArgumentException("cpu-shares " + cpuShares + ": must be from " + MIN_CPU_SHARES
                    + " to " + MAX_CPU_SHARES + ", the kernel's range");
        }
    }

    public boolean isNone() {
        return equals(NONE);
    }

    public Resources withCpus(double value) {
        return new Resources(value, memory, memorySwap, pidsLimit, cpusetCpus, cpuShares);
    }

    public Resources withMemory(long value) {
        return new Resources(cpus, value, memorySwap, pidsLimit, cpusetCpus, cpuShares);
    }

    public Resources withMemorySwap(long value) {
        return new Resources(cpus, memory, value, pidsLimit, cpusetCpus, cpuShares);
    }

    public Resources withPidsLimit(long value) {
        return new Resources(cpus, memory, memorySwap, value, cpusetCpus, cpuShares);
    }

    public Resources withCpusetCpus(String value) {
        return new Resources(cpus, memory, memorySwap, pidsLimit, value, cpuShares);
    }

    public Resources withCpuShares(long value) {
        return new Resources(cpus, memory, memorySwap, pidsLimit, cpusetCpus, value);
    }

    /** cpu.max for {@link #cpus}: {@code "20000 100000"} for 0.2. */
    public String cpuMax() {
        long quota = Math.max(1000, Math.round(cpus * CPU_PERIOD_MICROS));
        return quota + " " + CPU_PERIOD_MICROS;
    }

    /** The cgroup keys (v2 names) {@link #applyTo} writes, in its order: which controllers the limits need. */
    public java.util.List<String> keys() {
        java.util.List<String> keys = new java.util.ArrayList<>();
        if (cpusetCpus != null) {
            keys.add("cpuset.cpus");
        }
        if (cpus > 0) {
            keys.add("cpu.max");
        }
        if (cpuShares > 0) {
            keys.add("cpu.weight");
        }
        if (memory != Sizes.UNLIMITED) {
            keys.add("memory.max");
        }
        if (memorySwap != 0) {
            keys.add("memory.swap.max");
        }
        if (pidsLimit > 0) {
            keys.add("pids.max");
        }
        return keys;
    }

    /** Writes every limit that is set; swap after memory, since v1 wants memory+swap at least memory. */
    public void applyTo(Cgroup cgroup) {
        if (cpusetCpus != null) {
            cgroup.set("cpuset.cpus", cpusetCpus);
        }
        if (cpus > 0) {
            cgroup.set("cpu.max", cpuMax());
        }
        if (cpuShares > 0) {
            cgroup.setCpuShares(cpuShares);
        }
        if (memory != Sizes.UNLIMITED) {
            cgroup.set("memory.max", Long.toString(memory));
        }
        if (memorySwap == Sizes.UNLIMITED) {
            cgroup.set("memory.swap.max", "max");
        } else if (memorySwap > 0) {
            cgroup.set("memory.swap.max", Long.toString(memorySwap - memory));
        }
        if (pidsLimit > 0) {
            cgroup.set("pids.max", Long.toString(pidsLimit));
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "cpus=%s memory=%s memory-swap=%s pids=%s cpuset=%s cpu-shares=%s",
                cpus, Sizes.human(memory), memorySwap, pidsLimit, cpusetCpus, cpuShares);
    }
}
