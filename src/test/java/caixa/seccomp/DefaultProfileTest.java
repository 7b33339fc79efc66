package caixa.seccomp;

import caixa.bindings.linux_h;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Docker's default profile, as compiled: what it lets through and what it keeps out, on both architectures. */
class DefaultProfileTest {
    private static final KernelVersion KERNEL = new KernelVersion(6, 1);
    private static final int ALLOW = Action.ALLOW.seccompReturn();
    private static final int EPERM = Action.errno(linux_h.EPERM()).seccompReturn();
    private static final int ENOSYS = Action.errno(linux_h.ENOSYS()).seccompReturn();
    private static final long SIGCHLD = linux_h.SIGCHLD();
    private static final long AF_VSOCK = linux_h.AF_VSOCK();
    private static final long AF_UNIX = linux_h.AF_UNIX();

    /** What the issue names, besides what docker keeps out for a container without CAP_SYS_ADMIN and the like. */
    private static final List<String> DENIED = List.of(
            "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "mount", "umount2",
            "fsopen", "fsmount", "move_mount", "open_tree", "keyctl", "add_key", "request_key", "bpf",
            "perf_event_open", "unshare", "setns", "reboot", "swapon", "swapoff", "acct", "settimeofday",
            "clock_settime", "open_by_handle_at", "pivot_root", "syslog",
            "sethostname", "setdomainname", "quotactl", "userfaultfd", "io_uring_setup", "io_uring_enter",
            "io_uring_register", "lookup_dcookie", "kcmp", "pidfd_getfd", "process_madvise", "vhangup",
            "mbind", "set_mempolicy", "get_mempolicy", "fanotify_init", "nfsservctl", "uselib", "ustat", "sysfs");

    /** What a child does after the filter is in: its last execve steps, caixa-init, the trampoline's failure report. */
    private static final List<String> NEEDED_AFTER_INSTALL = List.of(
            "execve", "execveat", "openat", "close", "write", "read", "exit", "exit_group");

    private static SeccompFilter compile(Set<String> capabilities, Arch arch, KernelVersion kernel) {
        return SeccompFilter.compile(DefaultProfile.DOCKER.resolve(capabilities, arch, kernel), arch);
    }

    private static int run(SeccompFilter filter, String name, long... args) {
        int nr = filter.arch().syscallNumber(name).orElseThrow(() -> new AssertionError(name));
        return BpfInterpreter.run(filter.program(), filter.arch().auditArch(), nr, args);
    }

    @Test
    void theDefaultIsAnAllowlistWithEperm() {
        SeccompProfile profile = DefaultProfile.DOCKER.resolve(SeccompProfile.DOCKER_DEFAULT_CAPABILITIES, Arch.X86_64, KERNEL);

        assertEquals(Action.errno(linux_h.EPERM()), profile.defaultAction());
    }

    @Test
    void keepsOutWhatAContainerMustNotDo() {
        for (Arch arch : Arch.values()) {
            SeccompFilter filter = compile(SeccompProfile.DOCKER_DEFAULT_CAPABILITIES, arch, KERNEL);
            for (String name : DENIED) {
                if (arch.syscallNumber(name).isPresent()) {
                    assertEquals(EPERM, run(filter, name), arch + " " + name);
                }
            }
            // No new namespaces through clone; clone3, whose flags the filter cannot read, says ENOSYS.
            assertEquals(EPERM, run(filter, "clone", linux_h.CLONE_NEWUSER() | SIGCHLD), arch + " clone(CLONE_NEWUSER)");
            assertEquals(EPERM, run(filter, "clone", linux_h.CLONE_NEWNS() | SIGCHLD), arch + " clone(CLONE_NEWNS)");
            assertEquals(EPERM, run(filter, "clone", 1L << 32 | linux_h.CLONE_NEWNET()), arch + " clone(CLONE_NEWNET)");
            assertEquals(ENOSYS, run(filter, "clone3"), arch + " clone3");
            assertEquals(EPERM, run(filter, "socket", AF_VSOCK), arch + " socket(AF_VSOCK)");
            assertEquals(EPERM, run(filter, "personality", 0x0040000), arch + " personality(ADDR_NO_RANDOMIZE)");
        }
    }

    @Test
    void letsThroughWhatProgramsNeed() {
        for (Arch arch : Arch.values()) {
            SeccompFilter filter = compile(SeccompProfile.DOCKER_DEFAULT_CAPABILITIES, arch, KERNEL);
            for (String name : NEEDED_AFTER_INSTALL) {
                assertEquals(ALLOW, run(filter, name), arch + " " + name);
            }
            for (String name : DefaultProfile.allowedNames()) {
                if (arch.syscallNumber(name).isPresent()) {
                    assertEquals(ALLOW, run(filter, name), arch + " " + name);
                }
            }
            assertEquals(ALLOW, run(filter, "clone", SIGCHLD), arch + " fork");
            assertEquals(ALLOW, run(filter, "clone", linux_h.CLONE_VM() | linux_h.CLONE_VFORK() | SIGCHLD), arch + " vfork");
            assertEquals(ALLOW, run(filter, "socket", AF_UNIX), arch + " socket(AF_UNIX)");
            for (long persona : List.of(0L, 8L, 0x20000L, 0x20008L, 0xFFFF_FFFFL)) {
                assertEquals(ALLOW, run(filter, "personality", persona), arch + " personality(" + persona + ")");
            }
            // The default capabilities include CAP_SYS_CHROOT; ptrace is allowed since Linux 4.8.
            assertEquals(ALLOW, run(filter, "chroot"), arch + " chroot");
            assertEquals(ALLOW, run(filter, "ptrace"), arch + " ptrace");
        }
        SeccompFilter x86 = compile(SeccompProfile.DOCKER_DEFAULT_CAPABILITIES, Arch.X86_64, KERNEL);
        assertEquals(ALLOW, run(x86, "arch_prctl"));
        assertEquals(ALLOW, run(x86, "modify_ldt"));
    }

    @Test
    void callsNewerThanTheTablesFailWithEnosys() {
        for (Arch arch : Arch.values()) {
            SeccompFilter filter = compile(SeccompProfile.DOCKER_DEFAULT_CAPABILITIES, arch, KERNEL);
            // fchmodat2 (Linux 6.6) is 452 on both; glibc 2.39 falls back to fchmodat on ENOSYS.
            assertEquals(ENOSYS, BpfInterpreter.run(filter.program(), arch.auditArch(), 452), arch + " fchmodat2");
        }
    }

    @Test
    void capabilitiesOpenWhatDockerOpensWithThem() {
        Set<String> capabilities = new HashSet<>(SeccompProfile.DOCKER_DEFAULT_CAPABILITIES);
        capabilities.addAll(List.of("CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_MODULE", "CAP_SYS_TIME", "CAP_BPF"));
        SeccompFilter filter = compile(capabilities, Arch.X86_64, KERNEL);

        for (String name : List.of("mount", "umount2", "unshare", "setns", "bpf", "reboot", "init_module",
                "finit_module", "settimeofday", "clock_settime")) {
            assertEquals(ALLOW, run(filter, name), name);
        }
        assertEquals(ALLOW, run(filter, "clone", linux_h.CLONE_NEWUSER() | SIGCHLD));
        assertEquals(ALLOW, run(filter, "clone3"));
        // Still out: no capability brings them back.
        for (String name : List.of("kexec_load", "keyctl", "add_key", "swapon", "pivot_root", "io_uring_setup")) {
            assertEquals(EPERM, run(filter, name), name);
        }
    }

    @Test
    void ptraceNeedsALinuxWhereSeccompRunsAfterTheTracer() {
        SeccompFilter old = compile(SeccompProfile.DOCKER_DEFAULT_CAPABILITIES, Arch.X86_64, new KernelVersion(4, 4));

        assertEquals(EPERM, run(old, "ptrace"));
        assertEquals(EPERM, run(old, "process_vm_readv"));
    }

    @Test
    void namesOfOtherArchitecturesAreTheOnlyOnesSkipped() {
        SeccompFilter x86 = compile(SeccompProfile.DOCKER_DEFAULT_CAPABILITIES, Arch.X86_64, KERNEL);

        assertTrue(x86.unknownSyscalls().containsAll(List.of("socketcall", "chown32", "_llseek", "mmap2")));
        assertTrue(x86.unknownSyscalls().stream().noneMatch(Arch.X86_64.syscalls()::containsKey));
        assertTrue(x86.program().length() < linux_h.BPF_MAXINSNS());
    }
}
