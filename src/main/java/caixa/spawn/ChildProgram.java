package caixa.spawn;

import caixa.bindings.caixa_step;
import caixa.bindings.cmsghdr;
import caixa.bindings.iovec;
import caixa.bindings.msghdr;
import caixa.bindings.sockaddr_un;
import caixa.bindings.linux_h;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A child process described as data: the system calls it makes between clone3 and execve, in order,
 * with every string and array already copied into the plan's arena. Building it allocates; running
 * it (in the trampoline) does not.
 *
 * <p>The typed methods name each step for error messages. The arena must outlive the spawn.
 */
public final class ChildProgram {
    private final Arena arena;
    private final List<Step> steps = new ArrayList<>();
    /** Where the child stops for the parent, in order: index into steps, and the barrier's name. */
    private final List<Barrier> barriers = new ArrayList<>();
    /** Descriptors the parent holds open so that their numbers are free for the child's steps. */
    private final List<Integer> reservedDescriptors = new ArrayList<>();

    /**
     * @param index      the step the child stops before
     * @param name       what the parent does there, for error messages
     * @param parentPart the parent's part, given the child's pid; null when the spawner's
     *                   {@link Spawner.BarrierHandler} does it
     */
    record Barrier(int index, String name, java.util.function.IntConsumer parentPart) {
    }

    public ChildProgram(Arena arena) {
        this.arena = arena;
    }

    public Arena arena() {
        return arena;
    }

    public List<Step> steps() {
        return List.copyOf(steps);
    }

    /** A NUL-terminated copy of {@code s} in the plan's memory. */
    public MemorySegment cString(String s) {
        return arena.allocateFrom(s);
    }

    /** A NULL-terminated {@code char *[]}, as execve wants argv and envp. */
    public MemorySegment cStringArray(List<String> strings) {
        MemorySegment array = arena.allocate(ADDRESS, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ADDRESS, i, cString(strings.get(i)));
        }
        array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    /** Appends a raw step; arguments are numbers or {@link MemorySegment#address()}es of plan memory. */
    public ChildProgram call(String description, int syscall, long... args) {
        steps.add(new Step(description, syscall, args, 0, 0));
        return this;
    }

    /** Appends a step for which these errnos are not failures. */
    public ChildProgram callTolerating(long toleratedErrnos, String description, int syscall, long... args) {
        steps.add(new Step(description, syscall, args, toleratedErrnos, 0));
        return this;
    }

    /**
     * Appends a step whose result (a descriptor, typically) the next {@link #callOnResult} steps use
     * as their first argument: the way a plan made in advance opens a file and then writes to it.
     */
    public ChildProgram callKeepingResult(String description, int syscall, long... args) {
        steps.add(new Step(description, syscall, args, 0, linux_h.CAIXA_STEP_KEEP_RESULT()));
        return this;
    }

    /** Appends a step whose first argument is the result kept by the last {@link #callKeepingResult}. */
    public ChildProgram callOnResult(String description, int syscall, long... argsAfterFirst) {
        long[] args = new long[argsAfterFirst.length + 1];
        System.arraycopy(argsAfterFirst, 0, args, 1, argsAfterFirst.length);
        steps.add(new Step(description, syscall, args, 0, linux_h.CAIXA_STEP_USE_RESULT()));
        return this;
    }

    /** Writes {@code text} to a file in the child's view (a sysctl under /proc/sys, say) with open, write, close. */
    public ChildProgram writeFile(String path, String text) {
        MemorySegment data = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE,
                text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        callKeepingResult("open(" + path + ")", linux_h.SYS_openat(), linux_h.AT_FDCWD(), cString(path).address(),
                linux_h.O_WRONLY() | linux_h.O_CLOEXEC(), 0);
        callOnResult("write(" + path + ", " + text + ")", linux_h.SYS_write(), data.address(), data.byteSize());
        return callOnResult("close(" + path + ")", linux_h.SYS_close());
    }

    private static long address(MemorySegment segment) {
        return segment == null ? 0L : segment.address();
    }

    private long addressOf(String s) {
        return s == null ? 0L : cString(s).address();
    }

    /** Sets the signal mask (the trampoline clones with every signal blocked). */
    public ChildProgram unblockAllSignals() {
        MemorySegment emptySet = arena.allocate(JAVA_LONG);
        return call("rt_sigprocmask(SIG_SETMASK, {})", linux_h.SYS_rt_sigprocmask(),
                linux_h.SIG_SETMASK(), emptySet.address(), 0, JAVA_LONG.byteSize());
    }

    /** The child receives {@code signal} when the thread that spawned it dies. */
    public ChildProgram dieWithParent(int signal) {
        return call("prctl(PR_SET_PDEATHSIG, " + signal + ")", linux_h.SYS_prctl(),
                linux_h.PR_SET_PDEATHSIG(), signal);
    }

    /**
     * The child stops here until the parent lets it go on: the parent is told (a byte on the notify
     * pipe), does its part (writes uid_map, moves the child into v1 cgroups, runs a hook) and writes
     * a byte back. If the parent dies instead, the child reads end of file and exits.
     */
    public ChildProgram barrier(String name) {
        barriers.add(new Barrier(steps.size(), name, null));
        return this;
    }

    /** A {@link #barrier} whose parent part is known when it is planned: {@code parentPart} gets the child's pid. */
    public ChildProgram barrier(String name, java.util.function.IntConsumer parentPart) {
        barriers.add(new Barrier(steps.size(), name, java.util.Objects.requireNonNull(parentPart, "parentPart")));
        return this;
    }

    /** Whether the child stops for its parent at some point (then it cannot be cloned with CLONE_VFORK). */
    boolean hasBarriers() {
        return !barriers.isEmpty();
    }

    List<Barrier> barriers() {
        return List.copyOf(barriers);
    }

    /**
     * A descriptor number for the child's steps to put a descriptor at (with {@link #moveKeptTo}),
     * that is none the child inherits and needs: the parent opens a placeholder (O_PATH of /,
     * close-on-exec) and holds it until the spawn ends, so the number is not one of the descriptors
     * the plan refers to, nor given to another thread's file meanwhile.
     */
    public int reserveDescriptor() {
        int fd = caixa.linux.Linux.openat(linux_h.AT_FDCWD(), "/", linux_h.O_PATH() | linux_h.O_CLOEXEC(), 0);
        reservedDescriptors.add(fd);
        return fd;
    }

    /**
     * Closes the placeholders of {@link #reserveDescriptor}, once the child has exec'd or is dead, or
     * the plan was abandoned before the spawn. The spawner calls it; calling it again does nothing.
     */
    public void releaseReservedDescriptors() {
        for (int fd : reservedDescriptors) {
            caixa.linux.Linux.close(fd);
        }
        reservedDescriptors.clear();
    }

    /** unshare(2), for namespaces that must be entered after the parent's release (cgroup, once placed). */
    public ChildProgram unshare(long flags, String what) {
        return call("unshare(" + what + ")", linux_h.SYS_unshare(), flags);
    }

    public ChildProgram mount(String source, String target, String fstype, long flags, String data) {
        String what = fstype != null ? fstype + " on " + target
                : source != null ? source + " on " + target : target;
        return call("mount(" + what + ")", linux_h.SYS_mount(),
                addressOf(source), addressOf(target), addressOf(fstype), flags, addressOf(data));
    }

    public ChildProgram umount2(String target, int flags) {
        return call("umount2(" + target + ")", linux_h.SYS_umount2(), addressOf(target), flags);
    }

    public ChildProgram pivotRoot(String newRoot, String putOld, String shownAs) {
        return call("pivot_root(" + shownAs + ")", linux_h.SYS_pivot_root(), addressOf(newRoot), addressOf(putOld));
    }

    public ChildProgram chroot(String path) {
        return call("chroot(" + path + ")", linux_h.SYS_chroot(), addressOf(path));
    }

    public ChildProgram chdir(String path) {
        return call("chdir(" + path + ")", linux_h.SYS_chdir(), addressOf(path));
    }

    /** mkdir that tolerates an existing directory. */
    public ChildProgram mkdir(String path, int mode) {
        return callTolerating(Step.errnos(linux_h.EEXIST()), "mkdir(" + path + ")", linux_h.SYS_mkdirat(),
                linux_h.AT_FDCWD(), addressOf(path), mode);
    }

    /** Creates an empty regular file (mknod with S_IFREG), e.g. as a bind-mount target. */
    public ChildProgram createFile(String path, int mode) {
        return callTolerating(Step.errnos(linux_h.EEXIST()), "mknod(" + path + ")", linux_h.SYS_mknodat(),
                linux_h.AT_FDCWD(), addressOf(path), linux_h.S_IFREG() | mode, 0);
    }

    public ChildProgram symlink(String target, String linkPath) {
        return callTolerating(Step.errnos(linux_h.EEXIST()), "symlink(" + linkPath + " -> " + target + ")",
                linux_h.SYS_symlinkat(), addressOf(target), linux_h.AT_FDCWD(), addressOf(linkPath));
    }

    public ChildProgram sethostname(String hostname) {
        MemorySegment name = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE,
                hostname.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return call("sethostname(" + hostname + ")", linux_h.SYS_sethostname(), name.address(), name.byteSize());
    }

    public ChildProgram setgroups(int[] groups) {
        MemorySegment list = groups.length == 0 ? null : arena.allocateFrom(JAVA_INT, groups);
        return call("setgroups(" + java.util.Arrays.toString(groups) + ")", linux_h.SYS_setgroups(),
                groups.length, address(list));
    }

    public ChildProgram setresgid(int gid) {
        return call("setresgid(" + gid + ")", linux_h.SYS_setresgid(), gid, gid, gid);
    }

    public ChildProgram setresuid(int uid) {
        return call("setresuid(" + uid + ")", linux_h.SYS_setresuid(), uid, uid, uid);
    }

    /** Duplicates {@code from} onto {@code to} without CLOEXEC, so it survives execve. */
    public ChildProgram dup3(int from, int to) {
        return call("dup3(" + from + ", " + to + ")", linux_h.SYS_dup3(), from, to, 0);
    }

    /** Marks every descriptor from {@code first} up close-on-exec, so none leaks into the command. */
    public ChildProgram closeOnExecFrom(int first) {
        return call("close_range(" + first + ", ~0, CLOSE_RANGE_CLOEXEC)", linux_h.SYS_close_range(),
                first, 0xFFFF_FFFFL, linux_h.CLOSE_RANGE_CLOEXEC());
    }

    /**
     * execve. When {@code tryNext} is set, ENOENT is not a failure and the program goes on to the next
     * step: a PATH search is a run of such steps ending in one that is not.
     */
    public ChildProgram execve(String path, List<String> argv, List<String> envp, boolean tryNext) {
        long file = cString(path).address();
        long args = cStringArray(argv).address();
        long env = cStringArray(envp).address();
        Step step = new Step("execve(" + path + ")", linux_h.SYS_execve(), new long[] {file, args, env},
                tryNext ? Step.errnos(linux_h.ENOENT()) : 0, 0);
        steps.add(step);
        return this;
    }

    /**
     * execveat(fd, "", argv, envp, AT_EMPTY_PATH): runs a program the parent opened, whatever the
     * child's root is by now.
     */
    public ChildProgram execveat(int fd, String shownAs, List<String> argv, List<String> envp) {
        return call("execveat(" + shownAs + ")", linux_h.SYS_execveat(), fd, cString("").address(),
                cStringArray(argv).address(), cStringArray(envp).address(), linux_h.AT_EMPTY_PATH());
    }

    /** Moves the kept result (a descriptor a step opened) to {@code fd}, close-on-exec, so later steps can name it. */
    public ChildProgram moveKeptTo(int fd, String what) {
        return callOnResult("dup3(" + what + ", " + fd + ")", linux_h.SYS_dup3(), fd, linux_h.O_CLOEXEC());
    }

    public ChildProgram ioctl(int fd, long request, long arg, String what) {
        return call("ioctl(" + what + ")", linux_h.SYS_ioctl(), fd, request, arg);
    }

    public ChildProgram setsid() {
        return call("setsid()", linux_h.SYS_setsid());
    }

    public ChildProgram close(int fd, String what) {
        return call("close(" + what + ")", linux_h.SYS_close(), fd);
    }

    /** socket(AF_UNIX) and connect to {@code path}, the socket ending up at descriptor {@code fd}. */
    public ChildProgram connectUnix(String path, int fd) {
        MemorySegment address = sockaddr_un.allocate(arena);
        sockaddr_un.sun_family(address, (short) linux_h.AF_UNIX());
        byte[] bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length >= sockaddr_un.sun_path$layout().byteSize()) {
            throw new IllegalArgumentException("socket path " + path + ": longer than a unix socket address allows");
        }
        MemorySegment.copy(bytes, 0, sockaddr_un.sun_path(address), java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
        callKeepingResult("socket(AF_UNIX)", linux_h.SYS_socket(), linux_h.AF_UNIX(),
                linux_h.SOCK_STREAM() | linux_h.SOCK_CLOEXEC(), 0);
        moveKeptTo(fd, "socket");
        return call("connect(" + path + ")", linux_h.SYS_connect(), fd, address.address(), sockaddr_un.sizeof());
    }

    /** Sends descriptor {@code fdToSend} over the unix socket {@code socketFd} (SCM_RIGHTS), with {@code name} as the message. */
    public ChildProgram sendDescriptor(int socketFd, int fdToSend, String name) {
        MemorySegment payload = cString(name);
        MemorySegment iov = iovec.allocate(arena);
        iovec.iov_base(iov, payload);
        iovec.iov_len(iov, payload.byteSize() - 1);
        long dataOffset = cmsghdr.sizeof();
        MemorySegment control = arena.allocate(dataOffset + 8, 8);
        cmsghdr.cmsg_len(control, dataOffset + JAVA_INT.byteSize());
        cmsghdr.cmsg_level(control, linux_h.SOL_SOCKET());
        cmsghdr.cmsg_type(control, linux_h.SCM_RIGHTS());
        control.set(JAVA_INT, dataOffset, fdToSend);
        MemorySegment message = msghdr.allocate(arena);
        msghdr.msg_iov(message, iov);
        msghdr.msg_iovlen(message, 1);
        msghdr.msg_control(message, control);
        msghdr.msg_controllen(message, control.byteSize());
        return call("sendmsg(console socket)", linux_h.SYS_sendmsg(), socketFd, message.address(), 0);
    }

    /** Lets {@code fd} survive execve (close_range marked it close-on-exec with the rest). */
    public ChildProgram keepOpenOnExec(int fd) {
        return call("fcntl(" + fd + ", F_SETFD, 0)", linux_h.SYS_fcntl(), fd, linux_h.F_SETFD(), 0);
    }

    /**
     * The steps as the trampoline reads them: each barrier becomes "write a byte to the notify pipe,
     * read a byte from the release pipe", and the child first closes its copy of the release pipe's
     * write end, so that a dead parent means end of file rather than a wait forever.
     */
    List<Step> resolve(int notifyWriteFd, int releaseReadFd, int releaseWriteFd) {
        List<Step> resolved = new ArrayList<>();
        MemorySegment byteBuffer = barriers.isEmpty() ? null : arena.allocate(1);
        int next = 0;
        for (int i = 0; i <= steps.size(); i++) {
            if (i == 0 && !barriers.isEmpty()) {
                resolved.add(new Step("close(release pipe)", linux_h.SYS_close(), new long[] {releaseWriteFd}, 0, 0));
            }
            while (next < barriers.size() && barriers.get(next).index() == i) {
                String name = barriers.get(next).name();
                resolved.add(new Step("write(notify pipe, " + name + ")", linux_h.SYS_write(),
                        new long[] {notifyWriteFd, byteBuffer.address(), 1}, 0, 0));
                resolved.add(new Step("read(release pipe, " + name + ")", linux_h.SYS_read(),
                        new long[] {releaseReadFd, byteBuffer.address(), 1}, 0, linux_h.CAIXA_STEP_FAIL_ON_ZERO()));
                next++;
            }
            if (i < steps.size()) {
                resolved.add(steps.get(i));
            }
        }
        return resolved;
    }

    /** Encodes {@code resolved} as a {@code struct caixa_step[]} in the plan's arena. */
    MemorySegment encode(List<Step> resolved) {
        MemorySegment array = caixa_step.allocateArray(resolved.size(), arena);
        for (int i = 0; i < resolved.size(); i++) {
            Step step = resolved.get(i);
            MemorySegment entry = caixa_step.asSlice(array, i);
            caixa_step.nr(entry, step.syscall());
            long[] args = step.args();
            for (int a = 0; a < args.length; a++) {
                caixa_step.args(entry, a, args[a]);
            }
            caixa_step.tolerated_errnos(entry, step.toleratedErrnos());
            caixa_step.flags(entry, step.flags());
        }
        return array;
    }
}
