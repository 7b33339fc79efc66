/*
 * The C floor for bench/compare, and its small process runner. Built by gcc at run time.
 *
 *   floor start vfork|fork ROOTFS N   N container starts of /bin/true, one latency (ns) per line
 *   floor exec N CMD [ARG...]         N runs of CMD (posix_spawn, waitpid), one latency per line
 *   floor cgwrite FILE N V1 V2        N write(2)s on one kept descriptor, alternating V1 and V2
 *
 * "start" makes, in the child, the same system calls in the same order as caixa's child program
 * for a container with pid, mount, uts, ipc and net namespaces started through the Java API with
 * the configuration every runtime gets in bench/compare (caixa.bench.Starts.plainContainer: the
 * rootfs mounts, no masked or read-only paths, capabilities and seccomp left alone; see
 * caixa.runtime.ChildPlanner and caixa.rootfs.RootfsMounts; bench/floor-check compares the two with strace): unblock signals, make / private, bind the rootfs onto itself, proc, a tmpfs /dev with
 * six devices bound from the host and the ptmx/fd/stdin/stdout/stderr links, devpts, shm, mqueue,
 * sysfs, tmpfs /tmp, pivot_root, detach the old root, chdir, sethostname, close_range, execve. "vfork" clones
 * with CLONE_VM|CLONE_VFORK on a small stack as caixa's trampoline does; "fork" copies the process.
 * The parent only clones and waits: no report pipe, no pidfd. That is the floor.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
    exit(2);
}

/* ---- start: the container child ---------------------------------------------------------- */

#define PATHS 24
static char root[4096];
static char path[PATHS][4200];
static const char *devices[] = {"null", "zero", "full", "random", "urandom", "tty"};
static char *child_argv[] = {"/bin/true", NULL};
static char *child_envp[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                             "HOSTNAME=caixa-floor", "HOME=/root", NULL};

enum { P_PROC, P_SYS, P_TMP, P_DEV, P_DEV0, P_PTS = P_DEV0 + 6, P_PTMX, P_SHM, P_FD, P_STDIN, P_STDOUT, P_STDERR, P_MQUEUE };
static char host_dev[6][32];

/* A failed step exits with 100 + its number, so the parent can say which one. */
#define STEP(n, call) do { long r_ = (long)(call); if (r_ < 0 && errno != EEXIST_OK(n)) _exit(100 + (n)); } while (0)
#define EEXIST_OK(n) (tolerate_eexist ? EEXIST : -1)

static int child(void *arg) {
    (void)arg;
    int tolerate_eexist = 0;
    int n = 0;
    const unsigned long nosuid_nodev_noexec = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    uint64_t empty = 0;
    STEP(n++, syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, 8));
    STEP(n++, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
    STEP(n++, mount(root, root, NULL, MS_BIND | MS_REC, NULL));
    STEP(n++, mount("proc", path[P_PROC], "proc", nosuid_nodev_noexec, NULL));
    STEP(n++, mount("tmpfs", path[P_DEV], "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"));
    for (int i = 0; i < 6; i++) {
        tolerate_eexist = 1;
        STEP(n++, syscall(SYS_mknodat, AT_FDCWD, path[P_DEV0 + i], S_IFREG | 0666, 0));
        tolerate_eexist = 0;
        STEP(n++, mount(host_dev[i], path[P_DEV0 + i], NULL, MS_BIND, NULL));
    }
    tolerate_eexist = 1;
    STEP(n++, syscall(SYS_symlinkat, "pts/ptmx", AT_FDCWD, path[P_PTMX]));
    STEP(n++, syscall(SYS_symlinkat, "/proc/self/fd", AT_FDCWD, path[P_FD]));
    STEP(n++, syscall(SYS_symlinkat, "/proc/self/fd/0", AT_FDCWD, path[P_STDIN]));
    STEP(n++, syscall(SYS_symlinkat, "/proc/self/fd/1", AT_FDCWD, path[P_STDOUT]));
    STEP(n++, syscall(SYS_symlinkat, "/proc/self/fd/2", AT_FDCWD, path[P_STDERR]));
    STEP(n++, syscall(SYS_mkdirat, AT_FDCWD, path[P_PTS], 0755));
    tolerate_eexist = 0;
    STEP(n++, mount("devpts", path[P_PTS], "devpts", MS_NOSUID | MS_NOEXEC,
                    "newinstance,ptmxmode=0666,mode=0620,gid=5"));
    tolerate_eexist = 1;
    STEP(n++, syscall(SYS_mkdirat, AT_FDCWD, path[P_SHM], 0755));
    tolerate_eexist = 0;
    STEP(n++, mount("shm", path[P_SHM], "tmpfs", nosuid_nodev_noexec, "mode=1777,size=65536k"));
    tolerate_eexist = 1;
    STEP(n++, syscall(SYS_mkdirat, AT_FDCWD, path[P_MQUEUE], 0755));
    tolerate_eexist = 0;
    STEP(n++, mount("mqueue", path[P_MQUEUE], "mqueue", nosuid_nodev_noexec, NULL));
    STEP(n++, mount("sysfs", path[P_SYS], "sysfs", nosuid_nodev_noexec | MS_RDONLY, NULL));
    STEP(n++, mount("tmpfs", path[P_TMP], "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"));
    STEP(n++, syscall(SYS_chdir, root));
    STEP(n++, syscall(SYS_pivot_root, ".", "."));
    STEP(n++, syscall(SYS_umount2, ".", MNT_DETACH));
    STEP(n++, syscall(SYS_chdir, "/"));
    STEP(n++, syscall(SYS_chdir, "/"));   /* caixa: the end of the rootfs steps, then the workdir */
    STEP(n++, syscall(SYS_sethostname, "caixa-floor1", 12));
    STEP(n++, syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC));
    syscall(SYS_execve, child_argv[0], child_argv, child_envp);
    _exit(100 + n);
}

static int start(const char *mode, const char *rootfs, long count) {
    if (!realpath(rootfs, root)) {
        die(rootfs);
    }
    const char *dirs[] = {"proc", "sys", "tmp", "dev"};
    for (int i = 0; i < 4; i++) {
        snprintf(path[P_PROC + i], sizeof path[0], "%s/%s", root, dirs[i]);
        if (mkdir(path[P_PROC + i], 0755) < 0 && errno != EEXIST) {
            die(path[P_PROC + i]);
        }
    }
    for (int i = 0; i < 6; i++) {
        snprintf(path[P_DEV0 + i], sizeof path[0], "%s/dev/%s", root, devices[i]);
    }
    for (int i = 0; i < 6; i++) {
        snprintf(host_dev[i], sizeof host_dev[0], "/dev/%s", devices[i]);
    }
    const char *dev[] = {"pts", "ptmx", "shm", "fd", "stdin", "stdout", "stderr", "mqueue"};
    for (int i = 0; i < 8; i++) {
        snprintf(path[P_PTS + i], sizeof path[0], "%s/dev/%s", root, dev[i]);
    }
    int vfork = strcmp(mode, "vfork") == 0;
    if (!vfork && strcmp(mode, "fork") != 0) {
        fprintf(stderr, "floor: start vfork|fork ROOTFS N\n");
        return 2;
    }
    int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | SIGCHLD;
    if (vfork) {
        flags |= CLONE_VM | CLONE_VFORK;
    }
    static char stack[64 * 1024] __attribute__((aligned(16)));
    uint64_t *samples = calloc((size_t)count, sizeof *samples);
    for (long i = 0; i < count; i++) {
        uint64_t t0 = now_ns();
        pid_t pid = clone(child, stack + sizeof stack, flags, NULL);
        if (pid < 0) {
            die("clone");
        }
        int status;
        while (waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR) {
                die("waitpid");
            }
        }
        samples[i] = now_ns() - t0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "floor: child failed (status %#x; 100+N: step N failed)\n", status);
            return 1;
        }
    }
    for (long i = 0; i < count; i++) {
        printf("%llu\n", (unsigned long long)samples[i]);
    }
    return 0;
}

/* ---- exec: a small process runner, as hyperfine's ------------------------------------------ */

static int run(long count, char **cmd) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (!getenv("FLOOR_VERBOSE")) {
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    uint64_t *samples = calloc((size_t)count, sizeof *samples);
    for (long i = 0; i < count; i++) {
        uint64_t t0 = now_ns();
        pid_t pid;
        int err = posix_spawnp(&pid, cmd[0], &actions, NULL, cmd, environ);
        if (err != 0) {
            errno = err;
            die(cmd[0]);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR) {
                die("waitpid");
            }
        }
        samples[i] = now_ns() - t0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "floor: %s failed (status %#x); rerun with FLOOR_VERBOSE=1\n", cmd[0], status);
            return 1;
        }
    }
    for (long i = 0; i < count; i++) {
        printf("%llu\n", (unsigned long long)samples[i]);
    }
    return 0;
}

/* ---- cgwrite: write(2) on a kept descriptor ------------------------------------------------ */

static int cgwrite(const char *file, long count, const char *v1, const char *v2) {
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        die(file);
    }
    size_t l1 = strlen(v1), l2 = strlen(v2);
    uint64_t *samples = calloc((size_t)count, sizeof *samples);
    for (long i = 0; i < count; i++) {
        const char *v = (i & 1) ? v2 : v1;
        size_t l = (i & 1) ? l2 : l1;
        uint64_t t0 = now_ns();
        if (write(fd, v, l) != (ssize_t)l) {
            die(file);
        }
        samples[i] = now_ns() - t0;
    }
    close(fd);
    for (long i = 0; i < count; i++) {
        printf("%llu\n", (unsigned long long)samples[i]);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 5 && strcmp(argv[1], "start") == 0) {
        return start(argv[2], argv[3], atol(argv[4]));
    }
    if (argc >= 4 && strcmp(argv[1], "exec") == 0) {
        return run(atol(argv[2]), argv + 3);
    }
    if (argc >= 6 && strcmp(argv[1], "cgwrite") == 0) {
        return cgwrite(argv[2], atol(argv[3]), argv[4], argv[5]);
    }
    fprintf(stderr, "usage: floor start vfork|fork ROOTFS N | floor exec N CMD [ARG...] | floor cgwrite FILE N V1 V2\n");
    return 2;
}
