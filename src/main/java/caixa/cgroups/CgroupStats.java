package caixa.cgroups;

/**
 * A cgroup's counters at one moment, in v2 terms; {@link #UNKNOWN} where this host cannot tell.
 *
 * @param cpuUsageMicros CPU time used by all its tasks
 * @param memoryCurrent  bytes charged now
 * @param memoryPeak     the most bytes ever charged
 * @param memoryMax      the limit, or {@link Sizes#UNLIMITED}
 * @param pidsCurrent    tasks now
 * @param pidsMax        the task limit, or {@link Sizes#UNLIMITED}
 * @param oomKills       tasks the OOM killer killed in it
 */
public record CgroupStats(long cpuUsageMicros, long memoryCurrent, long memoryPeak, long memoryMax,
                          long pidsCurrent, long pidsMax, long oomKills) {
    /** A counter this host does not keep (memory.peak before Linux 5.19, for one); distinct from unlimited (-1). */
    public static final long UNKNOWN = Long.MIN_VALUE;
}
