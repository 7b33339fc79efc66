package caixa.spec;

import caixa.cgroups.DeviceRule;
import caixa.cgroups.Resources;
import caixa.cgroups.Sizes;
import caixa.spec.json.JsonObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An OCI {@code linux.resources} object as caixa's {@link Resources}: from config.json, or from the
 * file {@code caixa update --resources FILE} reads (a bare resources object, so its errors name that
 * file: {@code resources.json: memory.limit: ...}).
 *
 * <ul>
 * <li>{@code memory.limit}: bytes; -1 or 0 (runc's "not set") for no limit.
 * <li>{@code memory.swap}: memory <em>plus</em> swap, as cgroup v1's memsw and docker's
 *     {@code --memory-swap} count it (not swap alone, as v2's memory.swap.max does); -1 for
 *     unlimited swap. It needs {@code memory.limit} and must be at least that.
 * <li>{@code cpu.quota} / {@code cpu.period}: {@code cpus = quota / period}, the period 100000 µs if
 *     absent. caixa keeps that share of CPU time but applies it over its own 100 ms period (and no
 *     less than 1% of a CPU); a quota of -1 or 0 is no limit, a period alone limits nothing.
 * <li>{@code cpu.cpus}: the CPUs to run on ({@code 0-3,6}).
 * <li>{@code cpu.shares}: the relative weight under contention, from 2 to 262144 (0: not set), as
 *     runc: cpu.shares itself on a v1 cpu hierarchy, cpu.weight on cgroup2 (see {@link Resources}).
 *     containerd and Kubernetes send it with every container.
 * <li>{@code pids.limit}: tasks; -1 or 0 for no limit.
 * <li>{@code devices}: the device cgroup's allow and deny rules, in order ({@link #deviceRules});
 *     {@link OciLinux} completes them as runc does. {@code update --resources} checks them and leaves
 *     a running container's rules as they are.
 * </ul>
 * Any other field the runtime spec defines (cpu.mems, memory.reservation, blockIO,
 * hugepageLimits, ...) is an error naming it when it is set; see {@link Unsupported}. Fields the
 * spec does not define are ignored, as it requires.
 */
public final class LinuxResources {
    /** The kernel's bounds for a CFS period, in microseconds. */
    private static final long MIN_PERIOD = 1_000;
    private static final long MAX_PERIOD = 1_000_000;

    private static final Pattern CPU_LIST = Pattern.compile("\\d+(-\\d+)?(,\\d+(-\\d+)?)*");
    private static final Pattern DEVICE_ACCESS = Pattern.compile("[rwm]*");

    private static final String NOT_SUPPORTED =
            "not supported (caixa applies memory.limit, memory.swap, cpu.quota, cpu.period, cpu.shares, cpu.cpus"
                    + " and pids.limit)";

    private LinuxResources() {
    }

    public static Resources read(JsonObjectNode resources) {
        deviceRules(resources); // a malformed rule fails update --resources too, as with runc
        refuseUnsupported(resources);
        Resources result = resources.optionalObject("memory").map(LinuxResources::memory).orElse(Resources.NONE);
        JsonObjectNode cpu = resources.optionalObject("cpu").orElse(null);
        if (cpu != null) {
            result = result.withCpus(cpus(cpu)).withCpusetCpus(cpuset(cpu)).withCpuShares(shares(cpu));
        }
        JsonObjectNode pids = resources.optionalObject("pids").orElse(null);
        if (pids != null) {
            long limit = pids.requireLong("limit", -1, Long.MAX_VALUE);
            result = result.withPidsLimit(Math.max(limit, 0));
        }
        return result;
    }

    private static Resources memory(JsonObjectNode memory) {
        long limit = memory.optionalLong("limit", -1, Long.MAX_VALUE).orElse(0);
        long swap = memory.optionalLong("swap", -1, Long.MAX_VALUE).orElse(0);
        if (swap > 0 && limit <= 0) {
            throw memory.required("swap").error("needs memory.limit (swap counts memory plus swap)");
        }
        if (swap > 0 && swap < limit) {
            throw memory.required("swap").error("must be at least memory.limit (" + limit
                    + "): it counts memory plus swap, as docker's --memory-swap");
        }
        return Resources.NONE
                .withMemory(limit > 0 ? limit : Sizes.UNLIMITED)
                .withMemorySwap(swap == -1 ? Sizes.UNLIMITED : swap);
    }

    private static double cpus(JsonObjectNode cpu) {
        long quota = cpu.optionalLong("quota", -1, Long.MAX_VALUE).orElse(0);
        long period = cpu.optionalLong("period", 0, Long.MAX_VALUE).orElse(0);
        if (period != 0 && (period < MIN_PERIOD || period > MAX_PERIOD)) {
            throw cpu.required("period").error("must be from " + MIN_PERIOD + " to " + MAX_PERIOD
                    + " microseconds, as the kernel allows, not " + period);
        }
        if (quota <= 0) {
            return 0;
        }
        return (double) quota / (period != 0 ? period : Resources.CPU_PERIOD_MICROS);
    }

    /** 0, runc's "not set", or the kernel's range: v1 clamps what is outside it without a word. */
    private static long shares(JsonObjectNode cpu) {
        long shares = cpu.optionalLong("shares", 0, Long.MAX_VALUE).orElse(0);
        if (shares != 0 && (shares < Resources.MIN_CPU_SHARES || shares > Resources.MAX_CPU_SHARES)) {
            throw cpu.required("shares").error("must be from " + Resources.MIN_CPU_SHARES + " to "
                    + Resources.MAX_CPU_SHARES + ", the kernel's range, not " + shares);
        }
        return shares;
    }

    private static String cpuset(JsonObjectNode cpu) {
        String cpus = cpu.optionalString("cpus").orElse("");
        if (cpus.isEmpty()) {
            return null;
        }
        if (!CPU_LIST.matcher(cpus).matches()) {
            throw cpu.required("cpus").error("must be a list of CPUs such as 0-3,6, not \"" + cpus + "\"");
        }
        return cpus;
    }

    /**
     * The rules of {@code devices}, in order: {@code allow}, {@code type} (a, b or c; a when absent),
     * {@code major} and {@code minor} (absent or -1: any), {@code access} (letters of rwm; absent or
     * empty: all three, as runc reads it).
     */
    public static List<DeviceRule> deviceRules(JsonObjectNode resources) {
        List<DeviceRule> rules = new ArrayList<>();
        for (JsonObjectNode rule : resources.optionalObjectList("devices")) {
            boolean allow = rule.required("allow").asBoolean();
            String type = rule.optionalString("type").orElse("a");
            if (!type.matches("[abc]?")) {
                throw rule.required("type").error("must be a, b or c, not \"" + type + "\"");
            }
            long major = rule.optionalLong("major", DeviceRule.ANY, Integer.MAX_VALUE).orElse(DeviceRule.ANY);
            long minor = rule.optionalLong("minor", DeviceRule.ANY, Integer.MAX_VALUE).orElse(DeviceRule.ANY);
            String access = rule.optionalString("access").orElse("");
            if (!DEVICE_ACCESS.matcher(access).matches() || access.chars().distinct().count() != access.length()) {
                throw rule.required("access").error("must be letters of rwm, not \"" + access + "\"");
            }
            DeviceRule.Type kind = DeviceRule.Type.of(type.isEmpty() ? 'a' : type.charAt(0));
            rules.add(new DeviceRule(kind, major, minor, access.isEmpty() ? "rwm" : access, allow));
        }
        return List.copyOf(rules);
    }

    private static void refuseUnsupported(JsonObjectNode resources) {
        for (String key : new String[] {"hugepageLimits", "rdma", "unified"}) {
            Unsupported.refuse(resources, key, NOT_SUPPORTED);
        }
        resources.optionalObject("memory").ifPresent(memory -> {
            refuse(memory, "reservation", "kernel", "kernelTCP", "disableOOMKiller", "useHierarchy", "checkBeforeUpdate");
            // Unlike the others, a swappiness of 0 is a setting (avoid swapping), not "not set".
            memory.optional("swappiness").ifPresent(node -> {
                throw node.error(NOT_SUPPORTED);
            });
        });
        resources.optionalObject("cpu").ifPresent(cpu ->
                refuse(cpu, "burst", "realtimeRuntime", "realtimePeriod", "mems", "idle"));
        resources.optionalObject("blockIO").ifPresent(blockIO ->
                refuse(blockIO, "weight", "leafWeight", "weightDevice", "throttleReadBpsDevice",
                        "throttleWriteBpsDevice", "throttleReadIOPSDevice", "throttleWriteIOPSDevice"));
        resources.optionalObject("network").ifPresent(network -> refuse(network, "classID", "priorities"));
    }

    private static void refuse(JsonObjectNode section, String... keys) {
        for (String key : keys) {
            Unsupported.refuse(section, key, NOT_SUPPORTED);
        }
    }
}
