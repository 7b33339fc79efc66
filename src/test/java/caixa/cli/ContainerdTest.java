package caixa.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static caixa.cli.OciTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * containerd running containers with caixa as the runc binary of its runc v2 shim, as a Kubernetes
 * node would (containerd 1.6 from Debian). The shim calls caixa with runc's command line:
 * {@code --root R --log F --log-format json create --bundle B --pid-file P ID}, {@code start},
 * {@code exec --process F --detach --pid-file P}, {@code kill}, {@code delete}; it reads errors back
 * from the JSON log.
 *
 * <p>The containerd is this class's own: its root, state, sockets and the runc root the shim hands
 * caixa are in one directory under /tmp; it is stopped afterwards, with any shim it left. Containers
 * run from a copy of the busybox rootfs ({@code ctr run --rootfs}), so no image or snapshotter is
 * involved.
 */
class ContainerdTest {
    private static final String NAMESPACE = "caixa-test";

    private static Path work;
    private static Path socket;
    private static Path launcher;
    private static Path runcRoot;
    private static Process containerd;

    /** The container a test runs, for the leftover check. */
    private final String id = "ctr-" + randomHex();

    @BeforeAll
    static void startContainerd() throws IOException {
        OciTesting.requireCommands("containerd", "ctr");
        work = OciTesting.workDirectory("containerd");
        socket = work.resolve("containerd.sock");
        runcRoot = work.resolve("runc");
        launcher = OciTesting.launcher(work.resolve("bin"), work.resolve("caixa-state"));
        Path config = work.resolve("config.toml");
        // A private instance: its own root, state and sockets. CRI is off: it would want CNI and a sandbox image.
        Files.writeString(config, """
                version = 2
                root = "%s"
                state = "%s"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]
                [grpc]
                  address = "%s"
                [ttrpc]
                  address = "%s.ttrpc"
                """.formatted(work.resolve("root"), work.resolve("state"), socket, socket));
        containerd = new ProcessBuilder("containerd", "--config", config.toString()).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve("containerd.log").toFile()).start();
        await("containerd to serve on " + socket, Duration.ofSeconds(60),
                () -> !containerd.isAlive() || ctr("version").status() == 0);
        assertTrue(containerd.isAlive(), () -> "containerd exited:\n" + OciTesting.read(work.resolve("containerd.log")));
    }

    @AfterEach
    void nothingLeftBehind() {
        List<String> left = new ArrayList<>();
        ctr("tasks", "list", "--quiet").assertSuccess().stdout().lines().forEach(t -> left.add("containerd task " + t));
        ctr("containers", "list", "--quiet").assertSuccess().stdout().lines().forEach(c -> left.add("containerd container " + c));
        left.addAll(OciTesting.leftovers(List.of(id), work));
        OciTesting.entries(runcRoot.resolve(NAMESPACE)).forEach(entry -> left.add("caixa state " + entry));
        if (!left.isEmpty()) { // so one failure does not cascade into the next test
            ctr("tasks", "kill", "--signal", "KILL", id);
            await(id + " to stop", Duration.ofSeconds(30), () -> !ctr("tasks", "list").stdout().contains("RUNNING"));
            ctr("tasks", "delete", id);
            ctr("containers", "delete", id);
        }
        assertEquals(List.of(), left, "left behind");
    }

    @AfterAll
    static void stopContainerd() throws InterruptedException {
        if (containerd != null) {
            containerd.destroy();
            if (!containerd.waitFor(30, TimeUnit.SECONDS)) {
                containerd.destroyForcibly().waitFor();
            }
            // A shim outlives containerd by design (it keeps containers running across restarts).
            ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().orElse("").contains(socket.toString()))
                    .forEach(ProcessHandle::destroyForcibly);
        }
        OciTesting.deleteTree(work);
    }

    @Test
    void runPrintsTheOutputAndExitsWithTheContainersStatus() {
        OciTesting.Result run = ctr(runCommand("--rm", "sh", "-c", "echo hi; exit 5")).assertStatus(5);
        assertEquals("hi\n", run.stdout());
    }

    @Test
    void detachedTaskExecPauseKillAndDelete() {
        ctr(runCommand("--detach", "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done")).assertSuccess();
        assertEquals("RUNNING", taskStatus());

        OciTesting.Result exec = ctr("tasks", "exec", "--exec-id", "exec-1", id, "sh", "-c", "echo in exec; exit 3")
                .assertStatus(3);
        assertEquals("in exec\n", exec.stdout());

        ctr("tasks", "pause", id).assertSuccess();
        assertEquals("PAUSED", taskStatus());
        ctr("tasks", "resume", id).assertSuccess();
        assertEquals("RUNNING", taskStatus());

        ctr("tasks", "kill", id).assertSuccess(); // SIGTERM, to the trap
        await(id + " to stop", Duration.ofSeconds(60), () -> taskStatus().equals("STOPPED"));
        ctr("tasks", "delete", id).assertSuccess();
        ctr("containers", "delete", id).assertSuccess();
    }

    // ---------------------------------------------------------------- helpers

    /**
     * {@code ctr run} of {@code command} with caixa as the shim's runc. The cgroup goes under caixa/
     * like caixa's own (ctr's default, /NAMESPACE/ID, would leave a NAMESPACE parent behind).
     * ctr asks for cpu.shares 1024, its default, which caixa applies.
     */
    private String[] runCommand(String mode, String... command) {
        Path rootfs = OciTesting.copyOfRootfs(work.resolve(id));
        List<String> args = new ArrayList<>(List.of("run", mode, "--runc-binary", launcher.toString(),
                "--runc-root", runcRoot.toString(), "--cgroup", "caixa/" + id,
                "--rootfs", rootfs.toString(), id));
        args.addAll(List.of(command));
        return args.toArray(String[]::new);
    }

    private String taskStatus() {
        for (String line : ctr("tasks", "list").assertSuccess().stdout().lines().toList()) {
            String[] fields = line.split("\\s+");
            if (fields[0].equals(id)) {
                return fields[2];
            }
        }
        throw new AssertionError("no task " + id);
    }

    private static OciTesting.Result ctr(String... args) {
        List<String> command = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "--namespace", NAMESPACE));
        command.addAll(List.of(args));
        return OciTesting.run(command, work.resolve("output"), null, Duration.ofMinutes(3));
    }

    private static String randomHex() {
        byte[] bytes = new byte[4];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
