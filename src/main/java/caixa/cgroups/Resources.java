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
 */
public record Resources(double cpus, long memory, long memorySwap, long pidsLimit, String cpusetCpus) {
    public static final Resources NONE = new Resources(0, Sizes.UNLIMITED, 0, 0, null);

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
    }

    public boolean isNone() {
        return equals(NONE);
    }

    public Resources withCpus(double value) {
        return new Resources(value, memory, memorySwap, pidsLimit, cpusetCpus);
    }

    public Resources withMemory(long value) {
        return new Resources(cpus, value, memorySwap, pidsLimit, cpusetCpus);
    }

    public Resources withMemorySwap(long value) {
        return new Resources(cpus, memory, value, pidsLimit, cpusetCpus);
    }

    public Resources withPidsLimit(long value) {
        return new Resources(cpus, memory, memorySwap, value, cpusetCpus);
    }

    public Resources withCpusetCpus(String value) {
        return new Resources(cpus, memory, memorySwap, pidsLimit, value);
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
        return String.format(Locale.ROOT, "cpus=%s memory=%s memory-swap=%s pids=%s cpuset=%s",
                cpus, Sizes.human(memory), memorySwap, pidsLimit, cpusetCpus);
    }
}
