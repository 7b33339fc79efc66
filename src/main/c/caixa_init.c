/*
 * caixa-init: what a created container runs while it waits to be started (OCI create, then start).
 *
 * The trampoline's child shares the JVM's memory (CLONE_VM) until it execs. Waiting for `start` in
 * that state would pin the whole JVM's address space for as long as the container stays created,
 * so the child execs this tiny static program instead, and it does the waiting.
 *
 * argv: caixa-init FIFO_FD COUNT PATH_1 ... PATH_COUNT ARGV_0 ARGV_1 ...
 * It opens /proc/self/fd/FIFO_FD for writing, which blocks until `caixa start` opens the FIFO for
 * reading, then execs the first PATH_i that exists with ARGV and the environment it was given. The
 * FIFO's write end is close-on-exec: the reader sees end of file once execve succeeded, or a
 * struct caixa_failure {step = i, error = errno} when it did not.
 *
 * No libc: it runs in the container's rootfs, which need not have one.
 */
#include "caixa_syscall.h"
#include "caixa_trampoline.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>

__attribute__((noreturn)) static void leave(long code) {
    for (;;) {
        raw_syscall6(SYS_exit_group, code, 0, 0, 0, 0, 0);
    }
}

static long number(const char *s) {
    long n = 0;
    while (*s >= '0' && *s <= '9') {
        n = n * 10 + (*s++ - '0');
    }
    return n;
}

__attribute__((used)) int caixa_init_main(long argc, char **argv, char **envp) {
    if (argc < 4) {
        leave(CAIXA_CHILD_FAILED);
    }
    char path[32];
    const char *prefix = "/proc/self/fd/";
    int n = 0;
    for (const char *p = prefix; *p; p++) {
        path[n++] = *p;
    }
    for (const char *p = argv[1]; *p && n < (int)sizeof path - 1; p++) {
        path[n++] = *p;
    }
    path[n] = 0;
    long fifo = raw_syscall6(SYS_openat, AT_FDCWD, (long)path, O_WRONLY | O_CLOEXEC, 0, 0, 0);
    if (fifo < 0) {
        leave(CAIXA_CHILD_FAILED);
    }
    /* The O_PATH descriptor we were handed is not the command's business. */
    raw_syscall6(SYS_close, number(argv[1]), 0, 0, 0, 0, 0);
    long count = number(argv[2]);
    if (count < 1 || 3 + count >= argc) {
        leave(CAIXA_CHILD_FAILED);
    }
    char **command = argv + 3 + count;
    long error = ENOENT;
    long i = 0;
    for (; i < count; i++) {
        error = -raw_syscall6(SYS_execve, (long)argv[3 + i], (long)command, (long)envp, 0, 0, 0);
        if (error != ENOENT) {
            break;
        }
    }
    struct caixa_failure failure;
    failure.step = (int32_t)(i < count ? i : count - 1);
    failure.error = (int32_t)error;
    raw_syscall6(SYS_write, fifo, (long)&failure, sizeof failure, 0, 0, 0);
    leave(CAIXA_CHILD_FAILED);
}

#if defined(__x86_64__)
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "    xor %ebp, %ebp\n"
        "    mov (%rsp), %rdi\n"
        "    lea 8(%rsp), %rsi\n"
        "    lea 16(%rsp,%rdi,8), %rdx\n"
        "    and $-16, %rsp\n"
        "    call caixa_init_main\n"
        "    hlt\n");
#elif defined(__aarch64__)
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "    mov x29, xzr\n"
        "    mov x30, xzr\n"
        "    ldr x0, [sp]\n"
        "    add x1, sp, #8\n"
        "    add x2, x1, x0, lsl #3\n"
        "    add x2, x2, #8\n"
        "    bl caixa_init_main\n"
        "    brk #0\n");
#endif
