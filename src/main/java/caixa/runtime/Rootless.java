package caixa.runtime;

import caixa.bindings.linux_h;
import caixa.cgroups.CgroupLayout;
import caixa.cgroups.DelegatedCgroup;
import caixa.linux.Linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Rootless mode: what changes when caixa runs as an unprivileged user. This class decides it all
 * (the default rootfs's location aside: {@code caixa.rootfs} comes before it);
 * {@link ContainerSpec.Builder#build()} applies it, as podman does, without being asked:
 *
 * <ul>
 * <li><b>A user namespace</b> whenever the spec asks for none: the caller's uid and gid are root
 *     inside. When {@code newuidmap} and {@code newgidmap} are in PATH and /etc/subuid and
 *     /etc/subgid give the user ranges, ids 1..N inside map to those ranges ({@link #defaultUidMappings()});
 *     otherwise only root is mapped, and setgroups(2) is denied in the namespace (the kernel requires
 *     it before an unprivileged process may write a gid_map).
 * <li><b>Id maps</b>: a process may write only a one-line map of its own id into a child's
 *     uid_map/gid_map. Any other map is written by the setuid helpers newuidmap/newgidmap (shadow's,
 *     as podman and rootlesskit use them), which check it against /etc/subuid and /etc/subgid: the
 *     only programs caixa runs to start a container ({@link #writeIdMaps}).
 * <li><b>Cgroups</b>: only where the user owns a delegated cgroup ({@link DelegatedCgroup}), and only
 *     for limits: without limits a rootless container has no cgroup; a limit without a delegated cgroup
 *     is an error before anything starts ({@link DelegatedCgroup.Missing}), never dropped.
 * </ul>
 */
public final class Rootless {
    private Rootless() {
    }

    /** Whether caixa runs unprivileged: its effective uid is not 0. */
    public static boolean active() {
        return Linux.geteuid() != 0;
    }

    /** Root inside is the caller; 1..N are the user's /etc/subuid ranges when newuidmap can map them. */
    public static List<IdMapping> defaultUidMappings() {
        return defaultMappings(Linux.geteuid(), Path.of("/etc/subuid"), "newuidmap");
    }

    /** Root's group inside is the caller's; 1..N are the user's /etc/subgid ranges when newgidmap can map them. */
    public static List<IdMapping> defaultGidMappings() {
        return defaultMappings(Linux.getegid(), Path.of("/etc/subgid"), "newgidmap");
    }

    private static List<IdMapping> defaultMappings(long ownId, Path subordinateFile, String helper) {
        List<IdMapping> mappings = new ArrayList<>();
        mappings.add(new IdMapping(0, ownId, 1));
        if (findHelper(helper).isEmpty()) {
            return mappings;
        }
        long next = 1;
        for (IdMapping range : subordinateRanges(subordinateFile, userName(), Linux.geteuid())) {
            mappings.add(new IdMapping(next, range.hostId(), range.count()));
            next += range.count();
        }
        return mappings;
    }

    /**
     * The ranges /etc/subuid (or /etc/subgid) gives the user, by name or uid ({@code NAME:START:COUNT}),
     * as host ids with container id 0; an absent file gives none.
     */
    static List<IdMapping> subordinateRanges(Path file, String userName, long uid) {
        List<IdMapping> ranges = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return ranges;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] fields = line.strip().split(":");
                if (fields.length != 3 || !(fields[0].equals(userName) || fields[0].equals(Long.toString(uid)))) {
                    continue;
                }
                try {
                    long start = Long.parseLong(fields[1]);
                    long count = Long.parseLong(fields[2]);
                    if (count > 0) {
                        ranges.add(new IdMapping(0, start, count));
                    }
                } catch (NumberFormatException e) {
                    throw new ContainerException(file + ": '" + line + "': expected NAME:START:COUNT");
                }
            }
        } catch (IOException e) {
            throw new ContainerException(file + ": " + e.getMessage());
        }
        return ranges;
    }

    /** The caller's login name (the JDK reads it with getpwuid), which /etc/subuid lists. */
    private static String userName() {
        return System.getProperty("user.name");
    }

    /** A helper program as exec would find it: the first executable of that name in PATH (podman's LookPath). */
    static Optional<Path> findHelper(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the container's process may call setgroups(2): not when an unprivileged caller writes
     * the gid_map itself, since the kernel then requires /proc/PID/setgroups to say "deny" first.
     */
    static boolean setgroupsAllowed(List<IdMapping> gidMappings) {
        return !active() || !onlyOwnId(gidMappings, Linux.getegid());
    }

    /** A map the caller writes itself: root writes any; anyone else only its own id, on one line. */
    private static boolean writtenByCaller(List<IdMapping> mappings, long ownId) {
        return !active() || onlyOwnId(mappings, ownId);
    }

    private static boolean onlyOwnId(List<IdMapping> mappings, long ownId) {
        return mappings.size() == 1 && mappings.getFirst().hostId() == ownId && mappings.getFirst().count() == 1;
    }

    /**
     * Writes the child's uid_map and gid_map while it waits at its barrier: directly where the caller
     * may, through newuidmap/newgidmap otherwise.
     */
    static void writeIdMaps(ContainerSpec spec, int pid) {
        String proc = "/proc/" + pid + "/";
        if (writtenByCaller(spec.uidMappings(), Linux.geteuid())) {
            Linux.writeFile(linux_h.AT_FDCWD(), proc + "uid_map", lines(spec.uidMappings()));
        } else {
            runHelper("newuidmap", pid, spec.uidMappings());
        }
        if (writtenByCaller(spec.gidMappings(), Linux.getegid())) {
            if (!setgroupsAllowed(spec.gidMappings())) {
                Linux.writeFile(linux_h.AT_FDCWD(), proc + "setgroups", "deny");
            }
            Linux.writeFile(linux_h.AT_FDCWD(), proc + "gid_map", lines(spec.gidMappings()));
        } else {
            runHelper("newgidmap", pid, spec.gidMappings());
        }
    }

    private static String lines(List<IdMapping> mappings) {
        StringBuilder sb = new StringBuilder();
        mappings.forEach(m -> sb.append(m.line()));
        return sb.toString();
    }

    /** {@code newuidmap PID INSIDE OUTSIDE COUNT ...}; its stderr is the error when it refuses. */
    private static void runHelper(String name, int pid, List<IdMapping> mappings) {
        List<String> command = new ArrayList<>();
        command.add(name);
        command.add(Integer.toString(pid));
        for (IdMapping m : mappings) {
            command.add(Long.toString(m.containerId()));
            command.add(Long.toString(m.hostId()));
            command.add(Long.toString(m.count()));
        }
        String shown = String.join(" ", command);
        Path helper = findHelper(name).orElseThrow(() -> new ContainerException(shown + ": " + name
                + " is not in PATH; an unprivileged caller can map no id but its own without it (Debian package uidmap)"));
        command.set(0, helper.toString());
        try {
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new ContainerException(shown + ": did not finish in 10 s");
            }
            if (process.exitValue() != 0) {
                throw new ContainerException(shown + ": exit " + process.exitValue()
                        + (stderr.isEmpty() ? "" : ": " + stderr.replace('\n', ' ')));
            }
        } catch (IOException e) {
            throw new ContainerException(shown + ": " + e.getMessage(), ContainerException.RUNTIME_ERROR, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException(shown + ": interrupted", ContainerException.RUNTIME_ERROR, e);
        }
    }

    /**
     * Refuses, before anything starts, what an unprivileged caller cannot give a container (the
     * child would fail with a bare EPERM): a hard rlimit above caixa's own (raising one needs
     * CAP_SYS_RESOURCE in the host's user namespace), or an oom_score_adj below caixa's.
     */
    static void checkLimits(ContainerSpec spec) {
        if (!active()) {
            return;
        }
        for (Rlimit rlimit : spec.rlimits()) {
            long own = ownHardLimit(rlimit.resource());
            if (Long.compareUnsigned(rlimit.hard(), own) > 0) {
                throw new ContainerException(rlimit.type() + " " + rlimit.soft() + ":" + rlimit.hard()
                        + ": rootless: a hard limit can only be lowered (caixa's is " + (own == -1 ? "unlimited" : own) + ")");
            }
        }
        if (spec.oomScoreAdj() != null) {
            int own = Integer.parseInt(readProc("/proc/self/oom_score_adj").strip());
            if (spec.oomScoreAdj() < own) {
                throw new ContainerException("oomScoreAdj " + spec.oomScoreAdj()
                        + ": rootless: oom_score_adj can only be raised (caixa's is " + own + ")");
            }
        }
    }

    /** The hard limit from /proc/self/limits, whose rows are in RLIMIT_* order; -1 for unlimited. */
    private static long ownHardLimit(int resource) {
        String row = readProc("/proc/self/limits").split("\n")[resource + 1];
        // Fixed columns: the name in 26 characters, then the soft and hard limits in 21 each.
        String hard = row.substring(47, Math.min(row.length(), 68)).strip();
        return hard.equals("unlimited") ? -1 : Long.parseLong(hard);
    }

    /** With read(2)s until end of file: procfs files report a size of 0. */
    private static String readProc(String file) {
        try {
            return Linux.readFile(linux_h.AT_FDCWD(), file);
        } catch (caixa.linux.SyscallException e) {
            throw new ContainerException(e.getMessage(), ContainerException.RUNTIME_ERROR, e);
        }
    }

    /**
     * Where a rootless container's cgroup goes: {@code requested} under the delegated cgroup that holds
     * the controllers its limits need; null when it sets no limits (it then has no cgroup).
     *
     * @param requested the cgroup the spec names, relative to the delegated one
     * @param explicit  whether the caller named it (rather than caixa's default {@code caixa/<id>})
     * @throws DelegatedCgroup.Missing when a limit has no delegated cgroup to go to
     */
    static String cgroupFor(String requested, boolean explicit, caixa.cgroups.Resources resources) {
        if (requested == null) {
            return null;
        }
        if (resources.isNone()) {
            if (explicit) {
                throw new ContainerException("cgroup " + requested + ": rootless: caixa makes a cgroup only to hold"
                        + " limits (memory, cpu, pids, cpuset), and none is set");
            }
            return null;
        }
        DelegatedCgroup delegated = DelegatedCgroup.forKeys(CgroupLayout.host(), resources.keys(), Linux.geteuid());
        return delegated.path().isEmpty() ? requested : delegated.path() + "/" + requested;
    }

    /** The controllers a rootless container's cgroup is made with: those its limits need. */
    static java.util.Set<String> cgroupControllers(caixa.cgroups.Resources resources) {
        java.util.Set<String> controllers = new java.util.TreeSet<>();
        resources.keys().forEach(key -> controllers.add(caixa.cgroups.Cgroup.controllerOf(key)));
        return controllers;
    }
}
