package caixa.spec;

import caixa.cgroups.DeviceRule;
import caixa.cgroups.Resources;
import caixa.cgroups.Sizes;
import caixa.spec.json.JsonException;
import caixa.spec.json.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** linux.resources as {@code caixa update --resources resources.json} reads it: a bare object. */
class LinuxResourcesTest {
    private static Resources read(String json) {
        return LinuxResources.read(JsonNode.parse("resources.json", json.getBytes(UTF_8)).asObject());
    }

    private static void assertRefused(String message, String json) {
        assertEquals(message, assertThrows(JsonException.class, () -> read(json)).getMessage());
    }

    @Test
    void nothingSetIsNoLimit() {
        assertEquals(Resources.NONE, read("{}"));
        assertEquals(Resources.NONE, read("""
                {"memory": {"limit": -1, "swap": 0}, "cpu": {"quota": -1, "cpus": ""}, "pids": {"limit": -1}}"""));
        assertEquals(Resources.NONE, read("""
                {"memory": {"limit": 0}, "cpu": {"quota": 0, "period": 0}, "pids": {"limit": 0}}"""));
    }

    @Test
    void memoryAndSwapCountedTogether() {
        assertEquals(Resources.NONE.withMemory(64 << 20), read("{\"memory\": {\"limit\": 67108864}}"));
        assertEquals(Resources.NONE.withMemory(64 << 20).withMemorySwap(64 << 20),
                read("{\"memory\": {\"limit\": 67108864, \"swap\": 67108864}}"));
        assertEquals(Resources.NONE.withMemory(64 << 20).withMemorySwap(Sizes.UNLIMITED),
                read("{\"memory\": {\"limit\": 67108864, \"swap\": -1}}"));
    }

    @ParameterizedTest(name = "quota {0} / period {1} = {2} CPUs")
    @CsvSource({"50000, 100000, 0.5", "150000, , 1.5", "25000, 50000, 0.5", "200000, 1000000, 0.2", "-1, 50000, 0"})
    void cpusAreQuotaOverPeriod(long quota, Long period, double cpus) {
        String periodField = period == null ? "" : ", \"period\": " + period;
        assertEquals(Resources.NONE.withCpus(cpus), read("{\"cpu\": {\"quota\": " + quota + periodField + "}}"));
    }

    @Test
    void cpusetAndPids() {
        assertEquals(Resources.NONE.withCpusetCpus("0-3,6").withPidsLimit(100),
                read("{\"cpu\": {\"cpus\": \"0-3,6\"}, \"pids\": {\"limit\": 100}}"));
    }

    /** containerd and Kubernetes send cpu.shares with every container: 2 (BestEffort) to 262144. */
    @ParameterizedTest(name = "cpu.shares {0}")
    @CsvSource({"2", "1024", "262144"})
    void cpuSharesAreKeptAsGiven(long shares) {
        assertEquals(Resources.NONE.withCpuShares(shares), read("{\"cpu\": {\"shares\": " + shares + "}}"));
    }

    @Test
    void deviceRulesAreReadInOrderAndLimitNothing() {
        String json = """
                {"devices": [{"allow": false, "access": "rwm"},
                             {"allow": true, "type": "c", "major": 136, "minor": -1, "access": "rw"},
                             {"allow": true, "type": "b", "major": 8, "minor": 0, "access": ""}]}""";
        assertEquals(Resources.NONE, read(json));
        assertEquals(List.of(DeviceRule.denyAll(), DeviceRule.allow(DeviceRule.Type.CHAR, 136, DeviceRule.ANY, "rw"),
                DeviceRule.allow(DeviceRule.Type.BLOCK, 8, 0, "rwm")),
                LinuxResources.deviceRules(JsonNode.parse("resources.json", json.getBytes(UTF_8)).asObject()));
        assertRefused("resources.json: devices[0].allow: is required", "{\"devices\": [{\"access\": \"rwm\"}]}");
        assertRefused("resources.json: devices[0].type: must be a, b or c, not \"u\"",
                "{\"devices\": [{\"allow\": true, \"type\": \"u\"}]}");
        assertRefused("resources.json: devices[0].access: must be letters of rwm, not \"rwx\"",
                "{\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}");
        assertRefused("resources.json: devices[0].access: must be letters of rwm, not \"rr\"",
                "{\"devices\": [{\"allow\": true, \"access\": \"rr\"}]}");
    }

    /** Go writers emit zero values for what they did not set; runc reads them as not set. */
    @Test
    void unsupportedFieldsAtTheirZeroValueAreAccepted() {
        assertEquals(Resources.NONE.withMemory(1 << 20), read("""
                {"memory": {"limit": 1048576, "reservation": 0, "kernel": 0, "disableOOMKiller": false},
                 "cpu": {"shares": 0, "mems": "", "realtimeRuntime": 0},
                 "blockIO": {"weight": 0, "throttleReadBpsDevice": []},
                 "hugepageLimits": [], "network": {}, "rdma": {}, "unified": {}}"""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            cpu.mems                 | {"cpu": {"mems": "0"}}
            memory.reservation       | {"memory": {"reservation": 1048576}}
            memory.swappiness        | {"memory": {"swappiness": 0}}
            memory.disableOOMKiller  | {"memory": {"disableOOMKiller": true}}
            blockIO.weight           | {"blockIO": {"weight": 500}}
            blockIO.throttleReadBpsDevice | {"blockIO": {"throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}]}}
            hugepageLimits           | {"hugepageLimits": [{"pageSize": "2MB", "limit": 0}]}
            network.classID          | {"network": {"classID": 1048577}}
            rdma                     | {"rdma": {"mlx5_1": {"hcaHandles": 3}}}
            unified                  | {"unified": {"io.max": "8:0 rbps=1048576"}}
            """)
    void unsupportedFieldsAreRefusedByPath(String path, String json) {
        assertRefused("resources.json: " + path + ": not supported (caixa applies memory.limit, memory.swap, "
                + "cpu.quota, cpu.period, cpu.shares, cpu.cpus and pids.limit)", json);
    }

    @Test
    void unknownFieldsAreIgnored() {
        assertEquals(Resources.NONE.withPidsLimit(5), read("{\"pids\": {\"limit\": 5, \"future\": 1}, \"gpu\": {}}"));
    }

    @Test
    void invalidValuesAreRefusedByPath() {
        assertRefused("resources.json: memory.swap: needs memory.limit (swap counts memory plus swap)",
                "{\"memory\": {\"swap\": 67108864}}");
        assertRefused("resources.json: memory.swap: must be at least memory.limit (67108864): "
                        + "it counts memory plus swap, as docker's --memory-swap",
                "{\"memory\": {\"limit\": 67108864, \"swap\": 33554432}}");
        assertRefused("resources.json: cpu.period: must be from 1000 to 1000000 microseconds, as the kernel allows, not 100",
                "{\"cpu\": {\"quota\": 50, \"period\": 100}}");
        assertRefused("resources.json: cpu.quota: must be an integer from -1 to 9223372036854775807, not -2",
                "{\"cpu\": {\"quota\": -2}}");
        assertRefused("resources.json: cpu.cpus: must be a list of CPUs such as 0-3,6, not \"0-\"",
                "{\"cpu\": {\"cpus\": \"0-\"}}");
        assertRefused("resources.json: cpu.shares: must be from 2 to 262144, the kernel's range, not 1",
                "{\"cpu\": {\"shares\": 1}}");
        assertRefused("resources.json: cpu.shares: must be from 2 to 262144, the kernel's range, not 262145",
                "{\"cpu\": {\"shares\": 262145}}");
        assertRefused("resources.json: cpu.shares: must be an integer from 0 to 9223372036854775807, not -1",
                "{\"cpu\": {\"shares\": -1}}");
        assertRefused("resources.json: pids.limit: is required", "{\"pids\": {}}");
        assertRefused("resources.json: memory: must be an object, not an array", "{\"memory\": []}");
    }
}
