package caixa.cgroups;

import caixa.bindings.linux_h;
import caixa.linux.Errno;
import caixa.linux.SyscallException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * cgroup-tools' verbs (cgcreate, cgclassify, cgset, cgget, cgdelete) on {@link Cgroup}, so they act
 * alike on v1, v2 and hybrid hosts: controllers and keys are v2 names. Every failure is a
 * {@link CgroupException} that reads {@code cgroup NAME: ...}, naming the cgroup as the user did
 * rather than one of its hierarchies' directories.
 */
public final class CgroupTool {
    private CgroupTool() {
    }

    /**
     * cgcreate's {@code -g cpu,memory:NAME}: a cgroup and the controllers (v2 names) it is for.
     */
    public record Selection(Set<String> controllers, String path) {
        public Selection {
            controllers = Set.copyOf(controllers);
        }

        /** @throws IllegalArgumentException when {@code text} is not {@code CONTROLLER[,CONTROLLER...]:NAME} */
        public static Selection parse(String text) {
            int colon = text.indexOf(':');
            Set<String> controllers = new LinkedHashSet<>();
            for (String c : colon < 0 ? new String[0] : text.substring(0, colon).split(",")) {
                if (!c.isEmpty()) {
                    controllers.add(c);
                }
            }
            if (controllers.isEmpty() || colon == text.length() - 1) {
                throw new IllegalArgumentException("'" + text + "': expected CONTROLLERS:NAME, like cpu,memory:mazoni");
            }
            return new Selection(controllers, text.substring(colon + 1));
        }
    }

    /** cgcreate: makes the cgroup in every hierarchy that holds one of its controllers. */
    public static void create(CgroupLayout layout, Selection selection) {
        String path = selection.path();
        requireKnown(path, selection.controllers());
        try {
            Cgroup.create(layout, path, selection.controllers()).close();
        } catch (CgroupException e) {
            throw failure(path, "cannot create", e);
        }
    }

    /** cgclassify: moves each process into the cgroup, in every hierarchy. */
    public static void classify(CgroupLayout layout, Selection selection, List<Integer> pids) {
        String path = selection.path();
        try (Cgroup cgroup = open(layout, path, selection.controllers())) {
            for (int pid : pids) {
                try {
                    cgroup.addProcess(pid);
                } catch (CgroupException e) {
                    throw failure(path, "pid " + pid, e);
                }
            }
        }
    }

    /** cgset: writes each value, in order. {@code cpu.max=20000} keeps the period; sizes may read {@code 48M}. */
    public static void set(CgroupLayout layout, String path, SequencedMap<String, String> values) {
        try (Cgroup cgroup = open(layout, path, controllersOf(path, values.keySet()))) {
            values.forEach((key, value) -> {
                try {
                    cgroup.set(key, value);
                } catch (CgroupException | IllegalArgumentException e) {
                    throw keyFailure(path, key, key + "=" + value, e);
                }
            });
        }
    }

    /** cgget: each key's value, as the file reads (or its v1 translation), without the final newline. */
    public static SequencedMap<String, String> get(CgroupLayout layout, String path, List<String> keys) {
        try (Cgroup cgroup = open(layout, path, controllersOf(path, keys))) {
            SequencedMap<String, String> values = new LinkedHashMap<>();
            for (String key : keys) {
                try {
                    String value = cgroup.get(key);
                    values.put(key, value.endsWith("\n") ? value.substring(0, value.length() - 1) : value);
                } catch (CgroupException | IllegalArgumentException e) {
                    throw keyFailure(path, key, key, e);
                }
            }
            return values;
        }
    }

    /**
     * cgget's output for one cgroup: a {@code NAME:} header and a blank line after (unless
     * {@code headers} is off, as with -n), {@code KEY: } before each value (unless {@code names} is
     * off, as with -v). The lines after a value's first are indented with a tab, as cgget does.
     */
    public static String cggetText(String path, SequencedMap<String, String> values, boolean headers, boolean names) {
        StringBuilder out = new StringBuilder();
        if (headers) {
            out.append(path).append(":\n");
        }
        values.forEach((key, value) -> out.append(names ? key + ": " : "").append(value.replace("\n", "\n\t")).append('\n'));
        if (headers) {
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * cgdelete: removes the cgroup from the hierarchies of its controllers; with {@code recursive},
     * the cgroups under it first. A cgroup with processes in it is not removed.
     */
    public static void delete(CgroupLayout layout, Selection selection, boolean recursive) {
        String path = selection.path();
        try (Cgroup cgroup = open(layout, path, selection.controllers())) {
            List<String> descendants = descendants(layout, path, selection.controllers());
            if (!descendants.isEmpty() && !recursive) {
                throw new CgroupException("cgroup " + path + ": has child cgroups (" + descendants.getFirst()
                        + "); delete them first, or use -r");
            }
            for (String child : descendants.reversed()) {
                // A child need not be in every hierarchy its parent is in.
                try (Cgroup below = open(layout, child, present(layout, child, selection.controllers()))) {
                    remove(below);
                }
            }
            remove(cgroup);
        }
    }

    private static void remove(Cgroup cgroup) {
        if (CgroupLease.isHeld(cgroup.path())) {
            throw new CgroupException("cgroup " + cgroup.path() + ": a running caixa owns it (a container's cgroup)");
        }
        try {
            cgroup.delete();
        } catch (CgroupException e) {
            throw e.getCause() instanceof SyscallException s && s.errno() == linux_h.EBUSY()
                    ? new CgroupException("cgroup " + cgroup.path() + ": cannot remove: processes are in it", e)
                    : failure(cgroup.path(), "cannot remove", e);
        }
    }

    /** Of {@code candidates}, the controllers whose directories for {@code path} all exist. */
    static Set<String> present(CgroupLayout layout, String path, Collection<String> candidates) {
        Set<String> present = new TreeSet<>();
        for (String controller : candidates) {
            List<Path> dirs = directories(layout, path, Set.of(controller));
            if (!dirs.isEmpty() && dirs.stream().allMatch(Files::isDirectory)) {
                present.add(controller);
            }
        }
        return present;
    }

    /** Opens an existing cgroup; its absence is said plainly, not as one hierarchy's missing directory. */
    static Cgroup open(CgroupLayout layout, String path, Set<String> controllers) {
        requireKnown(path, controllers);
        try {
            return Cgroup.open(layout, path, controllers);
        } catch (CgroupException e) {
            if (e.getCause() instanceof SyscallException s && s.errno() == linux_h.ENOENT()) {
                throw new CgroupException("cgroup " + path + ": no such cgroup", e);
            }
            throw failure(path, "cannot open", e);
        }
    }

    /** Where the controllers keep {@code path}: each v1 hierarchy that holds one, or cgroup2. */
    private static List<Path> directories(CgroupLayout layout, String path, Set<String> controllers) {
        Set<Path> dirs = new LinkedHashSet<>();
        for (String controller : controllers) {
            for (String hierarchy : Cgroup.v1Hierarchies(controller)) {
                Path mount = layout.v1().get(hierarchy);
                if (mount != null) {
                    dirs.add(mount.resolve(path));
                }
            }
            if (layout.inUnified(controller)) {
                dirs.add(layout.unified().resolve(path));
            }
        }
        return List.copyOf(dirs);
    }

    /** The cgroups below {@code path} in any of its directories, as relative paths, parents first. */
    private static List<String> descendants(CgroupLayout layout, String path, Set<String> controllers) {
        Set<Path> dirs = new LinkedHashSet<>(directories(layout, path, controllers));
        if (layout.unified() != null) {
            dirs.add(layout.unified().resolve(path)); // Cgroup opens, and so removes, it whenever it exists
        }
        Set<String> found = new TreeSet<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> tree = Files.walk(dir)) {
                tree.skip(1).filter(Files::isDirectory).forEach(d -> found.add(path + "/" + dir.relativize(d)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return List.copyOf(found);
    }

    private static Set<String> controllersOf(String path, Collection<String> keys) {
        Set<String> controllers = new TreeSet<>();
        for (String key : keys) {
            String controller;
            try {
                controller = Cgroup.controllerOf(key);
            } catch (CgroupException e) {
                throw new CgroupException("cgroup " + path + ": " + e.getMessage(), e);
            }
            // cgroup.* files are in every hierarchy: they need no controller.
            if (!controller.equals("cgroup")) {
                controllers.add(controller);
            }
        }
        return controllers;
    }

    private static void requireKnown(String path, Set<String> controllers) {
        for (String controller : controllers) {
            if (!Cgroup.CONTAINER_CONTROLLERS.contains(controller)) {
                throw new CgroupException("cgroup " + path + ": unknown controller " + controller
                        + " (" + String.join(", ", new TreeSet<>(Cgroup.CONTAINER_CONTROLLERS)) + ")");
            }
        }
    }

    /** The library's messages name a hierarchy's directory or v1 file; the user named the cgroup and a key. */
    private static CgroupException keyFailure(String path, String key, String what, RuntimeException e) {
        String reason = e.getMessage();
        if (e.getCause() instanceof SyscallException s) {
            reason = s.errno() == linux_h.ENOENT() ? "no such key" : Errno.describe(s.errno());
        } else if (e instanceof NumberFormatException) {
            reason = "not a number";
        } else if (reason.startsWith(key + ": ")) {
            reason = reason.substring(key.length() + 2);
        }
        return new CgroupException("cgroup " + path + ": " + what + ": " + reason, e);
    }

    private static CgroupException failure(String path, String what, CgroupException e) {
        if (e.getCause() instanceof SyscallException s) {
            return new CgroupException("cgroup " + path + ": " + what + ": " + Errno.describe(s.errno()), e);
        }
        return e; // the library's own checks already name the cgroup as given
    }
}
