package caixa.cgroups;

import caixa.bindings.linux_h;
import caixa.linux.Linux;
import caixa.linux.SyscallException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One cgroup: the same path under every hierarchy that holds one of its controllers (one directory
 * on a unified host; one per v1 hierarchy, plus the cgroup2 one, on a hybrid host). Keys are v2
 * names everywhere; a v1-held controller has them translated.
 */
public final class Cgroup implements AutoCloseable {
    /** Every controller a container joins where the host has it, in v2 names. */
    public static final Set<String> CONTAINER_CONTROLLERS =
            Set.of("cpu", "memory", "pids", "cpuset", "io", "hugetlb", "freezer", "devices");

    private final CgroupLayout layout;
    private final String path;
    private final CgroupDirectory unified;
    private final Map<String, CgroupDirectory> v1;

    private Cgroup(CgroupLayout layout, String path, CgroupDirectory unified, Map<String, CgroupDirectory> v1) {
        this.layout = layout;
        this.path = path;
        this.unified = unified;
        this.v1 = v1;
    }

    /**
     * Creates (or opens, when it exists) the cgroup {@code path}, relative to each hierarchy's root,
     * for these controllers (v2 names). A controller this host does not have is an error.
     */
    public static Cgroup create(CgroupLayout layout, String path, Set<String> controllers) {
        return build(layout, checkPath(path), controllers, true, true);
    }

    /**
     * Creates the cgroup {@code path} under a {@link DelegatedCgroup} for an unprivileged caller: only
     * in the hierarchies of {@code controllers}, since the others (cgroup2 on a hybrid host among them)
     * are not the caller's to write.
     */
    public static Cgroup createDelegated(CgroupLayout layout, String path, Set<String> controllers) {
        return build(layout, checkPath(path), controllers, true, false);
    }

    /** Opens an existing cgroup. */
    public static Cgroup open(CgroupLayout layout, String path, Set<String> controllers) {
        return build(layout, checkPath(path), controllers, false, true);
    }

    /** For containers: every controller in {@link #CONTAINER_CONTROLLERS} this host has. */
    public static Cgroup createForContainer(CgroupLayout layout, String path) {
        Set<String> available = new java.util.TreeSet<>();
        for (String c : CONTAINER_CONTROLLERS) {
            if (hasController(layout, c)) {
                available.add(c);
            }
        }
        return create(layout, path, available);
    }

    /**
     * Opens a container's cgroup wherever it exists (another process made it; it may be gone from
     * some hierarchies already). Empty when it exists nowhere.
     */
    public static java.util.Optional<Cgroup> openExisting(CgroupLayout layout, String path) {
        checkPath(path);
        Map<String, CgroupDirectory> v1 = new LinkedHashMap<>();
        Map<Path, CgroupDirectory> byMount = new LinkedHashMap<>();
        for (Map.Entry<String, Path> hierarchy : layout.v1().entrySet()) {
            Path dir = hierarchy.getValue().resolve(path);
            if (java.nio.file.Files.isDirectory(dir)) {
                v1.put(hierarchy.getKey(), byMount.computeIfAbsent(hierarchy.getValue(), m -> CgroupDirectory.open(dir, false)));
            }
        }
        CgroupDirectory unified = null;
        if (layout.unified() != null && java.nio.file.Files.isDirectory(layout.unified().resolve(path))) {
            unified = CgroupDirectory.open(layout.unified().resolve(path), false);
        }
        if (v1.isEmpty() && unified == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Cgroup(layout, path, unified, v1));
    }

    private static boolean hasController(CgroupLayout layout, String controller) {
        return v1Hierarchies(controller).stream().allMatch(layout.v1()::containsKey)
                && !v1Hierarchies(controller).isEmpty() || layout.inUnified(controller);
    }

    /** The v1 hierarchies that hold what v2 calls {@code controller}; cpu statistics live in cpuacct. */
    static List<String> v1Hierarchies(String controller) {
        return switch (controller) {
            case "cpu" -> List.of("cpu", "cpuacct");
            case "io" -> List.of("blkio");
            default -> List.of(controller);
        };
    }

    private static String checkPath(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.contains("//")
                || List.of(path.split("/")).stream().anyMatch(s -> s.equals("..") || s.equals("."))) {
            throw new CgroupException("cgroup '" + path + "': expected a relative path like caixa/web");
        }
        return path;
    }

    /** @param unifiedAlways make (or open) the cgroup2 directory even when none of the controllers is there */
    private static Cgroup build(CgroupLayout layout, String path, Set<String> controllers, boolean create,
                                boolean unifiedAlways) {
        Map<Path, CgroupDirectory> byMount = new LinkedHashMap<>();
        Map<String, CgroupDirectory> v1 = new LinkedHashMap<>();
        List<String> unifiedControllers = new ArrayList<>();
        CgroupDirectory unified = null;
        try {
            for (String controller : controllers) {
                if (layout.inV1(controller) || (v1Hierarchies(controller).stream().anyMatch(layout.v1()::containsKey))) {
                    for (String hierarchy : v1Hierarchies(controller)) {
                        Path mount = layout.v1().get(hierarchy);
                        if (mount == null) {
                            throw new CgroupException("cgroup " + path + ": controller " + hierarchy + " is not mounted");
                        }
                        CgroupDirectory dir = byMount.get(mount);
                        if (dir == null) {
                            dir = CgroupDirectory.open(mount.resolve(path), create);
                            byMount.put(mount, dir);
                            if (hierarchy.equals("cpuset") && create) {
                                inheritCpuset(mount, path);
                            }
                        }
                        v1.put(hierarchy, dir);
                    }
                } else if (layout.inUnified(controller)) {
                    unifiedControllers.add(controller);
                } else if (!controller.equals("freezer") && !controller.equals("devices")) {
                    throw new CgroupException("cgroup " + path + ": this host has no " + controller + " controller");
                }
            }
            // Made in v1 hierarchies only (by cgcreate, or left by a partial delete), a cgroup has no cgroup2 directory.
            if (layout.unified() != null && ((create && unifiedAlways) || !unifiedControllers.isEmpty() || byMount.isEmpty()
                    || java.nio.file.Files.isDirectory(layout.unified().resolve(path)))) {
                if (create) {
                    enableControllers(layout.unified(), path, unifiedControllers);
                }
                unified = CgroupDirectory.open(layout.unified().resolve(path), create);
            }
            return new Cgroup(layout, path, unified, v1);
        } catch (RuntimeException e) {
            List<CgroupDirectory> opened = new ArrayList<>(byMount.values());
            if (unified != null) {
                opened.add(unified);
            }
            for (CgroupDirectory dir : opened) {
                dir.close();
                if (dir.created()) {
                    try {
                        rmdirIfEmpty(dir.path());
                    } catch (CgroupException cleanup) {
                        e.addSuppressed(cleanup);
                    }
                }
            }
            throw e;
        }
    }

    /** v2 hands a controller to a child only when every ancestor lists it in cgroup.subtree_control. */
    private static void enableControllers(Path root, String path, List<String> controllers) {
        if (controllers.isEmpty()) {
            return;
        }
        Path dir = root;
        for (String segment : path.split("/")) {
            try (CgroupDirectory parent = CgroupDirectory.open(dir, true)) {
                Set<String> offered = Set.of(parent.read("cgroup.controllers").trim().split("\\s+"));
                Set<String> enabled = Set.of(parent.read("cgroup.subtree_control").trim().split("\\s+"));
                StringBuilder add = new StringBuilder();
                for (String c : controllers) {
                    if (offered.contains(c) && !enabled.contains(c)) {
                        add.append(add.isEmpty() ? "" : " ").append('+').append(c);
                    }
                }
                if (!add.isEmpty()) {
                    parent.write("cgroup.subtree_control", add.toString());
                }
            }
            dir = dir.resolve(segment);
        }
    }

    /** A new v1 cpuset starts with no CPUs and no memory nodes, and then takes no task: copy the parent's. */
    private static void inheritCpuset(Path mount, String path) {
        Path dir = mount;
        for (String segment : path.split("/")) {
            Path child = dir.resolve(segment);
            try (CgroupDirectory parent = CgroupDirectory.open(dir, false);
                 CgroupDirectory created = CgroupDirectory.open(child, false)) {
                for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
                    if (created.read(file).isBlank()) {
                        created.write(file, parent.read(file).strip());
                    }
                }
            }
            dir = child;
        }
    }

    public String path() {
        return path;
    }

    public CgroupLayout layout() {
        return layout;
    }

    /**
     * The cgroup2 directory's descriptor, for CLONE_INTO_CGROUP (the child starts inside it, with no
     * moment outside), or -1 on a legacy host.
     */
    public int unifiedFd() {
        return unified == null ? -1 : unified.fd();
    }

    /** Whether a new process must also be written into v1 hierarchies (CLONE_INTO_CGROUP covers only cgroup2). */
    public boolean hasV1() {
        return !v1.isEmpty();
    }

    /** This cgroup's directory in the v1 hierarchy {@code hierarchy} ({@code devices}, say), if it has one. */
    java.util.Optional<CgroupDirectory> v1Directory(String hierarchy) {
        return java.util.Optional.ofNullable(v1.get(hierarchy));
    }

    /** Sets a key (v2 name) to a value, in whichever hierarchy holds its controller. */
    public void set(String key, String value) {
        String controller = controllerOf(key);
        if (controller.equals("cgroup") && key.equals("cgroup.procs")) {
            addProcess(Integer.parseInt(value.trim()));
        } else if (v1Holds(controller)) {
            V1Translation.set(v1, key, value);
        } else {
            requireUnified(key).write(key, value);
        }
    }

    /**
     * Sets the CPU weight from cpu.shares (OCI's and docker's unit): written as it is where a v1 cpu
     * hierarchy holds the controller, converted to cpu.weight on cgroup2 (see
     * {@link V1Translation#weightFromShares} for which conversion and why).
     */
    public void setCpuShares(long shares) {
        if (v1Holds("cpu")) {
            V1Translation.setShares(v1, shares);
        } else {
            requireUnified("cpu.weight").write("cpu.weight", Long.toString(V1Translation.weightFromShares(shares)));
        }
    }

    public String get(String key) {
        String controller = controllerOf(key);
        if (v1Holds(controller)) {
            return V1Translation.get(v1, key);
        }
        return requireUnified(key).read(key);
    }

    /** Moves a process into this cgroup in every hierarchy. */
    public void addProcess(int pid) {
        for (CgroupDirectory dir : distinct(v1.values())) {
            dir.write("cgroup.procs", Integer.toString(pid));
        }
        if (unified != null) {
            unified.write("cgroup.procs", Integer.toString(pid));
        }
    }

    /** Moves a process into the v1 hierarchies only (it was cloned into the cgroup2 directory). */
    public void addProcessToV1(int pid) {
        for (CgroupDirectory dir : distinct(v1.values())) {
            dir.write("cgroup.procs", Integer.toString(pid));
        }
    }

    public CgroupStats stats() {
        return new CgroupStats(
                optional(() -> field(get("cpu.stat"), "usage_usec")),
                optional(() -> Long.parseLong(get("memory.current").strip())),
                optional(() -> Long.parseLong(get("memory.peak").strip())),
                optional(() -> Sizes.parse(get("memory.max").strip())),
                optional(() -> Long.parseLong(get("pids.current").strip())),
                optional(() -> {
                    String max = get("pids.max").strip();
                    return max.equals("max") ? Sizes.UNLIMITED : Long.parseLong(max);
                }),
                oomKills());
    }

    /** How many tasks the OOM killer has killed in this cgroup (read before removing it). */
    public long oomKills() {
        long kills = optional(() -> field(get("memory.events"), "oom_kill"));
        return kills == CgroupStats.UNKNOWN ? kills : Math.max(0, kills);
    }

    /** The pids of its tasks. */
    public List<Integer> pids() {
        CgroupDirectory dir = v1.getOrDefault("pids", v1.isEmpty() ? unified : v1.values().iterator().next());
        List<Integer> pids = new ArrayList<>();
        for (String line : dir.read("cgroup.procs").split("\n")) {
            if (!line.isBlank()) {
                pids.add(Integer.parseInt(line.strip()));
            }
        }
        return pids;
    }

    /** Stops every task (SIGSTOP cannot be caught or seen): v1's freezer where it holds one, else cgroup.freeze. */
    public void freeze() {
        setFrozen(true);
    }

    public void thaw() {
        setFrozen(false);
    }

    private void setFrozen(boolean frozen) {
        CgroupDirectory freezer = v1.get("freezer");
        if (freezer != null) {
            freezer.write("freezer.state", frozen ? "FROZEN" : "THAWED");
        } else if (unified != null && unified.has("cgroup.freeze")) {
            unified.write("cgroup.freeze", frozen ? "1" : "0");
        } else {
            throw new CgroupException("cgroup " + path + ": no freezer on this host");
        }
    }

    public boolean frozen() {
        CgroupDirectory freezer = v1.get("freezer");
        if (freezer != null) {
            return freezer.read("freezer.state").strip().equals("FROZEN");
        }
        return unified != null && unified.has("cgroup.events") && field(unified.read("cgroup.events"), "frozen") == 1;
    }

    /** Whether any task is in it. */
    public boolean populated() {
        if (unified != null && unified.has("cgroup.events") && field(unified.read("cgroup.events"), "populated") == 1) {
            return true;
        }
        // A v1 hierarchy has no populated flag; tasks of child cgroups count too, as in v2.
        return distinct(v1.values()).stream().anyMatch(d -> hasTasks(d.path()));
    }

    private static boolean hasTasks(Path dir) {
        try (var walk = java.nio.file.Files.walk(dir)) {
            return walk.filter(p -> p.getFileName().toString().equals("cgroup.procs")).anyMatch(p -> {
                try {
                    return !java.nio.file.Files.readString(p).isBlank();
                } catch (java.io.IOException e) {
                    throw new CgroupException("cgroup " + p.getParent() + ": reading cgroup.procs: " + e.getMessage(), e);
                }
            });
        } catch (java.io.IOException e) {
            throw new CgroupException("cgroup " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * SIGKILLs every task: cgroup.kill where the kernel has it (5.14+), else each listed pid until
     * none is left (a forking task can add pids while we read).
     */
    public void kill() {
        if (unified != null && unified.has("cgroup.kill") && !hasV1()) {
            unified.write("cgroup.kill", "1");
            return;
        }
        Collection<CgroupDirectory> dirs = distinct(v1.values());
        CgroupDirectory any = dirs.isEmpty() ? unified : dirs.iterator().next();
        for (int round = 0; round < 100; round++) {
            String procs = any.read("cgroup.procs").strip();
            if (procs.isEmpty()) {
                return;
            }
            for (String pid : procs.split("\n")) {
                Linux.kill(Integer.parseInt(pid.strip()), linux_h.SIGKILL());
            }
        }
    }

    /**
     * Removes the cgroup from every hierarchy. Dying tasks can keep it busy for a moment after their
     * parent was reaped, so EBUSY is retried for up to two seconds.
     */
    public void delete() {
        for (CgroupDirectory dir : directories()) {
            removeWhenEmpty(dir.path());
        }
    }

    /** Whether {@link #create} made every directory of it, so that it is caixa's to kill and remove. */
    public boolean createdEverywhere() {
        return directories().stream().allMatch(CgroupDirectory::created);
    }

    /**
     * Removes the directories that {@link #create} made (a pre-existing part stays), and then their
     * parents left empty, down to {@code keepSegments} segments of the path.
     */
    public void deleteCreated(int keepSegments) {
        List<Path> removed = new ArrayList<>();
        for (CgroupDirectory dir : directories()) {
            if (dir.created()) {
                removeWhenEmpty(dir.path());
                removed.add(dir.path());
            }
        }
        int segments = path.split("/").length;
        for (Path leaf : removed) {
            Path parent = leaf.getParent();
            for (int s = segments - 1; s > keepSegments; s--) {
                if (!rmdirIfEmpty(parent)) {
                    break;
                }
                parent = parent.getParent();
            }
        }
    }

    private static void removeWhenEmpty(Path dir) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (true) {
            try {
                Linux.rmdirat(linux_h.AT_FDCWD(), dir.toString());
                return;
            } catch (SyscallException e) {
                if (e.errno() != linux_h.EBUSY() || System.nanoTime() > deadline) {
                    throw new CgroupException("cgroup " + dir + ": cannot remove: " + CgroupDirectory.reason(e), e);
                }
                Thread.onSpinWait();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new CgroupException("cgroup " + dir + ": interrupted while removing it", ie);
                }
            }
        }
    }

    /** Another container may still use a shared parent: busy or not empty is not an error. */
    private static boolean rmdirIfEmpty(Path dir) {
        try {
            Linux.rmdirat(linux_h.AT_FDCWD(), dir.toString());
            return true;
        } catch (SyscallException e) {
            if (e.errno() == linux_h.EBUSY() || e.errno() == linux_h.ENOTEMPTY()) {
                return false;
            }
            throw new CgroupException("cgroup " + dir + ": cannot remove: " + CgroupDirectory.reason(e), e);
        }
    }

    @Override
    public void close() {
        directories().forEach(CgroupDirectory::close);
    }

    private List<CgroupDirectory> directories() {
        List<CgroupDirectory> dirs = new ArrayList<>(distinct(v1.values()));
        if (unified != null) {
            dirs.add(unified);
        }
        return dirs;
    }

    private boolean v1Holds(String controller) {
        if (controller.equals("cgroup")) {
            return unified == null;
        }
        return v1Hierarchies(controller).stream().anyMatch(v1::containsKey);
    }

    private CgroupDirectory requireUnified(String key) {
        if (unified == null) {
            throw new CgroupException(key + ": this host has no cgroup2 hierarchy");
        }
        return unified;
    }

    /** The controller a key (v2 name) belongs to: {@code memory.max} → {@code memory}. */
    public static String controllerOf(String key) {
        int dot = key.indexOf('.');
        if (dot <= 0 || key.contains("/")) {
            throw new CgroupException("'" + key + "': not a cgroup key (like cpu.max or memory.peak)");
        }
        return key.substring(0, dot);
    }

    static long field(String text, String key) {
        for (String line : text.split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2 && kv[0].equals(key)) {
                return Long.parseLong(kv[1]);
            }
        }
        return -1;
    }

    private static Collection<CgroupDirectory> distinct(Collection<CgroupDirectory> dirs) {
        Map<CgroupDirectory, Boolean> seen = new IdentityHashMap<>();
        List<CgroupDirectory> out = new ArrayList<>();
        for (CgroupDirectory d : dirs) {
            if (seen.put(d, Boolean.TRUE) == null) {
                out.add(d);
            }
        }
        return out;
    }

    private interface LongReader {
        long read();
    }

    /** A counter this host does not keep reads as {@link CgroupStats#UNKNOWN}. */
    private static long optional(LongReader reader) {
        try {
            return reader.read();
        } catch (CgroupException | NumberFormatException e) {
            return CgroupStats.UNKNOWN;
        }
    }
}
