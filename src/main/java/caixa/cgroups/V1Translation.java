package caixa.cgroups;

import java.util.Map;

/**
 * The v2 vocabulary on v1 hierarchies: each v2 key is read or written through the v1 files that
 * hold the same setting, converted as runc converts them.
 */
final class V1Translation {
    private V1Translation() {
    }

    /** runc's mapping between v2 cpu.weight [1, 10000] and v1 cpu.shares [2, 262144]. */
    static long sharesFromWeight(long weight) {
        return 2 + ((weight - 1) * 262142 + 9998) / 9999;
    }

    /**
     * runc's linear mapping, {@code 1 + ((shares - 2) * 9999) / 262142}, is also what an OCI or docker
     * cpu.shares becomes on cgroup2. crun 1.23 and runc 1.3.2 (2025) switched to a log-quadratic
     * curve that maps the default 1024 shares onto the default weight 100 (the linear one gives 39).
     * caixa keeps the linear one: {@link #sharesFromWeight} undoes it for every weight, so a
     * container's cpu.weight reads the same through {@code caixa cgroup get} on a v1 host (where this
     * translates cpu.shares back) as on a v2 host; and it is what runc 1.1 and crun 1.8, the runtimes
     * these hosts' engines ship with, write. Weights only compete with siblings, and caixa's
     * containers are siblings under caixa/, so the scale shared with them is what matters.
     */
    static long weightFromShares(long shares) {
        return 1 + ((shares - 2) * 9999) / 262142;
    }

    /** Writes OCI's or docker's cpu.shares as it is: v1's own unit, so nothing is lost to a conversion. */
    static void setShares(Map<String, CgroupDirectory> dirs, long shares) {
        dir(dirs, "cpu", "cpu.weight").write("cpu.shares", Long.toString(shares));
    }

    /** @param dirs v1 hierarchy name ({@code cpu}, {@code cpuacct}, {@code memory}, ...) to this cgroup's directory */
    static void set(Map<String, CgroupDirectory> dirs, String key, String value) {
        switch (key) {
            case "cpu.max" -> {
                String[] parts = value.trim().split("\\s+");
                CgroupDirectory cpu = dir(dirs, "cpu", key);
                if (parts.length == 2) {
                    cpu.write("cpu.cfs_period_us", parts[1]);
                } else if (parts.length != 1) {
                    throw new IllegalArgumentException("cpu.max '" + value + "': expected QUOTA [PERIOD]");
                }
                cpu.write("cpu.cfs_quota_us", parts[0].equals("max") ? "-1" : parts[0]);
            }
            case "cpu.weight" -> dir(dirs, "cpu", key).write("cpu.shares",
                    Long.toString(sharesFromWeight(Long.parseLong(value.trim()))));
            case "memory.max" -> {
                CgroupDirectory memory = dir(dirs, "memory", key);
                long limit = Sizes.parse(value);
                // v1 keeps memory+swap at least memory: a limit above it must lift memory+swap first.
                if (memory.has("memory.memsw.limit_in_bytes")) {
                    long total = Sizes.fromV1(memory.readLong("memory.memsw.limit_in_bytes"));
                    if (total != Sizes.UNLIMITED && (limit == Sizes.UNLIMITED || limit > total)) {
                        memory.write("memory.memsw.limit_in_bytes", Long.toString(limit));
                    }
                }
                memory.write("memory.limit_in_bytes", Long.toString(limit));
            }
            case "memory.swap.max" -> {
                // v1 limits memory plus swap together; v2 limits swap alone.
                CgroupDirectory memory = dir(dirs, "memory", key);
                requireFile(memory, "memory.memsw.limit_in_bytes", key);
                long swap = Sizes.parse(value);
                long limit = Sizes.fromV1(memory.readLong("memory.limit_in_bytes"));
                long total = swap == Sizes.UNLIMITED || limit == Sizes.UNLIMITED ? Sizes.UNLIMITED : limit + swap;
                memory.write("memory.memsw.limit_in_bytes", Long.toString(total));
            }
            case "pids.max", "cpuset.cpus", "cpuset.mems" -> dir(dirs, controllerOf(key), key).write(key, value);
            case "io.max" -> setIoMax(dir(dirs, "blkio", key), value);
            default -> throw noEquivalent(key);
        }
    }

    static String get(Map<String, CgroupDirectory> dirs, String key) {
        return switch (key) {
            case "cpu.max" -> {
                CgroupDirectory cpu = dir(dirs, "cpu", key);
                long quota = cpu.readLong("cpu.cfs_quota_us");
                yield (quota < 0 ? "max" : Long.toString(quota)) + " " + cpu.readLong("cpu.cfs_period_us");
            }
            case "cpu.weight" -> Long.toString(weightFromShares(dir(dirs, "cpu", key).readLong("cpu.shares")));
            case "cpu.stat" -> {
                long usageNanos = dir(dirs, "cpuacct", key).readLong("cpuacct.usage");
                StringBuilder stat = new StringBuilder("usage_usec " + usageNanos / 1000 + "\n");
                CgroupDirectory cpu = dirs.get("cpu");
                if (cpu != null) {
                    stat.append("nr_periods ").append(cpu.readField("cpu.stat", "nr_periods")).append('\n');
                    stat.append("nr_throttled ").append(cpu.readField("cpu.stat", "nr_throttled")).append('\n');
                    stat.append("throttled_usec ").append(cpu.readField("cpu.stat", "throttled_time") / 1000).append('\n');
                }
                yield stat.toString();
            }
            case "memory.max" -> Sizes.v2(Sizes.fromV1(dir(dirs, "memory", key).readLong("memory.limit_in_bytes")));
            case "memory.swap.max" -> {
                CgroupDirectory memory = dir(dirs, "memory", key);
                requireFile(memory, "memory.memsw.limit_in_bytes", key);
                long total = Sizes.fromV1(memory.readLong("memory.memsw.limit_in_bytes"));
                long limit = Sizes.fromV1(memory.readLong("memory.limit_in_bytes"));
                yield total == Sizes.UNLIMITED || limit == Sizes.UNLIMITED ? "max" : Long.toString(total - limit);
            }
            case "memory.current" -> Long.toString(dir(dirs, "memory", key).readLong("memory.usage_in_bytes"));
            case "memory.peak" -> Long.toString(dir(dirs, "memory", key).readLong("memory.max_usage_in_bytes"));
            case "memory.events" -> "oom_kill " + Math.max(0, dir(dirs, "memory", key).readField("memory.oom_control", "oom_kill")) + "\n";
            case "pids.max", "pids.current", "cpuset.cpus", "cpuset.mems" -> dir(dirs, controllerOf(key), key).read(key);
            case "cgroup.procs" -> dirs.values().iterator().next().read(key);
            case "cgroup.events" -> {
                CgroupDirectory any = dirs.values().iterator().next();
                yield "populated " + (any.read("cgroup.procs").isBlank() ? 0 : 1) + "\n";
            }
            case "io.max" -> getIoMax(dir(dirs, "blkio", key));
            default -> throw noEquivalent(key);
        };
    }

    private static final Map<String, String> IO_FILES = Map.of(
            "rbps", "blkio.throttle.read_bps_device", "wbps", "blkio.throttle.write_bps_device",
            "riops", "blkio.throttle.read_iops_device", "wiops", "blkio.throttle.write_iops_device");

    /** {@code MAJ:MIN rbps=N wbps=N riops=N wiops=N} becomes one {@code MAJ:MIN N} line per blkio file. */
    private static void setIoMax(CgroupDirectory blkio, String value) {
        String[] parts = value.trim().split("\\s+");
        if (parts.length < 2 || !parts[0].matches("\\d+:\\d+")) {
            throw new IllegalArgumentException("io.max '" + value + "': expected MAJ:MIN rbps=N wbps=N riops=N wiops=N");
        }
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            String file = kv.length == 2 ? IO_FILES.get(kv[0]) : null;
            if (file == null) {
                throw new IllegalArgumentException("io.max '" + value + "': unknown limit " + parts[i]);
            }
            blkio.write(file, parts[0] + " " + (kv[1].equals("max") ? "0" : kv[1]));
        }
    }

    private static String getIoMax(CgroupDirectory blkio) {
        Map<String, StringBuilder> byDevice = new java.util.TreeMap<>();
        for (String limit : new String[] {"rbps", "wbps", "riops", "wiops"}) {
            for (String line : blkio.read(IO_FILES.get(limit)).split("\n")) {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2) {
                    byDevice.computeIfAbsent(kv[0], d -> new StringBuilder(d)).append(' ').append(limit).append('=').append(kv[1]);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        byDevice.values().forEach(line -> out.append(line).append('\n'));
        return out.toString();
    }

    private static String controllerOf(String key) {
        return key.substring(0, key.indexOf('.'));
    }

    private static CgroupDirectory dir(Map<String, CgroupDirectory> dirs, String hierarchy, String key) {
        CgroupDirectory dir = dirs.get(hierarchy);
        if (dir == null) {
            throw new CgroupException(key + ": this cgroup is not in the v1 " + hierarchy + " hierarchy");
        }
        return dir;
    }

    private static void requireFile(CgroupDirectory dir, String file, String key) {
        if (!dir.has(file)) {
            throw new CgroupException(key + ": this kernel has no swap accounting (" + file + " is missing)");
        }
    }

    private static CgroupException noEquivalent(String key) {
        return new CgroupException(key + ": no cgroup v1 equivalent");
    }
}
