package caixa.runtime;

import caixa.bindings.linux_h;
import caixa.rootfs.RootfsMounts;
import caixa.spawn.ChildProgram;
import caixa.spawn.StartGate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link ContainerSpec} into the child program: every decision about the container is made
 * here, in Java, before the clone.
 */
final class ChildPlanner {
    private ChildPlanner() {
    }

    /** Where the child waits for its uid/gid maps and its v1 cgroups. */
    static final String PLACEMENT = "id maps and cgroups";

    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final int TTY_GROUP = 5;

    /**
     * @param stdio for each of 0, 1 and 2, the parent's descriptor to put there, or -1 to inherit
     */
    /**
     * @param startFifoFd an O_PATH descriptor of the start FIFO when the container is only created
     *                    (its init then waits in caixa-init), or -1
     */
    static void plan(ContainerSpec spec, Path rootfs, UserIds user, int[] stdio, boolean placedByParent,
                     int startFifoFd, ChildProgram program) {
        boolean userNs = spec.namespaces().contains(Namespace.USER);
        program.unblockAllSignals();
        if (spec.dieWithParent()) {
            program.dieWithParent(linux_h.SIGKILL());
        }
        if (userNs || placedByParent) {
            program.barrier(PLACEMENT);
        }
        if (placedByParent && spec.namespaces().contains(Namespace.CGROUP)) {
            // The cgroup namespace's root is the cgroup the process is in when it is created: only
            // now, after the parent moved it into the container's v1 cgroups, is that the right one.
            program.unshare(Namespace.CGROUP.cloneFlag(), "CLONE_NEWCGROUP");
        }
        if (userNs) {
            // Until it takes mapped ids, the child is an unmapped host uid: files it creates (mount
            // points in /dev) would have no owner in the namespace, and the kernel refuses that.
            switchIds(program, UserIds.ROOT, true);
        }
        for (int target = 0; target < stdio.length; target++) {
            if (stdio[target] >= 0) {
                program.dup3(stdio[target], target);
            }
        }
        boolean ttyGroupMapped = !userNs || spec.gidMappings().stream().anyMatch(m -> m.mapsContainerId(TTY_GROUP));
        RootfsMounts mounts = new RootfsMounts(rootfs, spec.readOnlyRootfs(), spec.mounts(), userNs,
                spec.namespaces().contains(Namespace.NET), ttyGroupMapped ? TTY_GROUP : -1, spec.rootPropagation(),
                spec.maskedPaths(), spec.readonlyPaths());
        mounts.prepareMountpoints();
        mounts.addTo(program);
        program.chdir(spec.workdir());
        if (spec.hostname() != null) {
            program.sethostname(spec.hostname());
        }
        if (user != UserIds.ROOT) {
            switchIds(program, user, userNs);
        }
        program.closeOnExecFrom(3);
        List<String> env = environment(spec, user);
        List<String> candidates = execCandidates(spec.command(), env);
        if (startFifoFd >= 0) {
            StartGate.planWait(program, startFifoFd, candidates, spec.command(), env);
            return;
        }
        for (int i = 0; i < candidates.size(); i++) {
            program.execve(candidates.get(i), spec.command(), env, i < candidates.size() - 1);
        }
    }

    private static void switchIds(ChildProgram program, UserIds ids, boolean userNs) {
        if (!userNs || setgroupsAllowed()) {
            program.setgroups(ids.groups());
        }
        program.setresgid(ids.gid());
        program.setresuid(ids.uid());
    }

    /** As root we leave /proc/PID/setgroups at "allow"; an unprivileged caller must deny it. */
    static boolean setgroupsAllowed() {
        return caixa.linux.Linux.getuid() == 0;
    }

    /** Namespaces created by clone3 itself; a cgroup namespace waits for a parent's placement. */
    static long cloneFlags(ContainerSpec spec, boolean placedByParent) {
        long flags = Namespace.cloneFlags(spec.namespaces());
        return placedByParent ? flags & ~Namespace.CGROUP.cloneFlag() : flags;
    }

    static List<String> environment(ContainerSpec spec, UserIds user) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        if (spec.hostname() != null) {
            env.put("HOSTNAME", spec.hostname());
        }
        env.put("HOME", user.uid() == 0 ? "/root" : "/");
        for (String entry : spec.env()) {
            int eq = entry.indexOf('=');
            env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        List<String> list = new ArrayList<>();
        env.forEach((k, v) -> list.add(k + "=" + v));
        return list;
    }

    /**
     * The paths execve will try, in order: a command without a slash is looked up in the container's
     * PATH, as execvp does (inside the container, so it becomes one execve per entry).
     */
    static List<String> execCandidates(List<String> argv, List<String> env) {
        String command = argv.getFirst();
        if (command.contains("/")) {
            return List.of(command);
        }
        String path = env.stream().filter(e -> e.startsWith("PATH=")).map(e -> e.substring(5))
                .reduce((a, b) -> b).orElse(DEFAULT_PATH);
        List<String> candidates = new ArrayList<>();
        for (String dir : path.split(":")) {
            candidates.add((dir.isEmpty() ? "." : dir) + "/" + command);
        }
        return candidates;
    }
}
