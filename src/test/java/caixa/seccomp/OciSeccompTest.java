package caixa.seccomp;

import caixa.bindings.linux_h;
import caixa.spec.json.JsonException;
import caixa.spec.json.JsonNode;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** config.json's linux.seccomp, read as runc reads it; errors name the member. */
class OciSeccompTest {
    private static SeccompProfile read(String seccomp) {
        String config = "{\"linux\": {\"seccomp\": " + seccomp + "}}";
        return SeccompProfile.fromOci(JsonNode.parse("config.json", config.getBytes(StandardCharsets.UTF_8))
                .asObject().requireObject("linux").requireObject("seccomp"));
    }

    private static String error(String seccomp) {
        return assertThrows(JsonException.class, () -> read(seccomp)).getMessage();
    }

    @Test
    void readsEveryField() {
        SeccompProfile profile = read("""
                {
                  "defaultAction": "SCMP_ACT_ERRNO",
                  "defaultErrnoRet": 38,
                  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                  "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
                  "syscalls": [
                    {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                    {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                    {"names": ["ptrace"], "action": "SCMP_ACT_ERRNO"},
                    {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                     "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]},
                    {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                     "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"},
                              {"index": 1, "value": 18446744073709551615, "op": "SCMP_CMP_LE"}]},
                    {"names": ["kill"], "action": "SCMP_ACT_KILL"},
                    {"names": ["tkill"], "action": "SCMP_ACT_KILL_PROCESS"},
                    {"names": ["tgkill"], "action": "SCMP_ACT_TRAP"},
                    {"names": ["uname"], "action": "SCMP_ACT_LOG"},
                    {"names": ["getpid"], "action": "SCMP_ACT_TRACE", "errnoRet": 7}
                  ]
                }""");

        assertEquals(new SeccompProfile(Action.errno(38), Set.of(FilterFlag.LOG, FilterFlag.SPEC_ALLOW), List.of(
                SyscallRule.of(Action.ALLOW, "read", "write"),
                SyscallRule.of(Action.errno(13), "mkdir"),
                SyscallRule.of(Action.errno(linux_h.EPERM()), "ptrace"),
                SyscallRule.when(Action.ALLOW, List.of("personality"), ArgCondition.eq(0, 0xFFFF_FFFFL)),
                SyscallRule.when(Action.ALLOW, List.of("clone"), ArgCondition.maskedEq(0, 2114060288, 0),
                        new ArgCondition(1, ArgCondition.Op.LE, -1L, 0)),
                SyscallRule.of(Action.KILL_THREAD, "kill"),
                SyscallRule.of(Action.KILL_PROCESS, "tkill"),
                SyscallRule.of(Action.TRAP, "tgkill"),
                SyscallRule.of(Action.LOG, "uname"),
                SyscallRule.of(Action.trace(7), "getpid"))), profile);
    }

    @Test
    void errnoDefaultsToEperm() {
        assertEquals(Action.errno(linux_h.EPERM()), read("{\"defaultAction\": \"SCMP_ACT_ERRNO\"}").defaultAction());
        assertEquals(Action.ALLOW, read("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 5}").defaultAction());
    }

    /** runc's reading: two tests of one argument cannot both hold as equalities, so each is a rule of its own. */
    @Test
    void conditionsOnTheSameArgumentAreAlternatives() {
        SeccompProfile profile = read("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO",
                  "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 40, "op": "SCMP_CMP_EQ"}]}]}""");

        assertEquals(List.of(
                SyscallRule.when(Action.errno(linux_h.EPERM()), List.of("socket"), ArgCondition.eq(0, 16)),
                SyscallRule.when(Action.errno(linux_h.EPERM()), List.of("socket"), ArgCondition.eq(0, 40))),
                profile.rules());
    }

    @Test
    void errorsNameTheMember() {
        assertEquals("config.json: linux.seccomp.defaultAction: is required", error("{}"));
        assertEquals("config.json: linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_NOPE\"; expected one of "
                        + "SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, "
                        + "SCMP_ACT_TRAP, SCMP_ACT_TRACE, SCMP_ACT_LOG",
                error("""
                        {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                          {"names": ["read"], "action": "SCMP_ACT_ALLOW"}, {"names": ["read"], "action": "SCMP_ACT_NOPE"}]}"""));
        assertEquals("config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_NOPE\"; expected one of "
                        + "SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ",
                error("""
                        {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO",
                          "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_NOPE"}]}]}"""));
        assertEquals("config.json: linux.seccomp.syscalls[0].args[0].index: must be an integer from 0 to 5, not 6",
                error("""
                        {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO",
                          "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}"""));
        assertEquals("config.json: linux.seccomp.syscalls[0].args[0].value: must be an integer from 0 to 18446744073709551615, "
                        + "not 18446744073709551616",
                error("""
                        {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO",
                          "args": [{"index": 0, "value": 18446744073709551616, "op": "SCMP_CMP_EQ"}]}]}"""));
        assertEquals("config.json: linux.seccomp.syscalls[0].action: SCMP_ACT_ERRNO takes a value from 0 to 4095, not 5000",
                error("""
                        {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5000}]}"""));
        assertEquals("config.json: linux.seccomp.syscalls[0].names[1]: must be a system call name, not \"\"",
                error("""
                        {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read", ""], "action": "SCMP_ACT_ERRNO"}]}"""));
        assertEquals("config.json: linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_Z80\"",
                error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_Z80\"]}"));
        assertEquals("config.json: linux.seccomp.flags[0]: unsupported flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\"; caixa knows "
                        + "SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG and SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]}"));
    }

    @Test
    void aSeccompAgentIsRefusedClearly() {
        assertEquals("config.json: linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY needs a seccomp agent (listenerPath), "
                        + "which caixa does not support",
                error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"));
        assertEquals("config.json: linux.seccomp.listenerPath: seccomp agents (SCMP_ACT_NOTIFY) are not supported",
                error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/agent.sock\"}"));
    }

    /** What the features document will list is what the reader accepts. */
    @Test
    void theListedNamesAreAccepted() {
        for (String action : Seccomp.actions()) {
            read("{\"defaultAction\": \"" + action + "\"}");
        }
        for (String op : Seccomp.operators()) {
            read("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\","
                    + " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"" + op + "\"}]}]}");
        }
        read("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"" + String.join("\", \"", Seccomp.architectures())
                + "\"], \"flags\": [\"" + String.join("\", \"", Seccomp.flags()) + "\"]}");
        assertEquals(List.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
                "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"), Seccomp.actions());
    }
}
