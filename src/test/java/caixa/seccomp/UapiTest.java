package caixa.seccomp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The values Uapi holds by hand are the headers', compared as the unsigned 32-bit numbers they are.
 * __X32_SYSCALL_BIT comes from x86's asm/unistd.h: this runs on an x86_64 host, as the suite does.
 */
class UapiTest {
    @Test
    void valuesAreTheHeaders(@TempDir Path dir) throws IOException, InterruptedException {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("SECCOMP_RET_KILL_PROCESS", Uapi.SECCOMP_RET_KILL_PROCESS);
        expected.put("AUDIT_ARCH_X86_64", Uapi.AUDIT_ARCH_X86_64);
        expected.put("AUDIT_ARCH_AARCH64", Uapi.AUDIT_ARCH_AARCH64);
        expected.put("__X32_SYSCALL_BIT", Uapi.X32_SYSCALL_BIT);
        StringBuilder c = new StringBuilder("""
                #include <linux/seccomp.h>
                #include <linux/audit.h>
                #include <asm/unistd.h>
                #include <stdio.h>

                int main(void) {
                """);
        expected.keySet().forEach(name -> c.append("    printf(\"%s %u\\n\", \"").append(name)
                .append("\", (unsigned) (").append(name).append("));\n"));
        c.append("    return 0;\n}\n");
        Path source = Files.writeString(dir.resolve("uapi.c"), c);
        Path probe = dir.resolve("uapi");

        run(List.of("gcc", "-Wall", "-o", probe.toString(), source.toString()));
        Map<String, Integer> actual = new LinkedHashMap<>();
        for (String line : run(List.of(probe.toString())).lines().toList()) {
            String[] parts = line.split(" ");
            actual.put(parts[0], Integer.parseUnsignedInt(parts[1]));
        }

        assertEquals(expected, actual);
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), () -> String.join(" ", command) + ":\n" + output);
        return output;
    }
}
