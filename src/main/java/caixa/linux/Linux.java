package caixa.linux;

import caixa.bindings.linux_h;
import caixa.bindings.pollfd;
import caixa.bindings.siginfo_t;
import caixa.bindings.statvfs;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The system calls the parent makes, each failing with a {@link SyscallException} that carries the
 * errno and what was being done. Temporary native memory (the errno slot, C strings) lives in a
 * confined arena per call, so nothing outlives the call that needed it.
 */
public final class Linux {
    private Linux() {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /**
     * The libc functions called here, with their C signatures. jextract's classes hold the same
     * descriptors (LinuxDescriptorsTest checks), but reading one initializes its class, which links
     * a second downcall handle nobody calls: each distinct handle costs a generated stub at start-up
     * (~7 ms each on a 2-vCPU machine), and those stubs were most of the CLI's FFM start-up time.
     */
    static final Map<String, FunctionDescriptor> LIBC = Map.ofEntries(
            Map.entry("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)),
            Map.entry("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG)),
            Map.entry("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG)),
            Map.entry("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT)),
            Map.entry("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT)),
            Map.entry("waitid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)),
            Map.entry("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)),
            Map.entry("pidfd_send_signal", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)),
            Map.entry("statvfs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
            Map.entry("mkdirat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)),
            Map.entry("pidfd_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)),
            Map.entry("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)),
            Map.entry("mkfifo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)),
            Map.entry("unlinkat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)));

    private static MethodHandle capturingErrno(String function, FunctionDescriptor descriptor,
                                               Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(options, 0, all, 1, options.length);
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(function), descriptor, all);
    }

    private static MethodHandle capturingErrno(String function) {
        return capturingErrno(function, LIBC.get(function));
    }

    private static final MethodHandle PIPE2 = capturingErrno("pipe2");
    private static final MethodHandle READ = capturingErrno("read");
    private static final MethodHandle WRITE = capturingErrno("write");
    private static final MethodHandle CLOSE = capturingErrno("close");
    private static final MethodHandle POLL = capturingErrno("poll");
    private static final MethodHandle WAITID = capturingErrno("waitid");
    private static final MethodHandle KILL = capturingErrno("kill");
    private static final MethodHandle PIDFD_SEND_SIGNAL = capturingErrno("pidfd_send_signal");
    private static final MethodHandle STATVFS = capturingErrno("statvfs");
    private static final MethodHandle MKDIRAT = capturingErrno("mkdirat");
    private static final MethodHandle PIDFD_OPEN = capturingErrno("pidfd_open");
    private static final MethodHandle SETNS = capturingErrno("setns");
    private static final MethodHandle MKFIFO = capturingErrno("mkfifo");
    private static final MethodHandle UNLINKAT = capturingErrno("unlinkat");
    // openat(int, const char *, int, ...): the mode is the first variadic argument, promoted to int.
    private static final MethodHandle OPENAT = capturingErrno("openat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(3));

    /** Each thread's errno slot for the hot paths: a confined arena per call costs as much as the call. */
    private static final ThreadLocal<MemorySegment> CALL_STATES =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    private static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    private static int check(int result, MemorySegment callState, String operation) {
        if (result == -1) {
            throw new SyscallException(operation, errno(callState));
        }
        return result;
    }

    private static long check(long result, MemorySegment callState, String operation) {
        if (result == -1) {
            throw new SyscallException(operation, errno(callState));
        }
        return result;
    }

    private static AssertionError unreachable(Throwable t) {
        return new AssertionError("downcall failed unexpectedly", t);
    }

    /** pipe2(2): {@code [read end, write end]}. */
    public static int[] pipe2(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            check((int) PIPE2.invokeExact(state, fds, flags), state, "pipe2");
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** read(2) into native memory; retries on EINTR; 0 at end of file. */
    public static long read(int fd, MemorySegment buffer, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                long n = (long) READ.invokeExact(state, fd, buffer, buffer.byteSize());
                if (n == -1 && errno(state) == linux_h.EINTR()) {
                    continue;
                }
                return check(n, state, "read(" + what + ")");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** write(2) of the whole buffer; retries on EINTR and short writes. */
    public static void write(int fd, MemorySegment data, String what) {
        // The hot path of cgroup writes: no arena and no message unless it fails.
        MemorySegment state = CALL_STATES.get();
        try {
            long offset = 0;
            while (offset < data.byteSize()) {
                MemorySegment rest = offset == 0 ? data : data.asSlice(offset);
                long n = (long) WRITE.invokeExact(state, fd, rest, rest.byteSize());
                if (n == -1) {
                    int errno = errno(state);
                    if (errno == linux_h.EINTR()) {
                        continue;
                    }
                    throw new SyscallException("write(" + what + ")", errno);
                }
                offset += n;
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** Writes text as one write(2), as kernel interface files (uid_map, cgroup files) require. */
    public static void write(int fd, String text, String what) {
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            write(fd, arena.allocateFrom(JAVA_BYTE, bytes), what);
        }
    }

    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            // Linux frees the descriptor even when close fails with EINTR: never retry.
            int r = (int) CLOSE.invokeExact(state, fd);
            if (r == -1 && errno(state) != linux_h.EINTR()) {
                throw new SyscallException("close(" + fd + ")", errno(state));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** openat(2); {@code dirFd} may be {@code AT_FDCWD}. */
    public static int openat(int dirFd, String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPENAT.invokeExact(state, dirFd, arena.allocateFrom(path), flags, mode);
            return check(fd, state, "open(" + path + ")");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** mkdirat(2); false when it already existed. */
    public static boolean mkdirat(int dirFd, String path, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int r = (int) MKDIRAT.invokeExact(state, dirFd, arena.allocateFrom(path), mode);
            if (r == -1 && errno(state) == linux_h.EEXIST()) {
                return false;
            }
            check(r, state, "mkdir(" + path + ")");
            return true;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /**
     * setns(2) for the calling thread. Only for namespaces that concern the thread's future children
     * (pid, time): a multi-threaded process cannot change its own mount or user namespace.
     */
    public static void setns(int fd, int nstype, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            check((int) SETNS.invokeExact(state, fd, nstype), state, "setns(" + what + ")");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** mkfifo(3). */
    public static void mkfifo(String path, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            check((int) MKFIFO.invokeExact(state, arena.allocateFrom(path), mode), state, "mkfifo(" + path + ")");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** rmdir relative to a directory descriptor (unlinkat with AT_REMOVEDIR); false if it was already gone. */
    public static boolean rmdirat(int dirFd, String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int r = (int) UNLINKAT.invokeExact(state, dirFd, arena.allocateFrom(path), linux_h.AT_REMOVEDIR());
            if (r == -1 && errno(state) == linux_h.ENOENT()) {
                return false;
            }
            check(r, state, "rmdir(" + path + ")");
            return true;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** A descriptor for a directory, to work relative to (openat) or to clone into (CLONE_INTO_CGROUP). */
    public static int openDirectory(String path) {
        return openat(linux_h.AT_FDCWD(), path, linux_h.O_RDONLY() | linux_h.O_DIRECTORY() | linux_h.O_CLOEXEC(), 0);
    }

    /** Reads a small kernel interface file (cgroup, /proc) whole, relative to a directory descriptor. */
    public static String readFile(int dirFd, String path) {
        int fd = openat(dirFd, path, linux_h.O_RDONLY() | linux_h.O_CLOEXEC(), 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            StringBuilder text = new StringBuilder();
            long n;
            while ((n = read(fd, buffer, path)) > 0) {
                text.append(new String(buffer.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
            }
            return text.toString();
        } finally {
            close(fd);
        }
    }

    /** Opens, writes {@code text} in one write(2) and closes: the protocol of /proc and cgroup files. */
    public static void writeFile(int dirFd, String path, String text) {
        int fd = openat(dirFd, path, linux_h.O_WRONLY() | linux_h.O_CLOEXEC(), 0);
        try {
            write(fd, text, path);
        } finally {
            close(fd);
        }
    }

    /** poll(2) for one descriptor; true when it is readable (or hung up) before the timeout. */
    public static boolean pollReadable(int fd, int timeoutMillis, String what) {
        return pollAnyReadable(new int[] {fd}, timeoutMillis, what) == 0;
    }

    /**
     * poll(2) for several descriptors: the index of the first readable (or hung up) one, or -1 when
     * the timeout passed first. A negative timeout waits forever.
     */
    public static int pollAnyReadable(int[] fds, int timeoutMillis, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment entries = pollfd.allocateArray(fds.length, arena);
            for (int i = 0; i < fds.length; i++) {
                MemorySegment entry = pollfd.asSlice(entries, i);
                pollfd.fd(entry, fds[i]);
                pollfd.events(entry, (short) linux_h.POLLIN());
            }
            while (true) {
                int r = (int) POLL.invokeExact(state, entries, (long) fds.length, timeoutMillis);
                if (r == -1 && errno(state) == linux_h.EINTR()) {
                    continue;
                }
                if (check(r, state, "poll(" + what + ")") == 0) {
                    return -1;
                }
                for (int i = 0; i < fds.length; i++) {
                    if (pollfd.revents(pollfd.asSlice(entries, i)) != 0) {
                        return i;
                    }
                }
                return -1;
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }
    /** How a child ended, from waitid's siginfo. */
    public record ChildExit(int code, int status) {
        public boolean exited() {
            return code == linux_h.CLD_EXITED();
        }
    }

    /**
     * waitid(P_PIDFD, pidfd, WEXITED | extra): reaps the child. With WNOHANG, null when it is still
     * running.
     */
    public static ChildExit waitPidfd(int pidfd, int extraOptions) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment info = siginfo_t.allocate(arena);
            while (true) {
                int r = (int) WAITID.invokeExact(state, linux_h.P_PIDFD(), pidfd, info,
                        linux_h.WEXITED() | extraOptions);
                if (r == -1 && errno(state) == linux_h.EINTR()) {
                    continue;
                }
                check(r, state, "waitid(pidfd " + pidfd + ")");
                if (siginfo_t.si_signo(info) == 0) {
                    return null; // WNOHANG and not exited yet
                }
                MemorySegment child = siginfo_t._sifields._sigchld(siginfo_t._sifields(info));
                return new ChildExit(siginfo_t.si_code(info), siginfo_t._sifields._sigchld.si_status(child));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** pidfd_open(2): a descriptor that names this process, and no later one with the same pid. */
    public static int pidfdOpen(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return check((int) PIDFD_OPEN.invokeExact(state, pid, 0), state, "pidfd_open(" + pid + ")");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** pidfd_send_signal(2): cannot hit a recycled pid. False when the process is already gone. */
    public static boolean pidfdSendSignal(int pidfd, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int r = (int) PIDFD_SEND_SIGNAL.invokeExact(state, pidfd, signal, MemorySegment.NULL, 0);
            if (r == -1 && errno(state) == linux_h.ESRCH()) {
                return false;
            }
            check(r, state, "pidfd_send_signal(signal " + signal + ")");
            return true;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** kill(2); false when there is no such process. */
    public static boolean kill(int pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int r = (int) KILL.invokeExact(state, pid, signal);
            if (r == -1 && errno(state) == linux_h.ESRCH()) {
                return false;
            }
            check(r, state, "kill(" + pid + ", " + signal + ")");
            return true;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** statvfs(3)'s f_flag: the ST_* flags a bind remount must keep. */
    public static long mountFlags(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buf = statvfs.allocate(arena);
            check((int) STATVFS.invokeExact(state, arena.allocateFrom(path), buf), state, "statvfs(" + path + ")");
            return statvfs.f_flag(buf);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    public static int getuid() {
        return linux_h.getuid();
    }

    /** The effective uid: what the kernel checks privileges against. */
    public static int geteuid() {
        return linux_h.geteuid();
    }

    public static int getegid() {
        return linux_h.getegid();
    }

    public static int getgid() {
        return linux_h.getgid();
    }

    public static int getpid() {
        return linux_h.getpid();
    }
}
