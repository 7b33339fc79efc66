package caixa.seccomp;

import caixa.bindings.linux_h;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checked-in system call tables are the kernel headers' (as gcc's preprocessor reads them here),
 * entry for entry: a wrong number would let a filter allow or deny the wrong call. When the headers
 * change (a newer linux-libc-dev), the failure message holds the entries to paste into SyscallTable.
 */
class SyscallTableTest {
    /** arm64's {@code <asm/unistd.h>} (before Linux 6.11 generated it): what it wants of the generic table. */
    private static final List<String> ARM64_WANTS = List.of("__ARCH_WANT_RENAMEAT", "__ARCH_WANT_NEW_STAT",
            "__ARCH_WANT_SET_GET_RLIMIT", "__ARCH_WANT_TIME32_SYSCALLS", "__ARCH_WANT_SYS_CLONE3",
            "__ARCH_WANT_MEMFD_SECRET");

    /** Macros of the generic table that are not system calls. */
    private static final List<String> NOT_SYSCALLS = List.of("__NR_syscalls", "__NR_arch_specific_syscall");

    private static final Pattern DEFINE = Pattern.compile("#define (__NR\\w*) (\\w+)");

    @Test
    void x86_64IsAsmUnistd64() throws IOException, InterruptedException {
        assertTable("X86_64", fromHeader("asm/unistd_64.h", List.of()), Arch.X86_64.syscalls());
    }

    /**
     * aarch64 has no table of its own in these headers: arm64's asm/unistd.h is asm-generic/unistd.h
     * with a few optional calls switched on, which gcc can read on any host. The generic table is a
     * 64-bit one here, as asm/bitsperlong.h says for the host, and as it is for aarch64.
     */
    @Test
    void aarch64IsTheGenericTableAsArm64WantsIt() throws IOException, InterruptedException {
        Map<String, Integer> table = fromHeader("asm-generic/unistd.h", ARM64_WANTS);

        assertTable("AARCH64", table, Arch.AARCH64.syscalls());
        // A few numbers everybody knows, should the generic table ever be read the wrong way.
        assertEquals(56, table.get("openat"));
        assertEquals(220, table.get("clone"));
        assertEquals(221, table.get("execve"));
        assertEquals(435, table.get("clone3"));
    }

    /** The bindings' SYS_* constants (generated on this host) agree with the host's table. */
    @Test
    void theBindingsAgreeWithTheHostsTable() throws ReflectiveOperationException {
        int compared = 0;
        for (Method method : linux_h.class.getMethods()) {
            if (method.getName().startsWith("SYS_") && method.getParameterCount() == 0
                    && Modifier.isStatic(method.getModifiers()) && method.getReturnType() == int.class) {
                String name = method.getName().substring("SYS_".length());
                assertEquals(method.invoke(null), Arch.host().syscalls().get(name), name);
                compared++;
            }
        }
        assertTrue(compared > 30, "only " + compared + " SYS_ constants");
    }

    /** Every {@code __NR_name number} the header defines, aliases ({@code __NR_fcntl __NR3264_fcntl}) resolved. */
    private static Map<String, Integer> fromHeader(String header, List<String> defines)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("gcc", "-E", "-dM"));
        defines.forEach(define -> command.add("-D" + define));
        command.add("-");
        Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
        gcc.getOutputStream().write(("#include <" + header + ">\n").getBytes(StandardCharsets.UTF_8));
        gcc.getOutputStream().close();
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, gcc.waitFor(), () -> "gcc -E " + header + ":\n" + output);

        Map<String, String> macros = new TreeMap<>();
        for (String line : output.lines().toList()) {
            Matcher define = DEFINE.matcher(line);
            if (define.matches()) {
                macros.put(define.group(1), define.group(2));
            }
        }
        Map<String, Integer> table = new TreeMap<>();
        macros.forEach((macro, value) -> {
            if (macro.startsWith("__NR_") && !NOT_SYSCALLS.contains(macro)) {
                String resolved = value;
                while (!resolved.chars().allMatch(Character::isDigit)) {
                    resolved = macros.get(resolved);
                    assertTrue(resolved != null, () -> macro + " is " + value + ", which " + header + " does not define");
                }
                table.put(macro.substring("__NR_".length()), Integer.parseInt(resolved));
            }
        });
        assertTrue(table.size() > 250, () -> header + ": only " + table.size() + " system calls");
        return table;
    }

    private static void assertTable(String field, Map<String, Integer> header, Map<String, Integer> checkedIn) {
        assertEquals(new TreeMap<>(header), new TreeMap<>(checkedIn), () -> "SyscallTable." + field
                + " differs from the headers; generated from them, it reads:\n" + javaSource(field, header));
    }

    private static String javaSource(String field, Map<String, Integer> table) {
        return "    static final Map<String, Integer> " + field + " = Map.ofEntries(\n"
                + table.entrySet().stream()
                        .sorted(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                        .map(entry -> "            entry(\"" + entry.getKey() + "\", " + entry.getValue() + ")")
                        .collect(Collectors.joining(",\n"))
                + ");\n";
    }
}
