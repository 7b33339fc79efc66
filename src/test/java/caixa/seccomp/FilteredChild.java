package caixa.seccomp;

import caixa.bindings.linux_h;
import caixa.linux.FdStreams;
import caixa.linux.Linux;
import caixa.spawn.ChildProcess;
import caixa.spawn.ChildProgram;
import caixa.spawn.ExitStatus;
import caixa.spawn.Spawner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Runs a host program under a filter, through the spawner's child programs as the runtime will: the
 * signal mask reset, no_new_privs set, stdin from /dev/null, stdout and stderr into a pipe, the filter
 * installed last, then execve. No namespaces unless asked: the filter is what is tested.
 */
final class FilteredChild {
    private FilteredChild() {
    }

    /** How it ended, and what it wrote to stdout and stderr. */
    record Result(ExitStatus status, String output) {
    }

    static Result run(SeccompProfile profile, List<String> argv) {
        return run(profile, 0, argv);
    }

    /**
     * With {@code namespaces} (CLONE_NEW* flags); a new mount namespace is made private first, so a
     * mount the filter failed to stop could not reach the host.
     */
    static Result run(SeccompProfile profile, long namespaces, List<String> argv) {
        int[] pipe = Linux.pipe2(linux_h.O_CLOEXEC());
        try (Arena arena = Arena.ofConfined()) {
            ChildProgram program = new ChildProgram(arena);
            program.unblockAllSignals();
            if ((namespaces & linux_h.CLONE_NEWNS()) != 0) {
                program.mount(null, "/", null, linux_h.MS_REC() | linux_h.MS_PRIVATE(), null);
            }
            program.callKeepingResult("open(/dev/null)", linux_h.SYS_openat(), linux_h.AT_FDCWD(),
                    program.cString("/dev/null").address(), linux_h.O_RDONLY() | linux_h.O_CLOEXEC(), 0);
            program.callOnResult("dup3(/dev/null, 0)", linux_h.SYS_dup3(), 0, 0);
            program.dup3(pipe[1], 1);
            program.dup3(pipe[1], 2);
            program.closeOnExecFrom(3);
            program.call("prctl(PR_SET_NO_NEW_PRIVS)", linux_h.SYS_prctl(), linux_h.PR_SET_NO_NEW_PRIVS(), 1, 0, 0, 0);
            Seccomp.install(program, profile);
            program.execve(argv.getFirst(), argv, List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), false);
            try (ChildProcess child = Spawner.spawn(program, Spawner.CloneOptions.namespaces(namespaces),
                    Spawner.BarrierHandler.NONE)) {
                Linux.close(pipe[1]);
                pipe[1] = -1;
                String output;
                try (InputStream in = FdStreams.input(pipe[0], "child's output")) {
                    pipe[0] = -1;
                    output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                return new Result(child.waitFor(), output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (int fd : pipe) {
                if (fd >= 0) {
                    Linux.close(fd);
                }
            }
        }
    }

    /** {@code /bin/sh -c script}. */
    static Result sh(SeccompProfile profile, String script) {
        return run(profile, List.of("/bin/sh", "-c", script));
    }

    /**
     * A static program without libc that makes one system call and exits with its errno (0 when it
     * succeeded): nothing but execve and the call itself runs under the filter, so a profile that
     * allows only execve and exit_group can run it. An argument is a number (decimal, or hex with 0x,
     * possibly negative) or {@code @TEXT}, which passes a pointer to TEXT.
     */
    static final class Probe {
        private static final String SOURCE = """
                #include "caixa_syscall.h"

                #include <sys/syscall.h>

                static long parse(const char *s) {
                    if (*s == '@') {
                        return (long)(s + 1);
                    }
                    int negative = *s == '-';
                    s += negative;
                    long base = 10;
                    if (s[0] == '0' && s[1] == 'x') {
                        base = 16;
                        s += 2;
                    }
                    unsigned long n = 0;
                    for (; *s; s++) {
                        n = n * base + (*s <= '9' ? *s - '0' : *s - 'a' + 10);
                    }
                    return negative ? -(long)n : (long)n;
                }

                static long arg(long argc, char **argv, long i) {
                    return i < argc ? parse(argv[i]) : 0;
                }

                __attribute__((used, noreturn)) void probe_main(long argc, char **argv) {
                    long ret = raw_syscall6(arg(argc, argv, 1), arg(argc, argv, 2), arg(argc, argv, 3), arg(argc, argv, 4),
                                            arg(argc, argv, 5), arg(argc, argv, 6), arg(argc, argv, 7));
                    long code = ret < 0 && ret > -4096 ? -ret : 0;
                    for (;;) {
                        raw_syscall6(SYS_exit_group, code, 0, 0, 0, 0, 0);
                    }
                }

                #if defined(__x86_64__)
                __asm__(".text\\n.global _start\\n_start:\\n"
                        "    xor %ebp, %ebp\\n    mov (%rsp), %rdi\\n    lea 8(%rsp), %rsi\\n"
                        "    and $-16, %rsp\\n    call probe_main\\n    hlt\\n");
                #elif defined(__aarch64__)
                __asm__(".text\\n.global _start\\n_start:\\n"
                        "    mov x29, xzr\\n    mov x30, xzr\\n    ldr x0, [sp]\\n    add x1, sp, #8\\n"
                        "    bl probe_main\\n    brk #0\\n");
                #endif
                """;

        private final Path executable;

        private Probe(Path executable) {
            this.executable = executable;
        }

        /** Compiles the probe into {@code dir}, with the project's raw system call header. */
        static Probe build(Path dir) throws IOException, InterruptedException {
            Path source = Files.writeString(dir.resolve("probe.c"), SOURCE);
            Path executable = dir.resolve("probe");
            List<String> gcc = List.of("gcc", "-O1", "-Wall", "-Werror", "-static", "-nostdlib", "-fno-pie", "-no-pie",
                    "-ffreestanding", "-fno-builtin", "-fno-stack-protector", "-I", "src/main/c",
                    "-o", executable.toString(), source.toString());
            Process process = new ProcessBuilder(gcc).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.waitFor(), () -> String.join(" ", gcc) + ":\n" + output);
            return new Probe(executable);
        }

        /** Makes system call {@code number} with {@code args} under {@code profile}. */
        ExitStatus call(SeccompProfile profile, int number, String... args) {
            List<String> argv = new ArrayList<>(List.of(executable.toString(), Integer.toString(number)));
            argv.addAll(List.of(args));
            Result result = run(profile, argv);
            assertEquals("", result.output());
            return result.status();
        }

        /** Makes the host architecture's system call {@code name}. */
        ExitStatus call(SeccompProfile profile, String name, String... args) {
            return call(profile, Arch.host().syscallNumber(name).orElseThrow(() -> new AssertionError(name)), args);
        }
    }
}
