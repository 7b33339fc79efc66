package caixa.seccomp;

import caixa.bindings.linux_h;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Docker's default profile (moby's profiles/seccomp/default.json), written out as data: an allowlist,
 * EPERM for everything else, and the entries that depend on the container's capabilities, the
 * architecture or the kernel. Two departures, both toward docker's current profile:
 * <ul>
 * <li>{@code io_uring_setup}, {@code io_uring_enter} and {@code io_uring_register} are not allowed:
 *     their operations bypass seccomp, and docker 25 and containerd 2.0 dropped them.</li>
 * <li>Entries that only apply to architectures caixa builds no filter for (ppc64le, s390, s390x,
 *     riscv64, 32-bit arm and x86 alone) are left out; names of 32-bit-only calls
 *     ({@code chown32}, {@code socketcall}, ...) stay in the list, as in docker's, and are skipped
 *     on x86_64 and aarch64.</li>
 * </ul>
 */
final class DefaultProfile {
    private DefaultProfile() {
    }

    /** personality(2) values docker lets through: PER_LINUX, PER_LINUX32, UNAME26 (alone and with PER_LINUX32), and the query. */
    private static final long PER_LINUX = 0x0000;
    private static final long PER_LINUX32 = 0x0008;
    private static final long UNAME26 = 0x0020000;
    private static final long PERSONALITY_QUERY = 0xFFFF_FFFFL;

    /** clone(2) may make no new namespace (clone3, whose flags sit in memory, is answered ENOSYS instead). */
    private static final long NAMESPACE_FLAGS = linux_h.CLONE_NEWNS() | linux_h.CLONE_NEWUTS() | linux_h.CLONE_NEWIPC()
            | linux_h.CLONE_NEWUSER() | linux_h.CLONE_NEWPID() | linux_h.CLONE_NEWNET() | linux_h.CLONE_NEWCGROUP();

    private static final String[] ALLOWED = {
        "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir", "chmod",
        "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64",
        "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range",
        "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1",
        "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd",
        "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64",
        "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32",
        "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr",
        "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
        "ftruncate64", "futex", "futex_time64", "futex_waitv", "futimesat", "getcpu", "getcwd", "getdents",
        "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups",
        "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority",
        "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list",
        "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday",
        "getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1",
        "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy", "io_getevents", "io_pgetevents",
        "io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup", "io_submit", "ipc", "kill",
        "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32",
        "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek",
        "lsetxattr", "lstat", "lstat64", "madvise", "membarrier", "memfd_create", "memfd_secret", "mincore",
        "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect",
        "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
        "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync",
        "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open",
        "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc",
        "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2",
        "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2",
        "read", "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg",
        "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat", "renameat2",
        "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
        "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
        "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
        "sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
        "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp",
        "select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile",
        "sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32",
        "setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid",
        "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32",
        "setrlimit", "set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid",
        "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd",
        "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice", "stat", "stat64",
        "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo",
        "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
        "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
        "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate", "truncate64",
        "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes",
        "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write", "writev",
    };

    static final DockerProfile DOCKER = new DockerProfile(Action.errno(linux_h.EPERM()), Set.of(), List.of(
            always(SyscallRule.of(Action.ALLOW, ALLOWED)),
            // Since 4.8 seccomp runs after ptrace's changes, so a tracer cannot smuggle a call past it.
            new DockerProfile.Entry(List.of(allow("process_vm_readv", "process_vm_writev", "ptrace")),
                    new DockerProfile.Selector(List.of(), List.of(), Optional.of(new KernelVersion(4, 8))),
                    DockerProfile.Selector.ANY),
            always(SyscallRule.when(Action.ALLOW, List.of("socket"), ArgCondition.ne(0, linux_h.AF_VSOCK()))),
            always(allowPersonality(PER_LINUX)),
            always(allowPersonality(PER_LINUX32)),
            always(allowPersonality(UNAME26)),
            always(allowPersonality(UNAME26 | PER_LINUX32)),
            always(allowPersonality(PERSONALITY_QUERY)),
            onArches(allow("arch_prctl"), "amd64", "x32"),
            onArches(allow("modify_ldt"), "amd64", "x32", "x86"),
            withCapability("CAP_DAC_READ_SEARCH", allow("open_by_handle_at")),
            withCapability("CAP_SYS_ADMIN", allow("bpf", "clone", "clone3", "fanotify_init", "fsconfig",
                    "fsmount", "fsopen", "fspick", "lookup_dcookie", "mount", "mount_setattr", "move_mount",
                    "open_tree", "perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname",
                    "setns", "syslog", "umount", "umount2", "unshare")),
            withoutCapability("CAP_SYS_ADMIN", SyscallRule.when(Action.ALLOW, List.of("clone"),
                    ArgCondition.maskedEq(0, NAMESPACE_FLAGS, 0))),
            // glibc and others fall back to clone when clone3 is not there.
            withoutCapability("CAP_SYS_ADMIN", SyscallRule.of(Action.errno(linux_h.ENOSYS()), "clone3")),
            withCapability("CAP_SYS_BOOT", allow("reboot")),
            withCapability("CAP_SYS_CHROOT", allow("chroot")),
            withCapability("CAP_SYS_MODULE", allow("delete_module", "init_module", "finit_module")),
            withCapability("CAP_SYS_PACCT", allow("acct")),
            withCapability("CAP_SYS_PTRACE", allow("kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv",
                    "process_vm_writev", "ptrace")),
            withCapability("CAP_SYS_RAWIO", allow("iopl", "ioperm")),
            withCapability("CAP_SYS_TIME", allow("settimeofday", "stime", "clock_settime", "clock_settime64")),
            withCapability("CAP_SYS_TTY_CONFIG", allow("vhangup")),
            withCapability("CAP_SYS_NICE", allow("get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node")),
            withCapability("CAP_SYSLOG", allow("syslog")),
            withCapability("CAP_BPF", allow("bpf")),
            withCapability("CAP_PERFMON", allow("perf_event_open"))));

    /** The names docker's profile allows whatever the container; for tests and documentation. */
    static List<String> allowedNames() {
        return Arrays.asList(ALLOWED.clone());
    }

    private static SyscallRule allow(String... names) {
        return SyscallRule.of(Action.ALLOW, names);
    }

    private static SyscallRule allowPersonality(long persona) {
        return SyscallRule.when(Action.ALLOW, List.of("personality"), ArgCondition.eq(0, persona));
    }

    private static DockerProfile.Entry always(SyscallRule rule) {
        return new DockerProfile.Entry(List.of(rule), DockerProfile.Selector.ANY, DockerProfile.Selector.ANY);
    }

    private static DockerProfile.Entry onArches(SyscallRule rule, String... arches) {
        return new DockerProfile.Entry(List.of(rule),
                new DockerProfile.Selector(List.of(), List.of(arches), Optional.empty()), DockerProfile.Selector.ANY);
    }

    private static DockerProfile.Entry withCapability(String capability, SyscallRule rule) {
        return new DockerProfile.Entry(List.of(rule),
                new DockerProfile.Selector(List.of(capability), List.of(), Optional.empty()), DockerProfile.Selector.ANY);
    }

    private static DockerProfile.Entry withoutCapability(String capability, SyscallRule rule) {
        return new DockerProfile.Entry(List.of(rule), DockerProfile.Selector.ANY,
                new DockerProfile.Selector(List.of(capability), List.of(), Optional.empty()));
    }
}
