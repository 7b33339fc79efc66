package caixa.bench;

import caixa.cgroups.Cgroup;
import caixa.cgroups.CgroupLayout;

import java.nio.file.Path;
import java.util.Set;

/**
 * Where this host keeps what cgroup v2 calls cpu.max and memory.max, for a benchmark cgroup: the
 * cgroup2 files where the controller is in the unified hierarchy, else the v1 equivalents
 * (cpu.cfs_quota_us, memory.limit_in_bytes), which is what caixa writes on a hybrid host. Each key
 * comes with two values to alternate, so every write changes the limit.
 */
public record CgroupFiles(Cgroup cgroup, String path, Path cpuFile, String[] cpuValues, Path memoryFile,
                          String[] memoryValues) implements AutoCloseable {

    public static final String PATH = "caixa-bench/writes";

    public static CgroupFiles create() {
        CgroupLayout layout = CgroupLayout.host();
        Cgroup cgroup = Cgroup.create(layout, PATH, Set.of("cpu", "memory"));
        Path cpuFile;
        String[] cpuValues;
        if (layout.inUnified("cpu")) {
            cpuFile = layout.unified().resolve(PATH).resolve("cpu.max");
            cpuValues = new String[] {"50000 100000", "60000 100000"};
        } else {
            cpuFile = layout.v1().get("cpu").resolve(PATH).resolve("cpu.cfs_quota_us");
            cpuValues = new String[] {"50000", "60000"};
        }
        Path memoryFile = layout.inUnified("memory")
                ? layout.unified().resolve(PATH).resolve("memory.max")
                : layout.v1().get("memory").resolve(PATH).resolve("memory.limit_in_bytes");
        return new CgroupFiles(cgroup, PATH, cpuFile, cpuValues, memoryFile,
                new String[] {"268435456", "268439552"});
    }

    /** The cgset argument setting the cpu file to {@code value}: {@code -r NAME=VALUE}. */
    public String cgsetCpu(String value) {
        return cpuFile.getFileName() + "=" + value;
    }

    @Override
    public void close() {
        try {
            cgroup.deleteCreated(0);    // and caixa-bench/ in each hierarchy, once empty
        } finally {
            cgroup.close();
        }
    }
}
