package caixa.cgroups;

import caixa.bindings.bpf_attr;
import caixa.bindings.linux_h;
import caixa.linux.Linux;
import caixa.linux.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The bpf(2) commands that manage cgroup device programs. glibc has no bpf() wrapper, so each goes
 * through syscall(3); every {@code union bpf_attr} lives in a confined arena for the one call, zeroed
 * as the kernel requires of the bytes a command does not use.
 */
final class Bpf {
    private Bpf() {
    }

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /**
     * {@code long syscall(long number, ...)} as {@code syscall(SYS_bpf, cmd, attr, size)}: glibc reads each
     * variadic argument as a long, so cmd and size are passed as longs, attr as a pointer (as wide).
     */
    private static final MethodHandle BPF = Linker.nativeLinker().downcallHandle(linux_h.syscall.address(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    /** How many attached programs a query makes room for at first. */
    private static final int QUERY_CAPACITY = 16;

    /** Room for the verifier's explanation when a program is refused. */
    private static final int VERIFIER_LOG_SIZE = 64 * 1024;
    private static final int VERIFIER_LOG_LEVEL = 1;

    /** BPF_PROG_LOAD of a BPF_PROG_TYPE_CGROUP_DEVICE program: its descriptor. */
    static int loadDeviceProgram(DeviceProgram program) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment instructions = program.encode(arena);
            MemorySegment license = arena.allocateFrom(DeviceProgram.LICENSE);
            MemorySegment attr = bpf_attr.allocate(arena);
            bpf_attr.prog_type(attr, linux_h.BPF_PROG_TYPE_CGROUP_DEVICE());
            bpf_attr.insns(attr, instructions.address());
            bpf_attr.insn_cnt(attr, program.length());
            bpf_attr.license(attr, license.address());
            try {
                return (int) call(arena, linux_h.BPF_PROG_LOAD(), attr, "BPF_PROG_LOAD(cgroup device program)");
            } catch (SyscallException refused) {
                throw new CgroupException("the kernel refused the device program: " + refused.getMessage()
                        + verifierLog(arena, attr), refused);
            }
        }
    }

    /** Loads the refused program again with the verifier's log on, for the reason it gives. */
    private static String verifierLog(Arena arena, MemorySegment attr) {
        MemorySegment log = arena.allocate(VERIFIER_LOG_SIZE);
        bpf_attr.log_level(attr, VERIFIER_LOG_LEVEL);
        bpf_attr.log_size(attr, VERIFIER_LOG_SIZE);
        bpf_attr.log_buf(attr, log.address());
        try {
            Linux.close((int) call(arena, linux_h.BPF_PROG_LOAD(), attr, "BPF_PROG_LOAD(with log)"));
            return ""; // refused once for a passing reason, then loaded
        } catch (SyscallException e) {
            String text = log.getString(0).strip();
            return text.isEmpty() ? "" : "\n" + text;
        }
    }

    /**
     * BPF_PROG_ATTACH as a BPF_CGROUP_DEVICE program, with BPF_F_ALLOW_MULTI: the cgroup may hold several
     * (the one being replaced, until it is detached), and a request must pass all of them and every
     * ancestor's.
     */
    static void attach(int cgroupFd, int programFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = bpf_attr.allocate(arena);
            bpf_attr.target_fd(attr, cgroupFd);
            bpf_attr.attach_bpf_fd(attr, programFd);
            bpf_attr.attach_type(attr, linux_h.BPF_CGROUP_DEVICE());
            bpf_attr.attach_flags(attr, linux_h.BPF_F_ALLOW_MULTI());
            call(arena, linux_h.BPF_PROG_ATTACH(), attr, "BPF_PROG_ATTACH(cgroup device program)");
        }
    }

    /** BPF_PROG_DETACH of one device program from the cgroup. */
    static void detach(int cgroupFd, int programFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = bpf_attr.allocate(arena);
            bpf_attr.target_fd(attr, cgroupFd);
            bpf_attr.attach_bpf_fd(attr, programFd);
            bpf_attr.attach_type(attr, linux_h.BPF_CGROUP_DEVICE());
            call(arena, linux_h.BPF_PROG_DETACH(), attr, "BPF_PROG_DETACH(cgroup device program)");
        }
    }

    /** BPF_PROG_QUERY: the ids of the device programs attached to the cgroup itself (not its ancestors'). */
    static int[] attachedDevicePrograms(int cgroupFd) {
        for (int capacity = QUERY_CAPACITY; ; capacity *= 2) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ids = arena.allocate(JAVA_INT, capacity);
                MemorySegment attr = bpf_attr.allocate(arena);
                MemorySegment query = bpf_attr.query(attr);
                bpf_attr.query.target_fd(query, cgroupFd);
                bpf_attr.query.attach_type(query, linux_h.BPF_CGROUP_DEVICE());
                bpf_attr.query.prog_ids(query, ids.address());
                bpf_attr.query.prog_cnt(query, capacity);
                try {
                    call(arena, linux_h.BPF_PROG_QUERY(), attr, "BPF_PROG_QUERY(cgroup device programs)");
                } catch (SyscallException e) {
                    if (e.errno() == linux_h.ENOSPC() && bpf_attr.query.prog_cnt(query) > capacity) {
                        continue; // more were attached than there was room for: prog_cnt says how many
                    }
                    throw e;
                }
                return ids.asSlice(0, JAVA_INT.byteSize() * bpf_attr.query.prog_cnt(query)).toArray(JAVA_INT);
            }
        }
    }

    /** BPF_PROG_GET_FD_BY_ID: a descriptor for a loaded program, as attach and detach name programs. */
    static int programById(int id) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = bpf_attr.allocate(arena);
            bpf_attr.prog_id(attr, id);
            return (int) call(arena, linux_h.BPF_PROG_GET_FD_BY_ID(), attr, "BPF_PROG_GET_FD_BY_ID(" + id + ")");
        }
    }

    private static long call(Arena arena, int command, MemorySegment attr, String what) {
        MemorySegment state = arena.allocate(CALL_STATE);
        long result;
        try {
            result = (long) BPF.invokeExact(state, (long) linux_h.SYS_bpf(), (long) command, attr, bpf_attr.sizeof());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("bpf downcall failed unexpectedly", t);
        }
        if (result == -1) {
            throw new SyscallException(what, (int) ERRNO.get(state, 0L));
        }
        return result;
    }
}
