package caixa.spawn;

import caixa.bindings.caixa_failure;
import caixa.bindings.linux_h;
import caixa.linux.Linux;
import caixa.linux.SyscallException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * The split between creating a container and starting it (OCI create, then start), across processes.
 * A created container's init is caixa-init, a tiny static program that waits to open a FIFO for
 * writing; whoever opens it for reading lets the command run, and learns whether execve worked.
 */
public final class StartGate {
    private StartGate() {
    }

    private static volatile int initFd = -1;

    /** caixa-init, opened once per process; the child execs it through the descriptor (execveat). */
    static int initBinary() {
        int fd = initFd;
        if (fd < 0) {
            synchronized (StartGate.class) {
                if (initFd < 0) {
                    initFd = Linux.openat(linux_h.AT_FDCWD(), NativeFiles.locate("caixa-init").toString(),
                            linux_h.O_PATH() | linux_h.O_CLOEXEC(), 0);
                }
                fd = initFd;
            }
        }
        return fd;
    }

    /**
     * Makes the FIFO a created container will wait on. Writable by everyone (0622, as runc's): the
     * init reopens it after switching to the container's user, which need not be root. The mode is
     * set after mkfifo, which the umask would otherwise narrow.
     */
    public static void create(Path fifo) {
        Linux.mkfifo(fifo.toString(), 0600);
        try {
            Files.setPosixFilePermissions(fifo, PosixFilePermissions.fromString("rw--w--w-"));
        } catch (IOException e) {
            throw new UncheckedIOException("exec fifo " + fifo, e);
        }
    }

    /** An O_PATH descriptor of the FIFO, for the child to reopen through /proc/self/fd after pivot_root. */
    public static int openForChild(Path fifo) {
        return Linux.openat(linux_h.AT_FDCWD(), fifo.toString(), linux_h.O_PATH() | linux_h.O_CLOEXEC(), 0);
    }

    /**
     * Plans the end of a child program that waits at the gate: keep the FIFO's descriptor across
     * execve, and exec caixa-init with the command's PATH candidates and argv.
     */
    public static void planWait(ChildProgram program, int fifoFd, List<String> candidates, List<String> argv,
                                List<String> env) {
        program.keepOpenOnExec(fifoFd);
        List<String> initArgv = new java.util.ArrayList<>();
        initArgv.add("caixa-init");
        initArgv.add(Integer.toString(fifoFd));
        initArgv.add(Integer.toString(candidates.size()));
        initArgv.addAll(candidates);
        initArgv.addAll(argv);
        program.execveat(initBinary(), "caixa-init", initArgv, env);
    }

    /** Why a started command did not run: which PATH candidate failed last, and the errno. */
    public record ExecFailure(String path, int errno) {
    }

    /**
     * Opens the gate: the init execs its command. Returns empty once execve succeeded, or the failure.
     * Opening with O_NONBLOCK cannot hang when the init has died; the caller checks it is alive first.
     */
    public static Optional<ExecFailure> open(Path fifo, List<String> candidates, int timeoutMillis) {
        int fd = Linux.openat(linux_h.AT_FDCWD(), fifo.toString(),
                linux_h.O_RDONLY() | linux_h.O_NONBLOCK() | linux_h.O_CLOEXEC(), 0);
        try (Arena arena = Arena.ofConfined()) {
            if (!Linux.pollReadable(fd, timeoutMillis, "exec fifo " + fifo)) {
                throw new SyscallException("waiting for the container's execve through " + fifo, linux_h.EAGAIN());
            }
            MemorySegment failure = caixa_failure.allocate(arena);
            long n = Linux.read(fd, failure, "exec fifo");
            if (n == 0) {
                return Optional.empty();
            }
            int step = caixa_failure.step(failure);
            String path = step >= 0 && step < candidates.size() ? candidates.get(step) : "?";
            return Optional.of(new ExecFailure(path, caixa_failure.error(failure)));
        } finally {
            Linux.close(fd);
        }
    }
}
