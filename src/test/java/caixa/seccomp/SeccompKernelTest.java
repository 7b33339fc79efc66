package caixa.seccomp;

import caixa.bindings.linux_h;
import caixa.spawn.ExitStatus;
import caixa.spawn.StepFailedException;
import caixa.spec.json.JsonNode;

import org.junit.jupiter.api.BeforeAll;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Filters installed by a real child program on the real kernel, observed from what the child's calls
 * return. The calls the default profile must stop are made with arguments that would fail harmlessly
 * (a path that does not exist, a bad descriptor or magic number) had the filter let them through, so
 * a broken filter fails the test with another errno instead of changing the host.
 */
class SeccompKernelTest {
    private static final ExitStatus EPERM = ExitStatus.exited(linux_h.EPERM());
    private static final ExitStatus ENOSYS = ExitStatus.exited(linux_h.ENOSYS());
    private static final ExitStatus SUCCESS = ExitStatus.exited(0);
    private static final String MISSING = "@/nonexistent/caixa-seccomp-test";

    @TempDir
    static Path dir;
    private static FilteredChild.Probe probe;

    @BeforeAll
    static void buildProbe() throws IOException, InterruptedException {
        probe = FilteredChild.Probe.build(dir);
    }

    @Test
    void anOrdinaryCommandRuns() {
        assertEquals(SUCCESS, FilteredChild.run(SeccompProfile.defaultProfile(), List.of("/bin/true")).status());
        FilteredChild.Result ls = FilteredChild.sh(SeccompProfile.defaultProfile(), "ls / && echo listed");
        assertEquals(SUCCESS, ls.status(), ls.output());
        assertTrue(ls.output().contains("proc") && ls.output().endsWith("listed\n"), ls.output());
        // A pipeline forks (clone without namespace flags) and waits.
        FilteredChild.Result pipeline = FilteredChild.sh(SeccompProfile.defaultProfile(), "echo one two | wc -w");
        assertEquals("2", pipeline.output().strip(), pipeline.output());
    }

    @Test
    void theChildRunsInFilterModeWithNoNewPrivs() {
        FilteredChild.Result status = FilteredChild.run(SeccompProfile.defaultProfile(), List.of("/bin/cat", "/proc/self/status"));

        assertEquals(SUCCESS, status.status(), status.output());
        assertTrue(status.output().contains("\nSeccomp:\t2\n"), status.output());
        assertTrue(status.output().contains("\nSeccomp_filters:\t1\n"), status.output());
        assertTrue(status.output().contains("\nNoNewPrivs:\t1\n"), status.output());
    }

    @Test
    void theJvmItselfIsNotFiltered() throws IOException {
        String before = seccompLine();
        FilteredChild.run(SeccompProfile.defaultProfile(), List.of("/bin/true"));

        assertEquals(before, seccompLine());
    }

    private static String seccompLine() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("Seccomp:")).findFirst().orElseThrow();
    }

    @Test
    void noNewUserNamespace() {
        FilteredChild.Result unshare = FilteredChild.sh(SeccompProfile.defaultProfile(), "unshare -U true");

        assertNotEquals(SUCCESS, unshare.status());
        assertTrue(unshare.output().contains("Operation not permitted"), unshare.output());
        assertEquals(EPERM, probe.call(SeccompProfile.defaultProfile(), "unshare", hex(linux_h.CLONE_NEWUSER())));
        // clone with CLONE_FS as well, which the kernel refuses with EINVAL should the filter not.
        assertEquals(EPERM, probe.call(SeccompProfile.defaultProfile(), "clone",
                hex(linux_h.CLONE_NEWUSER() | 0x200)));
        // clone3's flags are in memory, where the filter cannot look: ENOSYS sends libc back to clone.
        assertEquals(ENOSYS, probe.call(SeccompProfile.defaultProfile(), "clone3", "0", "0"));
    }

    /** In a private mount namespace: should the filter let it through, the tmpfs lands there and not on the host. */
    @Test
    void noNewMount() {
        FilteredChild.Result mount = FilteredChild.run(SeccompProfile.defaultProfile(), linux_h.CLONE_NEWNS(),
                List.of("/bin/sh", "-c", "mount -t tmpfs caixa-seccomp-test /mnt; status=$?; grep -c caixa-seccomp-test /proc/self/mounts; exit $status"));

        assertNotEquals(SUCCESS, mount.status(), mount.output());
        assertTrue(mount.output().strip().endsWith("0"), mount.output());
    }

    @Test
    void whatTheDefaultProfileKeepsOutFailsWithEperm() {
        Map<String, List<String>> calls = new LinkedHashMap<>();
        calls.put("mount", List.of("@none", MISSING, "@tmpfs", "0", "0"));
        calls.put("umount2", List.of(MISSING, "0"));
        calls.put("pivot_root", List.of(MISSING, MISSING));
        calls.put("setns", List.of("-1", "0"));
        calls.put("kexec_load", List.of("0", "0", "0", "0xffffffff"));
        calls.put("kexec_file_load", List.of("-1", "-1", "0", "0", "0xffffffff"));
        calls.put("init_module", List.of("0", "0", "@"));
        calls.put("finit_module", List.of("-1", "@", "0"));
        calls.put("delete_module", List.of("@caixa_no_such_module", "0"));
        calls.put("keyctl", List.of("0", "-4", "0"));
        calls.put("add_key", List.of("@caixa_no_such_type", "@caixa", "0", "0", "-4"));
        calls.put("request_key", List.of("@caixa_no_such_type", "@caixa", "0", "0"));
        calls.put("bpf", List.of("999", "0", "0"));
        calls.put("perf_event_open", List.of("0", "0", "-1", "-1", "0"));
        calls.put("reboot", List.of("0", "0", "0", "0"));
        calls.put("swapon", List.of(MISSING, "0"));
        calls.put("swapoff", List.of(MISSING));
        calls.put("acct", List.of(MISSING));
        calls.put("settimeofday", List.of("0", "0"));
        calls.put("clock_settime", List.of("0", "0"));
        calls.put("open_by_handle_at", List.of("-1", "0", "0"));
        calls.put("io_uring_setup", List.of("0", "0"));
        calls.put("userfaultfd", List.of("0x7fffffff"));
        calls.put("personality", List.of("0x0040000"));
        calls.put("socket", List.of(Integer.toString(linux_h.AF_VSOCK()), "1", "0"));
        SeccompProfile profile = SeccompProfile.defaultProfile();
        calls.forEach((name, args) -> assertEquals(EPERM, probe.call(profile, name, args.toArray(String[]::new)), name));
    }

    @Test
    void whatTheDefaultProfileLetsThrough() {
        SeccompProfile profile = SeccompProfile.defaultProfile();

        assertEquals(SUCCESS, probe.call(profile, "getpid"));
        assertEquals(SUCCESS, probe.call(profile, "socket", Integer.toString(linux_h.AF_UNIX()), "1", "0"));
        assertEquals(SUCCESS, probe.call(profile, "personality", "0xffffffff"));
        assertEquals(ExitStatus.exited(linux_h.ENOENT()), probe.call(profile, "openat", "-100", MISSING, "0", "0"));
    }

    /**
     * fchmodat2 (Linux 6.6, number 452 on both architectures) is newer than the tables: without the
     * ENOSYS answer it would fail with the default EPERM (and with ENOENT without any filter).
     */
    @Test
    void aCallNewerThanTheProfileLooksAbsent() {
        assertEquals(ENOSYS, probe.call(SeccompProfile.defaultProfile(), 452, "-100", MISSING, "0", "0"));
    }

    /** An x32 call enters as x86_64 with bit 30 set in its number; its numbers are not the ones filtered. */
    @Test
    void aForeignAbiKillsTheProcess() {
        assertEquals(Arch.X86_64, Arch.host(), "this test makes x86_64 system calls");
        int x32Getpid = Uapi.X32_SYSCALL_BIT | Arch.X86_64.syscallNumber("getpid").orElseThrow();

        assertEquals(ExitStatus.killed(linux_h.SIGSYS()), probe.call(SeccompProfile.defaultProfile(), x32Getpid));
        assertEquals(ExitStatus.killed(linux_h.SIGSYS()), probe.call(SeccompProfile.of(Action.ALLOW), x32Getpid));
    }

    /** The allowlist profile of an OCI bundle: only what the static probe needs, anything else a chosen errno. */
    @Test
    void anOciAllowlistDeniesTheRestWithItsErrno() {
        SeccompProfile profile = oci("""
                {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 42, "architectures": ["SCMP_ARCH_X86_64"],
                 "syscalls": [{"names": ["execve", "exit_group", "getppid"], "action": "SCMP_ACT_ALLOW"}]}""");

        assertEquals(ExitStatus.exited(42), probe.call(profile, "getpid"));
        assertEquals(ExitStatus.exited(42), probe.call(profile, "uname", "0"));
        assertEquals(SUCCESS, probe.call(profile, "getppid"));
    }

    @Test
    void anArgumentConditionHoldsOnItsSideOnly() {
        SeccompProfile profile = oci("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
                  "errnoRet": 13, "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]}]}""");

        assertEquals(ExitStatus.exited(13), probe.call(profile, "personality", "0xffffffff"));
        assertEquals(SUCCESS, probe.call(profile, "personality", "0"));
        // The filter sees the register's 64 bits; only the exact value matches.
        assertEquals(SUCCESS, probe.call(profile, "personality", "0x1ffffffff"));
    }

    @Test
    void killAndTrapActionsSignalTheProcess() {
        assertEquals(ExitStatus.killed(linux_h.SIGSYS()),
                probe.call(SeccompProfile.of(Action.ALLOW, SyscallRule.of(Action.KILL_PROCESS, "getpid")), "getpid"));
        assertEquals(ExitStatus.killed(linux_h.SIGSYS()),
                probe.call(SeccompProfile.of(Action.ALLOW, SyscallRule.of(Action.KILL_THREAD, "getpid")), "getpid"));
        assertEquals(ExitStatus.killed(linux_h.SIGSYS()),
                probe.call(SeccompProfile.of(Action.ALLOW, SyscallRule.of(Action.TRAP, "getpid")), "getpid"));
        assertEquals(SUCCESS, probe.call(SeccompProfile.of(Action.ALLOW, SyscallRule.of(Action.LOG, "getpid")), "getpid"));
        // No tracer: the call fails with ENOSYS.
        assertEquals(ENOSYS, probe.call(SeccompProfile.of(Action.ALLOW, SyscallRule.of(Action.trace(1), "getpid")), "getpid"));
    }

    @Test
    void flagsAreAcceptedByTheKernel() {
        SeccompProfile profile = SeccompProfile.of(Action.ALLOW, SyscallRule.of(Action.errno(9), "getpid"))
                .withFlags(java.util.Set.of(FilterFlag.TSYNC, FilterFlag.LOG, FilterFlag.SPEC_ALLOW));

        assertEquals(ExitStatus.exited(9), probe.call(profile, "getpid"));
    }

    /** After the filter, a failed execve is still reported: the trampoline's write and exit pass it. */
    @Test
    void aFailedExecveAfterTheFilterIsReported() {
        StepFailedException e = assertThrows(StepFailedException.class,
                () -> FilteredChild.run(SeccompProfile.defaultProfile(), List.of("/nonexistent/caixa-command")));

        assertEquals(linux_h.ENOENT(), e.errno());
        assertTrue(e.step().startsWith("execve("), e.step());
    }

    private static SeccompProfile oci(String json) {
        return SeccompProfile.fromOci(JsonNode.parse("config.json", json.getBytes(StandardCharsets.UTF_8)).asObject());
    }

    private static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }
}
