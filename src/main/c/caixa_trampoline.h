/*
 * caixa's spawn trampoline: the only native code of the runtime.
 *
 * Java plans a child process as data (struct caixa_program): the clone3 arguments and a list of
 * raw system calls. caixa_spawn() clones with CLONE_VM on the stack the plan provides, and the child
 * replays the steps with raw syscalls, touching nothing but the plan's memory: no libc, no TLS, no
 * allocation, no JVM. A failed step is reported as a struct caixa_failure on plan->report_fd (a
 * CLOEXEC pipe, so the parent reads end-of-file once execve succeeded) and the child exits.
 *
 * The trampoline holds no policy: every path, flag and number comes from the plan.
 */
#ifndef CAIXA_TRAMPOLINE_H
#define CAIXA_TRAMPOLINE_H

#include <stdint.h>

/* A zero result ends the program, like an error (read() at end of file: the parent went away). */
#define CAIXA_STEP_FAIL_ON_ZERO 1
/* Keep this step's result (a descriptor openat returned, say) for a later CAIXA_STEP_USE_RESULT step. */
#define CAIXA_STEP_KEEP_RESULT 2
/* Pass the kept result as args[0] (write to, ioctl on or dup3 the descriptor a step opened). */
#define CAIXA_STEP_USE_RESULT 4

/* The exit status of a child whose program failed; the parent learns the reason from the pipe. */
#define CAIXA_CHILD_FAILED 127

struct caixa_step {
    int64_t nr;               /* system call number */
    int64_t args[6];          /* raw arguments: numbers or addresses in the plan's memory */
    int64_t tolerated_errnos; /* bit N set: errno N (< 64) is not a failure, e.g. 1 << EEXIST for mkdir */
    int64_t flags;            /* CAIXA_STEP_* */
};

struct caixa_program {
    void *clone_args;             /* struct clone_args, including stack and stack_size */
    uint64_t clone_args_size;
    const struct caixa_step *steps;
    uint64_t step_count;
    int32_t report_fd;            /* write end of a CLOEXEC pipe */
    int32_t reserved;
};

struct caixa_failure {
    int32_t step;   /* index of the failed step; step_count when the program ran out of steps */
    int32_t error;  /* errno, or 0 for CAIXA_STEP_FAIL_ON_ZERO and for running out of steps */
};

/*
 * Starts the child. Returns its pid (in the caller's pid namespace), or -errno when clone3 failed.
 * With CLONE_VFORK in the flags it returns once the child has exec'd or exited; without it, the plan's
 * memory must stay valid until the report pipe reads end-of-file.
 */
int64_t caixa_spawn(const struct caixa_program *program);

#endif
