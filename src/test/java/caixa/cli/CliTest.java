package caixa.cli;

import caixa.cgroups.HostCgroups;
import caixa.rootfs.BusyboxRootfs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a user meets it: a separate caixa process, its output, and its exit status. */
class CliTest {
    private static final Path ROOTFS = Path.of("target/test-rootfs/cli").toAbsolutePath();

    @BeforeAll
    static void rootfs() {
        if (!Files.isDirectory(ROOTFS.resolve("bin"))) {
            BusyboxRootfs.create(ROOTFS);
        }
    }

    record Result(int status, String stdout, String stderr) {
    }

    private static ProcessBuilder caixa(List<String> args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(args);
        return new ProcessBuilder(command);
    }

    private static Result run(String... args) throws Exception {
        Process p = caixa(List.of(args)).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "caixa did not finish");
        return new Result(p.exitValue(), out, err);
    }

    private static Result runIn(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("run", "--rootfs", ROOTFS.toString()));
        all.addAll(List.of(args));
        return run(all.toArray(String[]::new));
    }

    @Test
    void versionAndHelp() throws Exception {
        Result version = run("--version");
        assertEquals(0, version.status());
        assertTrue(version.stdout().startsWith("caixa "), version.stdout());
        Result help = run("--help");
        assertEquals(0, help.status());
        assertTrue(help.stdout().contains("run "), help.stdout());
        Result runHelp = run("run", "--help");
        assertEquals(0, runHelp.status());
        assertTrue(runHelp.stdout().contains("--map-root-user"), runHelp.stdout());
    }

    @Test
    void badInputIsOneLineWithStatus125() throws Exception {
        assertError(run("frobnicate"), 125, "caixa: unknown command frobnicate (see caixa --help)");
        assertError(run("run", "--bogus", "--", "true"), 125, "caixa: run: unknown option --bogus (see caixa --help)");
        assertError(run("run", "--rootfs", "/nonexistent", "--", "true"), 125,
                "caixa: rootfs /nonexistent: no such directory");
        assertError(runIn("-v", "/nonexistent-volume:/data", "--", "true"), 125,
                "caixa: volume /nonexistent-volume: no such file or directory");
        assertError(runIn("--ns", "pid,bogus", "--", "true"), 125,
                "caixa: run: unknown namespace 'bogus' (pid, mount, uts, ipc, net, user, cgroup, time)");
        assertError(runIn("--ns", "-uts", "--hostname", "x", "--", "true"), 125,
                "caixa: run: a hostname needs the uts namespace");
        assertError(runIn(), 125, "caixa: run: no command given (caixa run [OPTIONS] -- COMMAND [ARG...])");
    }

    @Test
    void commandNotFoundIs127AndNotExecutableIs126() throws Exception {
        assertError(runIn("--", "no-such-command"), 127,
                "caixa: exec /bin/no-such-command: no such file or directory in the container");
        assertError(runIn("--", "/etc/passwd"), 126, "caixa: exec /etc/passwd: Permission denied");
    }

    private static void assertError(Result r, int status, String line) {
        assertEquals(status, r.status(), r.stderr());
        assertEquals(line + "\n", r.stderr());
    }

    @Test
    void exitStatusIsTheContainers() throws Exception {
        assertEquals(3, runIn("--", "sh", "-c", "exit 3").status());
        // Not PID 1 of a pid namespace: init ignores even its own SIGKILL.
        assertEquals(137, runIn("--ns", "-pid", "--", "sh", "-c", "kill -9 $$").status());
    }

    @Test
    void environmentWorkdirHostnameAndUser() throws Exception {
        Result r = runIn("-e", "GREETING=ola", "-w", "/tmp", "--hostname", "caixinha", "-u", "nobody",
                "--", "sh", "-c", "echo $GREETING; pwd; hostname; id -u");
        assertEquals(0, r.status(), r.stderr());
        assertEquals("ola\n/tmp\ncaixinha\n65534\n", r.stdout());
    }

    /**
     * docker's --cpu-shares, as the container sees its own cgroup: v1's cpu.shares as given on this
     * hybrid host, runc's cpu.weight for it on a unified one.
     */
    @Test
    void cpuSharesReachTheContainersCgroup() throws Exception {
        Result r = runIn("--cpu-shares", "1000", "--", "sh", "-c",
                "cat /sys/fs/cgroup/cpu/cpu.shares 2>/dev/null || cat /sys/fs/cgroup/cpu.weight");
        assertEquals(0, r.status(), r.stderr());
        assertEquals(HostCgroups.unifiedHost() ? "39\n" : "1000\n", r.stdout());
        assertError(runIn("--cpu-shares", "1", "--", "true"), 125,
                "caixa: run: cpu-shares 1: must be from 2 to 262144, the kernel's range");
        assertError(runIn("-c", "lots", "--", "true"), 125, "caixa: run: -c lots: not an integer");
    }

    @Test
    void namespacesCanBeAddedAndRemoved() throws Exception {
        Result withTime = runIn("--ns", "+time", "--", "readlink", "/proc/self/ns/time");
        assertEquals(0, withTime.status(), withTime.stderr());
        assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/time")).toString(), withTime.stdout().strip());
        Result hostNet = runIn("--ns", "-net", "--", "readlink", "/proc/self/ns/net");
        assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(), hostNet.stdout().strip());
    }

    @Test
    void sigtermIsForwardedToTheContainer() throws Exception {
        Process p = startAndAwaitReady("sh", "-c", "trap 'exit 42' TERM; echo ready; while :; do sleep 0.1; done");
        p.toHandle().destroy(); // SIGTERM to caixa
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(42, p.exitValue());
    }

    @Test
    void secondSigintKillsAnInitThatIgnoresSignals() throws Exception {
        Process p = startAndAwaitReady("sh", "-c", "echo ready; exec sleep 1000");
        signal(p, "INT");
        assertFalse(p.waitFor(300, TimeUnit.MILLISECONDS), "sleep as PID 1 ignores SIGINT");
        signal(p, "INT");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue());
    }

    @Test
    void stopTimeoutKillsAfterSigterm() throws Exception {
        Process p = startAndAwaitReady("--stop-timeout", "1", "--", "sh", "-c", "echo ready; exec sleep 1000");
        p.toHandle().destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue());
    }

    @Test
    void killingCaixaKillsTheContainer() throws Exception {
        Process p = startAndAwaitReady("sh", "-c", "echo ready; exec sleep 1000");
        ProcessHandle container = p.toHandle().children().findFirst().orElseThrow();
        p.toHandle().destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        Optional<ProcessHandle> left = ProcessHandle.of(container.pid());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (left.isPresent() && left.get().isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            left = ProcessHandle.of(container.pid());
        }
        assertFalse(left.isPresent() && left.get().isAlive(), "the container outlived caixa");
    }

    /** Starts {@code caixa run} whose command prints "ready" once its signal handling is in place. */
    private static Process startAndAwaitReady(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("run", "--rootfs", ROOTFS.toString()));
        if (!args[0].startsWith("-")) {
            all.add("--");
        }
        all.addAll(List.of(args));
        Process p = caixa(all).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        return p;
    }

    private static void signal(Process p, String name) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start().waitFor());
    }
}
