package caixa.spawn;

import caixa.bindings.caixa_failure;
import caixa.bindings.caixa_program;
import caixa.bindings.clone_args;
import caixa.bindings.linux_h;
import caixa.linux.Linux;
import caixa.linux.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Runs a {@link ChildProgram} through the trampoline: clone3 with CLONE_VM on a stack in the plan's
 * arena, then follows the child through its barriers and learns from a CLOEXEC pipe whether it
 * reached execve.
 */
public final class Spawner {
    private Spawner() {
    }

    /** The child uses a few hundred bytes of it: raw syscalls only, no libc frames. */
    private static final long STACK_SIZE = 64 * 1024;
    private static final long STACK_ALIGNMENT = 16;

    /** The parent's part at each {@link ChildProgram#barrier(String)}, called in order with the child's pid. */
    @FunctionalInterface
    public interface BarrierHandler {
        void reached(String barrier, int pid);

        BarrierHandler NONE = (barrier, pid) -> {
            throw new IllegalStateException("no handler for barrier " + barrier);
        };
    }

    /**
     * What to clone with, besides what the spawner always sets (CLONE_VM, CLONE_PIDFD,
     * CLONE_CLEAR_SIGHAND, and CLONE_VFORK when the child never waits for the parent).
     *
     * @param namespaceFlags CLONE_NEW* flags
     * @param cgroupFd       a cgroup2 directory to start the child in (CLONE_INTO_CGROUP), or -1
     * @param execTimeout    how long the child may take from one barrier to the next, or to execve
     */
    public record CloneOptions(long namespaceFlags, int cgroupFd, Duration execTimeout) {
        public static CloneOptions namespaces(long namespaceFlags) {
            return new CloneOptions(namespaceFlags, -1, Duration.ofSeconds(30));
        }

        public CloneOptions intoCgroup(int fd) {
            return new CloneOptions(namespaceFlags, fd, execTimeout);
        }
    }

    /**
     * Starts {@code program}. Returns once the child has exec'd its command. Throws
     * {@link StepFailedException} (the child is reaped) when a step failed, {@link SyscallException}
     * when clone3 itself failed. The program's arena may be closed once this returns or throws.
     */
    public static ChildProcess spawn(ChildProgram program, CloneOptions options, BarrierHandler handler) {
        Arena arena = program.arena();
        boolean vfork = !program.hasBarriers();
        int[] report = Linux.pipe2(linux_h.O_CLOEXEC());
        int[] notify = vfork ? new int[] {-1, -1} : Linux.pipe2(linux_h.O_CLOEXEC());
        int[] release = vfork ? new int[] {-1, -1} : Linux.pipe2(linux_h.O_CLOEXEC());
        try {
            List<Step> steps = program.resolve(notify[1], release[0], release[1]);
            MemorySegment pidfdSlot = arena.allocate(JAVA_INT);
            MemorySegment plan = caixa_program.allocate(arena);
            caixa_program.clone_args(plan, cloneArgs(arena, options, vfork, pidfdSlot));
            caixa_program.clone_args_size(plan, clone_args.sizeof());
            caixa_program.steps(plan, program.encode(steps));
            caixa_program.step_count(plan, steps.size());
            caixa_program.report_fd(plan, report[1]);

            long pid = Trampoline.spawn(plan);
            if (pid < 0) {
                throw new SyscallException("clone3", (int) -pid);
            }
            closeQuietly(report, 1);
            closeQuietly(notify, 1);
            closeQuietly(release, 0);
            ChildProcess child = new ChildProcess((int) pid, pidfdSlot.get(JAVA_INT, 0));
            try {
                int timeoutMillis = vfork ? 0 : (int) Math.min(Integer.MAX_VALUE, options.execTimeout().toMillis());
                for (ChildProgram.Barrier barrier : program.barriers()) {
                    awaitBarrier(child, report[0], notify[0], steps, timeoutMillis, barrier.name());
                    if (barrier.parentPart() != null) {
                        barrier.parentPart().accept((int) pid);
                    } else {
                        handler.reached(barrier.name(), (int) pid);
                    }
                    Linux.write(release[1], "x", "release pipe");
                }
                closeQuietly(release, 1);
                awaitExec(child, report[0], steps, timeoutMillis);
                return child;
            } catch (RuntimeException | Error e) {
                // The child may still be running on memory of this arena: it must be dead before we return.
                child.close();
                throw e;
            }
        } finally {
            for (int[] pipe : List.of(report, notify, release)) {
                closeQuietly(pipe, 0);
                closeQuietly(pipe, 1);
            }
            program.releaseReservedDescriptors();
        }
    }

    private static MemorySegment cloneArgs(Arena arena, CloneOptions options, boolean vfork, MemorySegment pidfdSlot) {
        long flags = options.namespaceFlags() | linux_h.CLONE_VM() | linux_h.CLONE_PIDFD()
                | linux_h.CLONE_CLEAR_SIGHAND();
        if (vfork) {
            flags |= linux_h.CLONE_VFORK();
        }
        MemorySegment stack = arena.allocate(STACK_SIZE, STACK_ALIGNMENT);
        MemorySegment args = clone_args.allocate(arena);
        if (options.cgroupFd() >= 0) {
            flags |= linux_h.CLONE_INTO_CGROUP();
            clone_args.cgroup(args, options.cgroupFd());
        }
        clone_args.flags(args, flags);
        clone_args.pidfd(args, pidfdSlot.address());
        clone_args.exit_signal(args, linux_h.SIGCHLD());
        clone_args.stack(args, stack.address());
        clone_args.stack_size(args, STACK_SIZE);
        return args;
    }

    /** Waits for the child's byte on the notify pipe; a failure report (or silence) ends the spawn instead. */
    private static void awaitBarrier(ChildProcess child, int reportFd, int notifyFd, List<Step> steps,
                                     int timeoutMillis, String barrier) {
        int ready = Linux.pollAnyReadable(new int[] {notifyFd, reportFd}, timeoutMillis, "notify and report pipes");
        if (ready < 0) {
            throw new SpawnTimeoutException(child.pid(), "reach " + barrier, timeoutMillis);
        }
        if (ready == 1) {
            failIfReported(child, reportFd, steps);
            throw new SpawnTimeoutException(child.pid(), "reach " + barrier + " (it ended without a word)", timeoutMillis);
        }
        try (Arena scratch = Arena.ofConfined()) {
            Linux.read(notifyFd, scratch.allocate(1), "notify pipe");
        }
    }

    /**
     * The report pipe is CLOEXEC: end of file means execve succeeded (or the child died without a
     * word); a caixa_failure record means a step failed. With CLONE_VFORK the child has already exec'd
     * or exited, so anything it wrote is in the pipe now, while other children cloned meanwhile may
     * still hold the write end: look, but do not wait for end of file.
     */
    private static void awaitExec(ChildProcess child, int reportFd, List<Step> steps, int timeoutMillis) {
        if (!Linux.pollReadable(reportFd, timeoutMillis, "report pipe")) {
            if (timeoutMillis > 0) {
                throw new SpawnTimeoutException(child.pid(), "reach execve", timeoutMillis);
            }
            return;
        }
        failIfReported(child, reportFd, steps);
    }

    private static void failIfReported(ChildProcess child, int reportFd, List<Step> steps) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment failure = caixa_failure.allocate(scratch);
            long n = Linux.read(reportFd, failure, "report pipe");
            if (n == 0) {
                return;
            }
            int index = caixa_failure.step(failure);
            int errno = caixa_failure.error(failure);
            Step step = index < steps.size() ? steps.get(index)
                    : new Step("end of child program without execve", 0, new long[0], 0, 0);
            child.waitFor();
            child.close();
            throw new StepFailedException(index, step, errno);
        }
    }

    private static void closeQuietly(int[] fds, int which) {
        if (fds[which] >= 0) {
            int fd = fds[which];
            fds[which] = -1;
            Linux.close(fd);
        }
    }
}
