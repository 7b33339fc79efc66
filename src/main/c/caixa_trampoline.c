/*
 * The child side runs on a stack inside the parent's address space (CLONE_VM), possibly while other
 * JVM threads keep running. It therefore calls no libc function (errno and locks live in the parent's
 * thread state), uses only registers, its own stack and the plan, and leaves by the exit syscall.
 */
#include "caixa_trampoline.h"
#include "caixa_syscall.h"

#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>

#if defined(__x86_64__)

/*
 * long caixa_clone3(void *args, size_t size, int (*fn)(void *), void *arg)
 * The child starts on the new stack with the parent's registers: fn and arg travel in r8/r9, which
 * the syscall preserves. A C wrapper cannot do this, since the child would return into a frame that
 * only exists on the parent's stack.
 */
__asm__(".text\n"
        ".p2align 4\n"
        ".type caixa_clone3,@function\n"
        "caixa_clone3:\n"
        "    mov %rdx, %r8\n"
        "    mov %rcx, %r9\n"
        "    mov $" "435" ", %eax\n"
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jnz 1f\n"
        "    xor %ebp, %ebp\n"
        "    mov %r9, %rdi\n"
        "    call *%r8\n"
        "    mov %eax, %edi\n"
        "    mov $60, %eax\n"
        "    syscall\n"
        "    hlt\n"
        "1:  ret\n"
        ".size caixa_clone3, .-caixa_clone3\n");

#elif defined(__aarch64__)

__asm__(".text\n"
        ".p2align 4\n"
        ".type caixa_clone3,%function\n"
        "caixa_clone3:\n"
        "    mov x8, #435\n"
        "    svc #0\n"
        "    cbnz x0, 1f\n"
        "    mov x29, xzr\n"
        "    mov x30, xzr\n"
        "    mov x0, x3\n"
        "    blr x2\n"
        "    mov x8, #93\n"
        "    svc #0\n"
        "1:  ret\n"
        ".size caixa_clone3, .-caixa_clone3\n");

#else
#error "caixa's trampoline supports x86_64 and aarch64"
#endif

long caixa_clone3(void *args, unsigned long size, int (*fn)(void *), void *arg);

static int fail(const struct caixa_program *program, int64_t step, long error) {
    struct caixa_failure failure = {.step = (int32_t)step, .error = (int32_t)error};
    raw_syscall6(SYS_write, program->report_fd, (long)&failure, sizeof failure, 0, 0, 0);
    return CAIXA_CHILD_FAILED;
}

static int run_steps(void *arg) {
    const struct caixa_program *program = arg;
    long kept = -1;
    for (uint64_t i = 0; i < program->step_count; i++) {
        const struct caixa_step *s = &program->steps[i];
        long first = (s->flags & CAIXA_STEP_USE_RESULT) ? kept : s->args[0];
        long ret = raw_syscall6(s->nr, first, s->args[1], s->args[2], s->args[3], s->args[4], s->args[5]);
        if (s->flags & CAIXA_STEP_KEEP_RESULT) {
            kept = ret;
        }
        if (ret < 0 && ret > -4096 && !(-ret < 64 && (s->tolerated_errnos >> -ret) & 1)) {
            return fail(program, (int64_t)i, -ret);
        }
        if (ret == 0 && (s->flags & CAIXA_STEP_FAIL_ON_ZERO)) {
            return fail(program, (int64_t)i, 0);
        }
    }
    return fail(program, (int64_t)program->step_count, 0);
}

int64_t caixa_spawn(const struct caixa_program *program) {
    /* Blocked from before the clone until the plan's own rt_sigprocmask step: no JVM signal handler
     * may run on the child's stack, even in the instant before CLONE_CLEAR_SIGHAND takes effect. */
    sigset_t all, old;
    sigfillset(&all);
    raw_syscall6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&old, _NSIG / 8, 0, 0);
    long pid = caixa_clone3(program->clone_args, program->clone_args_size, run_steps, (void *)program);
    raw_syscall6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&old, 0, _NSIG / 8, 0, 0);
    return pid;
}
