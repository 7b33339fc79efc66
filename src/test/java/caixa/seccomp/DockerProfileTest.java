package caixa.seccomp;

import caixa.spec.json.JsonException;
import caixa.spec.json.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Docker's profile format: entries picked per container by capabilities, architecture and kernel. */
class DockerProfileTest {
    private static final String PROFILE = """
            {
              "defaultAction": "SCMP_ACT_ERRNO",
              "defaultErrnoRet": 1,
              "archMap": [
                {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": null}
              ],
              "syscalls": [
                {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                {"name": "ptrace", "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
                {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
                {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
                {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
                 "excludes": {"caps": ["CAP_SYS_ADMIN", "CAP_SYS_BOOT"]}, "comment": "glibc falls back to clone"},
                {"names": ["uname"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["arm64"], "minKernel": "5.0"}}
              ]
            }""";

    private static DockerProfile parse(String json) {
        return DockerProfile.parse(JsonNode.parse("profile.json", json.getBytes(StandardCharsets.UTF_8)).asObject())
                .orElseThrow();
    }

    private static List<String> names(SeccompProfile profile) {
        return profile.rules().stream().flatMap(rule -> rule.names().stream()).toList();
    }

    @Test
    void entriesApplyByCapabilitiesArchitectureAndKernel() {
        DockerProfile profile = parse(PROFILE);

        assertEquals(List.of("read", "write", "ptrace", "arch_prctl", "clone3"),
                names(profile.resolve(Set.of("CAP_CHOWN"), Arch.X86_64, new KernelVersion(6, 1))));
        assertEquals(List.of("read", "write", "ptrace", "mount"),
                names(profile.resolve(Set.of("CAP_SYS_ADMIN"), Arch.AARCH64, new KernelVersion(6, 1))));
        assertEquals(List.of("read", "write", "arch_prctl", "clone3", "uname"),
                names(profile.resolve(Set.of(), Arch.X86_64, new KernelVersion(4, 4))));
        assertEquals(List.of("read", "write", "clone3"),
                names(profile.resolve(Set.of(), Arch.AARCH64, new KernelVersion(4, 4))));
    }

    @Test
    void readsTheRulesAsOciDoes() {
        SeccompProfile profile = parse(PROFILE).resolve(Set.of(), Arch.X86_64, new KernelVersion(6, 1));

        assertEquals(Action.errno(1), profile.defaultAction());
        assertEquals(SyscallRule.of(Action.errno(38), "clone3"), profile.rules().get(3));
    }

    @Test
    void aProfileWithNeitherDefaultActionNorCallsMeansNoFilter() {
        assertEquals(Optional.empty(), DockerProfile.parse(JsonNode.parse("profile.json",
                "{\"architectures\": []}".getBytes(StandardCharsets.UTF_8)).asObject()));
    }

    @Test
    void refusesWhatDockerRefuses() {
        JsonException both = assertThrows(JsonException.class, () -> parse("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"name": "read", "names": ["write"], "action": "SCMP_ACT_ERRNO"}]}"""));
        assertEquals("profile.json: syscalls[0].name: an entry has either name or names, not both", both.getMessage());
        JsonException archs = assertThrows(JsonException.class, () -> parse("""
                {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                 "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]}"""));
        assertEquals("profile.json: archMap: a profile has either architectures or archMap, not both", archs.getMessage());
        JsonException kernel = assertThrows(JsonException.class, () -> parse("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO",
                  "includes": {"minKernel": "four"}}]}"""));
        assertEquals("profile.json: syscalls[0].includes.minKernel: not a kernel version: \"four\"", kernel.getMessage());
    }

    @Test
    void aFileIsReadForThisHost(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("profile.json"), PROFILE);

        SeccompProfile profile = SeccompProfile.readFile(file, Set.of("CAP_SYS_ADMIN")).orElseThrow();

        assertTrue(names(profile).contains("mount"));
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"defaultAction\": 3}");
        JsonException e = assertThrows(JsonException.class, () -> SeccompProfile.readFile(broken, Set.of()));
        assertEquals(broken + ": defaultAction: must be a string, not 3", e.getMessage());
    }
}
