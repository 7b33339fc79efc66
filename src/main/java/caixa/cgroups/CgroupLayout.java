package caixa.cgroups;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Where this host keeps each controller: a v1 hierarchy's mount point, or the cgroup2 mount (with
 * the controllers its root offers). Read from /proc/self/mountinfo.
 *
 * @param mode               unified, hybrid or legacy
 * @param unified            the cgroup2 mount point, or null
 * @param unifiedControllers the controllers cgroup2's root offers (cgroup.controllers)
 * @param v1                 v1 controller name ({@code cpu}, {@code memory}, ...) to its hierarchy's mount point
 */
public record CgroupLayout(CgroupMode mode, Path unified, Set<String> unifiedControllers, Map<String, Path> v1) {

    /** The v1 controllers a container joins when this host mounts them. */
    public static final Set<String> V1_CONTROLLERS =
            Set.of("cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "freezer", "devices", "hugetlb");

    public CgroupLayout {
        unifiedControllers = Collections.unmodifiableSet(new LinkedHashSet<>(unifiedControllers));
        v1 = Collections.unmodifiableMap(new LinkedHashMap<>(v1));
    }

    private static volatile CgroupLayout host;

    /** This host's layout (detected once per JVM: it does not change under a running system). */
    public static CgroupLayout host() {
        CgroupLayout layout = host;
        if (layout == null) {
            try {
                layout = parse(Files.readString(Path.of("/proc/self/mountinfo")), CgroupLayout::readControllers);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            host = layout;
        }
        return layout;
    }

    /**
     * Parses mountinfo. Each line is {@code ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS] - FSTYPE SOURCE SUPEROPTS};
     * a v1 hierarchy names its controllers in SUPEROPTS.
     */
    static CgroupLayout parse(String mountinfo, Function<Path, String> controllersOf) {
        Path unified = null;
        Map<String, Path> v1 = new LinkedHashMap<>();
        for (String line : mountinfo.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] before = line.substring(0, dash).split(" ");
            String[] after = line.substring(dash + 3).split(" ");
            if (before.length < 5 || after.length < 3) {
                continue;
            }
            Path mountPoint = Path.of(unescape(before[4]));
            switch (after[0]) {
                case "cgroup2" -> {
                    if (unified == null) {
                        unified = mountPoint;
                    }
                }
                case "cgroup" -> {
                    for (String option : after[2].split(",")) {
                        if (V1_CONTROLLERS.contains(option)) {
                            v1.putIfAbsent(option, mountPoint);
                        }
                    }
                }
                default -> { }
            }
        }
        Set<String> unifiedControllers = new LinkedHashSet<>();
        if (unified != null) {
            unifiedControllers.addAll(Arrays.asList(controllersOf.apply(unified).trim().split("\\s+")));
            unifiedControllers.remove("");
        }
        CgroupMode mode = v1.isEmpty() ? CgroupMode.UNIFIED : unified != null ? CgroupMode.HYBRID : CgroupMode.LEGACY;
        if (unified == null && v1.isEmpty()) {
            throw new CgroupException("cgroups: no cgroup or cgroup2 filesystem is mounted");
        }
        return new CgroupLayout(mode, unified, unifiedControllers, v1);
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    private static String readControllers(Path unified) {
        try {
            return Files.readString(unified.resolve("cgroup.controllers"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Where a v2-named controller lives here: {@code io} is v1's {@code blkio}; {@code cpu} statistics
     * come from v1's {@code cpuacct}. A v1 hierarchy wins over cgroup2 on a hybrid host, since the
     * kernel binds each controller to one hierarchy only.
     */
    public boolean inV1(String controller) {
        return v1.containsKey(v1Name(controller));
    }

    public boolean inUnified(String controller) {
        return unified != null && unifiedControllers.contains(controller) && !inV1(controller);
    }

    static String v1Name(String controller) {
        return controller.equals("io") ? "blkio" : controller;
    }
}
