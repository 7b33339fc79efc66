package caixa.cli;

import caixa.cgroups.CgroupLayout;
import caixa.cgroups.StaleCgroups;
import caixa.spec.json.Json;
import caixa.spec.json.JsonArray;
import caixa.spec.json.JsonBoolean;
import caixa.spec.json.JsonNode;
import caixa.spec.json.JsonObject;
import caixa.spec.json.JsonObjectNode;
import caixa.spec.json.JsonString;
import caixa.spec.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static caixa.cli.OciTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OCI command line with runc's semantics, as an engine drives it: caixa as a separate process per
 * command (a created container outlives the caixa that created it), bundles written by
 * {@code caixa spec} and edited as an engine would, and each failure checked for its exit status and
 * its one line. runc exits 1 on every error; caixa exits 1 when the container's state forbids the
 * operation and 125 for a bad command line or bundle, as {@code caixa run} does. Engines only look
 * at zero or not.
 *
 * <p>The state directory ({@code --root}) is private to this class, so the tests neither see nor
 * disturb containers of the machine's /run/caixa; ids are random, since cgroups are machine-wide.
 * After each test nothing may remain: no state, no cgroup named after a container, no process in a
 * container's rootfs, no mount.
 */
class OciLifecycleTest {
    private static Path work;
    private static Path state;
    private static String mountsBefore;
    /** {@code caixa spec}'s config.json, written once: {@link #specWritesADefaultConfigAndWillNotOverwriteIt} tests spec itself. */
    private static JsonObject defaultConfig;

    /** The ids a test used, for the leftover check. */
    private final Set<String> ids = new LinkedHashSet<>();

    @BeforeAll
    static void setUp() throws IOException {
        OciTesting.busyboxRootfs();
        work = OciTesting.workDirectory("oci-lifecycle");
        state = work.resolve("state");
        Path template = Files.createDirectories(work.resolve("template"));
        caixa("spec", "--bundle", template.toString()).assertQuiet();
        defaultConfig = (JsonObject) Json.parse(Files.readAllBytes(template.resolve("config.json")));
        mountsBefore = OciTesting.read(Path.of("/proc/self/mountinfo"));
    }

    @AfterEach
    void nothingLeftBehind() {
        List<String> left = new ArrayList<>(OciTesting.leftovers(ids, work));
        left.addAll(OciTesting.entries(state).stream().map(e -> "state " + state.resolve(e)).toList());
        // Cleaned whatever the outcome, so one failure does not cascade into the next test.
        if (!left.isEmpty()) {
            for (String id : ids) {
                caixa("delete", "--force", id);
            }
        }
        assertEquals(List.of(), left, "left behind");
    }

    /**
     * Every mount a container makes belongs in its own mount namespace. Mount ids are part of the
     * snapshot, so even a host mount replaced by an equal one shows.
     */
    @AfterAll
    static void hostMountsUnchanged() {
        try {
            assertEquals(mountsBefore, OciTesting.read(Path.of("/proc/self/mountinfo")), "the host's mount table");
        } finally {
            OciTesting.deleteTree(work);
        }
    }

    // ---------------------------------------------------------------- create and start

    @Test
    void createLeavesTheInitWaitingInCaixaInitUntilStart() {
        String id = newId("create");
        Path bundle = bundle("echo started; exec sleep 1000");
        Path pidFile = work.resolve(id + ".pid");

        OciTesting.Result create = caixa("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id)
                .assertQuiet();
        assertEquals("", create.stdout());
        JsonObjectNode created = state(id);
        assertEquals("created", created.requireString("status"));
        int pid = created.requireInt("pid", 1, Integer.MAX_VALUE);
        assertEquals(Integer.toString(pid), OciTesting.read(pidFile), "--pid-file");

        // Waiting for start costs a 16 kB static program, not a JVM (the caixa that created it is gone).
        assertEquals("caixa-init", OciTesting.read(Path.of("/proc/" + pid + "/comm")).strip());
        long rssKb = vmRssKb(pid);
        System.out.println("VmRSS of a created container's init (caixa-init): " + rssKb + " kB");
        assertTrue(rssKb < 1024, "caixa-init's VmRSS: " + rssKb + " kB");
        assertEquals("", create.stdoutNow(), "the command must not run before start");

        caixa("start", id).assertQuiet();
        await("the command's output", Duration.ofSeconds(20), () -> create.stdoutNow().equals("started\n"));
        JsonObjectNode running = state(id);
        assertEquals("running", running.requireString("status"));
        assertEquals(pid, running.requireInt("pid", 1, Integer.MAX_VALUE), "start runs the command in the same process");
        caixa("start", id).assertError(1, "caixa: container " + id + " is running, not created: cannot start it");

        caixa("kill", id, "KILL").assertSuccess();
        awaitStatus(id, "stopped");
        caixa("delete", id).assertQuiet();
        caixa("state", id).assertError(1, "caixa: container " + id + " does not exist");
    }

    /**
     * {@code caixa run}'s sweep of stale cgroups (here called as it calls it) must not take the
     * cgroup of an OCI container whose caixa has exited: one created and waiting, and one whose init
     * has exited but which is not deleted yet, whose cgroup is empty. Their cgroups stay until
     * delete, and the created one still starts.
     */
    @Test
    void staleCgroupSweepLeavesCreatedAndStoppedContainers() {
        String created = newId("sweep-created");
        String stopped = newId("sweep-stopped");
        caixa("create", "--bundle", bundle("exit 0").toString(), created).assertQuiet();
        caixa("create", "--bundle", bundle("exit 0").toString(), stopped).assertQuiet();
        caixa("start", stopped).assertQuiet();
        awaitStatus(stopped, "stopped");
        List<Path> cgroupsBefore = OciTesting.cgroupsNamed(List.of(created, stopped));
        assertFalse(cgroupsBefore.isEmpty(), "the containers have cgroups");

        Set<String> swept = StaleCgroups.sweep(CgroupLayout.host());

        assertFalse(swept.contains(StaleCgroups.PARENT + "/" + created), "swept: " + swept);
        assertFalse(swept.contains(StaleCgroups.PARENT + "/" + stopped), "swept: " + swept);
        assertEquals(cgroupsBefore, OciTesting.cgroupsNamed(List.of(created, stopped)));
        caixa("start", created).assertQuiet();
        awaitStatus(created, "stopped");
        caixa("delete", created).assertQuiet();
        caixa("delete", stopped).assertQuiet();
        assertEquals(List.of(), OciTesting.cgroupsNamed(List.of(created, stopped)), "delete removes them");
    }

    /**
     * runc's --no-pivot: the rootfs is entered by moving its mount onto / and chrooting. The
     * container sees its rootfs as / and nothing of the host's, and the lifecycle is the same; the
     * OCI form of run takes the flag too.
     */
    @Test
    void noPivotContainerSeesItsRootfsAsRootThroughItsLifecycle() throws IOException {
        String id = newId("no-pivot");
        Path bundle = bundle("cat /no-pivot-marker; if [ -e /usr/lib/jvm ]; then echo host; else echo no host; fi;"
                + " exec sleep 1000");
        Files.writeString(bundle.resolve("rootfs/no-pivot-marker"), "in the rootfs\n");

        OciTesting.Result create = caixa("create", "--no-pivot", "--bundle", bundle.toString(), id).assertQuiet();
        assertEquals("created", state(id).requireString("status"));
        caixa("start", id).assertQuiet();
        await("the command's output", Duration.ofSeconds(20), () -> create.stdoutNow().equals("in the rootfs\nno host\n"));
        assertEquals("running", state(id).requireString("status"));
        caixa("kill", id, "KILL").assertSuccess();
        awaitStatus(id, "stopped");
        caixa("delete", id).assertQuiet();

        String runId = newId("no-pivot-run");
        OciTesting.Result run = caixa("run", "--no-pivot", "--bundle", bundle(List.of("cat", "/etc/passwd")).toString(),
                runId).assertSuccess();
        assertTrue(run.stdout().startsWith("root:"), run.stdout());
    }

    @Test
    void stateReportsEachStepOfTheLifecycle() {
        String id = newId("state");
        Path bundle = bundle("echo started; exec sleep 1000");
        OciTesting.Result create = caixa("create", "--bundle", bundle.toString(), id).assertSuccess();
        JsonObjectNode created = state(id);
        assertEquals("1.2.0", created.requireString("ociVersion"));
        assertEquals(id, created.requireString("id"));
        assertEquals(bundle.toString(), created.requireString("bundle"));
        assertEquals("created", created.requireString("status"));
        int pid = created.requireInt("pid", 1, Integer.MAX_VALUE);

        caixa("start", id).assertSuccess();
        await("the command's output", Duration.ofSeconds(20), () -> create.stdoutNow().equals("started\n"));
        assertEquals("running", state(id).requireString("status"));

        caixa("pause", id).assertQuiet();
        assertEquals("paused", state(id).requireString("status"));
        // The kernel's word for it: v1's freezer.state, or cgroup2's cgroup.freeze.
        assertTrue(List.of("FROZEN", "1").contains(cgroupValue(pid, "freezer", "freezer.state", "cgroup.freeze")),
                "a paused container's cgroup is frozen");
        caixa("pause", id).assertError(1, "caixa: container " + id + " is paused: cannot pause it");
        caixa("start", id).assertError(1, "caixa: container " + id + " is paused, not created: cannot start it");

        caixa("resume", id).assertQuiet();
        assertEquals("running", state(id).requireString("status"));
        assertTrue(List.of("THAWED", "0").contains(cgroupValue(pid, "freezer", "freezer.state", "cgroup.freeze")));
        caixa("resume", id).assertError(1, "caixa: container " + id + " is running: cannot resume it");

        caixa("kill", id, "KILL").assertSuccess();
        awaitStatus(id, "stopped");
        JsonObjectNode stopped = state(id);
        assertEquals(0, stopped.requireInt("pid", 0, Integer.MAX_VALUE), "a stopped container has no pid");
        assertEquals(bundle.toString(), stopped.requireString("bundle"));
        caixa("pause", id).assertError(1, "caixa: container " + id + " is stopped: cannot pause it");
        caixa("delete", id).assertSuccess();
    }

    @Test
    void aContainerWhoseInitExitsOnItsOwnIsStopped() {
        String id = newId("exits");
        caixa("create", "--bundle", bundle("exit 0").toString(), id).assertSuccess();
        caixa("start", id).assertSuccess();
        // Nobody told caixa: state finds out from the init's pid and start time.
        awaitStatus(id, "stopped");
        caixa("delete", id).assertQuiet();
    }

    @Test
    void startOfAMissingCommandSaysWhichPathFailed() {
        String id = newId("missing");
        caixa("create", "--bundle", bundle(List.of("/no/such/command")).toString(), id).assertSuccess();
        caixa("start", id).assertError(1, "caixa: exec /no/such/command: No such file or directory");
        awaitStatus(id, "stopped");
        caixa("delete", id).assertSuccess();
    }

    // ---------------------------------------------------------------- kill

    @Test
    void killSendsSigtermByDefault() {
        String id = newId("term");
        OciTesting.Result create = caixa("create", "--bundle",
                bundle("trap 'echo got TERM; exit 3' TERM; echo started; while :; do sleep 0.1; done").toString(), id)
                .assertSuccess();
        caixa("start", id).assertSuccess();
        await("the trap to be set", Duration.ofSeconds(20), () -> create.stdoutNow().equals("started\n"));

        caixa("kill", id).assertQuiet();
        await("the trap to run", Duration.ofSeconds(20), () -> create.stdoutNow().equals("started\ngot TERM\n"));
        awaitStatus(id, "stopped");

        caixa("kill", id, "KILL").assertError(1, "caixa: container " + id + " is stopped: nothing to signal");
        caixa("delete", id).assertSuccess();
    }

    @Test
    void killTakesSignalNamesAndNumbersAndRefusesOthers() {
        String id = newId("signals");
        OciTesting.Result create = caixa("create", "--bundle",
                bundle("trap 'echo got USR1' USR1; echo started; while :; do sleep 0.1; done").toString(), id)
                .assertSuccess();
        caixa("start", id).assertSuccess();
        await("the trap to be set", Duration.ofSeconds(20), () -> create.stdoutNow().equals("started\n"));

        caixa("kill", id, "SIGUSR1").assertSuccess();
        await("the USR1 trap", Duration.ofSeconds(20), () -> create.stdoutNow().equals("started\ngot USR1\n"));
        caixa("kill", id, "FOO").assertError(1, "caixa: signal 'FOO': unknown (a name like TERM or SIGKILL, or a number)");
        caixa("kill", id, "99").assertError(1, "caixa: signal '99': unknown (a name like TERM or SIGKILL, or a number)");
        assertEquals("running", state(id).requireString("status"));

        caixa("kill", id, "9").assertSuccess();
        awaitStatus(id, "stopped");
        caixa("delete", id).assertSuccess();
    }

    @Test
    void killAllSignalsEveryProcessOfTheContainer() {
        String id = newId("all");
        OciTesting.Result create = caixa("create", "--bundle",
                bundle("sleep 1000 & sleep 1000 & echo started; wait").toString(), id).assertSuccess();
        caixa("start", id).assertSuccess();
        await("the children", Duration.ofSeconds(20), () -> create.stdoutNow().equals("started\n"));
        List<Integer> pids = ps(id);
        assertEquals(3, pids.size(), "sh and its two sleeps: " + pids);

        caixa("kill", "--all", id, "KILL").assertQuiet();
        awaitStatus(id, "stopped");
        for (int pid : pids) {
            await("process " + pid + " to die", Duration.ofSeconds(10), () -> !alive(pid));
        }
        caixa("delete", id).assertSuccess();
    }

    @Test
    void aCreatedContainerCanBeKilled() {
        String id = newId("kill-created");
        caixa("create", "--bundle", bundle("echo never").toString(), id).assertSuccess();
        caixa("kill", id, "KILL").assertSuccess();
        awaitStatus(id, "stopped");
        caixa("delete", id).assertSuccess();
    }

    // ---------------------------------------------------------------- delete

    @Test
    void deleteRefusesARunningContainerUnlessForced() {
        String id = newId("delete");
        OciTesting.Result create = caixa("create", "--bundle", bundle("echo started; exec sleep 1000").toString(), id)
                .assertSuccess();
        caixa("start", id).assertSuccess();
        await("the command", Duration.ofSeconds(20), () -> create.stdoutNow().equals("started\n"));
        int pid = state(id).requireInt("pid", 1, Integer.MAX_VALUE);
        List<Path> cgroups = OciTesting.cgroupsNamed(Set.of(id));
        assertFalse(cgroups.isEmpty(), "the container has cgroups");
        assertTrue(Files.isDirectory(state.resolve(id)), "the container has a state directory");

        caixa("delete", id).assertError(1, "caixa: container " + id + " is running: stop it first, or use delete --force");
        assertEquals("running", state(id).requireString("status"));

        caixa("delete", "--force", id).assertQuiet();
        assertFalse(alive(pid), "delete --force returns once the init is dead");
        assertEquals(List.of(), OciTesting.cgroupsNamed(Set.of(id)), "cgroups after delete");
        assertFalse(Files.exists(state.resolve(id)), "the state directory after delete");
        caixa("delete", id).assertError(1, "caixa: container " + id + " does not exist");
        caixa("delete", "--force", id).assertQuiet(); // runc: nothing to delete is not an error with --force
    }

    @Test
    void deleteForceCleansUpAfterACreateThatDiedBeforeWritingItsState() throws IOException {
        String id = newId("crashed");
        Files.createDirectories(state.resolve(id)); // what a create killed at its first step leaves
        caixa("state", id).assertError(1, "caixa: container " + id + " does not exist");
        caixa("delete", "--force", id).assertQuiet();
        assertFalse(Files.exists(state.resolve(id)));
    }

    // ---------------------------------------------------------------- run

    @Test
    void runWaitsForTheContainerAndExitsWithItsStatus() {
        String id = newId("run");
        OciTesting.Result run = caixa("run", "--bundle", bundle("echo hello; exit 9").toString(), id).assertStatus(9);
        assertEquals("hello\n", run.stdout());
        assertEquals("", run.stderr());
        caixa("state", id).assertError(1, "caixa: container " + id + " does not exist"); // run deletes it
    }

    /**
     * The device cgroup's rules as runc makes them: the config's linux.resources.devices decide what
     * the container may open (here the host's /dev/fuse, c 10:229, bound in by a mount), the allowed
     * list (/dev/null) stays open after the config's deny-all, and a node linux.devices creates is
     * allowed with it (podman's --device /dev/fuse).
     */
    @Test
    void deviceRulesOfTheConfigDecideWhatOpens() throws IOException {
        String script = "for node in /dev/fuse /dev/created-fuse /dev/null; do "
                + "if [ -e $node ]; then (exec 3<>$node) 2>/dev/null && echo $node opened || echo $node refused; fi; done";
        JsonValue boundFuse = parse("{\"destination\": \"/dev/fuse\", \"type\": \"bind\", \"source\": \"/dev/fuse\","
                + " \"options\": [\"bind\"]}").value();
        JsonValue createdFuse = parse("[{\"path\": \"/dev/created-fuse\", \"type\": \"c\", \"major\": 10,"
                + " \"minor\": 229}]").value();
        JsonValue denyAll = parse("[{\"allow\": false, \"access\": \"rwm\"}]").value();
        JsonValue allowFuse = parse("[{\"allow\": false, \"access\": \"rwm\"},"
                + " {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 229, \"access\": \"rw\"}]").value();
        Map<JsonValue, String> expected = new LinkedHashMap<>();
        expected.put(denyAll, "/dev/fuse refused\n/dev/null opened\n");
        expected.put(allowFuse, "/dev/fuse opened\n/dev/null opened\n");
        for (Map.Entry<JsonValue, String> rules : expected.entrySet()) {
            Path bundle = bundle(script);
            JsonObject config = (JsonObject) Json.parse(Files.readAllBytes(bundle.resolve("config.json")));
            List<JsonValue> mounts = new ArrayList<>(((JsonArray) config.members().get("mounts")).elements());
            mounts.add(boundFuse);
            config = with(with(config, "mounts", new JsonArray(mounts)), "linux.resources.devices", rules.getKey());
            Files.writeString(bundle.resolve("config.json"), Json.writePretty(config, "\t"));
            assertEquals(rules.getValue(), caixa("run", "--bundle", bundle.toString(), newId("devices")).assertSuccess().stdout());
        }
        Path bundle = bundle(script);
        JsonObject config = (JsonObject) Json.parse(Files.readAllBytes(bundle.resolve("config.json")));
        config = with(with(config, "linux.devices", createdFuse), "linux.resources.devices", denyAll);
        Files.writeString(bundle.resolve("config.json"), Json.writePretty(config, "\t"));
        assertEquals("/dev/created-fuse opened\n/dev/null opened\n",
                caixa("run", "--bundle", bundle.toString(), newId("devices")).assertSuccess().stdout());
    }

    @Test
    void runDetachedReturnsOnceTheContainerRuns() {
        String id = newId("run-d");
        OciTesting.Result run = caixa("run", "-d", "--bundle", bundle("echo started; exec sleep 1000").toString(), id)
                .assertQuiet();
        assertEquals("running", state(id).requireString("status"));
        await("the command", Duration.ofSeconds(20), () -> run.stdoutNow().equals("started\n"));
        caixa("delete", "--force", id).assertSuccess();
    }

    // ---------------------------------------------------------------- exec

    @Test
    void execRunsACommandInTheRunningContainer() throws IOException {
        String id = newId("exec");
        startSleeping(id);

        OciTesting.Result exec = caixa("exec", id, "sh", "-c", "hostname; echo $PATH; pwd; exit 7").assertStatus(7);
        assertEquals("caixa\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n/\n", exec.stdout(),
                "the container's hostname and configured environment");

        OciTesting.Result withOptions = caixa("exec", "--env", "GREETING=ola", "--cwd", "/tmp", id,
                "sh", "-c", "echo $GREETING; pwd").assertSuccess();
        assertEquals("ola\n/tmp\n", withOptions.stdout());

        // What engines send: the process as JSON (podman: exec --process FILE --detach --pid-file F).
        Path process = work.resolve(id + "-process.json");
        Files.writeString(process, """
                {"args": ["sh", "-c", "echo from $WHO as $(id -u); exit 4"], "env": ["PATH=/bin", "WHO=process.json"],
                 "cwd": "/", "user": {"uid": 65534, "gid": 65534}}
                """);
        OciTesting.Result fromFile = caixa("exec", "--process", process.toString(), id).assertStatus(4);
        assertEquals("from process.json as 65534\n", fromFile.stdout());

        caixa("exec", id).assertError(125, "caixa: exec: no command (exec ID COMMAND [ARG...], or --process FILE)");
        caixa("exec", "--process", process.toString(), id, "true")
                .assertError(125, "caixa: exec: give the command in --process or on the command line, not both");

        caixa("kill", id, "KILL").assertSuccess();
        awaitStatus(id, "stopped");
        caixa("exec", id, "true").assertError(1, "caixa: container " + id + " is stopped: cannot exec in it");
        caixa("delete", id).assertSuccess();
    }

    /**
     * An exec'd process is confined as the container's init is, as with runc: the config's
     * capabilities, no_new_privs and seccomp filter (here one that refuses sethostname), not the
     * runtime's own privileges.
     */
    @Test
    void execGetsTheContainersCapabilitiesAndSeccompFilter() throws IOException {
        String id = newId("exec-confined");
        Path bundle = bundle(List.of("sleep", "1000"));
        JsonObject config = (JsonObject) Json.parse(Files.readAllBytes(bundle.resolve("config.json")));
        config = with(with(config, "linux.seccomp", parse("""
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "syscalls": [{"names": ["sethostname"], "action": "SCMP_ACT_ERRNO"}]}""").value()),
                "process.noNewPrivileges", JsonBoolean.TRUE);
        Files.writeString(bundle.resolve("config.json"), Json.writePretty(config, "\t"));
        caixa("create", "--bundle", bundle.toString(), id).assertSuccess();
        caixa("start", id).assertSuccess();
        int pid = state(id).requireInt("pid", 1, Integer.MAX_VALUE);
        String confinement = "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):'";
        String init = OciTesting.read(Path.of("/proc/" + pid + "/status")).lines()
                .filter(line -> line.matches("(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):.*"))
                .map(line -> line + "\n").reduce("", String::concat);
        assertTrue(init.contains("Seccomp:\t2"), init);
        assertEquals(init, caixa("exec", id, "sh", "-c", confinement + " /proc/self/status").assertSuccess().stdout());
        assertEquals("refused\n", caixa("exec", id, "sh", "-c", "hostname other 2>/dev/null || echo refused")
                .assertSuccess().stdout());
        caixa("delete", "--force", id).assertSuccess();
    }

    @Test
    void execDetachedWritesThePidFile() {
        String id = newId("exec-d");
        startSleeping(id);
        Path pidFile = work.resolve(id + "-exec.pid");
        caixa("exec", "--detach", "--pid-file", pidFile.toString(), id, "sleep", "1000").assertQuiet();
        int pid = Integer.parseInt(OciTesting.read(pidFile));
        assertTrue(ps(id).contains(pid), "the exec'd process is in the container's cgroup");
        caixa("delete", "--force", id).assertSuccess();
    }

    // ---------------------------------------------------------------- list, ps, events, update

    @Test
    void listShowsContainersAsATableAndAsJson() {
        String id = newId("list");
        int pid = startSleeping(id);

        List<String> table = caixa("list").assertSuccess().stdout().lines().toList();
        assertEquals(List.of("ID", "PID", "STATUS", "BUNDLE", "CREATED"), List.of(table.getFirst().split("\\s+")));
        assertEquals(2, table.size(), "the header and our one container: " + table);
        List<String> row = List.of(table.get(1).split("\\s+"));
        assertEquals(List.of(id, Integer.toString(pid), "running"), row.subList(0, 3));
        assertEquals(id + "\n", caixa("list", "-q").assertSuccess().stdout());

        List<JsonNode> json = parse(caixa("list", "--format", "json").assertSuccess().stdout()).asArray();
        assertEquals(1, json.size());
        JsonObjectNode entry = json.getFirst().asObject();
        assertEquals(id, entry.requireString("id"));
        assertEquals("running", entry.requireString("status"));
        assertEquals(pid, entry.requireInt("pid", 0, Integer.MAX_VALUE));

        caixa("list", "--format", "yaml").assertError(125, "caixa: list: --format yaml: expected table or json");
        caixa("delete", "--force", id).assertSuccess();
        assertEquals("[]\n", caixa("list", "--format", "json").assertSuccess().stdout());
    }

    @Test
    void psListsTheContainersProcesses() {
        String id = newId("ps");
        int pid = startSleeping(id);
        assertEquals(List.of(pid), ps(id));
        List<String> table = caixa("ps", id).assertSuccess().stdout().lines().toList();
        assertEquals(List.of("PID CMD", pid + " sleep 1000"), table);
        caixa("delete", "--force", id).assertSuccess();
    }

    @Test
    void eventsStatsPrintsOneStatsEvent() {
        String id = newId("events");
        startSleeping(id);
        String out = caixa("events", "--stats", id).assertSuccess().stdout();
        assertEquals(1, out.lines().count(), out);
        JsonObjectNode event = parse(out).asObject();
        assertEquals("stats", event.requireString("type"));
        assertEquals(id, event.requireString("id"));
        JsonObjectNode data = event.requireObject("data");
        assertEquals(1, data.requireObject("pids").requireLong("current", 0, Long.MAX_VALUE));
        assertTrue(data.requireObject("memory").requireObject("usage").requireLong("usage", 0, Long.MAX_VALUE) > 0);
        caixa("delete", "--force", id).assertSuccess();
    }

    @Test
    void updateAppliesNewResourcesToTheCgroup() throws IOException {
        String id = newId("update");
        int pid = startSleeping(id);
        Path resources = work.resolve(id + "-resources.json");
        Files.writeString(resources, "{\"memory\": {\"limit\": 50331648}, \"pids\": {\"limit\": 42},"
                + " \"cpu\": {\"shares\": 1000}}");

        caixa("update", "--resources", resources.toString(), id).assertQuiet();
        assertEquals("50331648", cgroupValue(pid, "memory", "memory.limit_in_bytes", "memory.max"));
        assertEquals("42", cgroupValue(pid, "pids", "pids.max", "pids.max"));
        assertEquals(cpuSharesInTheKernel(1000), cgroupValue(pid, "cpu", "cpu.shares", "cpu.weight"));

        caixa("update", "--memory", "1g", id).assertError(125, "caixa: update: --memory is not supported;"
                + " give the new limits as linux.resources JSON with --resources FILE");
        caixa("update", id).assertError(125, "caixa: update: --resources FILE is required");
        caixa("delete", "--force", id).assertSuccess();
    }

    /** containerd and Kubernetes send linux.resources.cpu.shares with every container. */
    @Test
    void createAppliesCpuShares() {
        String id = newId("shares");
        Path bundle = bundle(List.of("sleep", "1000"), "linux.resources.cpu",
                JsonObject.builder().put("shares", 512).build());
        caixa("create", "--bundle", bundle.toString(), id).assertSuccess();
        int pid = state(id).requireInt("pid", 1, Integer.MAX_VALUE);

        assertEquals(cpuSharesInTheKernel(512), cgroupValue(pid, "cpu", "cpu.shares", "cpu.weight"));
        caixa("delete", "--force", id).assertSuccess();
    }

    /** What the kernel's file holds for these shares: v1's cpu.shares as given, or runc's cpu.weight for them. */
    private static String cpuSharesInTheKernel(long shares) {
        return CgroupLayout.host().v1().containsKey("cpu") ? Long.toString(shares)
                : Long.toString(1 + ((shares - 2) * 9999) / 262142);
    }

    // ---------------------------------------------------------------- features and spec

    @Test
    void featuresIsTheRuntimeSpecDocument() {
        JsonObjectNode features = parse(caixa("features").assertSuccess().stdout()).asObject();
        assertEquals("1.2.0", features.requireString("ociVersionMax"));
        assertEquals("1.0.0", features.requireString("ociVersionMin"));
        assertTrue(features.optionalStringList("hooks").contains("poststop"));
        assertTrue(features.optionalStringList("mountOptions").contains("tmpcopyup"));
    }

    @Test
    void specWritesADefaultConfigAndWillNotOverwriteIt() throws IOException {
        Path bundle = Files.createDirectories(work.resolve("spec-" + randomHex()));
        caixa("spec", "--bundle", bundle.toString()).assertQuiet();
        JsonObjectNode config = parse(OciTesting.read(bundle.resolve("config.json"))).asObject();
        assertEquals("1.2.0", config.requireString("ociVersion"));
        assertEquals(List.of("sh"), config.requireObject("process").requireNonEmptyStringList("args"));
        assertEquals("rootfs", config.requireObject("root").requireString("path"));

        caixa("spec", "--bundle", bundle.toString())
                .assertError(125, "caixa: " + bundle.resolve("config.json") + ": already exists; remove it first");
    }

    // ---------------------------------------------------------------- errors

    @Test
    void commandsOnAnUnknownIdSayItDoesNotExist() {
        String id = newId("unknown");
        for (List<String> command : List.of(List.of("state"), List.of("start"), List.of("kill"), List.of("delete"),
                List.of("pause"), List.of("resume"), List.of("ps"), List.of("events", "--stats"), List.of("exec"))) {
            List<String> args = new ArrayList<>(command);
            args.add(id);
            if (command.getFirst().equals("exec")) {
                args.add("true");
            }
            caixa(args.toArray(String[]::new)).assertError(1, "caixa: container " + id + " does not exist");
        }
        caixa("state", "../etc").assertError(1,
                "caixa: container id '../etc': use letters, digits, and _ . + - after the first character");
    }

    @Test
    void createRefusesAnIdInUseAndLeavesTheFirstContainerAlone() {
        String id = newId("duplicate");
        Path bundle = bundle("echo started; exec sleep 1000");
        caixa("create", "--bundle", bundle.toString(), id).assertSuccess();
        int pid = state(id).requireInt("pid", 1, Integer.MAX_VALUE);

        caixa("create", "--bundle", bundle.toString(), id).assertError(1, "caixa: container " + id + " already exists");
        JsonObjectNode first = state(id);
        assertEquals("created", first.requireString("status"));
        assertEquals(pid, first.requireInt("pid", 1, Integer.MAX_VALUE));
        caixa("delete", "--force", id).assertSuccess();
    }

    @Test
    void createRefusesABadBundleAndLeavesNothing() throws IOException {
        String id = newId("bad-bundle");
        caixa("create", "--bundle", "/nonexistent", id).assertError(125, "caixa: bundle /nonexistent: no such directory");

        Path bundle = bundle("true");
        Path config = bundle.resolve("config.json");
        JsonObject good = (JsonObject) Json.parse(Files.readAllBytes(config));
        Files.writeString(config, Json.write(with(good, "process.args", JsonArray.EMPTY)));
        caixa("create", "--bundle", bundle.toString(), id)
                .assertError(125, "caixa: config.json: process.args: must be a non-empty array");
        Files.writeString(config, Json.write(with(good, "process.user.uid", new JsonString("root"))));
        OciTesting.Result badType = caixa("create", "--bundle", bundle.toString(), id).assertStatus(125);
        assertTrue(badType.stderr().startsWith("caixa: config.json: process.user.uid: "), badType.stderr());
        Files.writeString(config, "{\"ociVersion\": \"1.2.0\",");
        OciTesting.Result syntax = caixa("create", "--bundle", bundle.toString(), id).assertStatus(125);
        assertTrue(syntax.stderr().startsWith("caixa: config.json: line 1 column "), syntax.stderr());

        assertEquals(List.of(), OciTesting.entries(state), "a refused create leaves no state");
    }

    @Test
    void unsupportedFlagsAreRefusedNotIgnored() {
        String id = newId("flags");
        Path bundle = bundle("true");
        caixa("create", "--frobnicate", "--bundle", bundle.toString(), id).assertStatus(125);
        OciTesting.Result systemd = caixa("--systemd-cgroup", "create", "--bundle", bundle.toString(), id).assertStatus(125);
        assertEquals(Files.isDirectory(Path.of("/run/systemd/system"))
                        ? "caixa: --systemd-cgroup: caixa manages cgroups through cgroupfs only; leave the flag out\n"
                        : "caixa: --systemd-cgroup: this host does not run systemd (no /run/systemd/system)\n",
                systemd.stderr());
        caixa("--log-format", "xml", "state", id).assertError(125, "caixa: --log-format xml: expected text or json");
        assertEquals(List.of(), OciTesting.entries(state));
    }

    @Test
    void errorsAlsoGoToTheLogFileAsJsonLines() throws IOException {
        String id = newId("log");
        Path log = work.resolve(id + ".log");
        // containerd's shim passes --log FILE --log-format json and reads the error back from the file.
        caixa("--log", log.toString(), "--log-format", "json", "state", id)
                .assertError(1, "caixa: container " + id + " does not exist");
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertEquals(1, lines.size(), lines.toString());
        JsonObjectNode entry = parse(lines.getFirst()).asObject();
        assertEquals("error", entry.requireString("level"));
        assertEquals("container " + id + " does not exist", entry.requireString("msg"));
        assertFalse(entry.requireString("time").isEmpty());

        caixa("--log", log.toString(), "kill", id).assertStatus(1);
        List<String> more = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertEquals(2, more.size(), "the log is appended to: " + more);
        assertTrue(more.get(1).matches("time=\"[^\"]+\" level=error msg=\"container " + id + " does not exist\""),
                more.get(1));
    }

    // ---------------------------------------------------------------- hooks

    /**
     * Each hook records its phase, its mount namespace, whether it sees the host's tree or the
     * container's root, and the state it got on stdin. The spec's places: prestart and createRuntime in
     * the runtime's namespaces, createContainer in the container's before pivot_root, startContainer in
     * the container's root, poststart and poststop in the runtime's namespaces again.
     */
    @Test
    void hooksRunWhereAndWhenTheSpecSaysWithTheStateOnStdin() throws IOException {
        String id = newId("hooks");
        Path bundle = bundle("echo started; exec sleep 1000");
        Path rootfs = bundle.resolve("rootfs");
        Files.writeString(rootfs.resolve("in-the-container"), "");
        Path hostLog = bundle.resolve("hooks.log");
        String script = """
                #!/bin/sh
                state=$(tr -d ' \t\n')
                where=host; [ -e /in-the-container ] && where=container
                echo "$1 $(readlink /proc/self/ns/mnt) $where $state" >> "$2"
                """;
        Path hostHook = bundle.resolve("hook");
        Files.writeString(hostHook, script);
        Files.writeString(rootfs.resolve("hook"), script);
        for (Path hook : List.of(hostHook, rootfs.resolve("hook"))) {
            hook.toFile().setExecutable(true);
        }
        JsonObject.Builder hooks = JsonObject.builder();
        for (String phase : List.of("prestart", "createRuntime", "createContainer", "poststart", "poststop")) {
            hooks.put(phase, hookList(hostHook.toString(), phase, hostLog.toString(), 0));
        }
        // The rootfs is read-only (caixa spec's default, as runc's): the container's log goes to its /dev/shm.
        hooks.put("startContainer", hookList("/hook", "startContainer", "/dev/shm/hooks.log", 0));
        writeHooks(bundle, hooks.build());

        OciTesting.Result create = caixa("create", "--bundle", bundle.toString(), id).assertQuiet();
        int pid = state(id).requireInt("pid", 1, Integer.MAX_VALUE);
        Path containerLog = Path.of("/proc/" + pid + "/root/dev/shm/hooks.log");
        String hostMnt = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
        String containerMnt = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt")).toString();
        assertEquals(List.of(
                "prestart " + hostMnt + " host creating " + pid,
                "createRuntime " + hostMnt + " host creating " + pid,
                "createContainer " + containerMnt + " host creating " + pid), hookLines(hostLog));
        assertFalse(Files.exists(containerLog), "startContainer runs at start");

        caixa("start", id).assertQuiet();
        await("the command's output", Duration.ofSeconds(20), () -> create.stdoutNow().equals("started\n"));
        assertEquals(List.of("startContainer " + containerMnt + " container created " + pid), hookLines(containerLog));
        assertEquals("poststart " + hostMnt + " host running " + pid, hookLines(hostLog).getLast());

        caixa("kill", id, "KILL").assertSuccess();
        awaitStatus(id, "stopped");
        caixa("delete", id).assertQuiet();
        assertEquals("poststop " + hostMnt + " host stopped 0", hookLines(hostLog).getLast());
    }

    @Test
    void aFailingOrSlowCreateHookFailsCreateAndLeavesNothing() throws IOException {
        String failing = newId("hook-fails");
        Path bundle = bundle("exec sleep 1000");
        writeHooks(bundle, JsonObject.builder().put("createContainer", new JsonArray(List.of(JsonObject.builder()
                .put("path", "/bin/sh").put("args", JsonArray.ofStrings(List.of("sh", "-c", "exit 3"))).build()))).build());
        caixa("create", "--bundle", bundle.toString(), failing)
                .assertError(1, "caixa: createContainer hook /bin/sh: exited with 3");
        caixa("state", failing).assertError(1, "caixa: container " + failing + " does not exist");

        String slow = newId("hook-slow");
        writeHooks(bundle, JsonObject.builder().put("createRuntime", new JsonArray(List.of(JsonObject.builder()
                .put("path", "/bin/sh").put("args", JsonArray.ofStrings(List.of("sh", "-c", "sleep 30")))
                .put("timeout", 1).build()))).build());
        caixa("create", "--bundle", bundle.toString(), slow)
                .assertError(1, "caixa: createRuntime hook /bin/sh: timed out after 1 s");
        caixa("state", slow).assertError(1, "caixa: container " + slow + " does not exist");
    }

    /** A hook list of one: {@code path PHASE LOG}, with a timeout unless 0. */
    private static JsonArray hookList(String path, String phase, String log, int timeout) {
        JsonObject.Builder hook = JsonObject.builder().put("path", path)
                .put("args", JsonArray.ofStrings(List.of("hook", phase, log)));
        if (timeout > 0) {
            hook.put("timeout", timeout);
        }
        return new JsonArray(List.of(hook.build()));
    }

    private static void writeHooks(Path bundle, JsonObject hooks) throws IOException {
        JsonObject config = (JsonObject) Json.parse(Files.readAllBytes(bundle.resolve("config.json")));
        Files.writeString(bundle.resolve("config.json"), Json.writePretty(with(config, "hooks", hooks), "\t"));
    }

    /** Each line as {@code PHASE MNT WHERE STATUS PID}: the state reduced to what the test checks. */
    private static List<String> hookLines(Path log) {
        return OciTesting.read(log).lines().map(line -> {
            String[] fields = line.split(" ", 4);
            JsonObjectNode state = parse(fields[3]).asObject();
            return fields[0] + " " + fields[1] + " " + fields[2] + " " + state.requireString("status") + " "
                    + state.requireInt("pid", 0, Integer.MAX_VALUE);
        }).toList();
    }

    // ---------------------------------------------------------------- helpers

    /** Runs caixa with this class's state directory, as an engine runs runc. */
    private static OciTesting.Result caixa(String... args) {
        List<String> command = new ArrayList<>(OciTesting.caixaCommand());
        command.addAll(List.of("--root", state.toString()));
        command.addAll(List.of(args));
        return OciTesting.run(command, work.resolve("output"), null, Duration.ofSeconds(90));
    }

    /** A random id (cgroups are shared by everyone on the machine), remembered for the leftover check. */
    private String newId(String what) {
        String id = "oci-" + what + "-" + randomHex();
        ids.add(id);
        return id;
    }

    private static String randomHex() {
        byte[] bytes = new byte[4];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A bundle whose process is {@code sh -c script}. */
    private static Path bundle(String script) {
        return bundle(List.of("sh", "-c", script));
    }

    /**
     * A bundle as engines make one: {@code caixa spec}'s config.json with a process that has no
     * terminal (the tests read its output from a file) and {@code args}; a copy of the busybox rootfs.
     */
    private static Path bundle(List<String> args) {
        return bundle(args, "process.terminal", JsonBoolean.FALSE);
    }

    /** {@link #bundle(List)} with one more member of config.json set, at a dotted path. */
    private static Path bundle(List<String> args, String path, JsonValue value) {
        try {
            Path bundle = Files.createDirectories(work.resolve("bundle-" + randomHex()));
            JsonObject config = with(defaultConfig, "process.terminal", JsonBoolean.FALSE);
            config = with(config, "process.args", JsonArray.ofStrings(args));
            config = with(config, path, value);
            Files.writeString(bundle.resolve("config.json"), Json.writePretty(config, "\t"));
            OciTesting.copyOfRootfs(bundle.resolve("rootfs"));
            return bundle.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code object} with the member at a dotted path set to {@code value}. */
    private static JsonObject with(JsonObject object, String path, JsonValue value) {
        int dot = path.indexOf('.');
        String key = dot < 0 ? path : path.substring(0, dot);
        Map<String, JsonValue> members = new LinkedHashMap<>(object.members());
        members.put(key, dot < 0 ? value
                : with((JsonObject) members.getOrDefault(key, JsonObject.EMPTY), path.substring(dot + 1), value));
        return new JsonObject(members);
    }

    private static JsonNode parse(String json) {
        return JsonNode.parse("output", json.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonObjectNode state(String id) {
        return parse(caixa("state", id).assertSuccess().stdout()).asObject();
    }

    private static void awaitStatus(String id, String status) {
        await(id + " to be " + status, Duration.ofSeconds(30), () -> state(id).requireString("status").equals(status));
    }

    /** Creates and starts a container whose init is {@code sleep 1000}; returns its pid. */
    private static int startSleeping(String id) {
        caixa("create", "--bundle", bundle(List.of("sleep", "1000")).toString(), id).assertSuccess();
        caixa("start", id).assertSuccess();
        // start returns once the command's execve succeeded: the init is sleep already.
        int pid = state(id).requireInt("pid", 1, Integer.MAX_VALUE);
        assertEquals("sleep", OciTesting.read(Path.of("/proc/" + pid + "/comm")).strip());
        return pid;
    }

    private static List<Integer> ps(String id) {
        return parse(caixa("ps", "--format", "json", id).assertSuccess().stdout()).asArray().stream()
                .map(JsonNode::asInt).toList();
    }

    private static long vmRssKb(int pid) {
        for (String line : OciTesting.read(Path.of("/proc/" + pid + "/status")).split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no VmRSS in /proc/" + pid + "/status");
    }

    /**
     * Whether the process exists and has not exited: a killed init stays a zombie until whoever
     * inherited it (the machine's init, once caixa create has exited) reaps it.
     */
    private static boolean alive(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A cgroup file of the process, as the kernel places it (/proc/PID/cgroup): in the controller's
     * v1 hierarchy where this host has one (the hybrid machines here), else in cgroup2.
     */
    private static String cgroupValue(int pid, String controller, String v1File, String v2File) {
        CgroupLayout layout = CgroupLayout.host();
        for (String line : OciTesting.read(Path.of("/proc/" + pid + "/cgroup")).split("\n")) {
            String[] fields = line.split(":", 3);
            boolean v1 = List.of(fields[1].split(",")).contains(controller) && layout.v1().containsKey(controller);
            boolean v2 = fields[0].equals("0") && !layout.v1().containsKey(controller) && layout.unified() != null;
            if (v1 || v2) {
                Path hierarchy = v1 ? layout.v1().get(controller) : layout.unified();
                Path file = hierarchy.resolve(fields[2].substring(1)).resolve(v1 ? v1File : v2File);
                return OciTesting.read(file).strip();
            }
        }
        throw new AssertionError("process " + pid + " has no " + controller + " cgroup");
    }
}
