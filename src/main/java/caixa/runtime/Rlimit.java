package caixa.runtime;

import caixa.bindings.linux_h;

import java.util.Map;

/**
 * A resource limit for the container's process, as OCI's process.rlimits and docker's --ulimit give it.
 *
 * @param type {@code RLIMIT_NOFILE} and the like
 * @param soft the soft limit
 * @param hard the hard limit (raising it above the caller's needs CAP_SYS_RESOURCE)
 */
public record Rlimit(String type, long soft, long hard) {
    private static final Map<String, Integer> RESOURCES = Map.ofEntries(
            Map.entry("RLIMIT_CPU", linux_h.RLIMIT_CPU()), Map.entry("RLIMIT_FSIZE", linux_h.RLIMIT_FSIZE()),
            Map.entry("RLIMIT_DATA", linux_h.RLIMIT_DATA()), Map.entry("RLIMIT_STACK", linux_h.RLIMIT_STACK()),
            Map.entry("RLIMIT_CORE", linux_h.RLIMIT_CORE()), Map.entry("RLIMIT_RSS", linux_h.RLIMIT_RSS()),
            Map.entry("RLIMIT_NPROC", linux_h.RLIMIT_NPROC()), Map.entry("RLIMIT_NOFILE", linux_h.RLIMIT_NOFILE()),
            Map.entry("RLIMIT_MEMLOCK", linux_h.RLIMIT_MEMLOCK()), Map.entry("RLIMIT_AS", linux_h.RLIMIT_AS()),
            Map.entry("RLIMIT_LOCKS", linux_h.RLIMIT_LOCKS()), Map.entry("RLIMIT_SIGPENDING", linux_h.RLIMIT_SIGPENDING()),
            Map.entry("RLIMIT_MSGQUEUE", linux_h.RLIMIT_MSGQUEUE()), Map.entry("RLIMIT_NICE", linux_h.RLIMIT_NICE()),
            Map.entry("RLIMIT_RTPRIO", linux_h.RLIMIT_RTPRIO()), Map.entry("RLIMIT_RTTIME", linux_h.RLIMIT_RTTIME()));

    public Rlimit {
        if (!RESOURCES.containsKey(type)) {
            throw new IllegalArgumentException("rlimit type '" + type + "': unknown (RLIMIT_NOFILE, RLIMIT_NPROC, ...)");
        }
        if (Long.compareUnsigned(soft, hard) > 0) {
            throw new IllegalArgumentException(type + ": soft limit " + soft + " above hard limit " + hard);
        }
    }

    /** Parses docker's {@code --ulimit NAME=SOFT[:HARD]} ({@code nofile=1024:2048}). */
    public static Rlimit parseUlimit(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("ulimit '" + text + "': expected NAME=SOFT[:HARD]");
        }
        String type = "RLIMIT_" + text.substring(0, eq).toUpperCase(java.util.Locale.ROOT);
        String[] limits = text.substring(eq + 1).split(":", -1);
        try {
            long soft = Long.parseLong(limits[0]);
            long hard = limits.length > 1 ? Long.parseLong(limits[1]) : soft;
            return new Rlimit(type, soft, hard);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ulimit '" + text + "': limits must be numbers");
        }
    }

    int resource() {
        return RESOURCES.get(type);
    }
}
