package caixa.runtime;

import caixa.bindings.linux_h;
import caixa.capabilities.CapabilitySteps;
import caixa.cgroups.Cgroup;
import caixa.cgroups.CgroupLayout;
import caixa.linux.Linux;
import caixa.seccomp.Seccomp;
import caixa.spawn.ChildProcess;
import caixa.spawn.ChildProgram;
import caixa.spawn.Spawner;
import caixa.spawn.StepFailedException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts a process inside a running container. The child setns()es into the init's namespaces before
 * anything else; the pid and time namespaces only apply to children, so the spawning thread enters
 * those itself around the clone (a thread may, unlike a multi-threaded process for mount or user).
 */
public final class Exec {
    private Exec() {
    }

    /** In setns order: the user namespace first, since it decides what the others may be joined with. */
    private static final List<Namespace> CHILD_JOINS = List.of(Namespace.USER, Namespace.IPC, Namespace.UTS,
            Namespace.NET, Namespace.MOUNT);
    private static final List<Namespace> THREAD_JOINS = List.of(Namespace.PID, Namespace.TIME);

    public static ChildProcess start(ExecSpec spec) {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("exec must run on a platform thread: it changes the thread's pid namespace");
        }
        Path init = Path.of("/proc/" + spec.initPid() + "/ns");
        Path self = Path.of("/proc/self/ns");
        List<int[]> opened = new ArrayList<>();
        List<Namespace> threadJoins = new ArrayList<>();
        ChildProgram program = null;
        Optional<Cgroup> cgroup = Optional.empty();
        try (Arena arena = Arena.ofConfined()) {
            program = new ChildProgram(arena);
            program.unblockAllSignals();
            // Before it joins anything: a process of the container must not open its /proc/PID/exe
            // or memory, which would reach caixa's own binary (CVE-2019-5736).
            program.call("prctl(PR_SET_DUMPABLE, 0)", linux_h.SYS_prctl(), linux_h.PR_SET_DUMPABLE(), 0);
            ChildPlanner.TerminalDescriptors terminal = spec.consoleSocket() == null ? null
                    : ChildPlanner.connectConsole(program, spec.consoleSocket());
            boolean joinedUserNamespace = differs(init, self, Namespace.USER);
            for (Namespace ns : CHILD_JOINS) {
                if (differs(init, self, ns)) {
                    int fd = open(init, ns);
                    opened.add(new int[] {fd});
                    program.call("setns(" + ns.label() + " of " + spec.initPid() + ")", linux_h.SYS_setns(), fd, ns.cloneFlag());
                }
            }
            cgroup = spec.cgroup() == null ? Optional.empty() : Cgroup.openExisting(CgroupLayout.host(), spec.cgroup());
            Cgroup joined = cgroup.orElse(null);
            boolean placedByParent = joined != null && joined.hasV1();
            if (placedByParent) {
                program.barrier("cgroups");
            }
            if (differs(init, self, Namespace.CGROUP)) {
                int fd = open(init, Namespace.CGROUP);
                opened.add(new int[] {fd});
                program.call("setns(cgroup of " + spec.initPid() + ")", linux_h.SYS_setns(), fd, Namespace.CGROUP.cloneFlag());
            }
            if (terminal != null) {
                ChildPlanner.planTerminal(program, terminal);
            }
            if (spec.stdinFd() >= 0) {
                program.dup3(spec.stdinFd(), 0);
            }
            program.chdir(spec.cwd());
            // The container's confinement, in the order ChildPlanner gives its init.
            if (spec.seccomp() != null && !spec.noNewPrivileges()) {
                Seccomp.install(program, spec.seccomp());
            }
            if (spec.capabilities() != null) {
                CapabilitySteps.beforeUserSwitch(program, spec.capabilities(), spec.uid() != 0, joinedUserNamespace);
            }
            program.setgroups(spec.additionalGids().stream().mapToInt(Integer::intValue).toArray());
            program.setresgid(spec.gid());
            program.setresuid(spec.uid());
            if (spec.capabilities() != null) {
                CapabilitySteps.afterUserSwitch(program, spec.capabilities());
            }
            if (spec.noNewPrivileges()) {
                program.call("prctl(PR_SET_NO_NEW_PRIVS)", linux_h.SYS_prctl(), linux_h.PR_SET_NO_NEW_PRIVS(), 1, 0, 0, 0);
                if (spec.seccomp() != null) {
                    Seccomp.install(program, spec.seccomp());
                }
            }
            program.closeOnExecFrom(3);
            List<String> candidates = ChildPlanner.execCandidates(spec.command(), spec.env());
            for (int i = 0; i < candidates.size(); i++) {
                program.execve(candidates.get(i), spec.command(), spec.env(), i < candidates.size() - 1);
            }
            for (Namespace ns : THREAD_JOINS) {
                if (differs(init, self, ns)) {
                    threadJoins.add(ns);
                }
            }
            if (!threadJoins.isEmpty() && Rootless.active()) {
                // setns into a pid or time namespace needs CAP_SYS_ADMIN in the caller's user namespace
                // too, and a thread of the (multi-threaded) JVM cannot enter the container's first.
                throw new ContainerException("exec: rootless: joining the container's " + threadJoins.getFirst().label()
                        + " namespace needs CAP_SYS_ADMIN in the host's user namespace: not supported yet");
            }
            int cgroupFd = joined == null ? -1 : joined.unifiedFd();
            Spawner.CloneOptions options = new Spawner.CloneOptions(0, cgroupFd, java.time.Duration.ofSeconds(30));
            ChildProgram planned = program;
            return spawnInThreadNamespaces(init, threadJoins, () -> Spawner.spawn(planned, options,
                    (barrier, pid) -> joined.addProcessToV1(pid)));
        } catch (StepFailedException e) {
            throw new ContainerException("exec: " + e.getMessage(), e.isExec()
                    ? (e.errno() == linux_h.ENOENT() ? ContainerException.NOT_FOUND : ContainerException.NOT_EXECUTABLE)
                    : ContainerException.RUNTIME_ERROR, e);
        } finally {
            opened.forEach(fd -> Linux.close(fd[0]));
            if (program != null) {
                program.releaseReservedDescriptors();
            }
            cgroup.ifPresent(Cgroup::close);
        }
    }

    private static ChildProcess spawnInThreadNamespaces(Path init, List<Namespace> joins,
                                                        java.util.function.Supplier<ChildProcess> spawn) {
        List<int[]> restore = new ArrayList<>();
        try {
            for (Namespace ns : joins) {
                String forChildren = ns.label() + "_for_children";
                int own = Linux.openat(linux_h.AT_FDCWD(), "/proc/thread-self/ns/" + forChildren,
                        linux_h.O_RDONLY() | linux_h.O_CLOEXEC(), 0);
                restore.add(new int[] {own, (int) ns.cloneFlag()});
                int target = open(init, ns);
                try {
                    Linux.setns(target, (int) ns.cloneFlag(), ns.label() + " of the container");
                } finally {
                    Linux.close(target);
                }
            }
            return spawn.get();
        } finally {
            for (int[] own : restore) {
                try {
                    Linux.setns(own[0], own[1], "back to our own namespace");
                } finally {
                    Linux.close(own[0]);
                }
            }
        }
    }

    private static boolean differs(Path init, Path self, Namespace ns) {
        String name = ns == Namespace.MOUNT ? "mnt" : ns.label();
        try {
            return !Files.readSymbolicLink(init.resolve(name)).equals(Files.readSymbolicLink(self.resolve(name)));
        } catch (IOException e) {
            throw new ContainerException("exec: the container's init " + init.getParent().getFileName() + " is gone");
        }
    }

    private static int open(Path init, Namespace ns) {
        String name = ns == Namespace.MOUNT ? "mnt" : ns.label();
        return Linux.openat(linux_h.AT_FDCWD(), init.resolve(name).toString(), linux_h.O_RDONLY() | linux_h.O_CLOEXEC(), 0);
    }
}
