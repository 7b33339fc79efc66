package caixa.cgroups;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where an unprivileged caller may make cgroups (rootless mode): a cgroup someone delegated to it, by
 * chowning it (or systemd's {@code Delegate=yes}). The kernel lets a user create child cgroups in a
 * directory it may write, and makes the new files the user's; nothing else is open to it.
 *
 * <ul>
 * <li>v1 (each controller its own hierarchy): the caller's cgroup in that hierarchy (from
 *     /proc/self/cgroup), when the caller may write the directory.
 * <li>v2: the caller's cgroup or its parent, when the caller may write the directory, its
 *     cgroup.subtree_control and cgroup.procs, it offers the controller, and it holds no process (v2
 *     enables a controller for children only in a cgroup without processes of its own, and the caller
 *     itself sits in its own cgroup).
 * </ul>
 * caixa gives a container one path under every hierarchy it uses, so the cgroups found for the
 * controllers asked for must be at the same path.
 *
 * @param path        the delegated cgroup, relative to each hierarchy's root
 * @param controllers the controllers (v2 names) a container under it gets
 */
public record DelegatedCgroup(String path, Set<String> controllers) {

    /** A limit (or a named cgroup) that no delegated cgroup can hold. */
    public static final class Missing extends RuntimeException {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        private final String what;

        Missing(String what, String reason) {
            super(what + ": rootless: no delegated cgroup (" + reason + ")");
            this.what = what;
        }

        /** The cgroup key the limit is written to ({@code memory.max}), or the cgroup asked for. */
        public String what() {
            return what;
        }
    }

    /**
     * The delegated cgroup that holds every controller of {@code keys} (v2 key names such as
     * {@code memory.max}), each checked for the uid {@code uid}.
     *
     * @throws Missing naming the first key no delegated cgroup can hold, and why
     */
    public static DelegatedCgroup forKeys(CgroupLayout layout, Iterable<String> keys, int uid) {
        Map<String, String> callerPaths = callerPaths();
        Map<String, String> pathByController = new LinkedHashMap<>();
        String firstKey = null;
        for (String key : keys) {
            String controller = Cgroup.controllerOf(key);
            if (pathByController.containsKey(controller)) {
                continue;
            }
            String found = delegatedPath(layout, callerPaths, controller, uid, key);
            if (firstKey == null) {
                firstKey = key;
            } else {
                String first = pathByController.values().iterator().next();
                if (!first.equals(found)) {
                    throw new Missing(key, "the delegated " + controller + " cgroup /" + found + " is not at the path"
                            + " of the " + pathByController.keySet().iterator().next() + " one, /" + first
                            + "; caixa places a container at one path in every hierarchy");
                }
            }
            pathByController.put(controller, found);
        }
        if (firstKey == null) {
            throw new IllegalArgumentException("no cgroup keys to place");
        }
        return new DelegatedCgroup(pathByController.values().iterator().next(), new TreeSet<>(pathByController.keySet()));
    }

    /** The caller's cgroup for {@code controller} if it is delegated; the {@link Missing} says why not. */
    private static String delegatedPath(CgroupLayout layout, Map<String, String> callerPaths, String controller,
                                        int uid, String key) {
        if (layout.inV1(controller) || Cgroup.v1Hierarchies(controller).stream().anyMatch(layout.v1()::containsKey)) {
            String path = null;
            for (String hierarchy : Cgroup.v1Hierarchies(controller)) {
                Path mount = layout.v1().get(hierarchy);
                String own = callerPaths.get(hierarchy);
                if (mount == null || own == null) {
                    throw new Missing(key, "this host has no " + hierarchy + " hierarchy");
                }
                Path dir = resolve(mount, own);
                if (!Files.isWritable(dir)) {
                    throw new Missing(key, hierarchy + " cgroup " + dir + " is not writable by uid " + uid);
                }
                if (path != null && !path.equals(own)) {
                    throw new Missing(key, "the caller's cgroups for " + controller + " differ: /" + path + " and /" + own);
                }
                path = own;
            }
            return path;
        }
        if (!layout.inUnified(controller)) {
            throw new Missing(key, "this host has no " + controller + " controller");
        }
        String own = callerPaths.get("");
        if (own == null) {
            throw new Missing(key, "/proc/self/cgroup names no cgroup2 cgroup");
        }
        Path ownDir = resolve(layout.unified(), own);
        String reason = unusableV2(ownDir, controller, uid);
        if (reason == null) {
            return own;
        }
        if (!own.isEmpty()) {
            String parent = own.contains("/") ? own.substring(0, own.lastIndexOf('/')) : "";
            if (!parent.isEmpty() && unusableV2(resolve(layout.unified(), parent), controller, uid) == null) {
                return parent;
            }
        }
        throw new Missing(key, reason);
    }

    /** Null when a container's cgroup can go under {@code dir} with {@code controller}; otherwise why not. */
    private static String unusableV2(Path dir, String controller, int uid) {
        for (Path file : new Path[] {dir, dir.resolve("cgroup.subtree_control"), dir.resolve("cgroup.procs")}) {
            if (!Files.isWritable(file)) {
                return "cgroup " + file + " is not writable by uid " + uid;
            }
        }
        try {
            if (!Set.of(Files.readString(dir.resolve("cgroup.controllers")).strip().split("\\s+")).contains(controller)) {
                return "cgroup " + dir + " is not given the " + controller + " controller";
            }
            if (!Files.readString(dir.resolve("cgroup.procs")).isBlank()) {
                return "cgroup " + dir + " holds processes (the caller's own), so it cannot hand controllers down";
            }
        } catch (IOException e) {
            return "cgroup " + dir + ": " + e.getMessage();
        }
        return null;
    }

    private static Path resolve(Path mount, String relative) {
        return relative.isEmpty() ? mount : mount.resolve(relative);
    }

    /**
     * The caller's cgroup in each hierarchy, from /proc/self/cgroup ({@code ID:CONTROLLERS:PATH}),
     * relative: v1 hierarchies by controller name, cgroup2 by the empty name.
     */
    static Map<String, String> callerPaths() {
        try {
            return parseProcCgroup(Files.readString(Path.of("/proc/self/cgroup")));
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self/cgroup", e);
        }
    }

    static Map<String, String> parseProcCgroup(String text) {
        Map<String, String> paths = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int first = line.indexOf(':');
            int second = line.indexOf(':', first + 1);
            if (first < 0 || second < 0) {
                continue;
            }
            String relative = line.substring(second + 1).replaceFirst("^/+", "");
            for (String controller : line.substring(first + 1, second).split(",", -1)) {
                paths.putIfAbsent(controller, relative);
            }
        }
        return paths;
    }
}
