package caixa.seccomp;

import caixa.bindings.linux_h;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compiled program's answers, computed by running it, against what the profile says. */
class FilterCompilerTest {
    private static final int EPERM = linux_h.EPERM();
    private static final int ENOSYS = linux_h.ENOSYS();
    /** <linux/audit.h>: EM_386 | __AUDIT_ARCH_LE, what a 32-bit x86 call reports. */
    private static final int AUDIT_ARCH_I386 = 0x4000_0003;

    private static int nr(Arch arch, String name) {
        return arch.syscallNumber(name).orElseThrow();
    }

    private static int run(SeccompFilter filter, int nr, long... args) {
        return BpfInterpreter.run(filter.program(), filter.arch().auditArch(), nr, args);
    }

    @Test
    void theArchitectureIsCheckedFirstAndAForeignOneKillsTheProcess() {
        SeccompFilter filter = SeccompFilter.compile(SeccompProfile.of(Action.ALLOW), Arch.X86_64);
        List<String> code = filter.program().disassemble().lines().toList();

        assertEquals("0000: ld [4]", code.get(0));
        assertEquals("0001: jeq #0xc000003e jt 3 jf 2", code.get(1));
        assertEquals("0002: ret #0x80000000", code.get(2));
        assertEquals("0003: ld [0]", code.get(3));
        int killProcess = Action.KILL_PROCESS.seccompReturn();
        int getpid = nr(Arch.X86_64, "getpid");
        assertEquals(killProcess, BpfInterpreter.run(filter.program(), AUDIT_ARCH_I386, 20));
        assertEquals(killProcess, BpfInterpreter.run(filter.program(), Arch.AARCH64.auditArch(), getpid));
        assertEquals(Action.ALLOW.seccompReturn(), run(filter, getpid));
    }

    @Test
    void x32CallsAreAForeignAbiOnX86_64() {
        SeccompFilter filter = SeccompFilter.compile(SeccompProfile.of(Action.ALLOW), Arch.X86_64);

        assertEquals(Action.KILL_PROCESS.seccompReturn(), run(filter, Uapi.X32_SYSCALL_BIT | 39));
        assertTrue(filter.program().disassemble().contains("jset #0x40000000"));
    }

    @Test
    void aarch64HasNoX32Check() {
        SeccompFilter filter = SeccompFilter.compile(SeccompProfile.of(Action.ALLOW), Arch.AARCH64);
        List<String> code = filter.program().disassemble().lines().toList();

        assertEquals("0001: jeq #0xc00000b7 jt 3 jf 2", code.get(1));
        assertFalse(filter.program().disassemble().contains("jset"));
        assertEquals(Action.KILL_PROCESS.seccompReturn(),
                BpfInterpreter.run(filter.program(), Arch.X86_64.auditArch(), 172));
    }

    /**
     * Every call of the architecture with an action of its own (an errno derived from its number):
     * a jump that lands one instruction off returns another call's errno. The program is far longer
     * than a conditional jump reaches.
     */
    @Test
    void aFullTableDispatchesEveryCallToItsOwnAction() {
        for (Arch arch : Arch.values()) {
            List<SyscallRule> rules = new ArrayList<>();
            arch.syscalls().forEach((name, number) -> rules.add(SyscallRule.of(Action.errno(errnoFor(number)), name)));
            SeccompFilter filter = SeccompFilter.compile(
                    new SeccompProfile(Action.KILL_PROCESS, Set.of(), rules), arch);

            BpfInterpreter.check(filter.program());
            assertTrue(filter.program().length() > 2 * BpfAssembler.MAX_SHORT_JUMP, arch + ": " + filter.program().length());
            int largest = arch.syscalls().values().stream().mapToInt(Integer::intValue).max().orElseThrow();
            for (int number = 0; number <= largest + 10; number++) {
                int expected = arch.syscalls().containsValue(number) ? Action.errno(errnoFor(number)).seccompReturn()
                        : number > largest ? Action.errno(ENOSYS).seccompReturn()
                        : Action.KILL_PROCESS.seccompReturn();
                assertEquals(expected, run(filter, number), arch + ": call " + number);
            }
        }
    }

    private static int errnoFor(int number) {
        return 1 + number % Action.MAX_ERRNO;
    }

    /** Nearly 400 calls allowed, as a real allowlist has them, each a jump to the leaf's own ret. */
    @Test
    void aLongAllowlist() {
        List<String> names = new ArrayList<>(Arch.X86_64.syscalls().keySet());
        names.remove("mount");
        names.remove("unshare");
        SeccompProfile profile = new SeccompProfile(Action.errno(EPERM), Set.of(),
                List.of(new SyscallRule(names, Action.ALLOW, List.of())));
        SeccompFilter filter = SeccompFilter.compile(profile, Arch.X86_64);

        BpfInterpreter.check(filter.program());
        for (Map.Entry<String, Integer> call : Arch.X86_64.syscalls().entrySet()) {
            int expected = names.contains(call.getKey()) ? Action.ALLOW.seccompReturn() : Action.errno(EPERM).seccompReturn();
            assertEquals(expected, run(filter, call.getValue()), call.getKey());
        }
    }

    @Test
    void everyOperatorComparesAll64Bits() {
        long[] interesting = {0, 1, 2, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 0x1_0000_0000L, 0x1_0000_0001L,
            0xFFFF_FFFF_0000_0000L, 0x8000_0000_0000_0000L, -2, -1, 0x1234_5678_9ABC_DEF0L};
        Random random = new Random(6);
        List<Long> values = new ArrayList<>();
        for (long value : interesting) {
            values.add(value);
        }
        for (int i = 0; i < 12; i++) {
            values.add(random.nextLong());
            values.add(random.nextLong() & 0xFFFF_FFFFL);
        }
        int personality = nr(Arch.X86_64, "personality");
        for (ArgCondition.Op op : ArgCondition.Op.values()) {
            for (long value : values) {
                long valueTwo = op == ArgCondition.Op.MASKED_EQ ? value & 0x0F0F_0F0F_0F0F_0F0FL : 0;
                ArgCondition condition = new ArgCondition(2, op, value, valueTwo);
                SeccompFilter filter = SeccompFilter.compile(SeccompProfile.of(Action.ALLOW,
                        SyscallRule.when(Action.errno(EPERM), List.of("personality"), condition)), Arch.X86_64);
                for (long argument : values) {
                    for (long probe : List.of(argument, argument + 1, argument - 1, valueTwo)) {
                        int expected = condition.test(probe) ? Action.errno(EPERM).seccompReturn() : Action.ALLOW.seccompReturn();
                        assertEquals(expected, run(filter, personality, 0, 0, probe),
                                condition + " with argument 0x" + Long.toHexString(probe));
                    }
                }
            }
        }
    }

    @Test
    void conditionsOfARuleMustAllHoldAndRulesAreTriedInOrder() {
        int socket = nr(Arch.X86_64, "socket");
        SeccompFilter filter = SeccompFilter.compile(SeccompProfile.of(Action.errno(EPERM),
                SyscallRule.when(Action.errno(13), List.of("socket"), ArgCondition.eq(0, 1), ArgCondition.eq(1, 2)),
                SyscallRule.when(Action.errno(22), List.of("socket"), ArgCondition.eq(0, 1)),
                SyscallRule.when(Action.ALLOW, List.of("socket"), ArgCondition.ne(0, 40))), Arch.X86_64);

        assertEquals(Action.errno(13).seccompReturn(), run(filter, socket, 1, 2));
        assertEquals(Action.errno(22).seccompReturn(), run(filter, socket, 1, 3));
        assertEquals(Action.ALLOW.seccompReturn(), run(filter, socket, 2, 3));
        assertEquals(Action.errno(EPERM).seccompReturn(), run(filter, socket, 40, 3));
    }

    /** libseccomp keeps the unconditional rule for a call and drops its conditional ones, whatever the order. */
    @Test
    void aRuleWithoutConditionsDecidesForItsCall() {
        int personality = nr(Arch.X86_64, "personality");
        for (boolean unconditionalFirst : List.of(true, false)) {
            SyscallRule conditional = SyscallRule.when(Action.ALLOW, List.of("personality"), ArgCondition.eq(0, 0));
            SyscallRule unconditional = SyscallRule.of(Action.errno(22), "personality");
            SeccompFilter filter = SeccompFilter.compile(SeccompProfile.of(Action.errno(EPERM),
                    unconditionalFirst ? unconditional : conditional, unconditionalFirst ? conditional : unconditional),
                    Arch.X86_64);

            assertEquals(Action.errno(22).seccompReturn(), run(filter, personality, 0));
        }
    }

    /** As runc: such a rule would change nothing in libseccomp, and must not hide a later one. */
    @Test
    void aRuleWithTheDefaultActionIsLeftOut() {
        int mkdir = nr(Arch.X86_64, "mkdir");
        SeccompFilter filter = SeccompFilter.compile(SeccompProfile.of(Action.errno(EPERM),
                SyscallRule.of(Action.errno(EPERM), "mkdir"), SyscallRule.of(Action.ALLOW, "mkdir")), Arch.X86_64);

        assertEquals(Action.ALLOW.seccompReturn(), run(filter, mkdir));
    }

    @Test
    void namesTheArchitectureLacksAreSkippedAndReported() {
        SeccompFilter filter = SeccompFilter.compile(SeccompProfile.of(Action.errno(EPERM),
                SyscallRule.of(Action.ALLOW, "read", "socketcall", "no_such_call", "open")), Arch.AARCH64);

        assertEquals(List.of("socketcall", "no_such_call", "open"), filter.unknownSyscalls());
        assertEquals(Action.ALLOW.seccompReturn(), run(filter, nr(Arch.AARCH64, "read")));
    }

    /** runc's stub: a call newer than every one the profile names is one this kernel "does not have". */
    @Test
    void callsNewerThanTheProfileFailWithEnosys() {
        SeccompProfile allowlist = SeccompProfile.of(Action.errno(EPERM), SyscallRule.of(Action.ALLOW, "read", "openat"));
        SeccompFilter filter = SeccompFilter.compile(allowlist, Arch.X86_64);

        assertEquals(Action.errno(EPERM).seccompReturn(), run(filter, nr(Arch.X86_64, "write")));
        assertEquals(Action.errno(ENOSYS).seccompReturn(), run(filter, nr(Arch.X86_64, "openat") + 1));
        assertEquals(Action.errno(ENOSYS).seccompReturn(), run(filter, 452));

        // Not when the default lets calls through, nor when it says ENOSYS already.
        SeccompFilter denylist = SeccompFilter.compile(SeccompProfile.of(Action.ALLOW,
                SyscallRule.of(Action.errno(EPERM), "read")), Arch.X86_64);
        assertEquals(Action.ALLOW.seccompReturn(), run(denylist, 452));
        SeccompFilter enosys = SeccompFilter.compile(SeccompProfile.of(Action.errno(ENOSYS),
                SyscallRule.of(Action.ALLOW, "read")), Arch.X86_64);
        assertFalse(enosys.program().disassemble().contains("jgt #0x0"));
    }

    @Test
    void actionsReturnTheKernelsValues() {
        assertEquals(0x8000_0000, Action.KILL_PROCESS.seccompReturn());
        assertEquals(0, Action.KILL_THREAD.seccompReturn());
        assertEquals(0x0003_0000, Action.TRAP.seccompReturn());
        assertEquals(0x0005_0000 | 38, Action.errno(38).seccompReturn());
        assertEquals(0x7FF0_0000 | 7, Action.trace(7).seccompReturn());
        assertEquals(0x7FFC_0000, Action.LOG.seccompReturn());
        assertEquals(0x7FFF_0000, Action.ALLOW.seccompReturn());
        assertThrows(IllegalArgumentException.class, () -> Action.errno(4096));
    }

    @Test
    void flagsArePassedAsTheirBits() {
        SeccompFilter filter = SeccompFilter.compile(SeccompProfile.of(Action.ALLOW)
                .withFlags(Set.of(FilterFlag.LOG, FilterFlag.SPEC_ALLOW)), Arch.X86_64);

        assertEquals(linux_h.SECCOMP_FILTER_FLAG_LOG() | linux_h.SECCOMP_FILTER_FLAG_SPEC_ALLOW(), filter.flagBits());
    }

    @Test
    void aProfileTooBigForTheKernelIsRefused() {
        List<SyscallRule> rules = new ArrayList<>();
        for (String name : Arch.X86_64.syscalls().keySet()) {
            rules.add(SyscallRule.when(Action.ALLOW, List.of(name), ArgCondition.eq(0, 1), ArgCondition.eq(1, 2),
                    ArgCondition.eq(2, 3)));
        }
        SeccompProfile profile = new SeccompProfile(Action.errno(EPERM), Set.of(), rules);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SeccompFilter.compile(profile, Arch.X86_64));
        assertTrue(e.getMessage().contains("4096"), e.getMessage());
    }
}
