package caixa.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static caixa.cli.OciTesting.assertContains;
import static caixa.cli.OciTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * podman with caixa as its OCI runtime ({@code --runtime}): each scenario a user runs, checked by
 * its output and exit status. podman drives caixa through conmon: {@code create --bundle --pid-file
 * [--console-socket]}, {@code start}, {@code state}, {@code exec --process --detach --pid-file},
 * {@code kill}, {@code pause}, {@code resume}, {@code delete --force}.
 *
 * <p>Everything podman keeps is private to this class: its image and container storage
 * ({@code --root}), run-time state ({@code --runroot}, {@code --tmpdir}) and the launcher's caixa
 * state ({@code --root} of caixa), all in one directory under /tmp, so the machine's podman storage
 * and /run/caixa are neither used nor touched. The flags every command gets are what podman needs on
 * these machines (see the project notes on hosts): no systemd, so cgroupfs and a file for events;
 * {@code --network none}, so no host bridge; and ulimits within the inherited hard limits, which
 * podman would otherwise ask above.
 */
class PodmanTest {
    private static final String IMAGE = "localhost/caixa-busybox:latest";
    private static final List<String> RUN_FLAGS = List.of("--network", "none",
            "--ulimit", "nofile=16384:16384", "--ulimit", "nproc=16384:16384");

    private static Path work;
    private static Path runtimeState;
    private static List<String> podman;

    /** Ids of the containers a test made, for the leftover check. */
    private final List<String> containers = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        OciTesting.requireCommands("podman", "conmon");
        work = OciTesting.workDirectory("podman");
        runtimeState = work.resolve("caixa-state");
        Path launcher = OciTesting.launcher(work.resolve("bin"), runtimeState);
        podman = List.of("podman", "--root", work.resolve("storage").toString(),
                "--runroot", work.resolve("runroot").toString(), "--tmpdir", work.resolve("tmp").toString(),
                // vfs: layers are plain directories, so the storage makes no mounts of its own.
                "--storage-driver", "vfs",
                "--cgroup-manager", "cgroupfs", "--events-backend", "file",
                "--runtime", launcher.toString());
        // The image: the busybox rootfs as one layer, imported into this class's storage.
        Path tar = work.resolve("busybox.tar");
        OciTesting.run(List.of("tar", "-C", OciTesting.busyboxRootfs().toString(), "-cf", tar.toString(), "."),
                work.resolve("output"), null, Duration.ofSeconds(60)).assertSuccess();
        podman("import", tar.toString(), IMAGE).assertSuccess();
    }

    @AfterEach
    void nothingLeftBehind() {
        List<String> left = new ArrayList<>();
        podman("ps", "--all", "--format", "{{.ID}} {{.Names}} {{.Status}}").assertSuccess().stdout().lines()
                .forEach(line -> left.add("podman container " + line));
        List<String> cgroupNames = new ArrayList<>(containers);
        containers.forEach(id -> cgroupNames.add("libpod-" + id)); // podman's cgroupsPath: libpod_parent/libpod-ID
        left.addAll(OciTesting.leftovers(cgroupNames, work));
        OciTesting.entries(runtimeState).forEach(entry -> left.add("caixa state " + entry));
        if (!left.isEmpty()) {
            podman("rm", "--all", "--force"); // so one failure does not cascade into the next test
        }
        assertEquals(List.of(), left, "left behind");
    }

    @AfterAll
    static void tearDown() {
        if (work != null) {
            podman("rm", "--all", "--force");
            awaitNoMountsUnder(work);
            OciTesting.deleteTree(work);
        }
    }

    /**
     * podman's cleanup of a --rm container (its /dev/shm mount) runs in a process of its own after
     * the container exits: wait for it here, so that the next test class finds the host's mount table
     * as it was.
     */
    private static void awaitNoMountsUnder(Path dir) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (!Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + dir)) {
                    return;
                }
                Thread.sleep(100);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("podman left mounts under " + dir + " after 60 s");
    }

    @Test
    void runPrintsTheOutputAndRemovesTheContainer() {
        OciTesting.Result run = run("echo", "hi").assertSuccess();
        assertEquals("hi\n", run.stdout());
    }

    @Test
    void runExitsWithTheContainersStatus() {
        run("sh", "-c", "exit 7").assertStatus(7);
    }

    @Test
    void environment() {
        assertEquals("ola\n", run("-e", "GREETING=ola", IMAGE, "sh", "-c", "echo $GREETING").assertSuccess().stdout());
    }

    @Test
    void memoryLimitEndsInAnOomKill() {
        // A string that doubles until the cgroup's limit stops it: the kernel's OOM killer sends SIGKILL.
        run("--memory", "48m", IMAGE, "sh", "-c", "x=a; while :; do x=$x$x; done").assertStatus(137);
    }

    @Test
    void pidsLimitStopsAForkLoop() {
        // The container sees its own pids cgroup (v1 hierarchy here, cgroup2 elsewhere). Busybox sh
        // gives up at the first fork the limit refuses, with status 2, before the last echo.
        OciTesting.Result run = run("--pids-limit", "10", IMAGE, "sh", "-c",
                "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max;"
                        + " for i in $(seq 1 30); do sleep 30 & done; echo unreachable").assertStatus(2);
        assertEquals("10\n", run.stdout());
        assertContains(run.stderr(), "can't fork: Resource temporarily unavailable");
    }

    @Test
    void hostname() {
        assertEquals("caixinha\n", run("--hostname", "caixinha", IMAGE, "hostname").assertSuccess().stdout());
    }

    @Test
    void detachedThenStop() {
        String name = detached("trap 'echo bye; exit 0' TERM; echo up; while :; do sleep 0.1; done");
        await("the container's output", Duration.ofSeconds(60), () -> logs(name).equals("up\n"));
        assertEquals(name + "\n", podman("stop", "--time", "60", name).assertSuccess().stdout());
        // Status 0 from the trap: stop's SIGTERM reached the container's init, no SIGKILL was needed.
        assertEquals("exited 0\n", inspect(name, "{{.State.Status}} {{.State.ExitCode}}"));
        assertEquals("up\nbye\n", logs(name));
        podman("rm", name).assertSuccess();
    }

    @Test
    void execRunsInTheContainer() {
        String name = detached("echo up; exec sleep 1000");
        OciTesting.Result exec = podman("exec", "--env", "WHO=exec", "--workdir", "/tmp", name,
                "sh", "-c", "echo $WHO in $(pwd); ps -o comm").assertSuccess();
        List<String> lines = exec.stdout().lines().toList();
        assertEquals("exec in /tmp", lines.getFirst());
        // It joined the container's pid namespace: its ps shows the container's processes.
        assertTrue(lines.contains("sleep"), exec.stdout());
        podman("rm", "--force", name).assertSuccess();
    }

    @Test
    void execExitsWithTheCommandsStatus() {
        String name = detached("exec sleep 1000");
        podman("exec", name, "sh", "-c", "exit 3").assertStatus(3);
        podman("rm", "--force", name).assertSuccess();
    }

    @Test
    void pauseAndUnpause() {
        String name = detached("exec sleep 1000");
        podman("pause", name).assertSuccess();
        assertEquals("paused\n", inspect(name, "{{.State.Status}}"));
        // podman itself refuses to exec into a paused container (and does not ask caixa).
        assertContains(podman("exec", name, "true").stderr(), "can only create exec sessions on running containers");
        podman("unpause", name).assertSuccess();
        assertEquals("running\n", inspect(name, "{{.State.Status}}"));
        assertEquals("alive\n", podman("exec", name, "echo", "alive").assertSuccess().stdout());
        podman("rm", "--force", name).assertSuccess();
    }

    @Test
    void killSendsTheSignal() {
        String name = detached("trap 'echo got USR1' USR1; echo up; while :; do sleep 0.1; done");
        await("the trap to be set", Duration.ofSeconds(60), () -> logs(name).equals("up\n"));
        podman("kill", "--signal", "USR1", name).assertSuccess();
        await("the USR1 trap", Duration.ofSeconds(60), () -> logs(name).equals("up\ngot USR1\n"));
        assertEquals("running\n", inspect(name, "{{.State.Status}}"));
        podman("rm", "--force", name).assertSuccess();
    }

    @Test
    void ttyIsAPseudoTerminal() {
        // conmon passes --console-socket; caixa sends the pty master over it (SCM_RIGHTS), as runc does.
        OciTesting.Result run = run("-t", IMAGE, "tty").assertSuccess();
        assertTrue(run.stdout().matches("/dev/pts/[0-9]+\r?\n"), run.stdout());
    }

    @Test
    void interactiveStdin() {
        OciTesting.Result run = runWithInput("hi\n", "-i", IMAGE, "cat").assertSuccess();
        assertEquals("hi\n", run.stdout());
    }

    @Test
    void userAndWorkdir() {
        OciTesting.Result run = run("--user", "65534:65534", "--workdir", "/tmp", IMAGE,
                "sh", "-c", "id -u; id -g; pwd").assertSuccess();
        assertEquals("65534\n65534\n/tmp\n", run.stdout());
    }

    @Test
    void readOnlyRootfs() {
        // podman mounts tmpfs on /tmp, /run and /var/tmp with --read-only (option tmpcopyup): writable.
        OciTesting.Result run = run("--read-only", IMAGE, "sh", "-c", "touch /tmp/ok && touch /x").assertStatus(1);
        assertContains(run.stderr(), "touch: /x: Read-only file system");
    }

    // ---------------------------------------------------------------- helpers

    private static OciTesting.Result podman(String... args) {
        return OciTesting.run(OciTesting.concat(podman, List.of(args)), work.resolve("output"), null,
                Duration.ofMinutes(3));
    }

    /**
     * {@code podman run --rm} with this machine's flags; {@code args} is the command, or options,
     * the image and the command. The container's id comes back through {@code --cidfile}.
     */
    private OciTesting.Result run(String... args) {
        return runWithInput(null, args);
    }

    private OciTesting.Result runWithInput(String stdin, String... args) {
        Path cidFile = work.resolve("cid-" + randomHex());
        List<String> command = new ArrayList<>(podman);
        command.addAll(List.of("run", "--rm", "--cidfile", cidFile.toString()));
        command.addAll(RUN_FLAGS);
        List<String> rest = List.of(args);
        if (!rest.contains(IMAGE)) {
            command.add(IMAGE);
        }
        command.addAll(rest);
        OciTesting.Result result = OciTesting.run(command, work.resolve("output"), stdin, Duration.ofMinutes(3));
        remember(cidFile);
        return result;
    }

    /** Starts {@code sh -c script} detached ({@code run -d}); returns the container's name. */
    private String detached(String script) {
        String name = "caixa-" + randomHex();
        Path cidFile = work.resolve("cid-" + randomHex());
        List<String> command = new ArrayList<>(List.of("run", "--detach", "--name", name, "--cidfile", cidFile.toString()));
        command.addAll(RUN_FLAGS);
        command.addAll(List.of(IMAGE, "sh", "-c", script));
        OciTesting.Result run = podman(command.toArray(String[]::new)).assertSuccess();
        remember(cidFile);
        assertEquals(containers.getLast() + "\n", run.stdout(), "run -d prints the container's id");
        assertEquals("running\n", inspect(name, "{{.State.Status}}"));
        return name;
    }

    private void remember(Path cidFile) {
        try {
            if (Files.exists(cidFile)) {
                containers.add(Files.readString(cidFile).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String inspect(String name, String format) {
        return podman("inspect", "--format", format, name).assertSuccess().stdout();
    }

    private static String logs(String name) {
        return podman("logs", name).assertSuccess().stdout();
    }

    private static String randomHex() {
        byte[] bytes = new byte[4];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
