package caixa.spec.json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reader layer as a config.json reader uses it, and the errors a user sees. */
class JsonNodeTest {
    private static final String CONFIG = """
            {
              "ociVersion": "1.2.0",
              "process": {
                "terminal": false,
                "user": {"uid": 0, "gid": 1e3, "additionalGids": [5, 6]},
                "args": ["sh", "-c", "echo hi"],
                "env": ["PATH=/bin"],
                "oomScoreAdj": null,
                "somethingNew": {"ignored": true}
              },
              "hostname": "box",
              "mounts": [
                {"destination": "/proc", "type": "proc"},
                {"destination": "/dev", "type": "tmpfs", "options": ["nosuid", "mode=755"]},
                {"type": "sysfs"}
              ],
              "annotations": {"io.kubernetes.cri.sandbox-id": "abc", "plain": "x"},
              "linux": {"sysctl": {"net.ipv4.ip_forward": "1"}}
            }
            """;

    private static JsonObjectNode config(String text) {
        return JsonNode.parse("config.json", text.getBytes(UTF_8)).asObject();
    }

    private static void assertError(String message, Executable read) {
        assertEquals(message, assertThrows(JsonException.class, read).getMessage());
    }

    @Test
    void readsWhatItAsksForAndIgnoresTheRest() {
        JsonObjectNode config = config(CONFIG);
        JsonObjectNode process = config.requireObject("process");
        assertEquals("1.2.0", config.requireString("ociVersion"));
        assertEquals(List.of("sh", "-c", "echo hi"), process.requireNonEmptyStringList("args"));
        assertEquals(List.of("PATH=/bin"), process.optionalStringList("env"));
        assertEquals(List.of(), process.optionalStringList("noSuchField"));
        assertFalse(process.optionalBoolean("terminal", true));
        assertEquals(1000, process.requireObject("user").requireLong("gid", 0, 4294967295L));
        assertEquals(List.of(5, 6), process.requireObject("user").required("additionalGids").asArray().stream()
                .map(gid -> gid.asInt(0, Integer.MAX_VALUE)).toList());
        assertEquals(Optional.of("box"), config.optionalString("hostname"));
        assertEquals(List.of("/proc", "/dev"), config.optionalObjectList("mounts").stream().limit(2)
                .map(mount -> mount.requireString("destination")).toList());
        assertEquals(List.of("nosuid", "mode=755"), config.optionalObjectList("mounts").get(1).optionalStringList("options"));
        assertEquals(List.of("io.kubernetes.cri.sandbox-id", "plain"),
                List.copyOf(config.optionalStringMap("annotations").keySet()));
        assertEquals(Map.of("net.ipv4.ip_forward", "1"), config.requireObject("linux").optionalStringMap("sysctl"));
    }

    @Test
    void nullCountsAsAbsentForOptionalMembers() {
        JsonObjectNode process = config(CONFIG).requireObject("process");
        assertFalse(process.has("oomScoreAdj"));
        assertEquals(OptionalInt.empty(), process.optionalInt("oomScoreAdj", -1000, 1000));
        assertEquals(OptionalLong.empty(), process.optionalLong("noSuchField", 0, 1));
        assertError("config.json: process.oomScoreAdj: must be an integer from -1000 to 1000, not null",
                () -> process.requireInt("oomScoreAdj", -1000, 1000));
    }

    @Test
    void errorsNameThePath() {
        assertError("config.json: process.args: must be a non-empty array",
                () -> config("{\"process\": {\"args\": []}}").requireObject("process").requireNonEmptyStringList("args"));
        assertError("config.json: process.args: is required",
                () -> config("{\"process\": {}}").requireObject("process").requireNonEmptyArray("args"));
        assertError("config.json: process.args: must be an array, not a string",
                () -> config("{\"process\": {\"args\": \"sh\"}}").requireObject("process").requireNonEmptyStringList("args"));
        assertError("config.json: process.args[1]: must be a string, not 7",
                () -> config("{\"process\": {\"args\": [\"sh\", 7]}}").requireObject("process").requireNonEmptyStringList("args"));
        assertError("config.json: process: must be an object, not true",
                () -> config("{\"process\": true}").requireObject("process"));
        assertError("config.json: hostname: must be a string, not an object",
                () -> config("{\"hostname\": {}}").optionalString("hostname"));
    }

    @Test
    void uint64sKeepTheirBitsInALongAsGoDoes() {
        JsonObjectNode limits = config("{\"max\": 18446744073709551615, \"one\": 1e0, \"over\": 18446744073709551616, "
                + "\"negative\": -1, \"fraction\": 0.5}");
        assertEquals(-1L, limits.required("max").asUint64());
        assertEquals(1L, limits.required("one").asUint64());
        assertError("config.json: over: must be an integer from 0 to 18446744073709551615, not 18446744073709551616",
                () -> limits.required("over").asUint64());
        assertError("config.json: negative: must be an integer from 0 to 18446744073709551615, not -1",
                () -> limits.required("negative").asUint64());
        assertError("config.json: fraction: must be an integer from 0 to 18446744073709551615, not 0.5",
                () -> limits.required("fraction").asUint64());
    }

    @Test
    void errorsInArraysOfObjectsNameTheIndex() {
        List<JsonObjectNode> mounts = config(CONFIG).optionalObjectList("mounts");
        assertError("config.json: mounts[2].destination: is required", () -> mounts.get(2).requireString("destination"));
        assertError("config.json: mounts[1]: must be an object, not an array",
                () -> config("{\"mounts\": [{}, []]}").optionalObjectList("mounts"));
    }

    @Test
    void keysThatAreNotIdentifiersAreQuoted() {
        assertError("config.json: annotations[\"io.kubernetes.cri.sandbox-id\"]: must be a string, not 1",
                () -> config("{\"annotations\": {\"io.kubernetes.cri.sandbox-id\": 1}}").optionalStringMap("annotations"));
        assertError("config.json: linux.sysctl[\"net.core.somaxconn\"]: must be a string, not 1024",
                () -> config("{\"linux\": {\"sysctl\": {\"net.core.somaxconn\": 1024}}}").requireObject("linux")
                        .optionalStringMap("sysctl"));
    }

    @Test
    void integersAreRangeChecked() {
        JsonObjectNode user = config("{\"user\": {\"uid\": -1, \"gid\": 1.5, \"umask\": 1e30, \"big\": \"7\"}}")
                .requireObject("user");
        assertError("config.json: user.uid: must be an integer from 0 to 4294967295, not -1",
                () -> user.requireLong("uid", 0, 4294967295L));
        assertError("config.json: user.gid: must be an integer from 0 to 4294967295, not 1.5",
                () -> user.requireLong("gid", 0, 4294967295L));
        assertError("config.json: user.umask: must be an integer from 0 to 511, not 1e30",
                () -> user.optionalInt("umask", 0, 511));
        assertError("config.json: user.big: must be an integer from -2147483648 to 2147483647, not a string",
                () -> user.required("big").asInt());
    }

    @Test
    void rootMustBeWhatTheReaderAsks() {
        assertError("config.json: must be an object, not an array",
                () -> JsonNode.parse("config.json", "[]".getBytes(UTF_8)).asObject());
    }

    @Test
    void syntaxErrorsNameTheDocument() {
        assertError("config.json: line 2 column 9: expected ':' but found '='",
                () -> JsonNode.parse("config.json", "{\n  \"root\"= {}}".getBytes(UTF_8)));
        assertError("config.json: line 1 column 22: duplicate key \"root\"",
                () -> JsonNode.parse("config.json", "{\"root\": {}, \"x\": 1, \"root\": {}}".getBytes(UTF_8)));
    }

    @Test
    void readersReportTheirOwnChecksAtThePath() {
        JsonObjectNode mount = config(CONFIG).optionalObjectList("mounts").get(0);
        assertEquals("config.json: mounts[0].destination: must be an absolute path",
                mount.required("destination").error("must be an absolute path").getMessage());
        assertTrue(mount.has("type"));
    }
}
