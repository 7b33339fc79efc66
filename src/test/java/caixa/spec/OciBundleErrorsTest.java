package caixa.spec;

import caixa.spec.json.JsonException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * One mistake at a time in an otherwise valid config.json, and the exact message the user gets:
 * each names the file and the JSON path, then what is wrong.
 */
class OciBundleErrorsTest {
    @TempDir
    Path dir;

    @Test
    void theMinimalConfigIsValid() {
        Bundles.load(dir, Configs.MINIMAL).toSpec("box").build();
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource
    void refused(String from, String to, String message) {
        String config = Configs.minimalWith(from, to);
        assertEquals(message, assertThrows(JsonException.class, () -> Bundles.load(dir, config)).getMessage());
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                // ociVersion
                arguments("\"1.2.0\"", "\"2.0.0\"",
                        "config.json: ociVersion: \"2.0.0\" is not supported (caixa reads 1.0.x to 1.2.x)"),
                arguments("\"1.2.0\"", "\"1.3.0\"",
                        "config.json: ociVersion: \"1.3.0\" is not supported (caixa reads 1.0.x to 1.2.x)"),
                arguments("\"ociVersion\": \"1.2.0\",", "",
                        "config.json: ociVersion: is required"),

                // process
                arguments("\"args\": [\"sh\"]", "\"args\": []",
                        "config.json: process.args: must be a non-empty array"),
                arguments("\"args\": [\"sh\"]", "\"args\": [\"\", \"x\"]",
                        "config.json: process.args[0]: must be a non-empty string"),
                arguments("\"args\": [\"sh\"]", "\"args\": \"sh -c true\"",
                        "config.json: process.args: must be an array, not a string"),
                arguments("\"cwd\": \"/\"", "\"cwd\": \"tmp\"",
                        "config.json: process.cwd: must be an absolute path, not \"tmp\""),
                arguments("\"env\": [\"PATH=/bin\"]", "\"env\": [\"PATH=/bin\", \"DEBUG\"]",
                        "config.json: process.env[1]: must be KEY=VALUE, not \"DEBUG\""),
                arguments("\"terminal\": false", "\"terminal\": \"yes\"",
                        "config.json: process.terminal: must be a boolean, not a string"),
                arguments("\"uid\": 0", "\"uid\": -1",
                        "config.json: process.user.uid: must be an integer from 0 to 2147483647, not -1"),
                arguments("\"user\": {\"uid\": 0, \"gid\": 0}", "\"user\": {\"uid\": 0}",
                        "config.json: process.user.gid: is required"),
                arguments("\"gid\": 0}", "\"gid\": 0, \"umask\": 1000}",
                        "config.json: process.user.umask: must be an integer from 0 to 511, not 1000"),
                arguments("\"hard\": 1024, \"soft\": 1024", "\"hard\": 1024, \"soft\": 4096",
                        "config.json: process.rlimits[0]: RLIMIT_NOFILE: soft limit 4096 above hard limit 1024"),
                arguments("\"hard\": 1024", "\"hard\": -1",
                        "config.json: process.rlimits[0].hard: must be an integer from 0 to 18446744073709551615, not -1"),
                arguments("\"soft\": 1024}]", "\"soft\": 1024}, {\"type\": \"RLIMIT_NOFILE\", \"hard\": 1, \"soft\": 1}]",
                        "config.json: process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\" (also at process.rlimits[0])"),
                arguments("\"RLIMIT_NOFILE\"", "\"RLIMIT_FILES\"",
                        "config.json: process.rlimits[0]: rlimit type 'RLIMIT_FILES': unknown (RLIMIT_NOFILE, RLIMIT_NPROC, ...)"),
                arguments("\"cwd\": \"/\"", "\"cwd\": \"/\", \"capabilities\": {\"bounding\": [\"CAP_KILL\", 7]}",
                        "config.json: process.capabilities.bounding[1]: must be a string, not 7"),
                arguments("\"cwd\": \"/\"", "\"cwd\": \"/\", \"capabilities\": {\"effective\": [\"net_admin\"]}",
                        "config.json: process.capabilities.effective[0]: must be a capability name such as CAP_KILL, not \"net_admin\""),
                arguments("\"cwd\": \"/\"", "\"cwd\": \"/\", \"apparmorProfile\": \"containers-default-0.57.4\"",
                        "config.json: process.apparmorProfile: not supported: caixa cannot apply AppArmor profiles"),
                arguments("\"cwd\": \"/\"", "\"cwd\": \"/\", \"oomScoreAdj\": 1001",
                        "config.json: process.oomScoreAdj: must be an integer from -1000 to 1000, not 1001"),

                // root, hostname, mounts
                arguments("\"root\": {\"path\": \"rootfs\"},", "",
                        "config.json: root: is required"),
                arguments("\"hostname\": \"box\"", "\"hostname\": 42",
                        "config.json: hostname: must be a string, not 42"),
                arguments("{\"type\": \"uts\"}", "{\"type\": \"ipc\"}",
                        "config.json: hostname: needs a uts namespace in linux.namespaces"),
                arguments("\"destination\": \"/proc\"", "\"destination\": [\"/proc\"]",
                        "config.json: mounts[0].destination: must be a string, not an array"),
                arguments("{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}",
                        "{\"destination\": \"/proc\", \"source\": \"proc\"}",
                        "config.json: mounts[0].type: is required unless the options contain bind or rbind"),
                arguments("\"type\": \"bind\", \"source\": \"/tmp\",", "\"type\": \"bind\",",
                        "config.json: mounts[1].source: is required for a bind mount"),
                arguments("[\"rbind\", \"ro\"]", "[\"rbind\", \"ro\", \"sync\", \"size=1m\"]",
                        "config.json: mounts[1].options: not supported for a bind mount: sync, size=1m"),
                arguments("\"options\": [\"rbind\", \"ro\"]", "\"options\": [\"rbind\", \"ro\"], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]",
                        "config.json: mounts[1].uidMappings: id-mapped mounts are not supported"),

                // hooks
                arguments("\"/bin/true\"", "\"true\"",
                        "config.json: hooks.poststop[0].path: must be an absolute path, not \"true\""),
                arguments("[{\"path\": \"/bin/true\", \"timeout\": 5}]", "{\"path\": \"/bin/true\"}",
                        "config.json: hooks.poststop: must be an array, not an object"),
                arguments("\"timeout\": 5", "\"timeout\": 0",
                        "config.json: hooks.poststop[0].timeout: must be an integer from 1 to 2147483647, not 0"),

                // linux.namespaces and id mappings
                arguments("{\"type\": \"pid\"}", "{\"type\": \"pid\"}, {\"type\": \"net\"}",
                        "config.json: linux.namespaces[1].type: unknown namespace \"net\" "
                                + "(pid, network, mount, ipc, uts, user, cgroup, time)"),
                arguments("{\"type\": \"uts\"}", "{\"type\": \"uts\"}, {\"type\": \"pid\", \"path\": \"/proc/1/ns/pid\"}",
                        "config.json: linux.namespaces[3].type: duplicate namespace \"pid\" (also at linux.namespaces[0])"),
                arguments("{\"type\": \"mount\"}, ", "",
                        "config.json: linux.namespaces: must include a mount namespace: caixa mounts the rootfs in one"),
                arguments("{\"type\": \"uts\"}", "{\"type\": \"uts\"}, {\"type\": \"network\", \"path\": \"run/netns/x\"}",
                        "config.json: linux.namespaces[3].path: must be an absolute path, not \"run/netns/x\""),
                arguments("{\"type\": \"pid\"}", "{\"type\": \"pid\", \"path\": \"/proc/1/ns/pid\"}",
                        "config.json: linux.namespaces[0].path: joining an existing pid namespace is not supported yet"),
                arguments("{\"type\": \"uts\"}", "{\"type\": \"uts\"}, {\"type\": \"user\"}],"
                                + " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 0}",
                        "config.json: linux.uidMappings[0].size: must be an integer from 1 to 4294967295, not 0"),
                arguments("{\"type\": \"uts\"}", "{\"type\": \"uts\"}, {\"type\": \"user\"}],"
                                + " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"
                                + " \"gidMappings\": [{\"containerID\": 0, \"size\": 1}",
                        "config.json: linux.gidMappings[0].hostID: is required"),
                arguments("{\"type\": \"uts\"}", "{\"type\": \"uts\"}, {\"type\": \"user\"}],"
                                + " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 4294967295, \"size\": 2}",
                        "config.json: linux.uidMappings[0]: maps ids beyond 4294967295"),
                arguments("{\"type\": \"uts\"}", "{\"type\": \"uts\"}, {\"type\": \"user\"}],"
                                + " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}",
                        "config.json: linux.gidMappings: a new user namespace needs uid and gid mappings"),
                arguments("{\"type\": \"uts\"}", "{\"type\": \"uts\"}],"
                                + " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}",
                        "config.json: linux.uidMappings: needs a new user namespace (a \"user\" entry without a path in linux.namespaces)"),

                // linux: cgroups, resources, devices, paths
                arguments("\"/caixa-test/box\"", "\"system.slice:caixa:box\"",
                        "config.json: linux.cgroupsPath: systemd cgroup paths need --systemd-cgroup, which this host cannot use"),
                arguments("\"/caixa-test/box\"", "\"/caixa-test/../../escape\"",
                        "config.json: linux.cgroupsPath: must not contain \"..\", not \"/caixa-test/../../escape\""),
                arguments("\"/caixa-test/box\"", "\"/\"",
                        "config.json: linux.cgroupsPath: must name a cgroup below the root, not \"/\""),
                arguments("{\"limit\": 1048576}", "{\"limit\": 1048576}, \"cpu\": {\"shares\": 1}",
                        "config.json: linux.resources.cpu.shares: must be from 2 to 262144, the kernel's range, not 1"),
                arguments("{\"limit\": 1048576}", "{\"limit\": 1048576}, \"cpu\": {\"mems\": \"0\"}",
                        "config.json: linux.resources.cpu.mems: not supported (caixa applies memory.limit, "
                                + "memory.swap, cpu.quota, cpu.period, cpu.shares, cpu.cpus and pids.limit)"),
                arguments("{\"limit\": 1048576}", "{\"limit\": \"1m\"}",
                        "config.json: linux.resources.memory.limit: must be an integer from -1 to 9223372036854775807, not a string"),
                arguments("\"cgroupsPath\"", "\"devices\": [{\"path\": \"/tmp/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229}], \"cgroupsPath\"",
                        "config.json: linux.devices[0].path: must be a path under /dev/, not \"/tmp/fuse\""),
                arguments("\"cgroupsPath\"", "\"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10}], \"cgroupsPath\"",
                        "config.json: linux.devices[0].minor: is required"),
                arguments("\"cgroupsPath\"", "\"maskedPaths\": [\"/proc/kcore\", \"proc/keys\"], \"cgroupsPath\"",
                        "config.json: linux.maskedPaths[1]: must be an absolute path, not \"proc/keys\""),
                arguments("\"cgroupsPath\"", "\"sysctl\": {\"net.ipv4.ip_forward\": 1}, \"cgroupsPath\"",
                        "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: must be a string, not 1"),
                arguments("\"cgroupsPath\"", "\"rootfsPropagation\": \"recursive\", \"cgroupsPath\"",
                        "config.json: linux.rootfsPropagation: must be one of private, rprivate, shared, rshared, "
                                + "slave, rslave, unbindable, runbindable, not \"recursive\""),
                arguments("\"cgroupsPath\"", "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [], \"action\": \"SCMP_ACT_ALLOW\"}]}, \"cgroupsPath\"",
                        "config.json: linux.seccomp.syscalls[0].names: must be a non-empty array"),
                arguments("\"cgroupsPath\"", "\"seccomp\": [\"SCMP_ACT_ERRNO\"], \"cgroupsPath\"",
                        "config.json: linux.seccomp: must be an object, not an array"),
                arguments("\"cgroupsPath\"", "\"intelRdt\": {\"closID\": \"guaranteed\"}, \"cgroupsPath\"",
                        "config.json: linux.intelRdt: not supported yet"));
    }
}
