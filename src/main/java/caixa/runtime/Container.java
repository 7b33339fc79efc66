package caixa.runtime;

import caixa.bindings.linux_h;
import caixa.cgroups.CgroupException;
import caixa.cgroups.CgroupStats;
import caixa.linux.FdStreams;
import caixa.linux.Linux;
import caixa.linux.SyscallException;
import caixa.rootfs.RootfsException;
import caixa.spawn.ChildProcess;
import caixa.spawn.ChildProgram;
import caixa.spawn.ExitStatus;
import caixa.spawn.SpawnTimeoutException;
import caixa.spawn.StartGate;
import caixa.spawn.Spawner;
import caixa.spawn.StepFailedException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * A running (or finished) container. Safe for use from many threads; {@link #close()} kills the
 * container if it still runs and releases its descriptors.
 *
 * <p>An unprivileged caller starts containers too: its spec was made rootless when it was built (a
 * user namespace, a delegated cgroup; see {@link Rootless}), and {@link #start} writes the id maps
 * through newuidmap/newgidmap when the kernel would not take them from the caller.
 */
public final class Container implements AutoCloseable {
    private final ContainerSpec spec;
    private final ChildProcess init;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;
    private final ContainerCgroup cgroup;

    private Container(ContainerSpec spec, ChildProcess init, OutputStream stdin, InputStream stdout,
                      InputStream stderr, ContainerCgroup cgroup) {
        this.spec = spec;
        this.init = init;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.cgroup = cgroup;
    }

    /**
     * Starts a container and returns once its command runs.
     *
     * @throws ContainerException when it cannot be started; {@link ContainerException#exitCode()} says
     *                            whether the runtime (125) or the command (126, 127) was at fault
     */
    public static Container start(ContainerSpec spec) {
        return start(spec, null);
    }

    /**
     * Starts a container, and calls {@code beforePivotRoot} with the child's pid while the child waits
     * with its namespaces, cgroup and mounts made, before it switches into its root: the moment OCI
     * gives the prestart, createRuntime and createContainer hooks. An exception it throws ends the
     * start, as a failed step would: the child is killed and nothing is left.
     */
    public static Container start(ContainerSpec spec, IntConsumer beforePivotRoot) {
        Path rootfs = realRootfs(spec.rootfs());
        UserIds user = UserIds.resolve(spec.user(), rootfs);
        checkMapped(spec, user);
        Rootless.checkLimits(spec);
        int[][] pipes = new int[3][];
        ContainerCgroup cgroup = null;
        int fifoFd = -1;
        Map<Namespace, Integer> joinFds = new EnumMap<>(Namespace.class);
        try (Arena arena = Arena.ofConfined()) {
            for (Map.Entry<Namespace, Path> join : spec.joinNamespaces().entrySet()) {
                joinFds.put(join.getKey(), Linux.openat(linux_h.AT_FDCWD(), join.getValue().toString(),
                        linux_h.O_RDONLY() | linux_h.O_CLOEXEC(), 0));
            }
            if (spec.startFifo() != null) {
                fifoFd = StartGate.openForChild(spec.startFifo());
            }
            cgroup = ContainerCgroup.setUp(spec);
            boolean placedByParent = cgroup != null && cgroup.cgroup().hasV1();
            int[] childStdio = openStdio(spec, pipes);
            ChildProgram program = new ChildProgram(arena);
            ChildProcess init;
            try {
                ChildPlanner.plan(spec, rootfs, user, childStdio, placedByParent, fifoFd, beforePivotRoot, joinFds,
                        program);
                Spawner.CloneOptions options = new Spawner.CloneOptions(ChildPlanner.cloneFlags(spec, placedByParent),
                        cgroup == null ? -1 : cgroup.cgroup().unifiedFd(), spec.execTimeout());
                ContainerCgroup placement = cgroup;
                init = Spawner.spawn(program, options, (barrier, pid) -> {
                    if (spec.namespaces().contains(Namespace.USER) && !joinFds.containsKey(Namespace.USER)) {
                        Rootless.writeIdMaps(spec, pid);
                    }
                    if (placedByParent) {
                        placement.cgroup().addProcessToV1(pid);
                    }
                });
            } finally {
                program.releaseReservedDescriptors();
            }
            closeChildEnds(pipes);
            return new Container(spec, init,
                    pipes[0] == null ? null : FdStreams.output(pipes[0][1], "stdin of " + spec.id()),
                    pipes[1] == null ? null : FdStreams.input(pipes[1][0], "stdout of " + spec.id()),
                    pipes[2] == null ? null : FdStreams.input(pipes[2][0], "stderr of " + spec.id()),
                    cgroup);
        } catch (StepFailedException e) {
            abandon(pipes, cgroup);
            throw translate(e);
        } catch (RootfsException | SyscallException | SpawnTimeoutException | CgroupException e) {
            abandon(pipes, cgroup);
            throw new ContainerException(e.getMessage(), ContainerException.RUNTIME_ERROR, e);
        } catch (RuntimeException | Error e) {
            abandon(pipes, cgroup);
            throw e;
        } finally {
            if (fifoFd >= 0) {
                Linux.close(fifoFd);
            }
            joinFds.values().forEach(Linux::close);
        }
    }

    /** In a new user namespace, the process's ids must be mapped, or setresuid fails with a bare EINVAL. */
    private static void checkMapped(ContainerSpec spec, UserIds user) {
        if (!spec.namespaces().contains(Namespace.USER) || spec.joinNamespaces().containsKey(Namespace.USER)) {
            return;
        }
        if (spec.uidMappings().stream().noneMatch(m -> m.mapsContainerId(user.uid()))) {
            throw new ContainerException("user " + spec.user() + ": uid " + user.uid() + " is not mapped in the"
                    + " container's user namespace (uid_map: " + describe(spec.uidMappings()) + ")");
        }
        if (spec.gidMappings().stream().noneMatch(m -> m.mapsContainerId(user.gid()))) {
            throw new ContainerException("user " + spec.user() + ": gid " + user.gid() + " is not mapped in the"
                    + " container's user namespace (gid_map: " + describe(spec.gidMappings()) + ")");
        }
    }

    private static String describe(List<IdMapping> mappings) {
        return String.join(", ", mappings.stream().map(m -> m.line().strip()).toList());
    }

    private static void abandon(int[][] pipes, ContainerCgroup cgroup) {
        closeAll(pipes);
        if (cgroup != null) {
            cgroup.release();
        }
    }

    /** The paths execve tries for the command, in order (the PATH search, planned in advance). */
    public List<String> execCandidates() {
        return ChildPlanner.execCandidates(spec.command(), ChildPlanner.environment(spec, UserIds.resolve(spec.user(), spec.rootfs())));
    }

    public String id() {
        return spec.id();
    }

    public ContainerSpec spec() {
        return spec;
    }

    /** The init process's pid, as the host sees it. */
    public int pid() {
        return init.pid();
    }

    /** Waits for the init to exit; the container's cgroup is removed once it has. */
    public ExitStatus waitFor() {
        ExitStatus status = init.waitFor();
        releaseCgroup();
        return status;
    }

    public Optional<ExitStatus> waitFor(Duration timeout) {
        Optional<ExitStatus> status = init.waitFor(timeout);
        status.ifPresent(s -> releaseCgroup());
        return status;
    }

    /** Whether the OOM killer killed a task of this container (known once it has exited). */
    public boolean oomKilled() {
        return cgroup != null && cgroup.oomKills() > 0;  // UNKNOWN is negative
    }

    /**
     * When the OOM killer ended this container, the sentence docker users expect:
     * {@code out of memory (limit 48 MiB)}. Known once the container has exited.
     */
    public Optional<String> oomReport() {
        if (!oomKilled()) {
            return Optional.empty();
        }
        long limit = cgroup.memoryLimitAtExit();
        return Optional.of("out of memory" + (limit > 0 ? " (limit " + caixa.cgroups.Sizes.human(limit) + ")" : ""));
    }

    /** The container's cgroup path, if it has one. */
    public Optional<String> cgroupPath() {
        return Optional.ofNullable(spec.cgroup());
    }

    /** The cgroup's counters now (empty without a cgroup, or once the container has exited). */
    public Optional<CgroupStats> stats() {
        return cgroup == null ? Optional.empty() : cgroup.stats();
    }

    private void releaseCgroup() {
        if (cgroup != null) {
            cgroup.release();
        }
    }

    public Optional<ExitStatus> exitStatus() {
        return init.exitStatus();
    }

    /**
     * Sends {@code signal} to the container's init. Note that an init in a new pid namespace only
     * receives signals it has a handler for (SIGKILL always arrives).
     */
    public boolean signal(int signal) {
        return init.signal(signal);
    }

    public boolean kill() {
        return init.signal(linux_h.SIGKILL());
    }

    /** The write end of the container's stdin, when started with {@link Stdio#PIPE}. */
    public OutputStream stdin() {
        return require(stdin, "stdin");
    }

    public InputStream stdout() {
        return require(stdout, "stdout");
    }

    public InputStream stderr() {
        return require(stderr, "stderr");
    }

    /** Reads piped stdout (and stderr) to the end, then waits for the container to exit. */
    public Output output() {
        try {
            Thread errReader = null;
            StringBuilder err = new StringBuilder();
            if (stderr != null) {
                errReader = Thread.ofVirtual().start(() -> err.append(readAll(stderr)));
            }
            String out = stdout == null ? "" : readAll(stdout);
            if (errReader != null) {
                errReader.join();
            }
            return new Output(waitFor(), out, err.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the output of " + id(), e);
        }
    }

    /** What a finished container printed. */
    public record Output(ExitStatus status, String stdout, String stderr) {
    }

    /**
     * Gives the container's cgroup to whoever records it, as the OCI state does: this handle stops
     * leasing it (so no stale-cgroup sweep takes it for a leftover once it is empty: its owner is the
     * record, not this process), and neither {@link #close} nor {@link #detach} removes it.
     * Statistics and the OOM report are no longer read through this handle.
     */
    public void handOverCgroup() {
        if (cgroup != null) {
            cgroup.detach();
        }
    }

    /**
     * Lets the container run on without this process (OCI create, or {@code run -d}): releases the
     * pidfd, the cgroup handles and the streams, and neither kills nor waits.
     */
    public void detach() {
        init.detach();
        if (cgroup != null) {
            cgroup.detach();
        }
        closeQuietly(stdin);
        closeQuietly(stdout);
        closeQuietly(stderr);
    }

    @Override
    public void close() {
        try {
            init.close();
            releaseCgroup();
        } finally {
            closeQuietly(stdin);
            closeQuietly(stdout);
            closeQuietly(stderr);
        }
    }

    private static Path realRootfs(Path rootfs) {
        if (!Files.isDirectory(rootfs)) {
            throw new ContainerException("rootfs " + rootfs + ": no such directory");
        }
        try {
            Path real = rootfs.toRealPath(LinkOption.NOFOLLOW_LINKS).toRealPath();
            if (real.equals(real.getRoot())) {
                throw new ContainerException("rootfs " + rootfs + ": the host's / cannot be a container's rootfs");
            }
            return real;
        } catch (IOException e) {
            throw new ContainerException("rootfs " + rootfs + ": " + e.getMessage());
        }
    }

    /** Parent ends stay in {@code pipes}; returns the descriptors the child puts at 0, 1 and 2. */
    private static int[] openStdio(ContainerSpec spec, int[][] pipes) {
        Stdio[] modes = {spec.stdin(), spec.stdout(), spec.stderr()};
        int[] child = {-1, -1, -1};
        for (int i = 0; i < 3; i++) {
            switch (modes[i]) {
                case INHERIT -> { }
                case PIPE -> {
                    pipes[i] = Linux.pipe2(linux_h.O_CLOEXEC());
                    child[i] = i == 0 ? pipes[i][0] : pipes[i][1];
                }
                case NULL -> {
                    int fd = Linux.openat(linux_h.AT_FDCWD(), "/dev/null", linux_h.O_RDWR() | linux_h.O_CLOEXEC(), 0);
                    // Kept as a "pipe" whose both ends are the same descriptor, so one path closes it.
                    pipes[i] = new int[] {fd, fd};
                    child[i] = fd;
                }
            }
        }
        return child;
    }

    private static void closeChildEnds(int[][] pipes) {
        for (int i = 0; i < 3; i++) {
            if (pipes[i] == null) {
                continue;
            }
            if (pipes[i][0] == pipes[i][1]) {
                Linux.close(pipes[i][0]);
                pipes[i] = null;
            } else {
                Linux.close(i == 0 ? pipes[i][0] : pipes[i][1]);
            }
        }
    }

    private static void closeAll(int[][] pipes) {
        for (int[] pipe : pipes) {
            if (pipe != null) {
                Linux.close(pipe[0]);
                if (pipe[1] != pipe[0]) {
                    Linux.close(pipe[1]);
                }
            }
        }
    }

    private static ContainerException translate(StepFailedException e) {
        if (e.isExec()) {
            String command = e.step().substring("execve(".length(), e.step().length() - 1);
            if (e.errno() == linux_h.ENOENT()) {
                return new ContainerException("exec " + command + ": no such file or directory in the container",
                        ContainerException.NOT_FOUND, e);
            }
            return new ContainerException("exec " + command + ": " + caixa.linux.Errno.describe(e.errno()),
                    ContainerException.NOT_EXECUTABLE, e);
        }
        return new ContainerException(e.getMessage(), ContainerException.RUNTIME_ERROR, e);
    }

    private static <T> T require(T stream, String name) {
        if (stream == null) {
            throw new IllegalStateException(name + " is not a pipe: start the container with Stdio.PIPE for it");
        }
        return stream;
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // Nothing to report: the descriptor is released either way.
        }
    }
}
