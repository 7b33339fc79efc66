package caixa.runtime;

import caixa.bindings.linux_h;
import caixa.capabilities.CapabilitySteps;
import caixa.rootfs.RootfsMounts;
import caixa.seccomp.Seccomp;
import caixa.spawn.ChildProgram;
import caixa.spawn.StartGate;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Turns a {@link ContainerSpec} into the child program: every decision about the container is made
 * here, in Java, before the clone.
 */
final class ChildPlanner {
    private ChildPlanner() {
    }

    /**
     * Descriptor numbers the terminal steps move their descriptors to, so that later steps can name
     * them: a plan is made before the child runs, and cannot know what open() will return. They are
     * reserved in the parent ({@link ChildProgram#reserveDescriptor}), so none is a descriptor the
     * child inherits and needs.
     */
    record TerminalDescriptors(int ptyMaster, int pty, int consoleSocket) {
        static TerminalDescriptors reserve(ChildProgram program) {
            return new TerminalDescriptors(program.reserveDescriptor(), program.reserveDescriptor(),
                    program.reserveDescriptor());
        }
    }

    /**
     * A new pty from the container's own devpts: the master goes to the console socket (whoever
     * listens there, conmon or containerd, relays it), the slave becomes the controlling terminal
     * and stdin, stdout and stderr of a new session.
     */
    static void planTerminal(ChildProgram program, TerminalDescriptors fds) {
        program.callKeepingResult("open(/dev/ptmx)", linux_h.SYS_openat(), linux_h.AT_FDCWD(),
                program.cString("/dev/ptmx").address(), linux_h.O_RDWR() | linux_h.O_NOCTTY() | linux_h.O_CLOEXEC(), 0);
        program.moveKeptTo(fds.ptyMaster(), "pty master");
        program.ioctl(fds.ptyMaster(), linux_h.TIOCSPTLCK(), program.arena().allocate(JAVA_INT).address(), "unlock pty");
        program.callKeepingResult("ioctl(TIOCGPTPEER)", linux_h.SYS_ioctl(), fds.ptyMaster(), linux_h.TIOCGPTPEER(),
                linux_h.O_RDWR() | linux_h.O_NOCTTY() | linux_h.O_CLOEXEC());
        program.moveKeptTo(fds.pty(), "pty");
        program.sendDescriptor(fds.consoleSocket(), fds.ptyMaster(), "/dev/ptmx");
        program.close(fds.ptyMaster(), "pty master");
        program.close(fds.consoleSocket(), "console socket");
        program.setsid();
        program.ioctl(fds.pty(), linux_h.TIOCSCTTY(), 0, "TIOCSCTTY");
        for (int fd = 0; fd < 3; fd++) {
            program.dup3(fds.pty(), fd);
        }
    }

    /** Connects to the console socket while the host's paths are in view; {@link #planTerminal} uses it later. */
    static TerminalDescriptors connectConsole(ChildProgram program, Path socket) {
        TerminalDescriptors fds = TerminalDescriptors.reserve(program);
        program.connectUnix(socket.toAbsolutePath().toString(), fds.consoleSocket());
        return fds;
    }

    /** Where the child waits for its uid/gid maps and its v1 cgroups. */
    static final String PLACEMENT = "id maps and cgroups";

    /** Where the child waits, its mounts made, while the parent runs its part before pivot_root. */
    static final String BEFORE_PIVOT_ROOT = "before pivot_root";

    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final int TTY_GROUP = 5;

    /**
     * @param stdio            for each of 0, 1 and 2, the parent's descriptor to put there, or -1 to inherit
     * @param startFifoFd      an O_PATH descriptor of the start FIFO when the container is only created
     *                         (its init then waits in caixa-init), or -1
     * @param beforePivotRoot  the parent's part at {@link #BEFORE_PIVOT_ROOT}, given the child's pid; null
     *                         for no stop there
     */
    static void plan(ContainerSpec spec, Path rootfs, UserIds user, int[] stdio, boolean placedByParent,
                     int startFifoFd, IntConsumer beforePivotRoot, Map<Namespace, Integer> joinFds, ChildProgram program) {
        boolean userNs = spec.namespaces().contains(Namespace.USER) && !joinFds.containsKey(Namespace.USER);
        program.unblockAllSignals();
        if (spec.dieWithParent()) {
            program.dieWithParent(linux_h.SIGKILL());
        }
        if (userNs && Rootless.active()) {
            // The child shares caixa's address space (CLONE_VM), and the kernel marks an address space
            // non-dumpable whenever a task using it changes its effective uid: an earlier container's
            // child that switched to a mapped uid left it so. /proc/PID/* of a non-dumpable task belongs
            // to root, which would close this child's uid_map to the unprivileged caller who must write
            // it. Nothing else sees this child yet (it is pid 1 of a new pid namespace), and caixa's own
            // process is dumpable to its user anyway.
            program.call("prctl(PR_SET_DUMPABLE, 1)", linux_h.SYS_prctl(), linux_h.PR_SET_DUMPABLE(), 1);
        }
        // The user namespace first: it decides what the others may be joined with.
        joinFds.entrySet().stream()
                .sorted(Map.Entry.comparingByKey((a, b) -> a == Namespace.USER ? -1 : b == Namespace.USER ? 1 : a.compareTo(b)))
                .forEach(e -> program.call("setns(" + spec.joinNamespaces().get(e.getKey()) + ")", linux_h.SYS_setns(),
                        e.getValue(), e.getKey().cloneFlag()));
        if (spec.oomScoreAdj() != null) {
            program.writeFile("/proc/self/oom_score_adj", Integer.toString(spec.oomScoreAdj()));
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
            switchIds(program, UserIds.ROOT, Rootless.setgroupsAllowed(spec.gidMappings()));
        }
        for (int target = 0; target < stdio.length; target++) {
            if (stdio[target] >= 0) {
                program.dup3(stdio[target], target);
            }
        }
        boolean ttyGroupMapped = !userNs || spec.gidMappings().stream().anyMatch(m -> m.mapsContainerId(TTY_GROUP));
        RootfsMounts mounts = new RootfsMounts(rootfs, spec.readOnlyRootfs(), spec.mounts(),
                spec.namespaces().contains(Namespace.USER), spec.namespaces().contains(Namespace.NET),
                spec.namespaces().contains(Namespace.IPC),
                ttyGroupMapped ? TTY_GROUP : -1, spec.rootPropagation(), spec.maskedPaths(), spec.readonlyPaths(),
                spec.devices(), spec.cgroup(), spec.noPivotRoot());
        mounts.prepareMountpoints();
        // Connected while the host's paths are still in view; used once the container's /dev/ptmx is.
        TerminalDescriptors terminal = spec.consoleSocket() == null ? null : connectConsole(program, spec.consoleSocket());
        mounts.mountRootfs(program);
        if (beforePivotRoot != null) {
            program.barrier(BEFORE_PIVOT_ROOT, beforePivotRoot);
        }
        mounts.enterRootfs(program);
        if (terminal != null) {
            planTerminal(program, terminal);
        }
        spec.sysctl().forEach((key, value) -> program.writeFile("/proc/sys/" + key.replace('.', '/'), value));
        mounts.restrictPaths(program);
        if (spec.umask() >= 0) {
            program.call("umask(0" + Integer.toOctalString(spec.umask()) + ")", linux_h.SYS_umask(), spec.umask());
        }
        program.chdir(spec.workdir());
        if (spec.hostname() != null) {
            program.sethostname(spec.hostname());
        }
        // After the setup, so that a low RLIMIT_NOFILE or RLIMIT_NPROC cannot get in its way.
        for (Rlimit rlimit : spec.rlimits()) {
            MemorySegment limits = program.arena().allocate(JAVA_LONG, 2);
            limits.setAtIndex(JAVA_LONG, 0, rlimit.soft());
            limits.setAtIndex(JAVA_LONG, 1, rlimit.hard());
            program.call("prlimit(" + rlimit.type() + ", " + rlimit.soft() + ":" + rlimit.hard() + ")",
                    linux_h.SYS_prlimit64(), 0, rlimit.resource(), limits.address(), 0);
        }
        boolean switching = user != UserIds.ROOT || !spec.additionalGids().isEmpty();
        if (spec.seccomp() != null && !spec.noNewPrivileges()) {
            // Without no_new_privs, installing a filter needs CAP_SYS_ADMIN: before the capabilities go.
            Seccomp.install(program, spec.seccomp());
        }
        if (spec.capabilities() != null) {
            CapabilitySteps.beforeUserSwitch(program, spec.capabilities(), user.uid() != 0,
                    spec.namespaces().contains(Namespace.USER));
        }
        if (switching) {
            switchIds(program, user.withGroups(spec.additionalGids()), !userNs || Rootless.setgroupsAllowed(spec.gidMappings()));
        }
        // Last of all the privileged steps: from here on the process has only what it keeps.
        if (spec.capabilities() != null) {
            CapabilitySteps.afterUserSwitch(program, spec.capabilities());
        }
        if (spec.noNewPrivileges()) {
            program.call("prctl(PR_SET_NO_NEW_PRIVS)", linux_h.SYS_prctl(), linux_h.PR_SET_NO_NEW_PRIVS(), 1, 0, 0, 0);
            if (spec.seccomp() != null) {
                // The last thing before execve: every step after it must pass the filter.
                Seccomp.install(program, spec.seccomp());
            }
        }
        program.closeOnExecFrom(3);
        for (int fd = 3; fd < 3 + spec.preserveFds(); fd++) {
            program.keepOpenOnExec(fd);
        }
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

    /** @param setgroups whether setgroups(2) is allowed (see {@link Rootless#setgroupsAllowed}) */
    private static void switchIds(ChildProgram program, UserIds ids, boolean setgroups) {
        if (setgroups) {
            program.setgroups(ids.groups());
        }
        program.setresgid(ids.gid());
        program.setresuid(ids.uid());
    }

    /**
     * Namespaces created by clone3 itself: not those joined (setns), and not a cgroup namespace that
     * must wait for the parent's placement.
     */
    static long cloneFlags(ContainerSpec spec, boolean placedByParent) {
        long flags = Namespace.cloneFlags(spec.namespaces()) & ~Namespace.cloneFlags(spec.joinNamespaces().keySet());
        return placedByParent ? flags & ~Namespace.CGROUP.cloneFlag() : flags;
    }

    static List<String> environment(ContainerSpec spec, UserIds user) {
        Map<String, String> env = new LinkedHashMap<>();
        if (spec.defaultEnvironment()) {
            env.put("PATH", DEFAULT_PATH);
            if (spec.hostname() != null) {
                env.put("HOSTNAME", spec.hostname());
            }
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
