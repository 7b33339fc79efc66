package caixa.seccomp;

import caixa.bindings.linux_h;
import caixa.bindings.seccomp_data;

import java.lang.foreign.MemoryLayout.PathElement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a profile into BPF for one architecture. The program, in order:
 * <ol>
 * <li>{@code seccomp_data.arch} is the architecture's AUDIT_ARCH value, else {@link SeccompFilter#FOREIGN_ARCH};
 *     on x86_64, a number with the x32 bit set gets the same answer;</li>
 * <li>a number above every one the profile names fails with ENOSYS (see {@link SeccompFilter});</li>
 * <li>a binary search on the number, over the calls that have rules, ending in leaves of a few
 *     {@code jeq} each: a call with a plain rule jumps straight to its action's {@code ret}; one with
 *     conditional rules to its argument tests; the rest fall through to the default action.</li>
 * </ol>
 * Each leaf carries the {@code ret}s it uses, so most jumps stay short; {@link BpfAssembler} turns
 * the rest into long jumps.
 */
final class FilterCompiler {
    /** How many calls one leaf of the search tests one after the other. */
    private static final int LEAF_SIZE = 8;

    /** Both architectures are little-endian: an argument's low 32 bits come first. */
    private static final int LOW_WORD = 0;
    private static final int HIGH_WORD = 4;

    /** What one system call's rules come to, once runc's and libseccomp's reading is applied. */
    private record Syscall(int number, Optional<Action> unconditional, List<SyscallRule> conditional) {
    }

    private final BpfAssembler asm = new BpfAssembler();
    private final int defaultReturn;

    private FilterCompiler(Action defaultAction) {
        this.defaultReturn = defaultAction.seccompReturn();
    }

    static SeccompFilter compile(SeccompProfile profile, Arch arch) {
        Action defaultAction = profile.defaultAction();
        Map<Integer, List<SyscallRule>> rulesByNumber = new TreeMap<>();
        Set<String> unknown = new LinkedHashSet<>();
        int largest = -1;
        for (SyscallRule rule : profile.rules()) {
            for (String name : rule.names()) {
                OptionalInt number = arch.syscallNumber(name);
                if (number.isEmpty()) {
                    unknown.add(name);
                    continue;
                }
                largest = Math.max(largest, number.getAsInt());
                // runc leaves out a rule that says what the default says: libseccomp refuses it.
                if (!rule.action().equals(defaultAction)) {
                    rulesByNumber.computeIfAbsent(number.getAsInt(), n -> new ArrayList<>()).add(rule);
                }
            }
        }
        List<Syscall> syscalls = new ArrayList<>();
        rulesByNumber.forEach((number, rules) -> syscalls.add(syscall(number, rules)));

        FilterCompiler compiler = new FilterCompiler(defaultAction);
        compiler.checkArchitecture(arch);
        boolean enosysForNewer = largest >= 0 && !defaultAction.permits()
                && !defaultAction.equals(Action.errno(linux_h.ENOSYS()));
        if (enosysForNewer) {
            compiler.enosysAbove(largest);
        }
        compiler.search(syscalls, 0, syscalls.size());
        BpfProgram program;
        try {
            program = compiler.asm.assemble();
        } catch (IllegalArgumentException tooLong) {
            throw new IllegalArgumentException("the profile does not fit in one seccomp filter: " + tooLong.getMessage(), tooLong);
        }
        return new SeccompFilter(arch, program, profile.flags(), List.copyOf(unknown));
    }

    /**
     * libseccomp's reading: a rule without conditions decides for its call (the first such rule, as
     * libseccomp keeps the first and drops the conditional ones); otherwise the conditional rules are
     * tried in order.
     */
    private static Syscall syscall(int number, List<SyscallRule> rules) {
        Optional<Action> unconditional = rules.stream().filter(rule -> !rule.isConditional())
                .map(SyscallRule::action).findFirst();
        return new Syscall(number, unconditional, unconditional.isPresent() ? List.of() : rules);
    }

    /** Loads the architecture and then the number, sending a foreign ABI to {@link SeccompFilter#FOREIGN_ARCH}. */
    private void checkArchitecture(Arch arch) {
        int foreign = SeccompFilter.FOREIGN_ARCH.seccompReturn();
        BpfAssembler.Label nativeArch = asm.label();
        BpfAssembler.Label foreignArch = asm.label();
        asm.loadWord(seccomp_data.arch$offset());
        asm.jump(linux_h.BPF_JEQ(), arch.auditArch(), nativeArch, foreignArch);
        asm.bind(foreignArch);
        asm.ret(foreign);
        asm.bind(nativeArch);
        asm.loadWord(seccomp_data.nr$offset());
        if (arch.hasX32Abi()) {
            BpfAssembler.Label x32 = asm.label();
            BpfAssembler.Label x86_64 = asm.label();
            asm.jump(linux_h.BPF_JSET(), Uapi.X32_SYSCALL_BIT, x32, x86_64);
            asm.bind(x32);
            asm.ret(foreign);
            asm.bind(x86_64);
        }
    }

    private void enosysAbove(int largest) {
        BpfAssembler.Label newer = asm.label();
        BpfAssembler.Label known = asm.label();
        asm.jump(linux_h.BPF_JGT(), largest, newer, known);
        asm.bind(newer);
        asm.ret(Action.errno(linux_h.ENOSYS()).seccompReturn());
        asm.bind(known);
    }

    /** A = the number. Numbers below {@code syscalls[middle]} go left, the others right. */
    private void search(List<Syscall> syscalls, int from, int to) {
        if (to - from <= LEAF_SIZE) {
            leaf(syscalls.subList(from, to));
            return;
        }
        int middle = (from + to) >>> 1;
        BpfAssembler.Label lower = asm.label();
        BpfAssembler.Label upper = asm.label();
        asm.jump(linux_h.BPF_JGE(), syscalls.get(middle).number(), upper, lower);
        asm.bind(lower);
        search(syscalls, from, middle);
        asm.bind(upper);
        search(syscalls, middle, to);
    }

    private void leaf(List<Syscall> syscalls) {
        Returns returns = new Returns();
        Map<Syscall, BpfAssembler.Label> tests = new LinkedHashMap<>();
        for (Syscall syscall : syscalls) {
            BpfAssembler.Label target = syscall.unconditional().map(returns::of)
                    .orElseGet(() -> tests.computeIfAbsent(syscall, s -> asm.label()));
            BpfAssembler.Label next = asm.label();
            asm.jump(linux_h.BPF_JEQ(), syscall.number(), target, next);
            asm.bind(next);
        }
        asm.ret(defaultReturn);
        tests.forEach((syscall, label) -> {
            asm.bind(label);
            conditionalRules(syscall.conditional(), returns);
        });
        returns.emit();
    }

    /** The first rule whose conditions all pass decides; if none does, the default action. */
    private void conditionalRules(List<SyscallRule> rules, Returns returns) {
        for (SyscallRule rule : rules) {
            BpfAssembler.Label nextRule = asm.label();
            List<ArgCondition> conditions = rule.conditions();
            for (int i = 0; i < conditions.size(); i++) {
                boolean last = i == conditions.size() - 1;
                BpfAssembler.Label pass = last ? returns.of(rule.action()) : asm.label();
                condition(conditions.get(i), pass, nextRule);
                if (!last) {
                    asm.bind(pass);
                }
            }
            asm.bind(nextRule);
        }
        asm.ret(defaultReturn);
    }

    /**
     * Tests a 64-bit argument 32 bits at a time: the high words decide unless they are equal, then
     * the low words do. BPF's comparisons are unsigned, as the argument's are.
     */
    private void condition(ArgCondition condition, BpfAssembler.Label pass, BpfAssembler.Label fail) {
        long argument = seccomp_data.layout().byteOffset(
                PathElement.groupElement("args"), PathElement.sequenceElement(condition.index()));
        long low = argument + LOW_WORD;
        long high = argument + HIGH_WORD;
        int valueHigh = (int) (condition.value() >>> 32);
        int valueLow = (int) condition.value();
        switch (condition.op()) {
            case EQ -> {
                BpfAssembler.Label highEqual = asm.label();
                asm.loadWord(high);
                asm.jump(linux_h.BPF_JEQ(), valueHigh, highEqual, fail);
                asm.bind(highEqual);
                asm.loadWord(low);
                asm.jump(linux_h.BPF_JEQ(), valueLow, pass, fail);
            }
            case NE -> {
                BpfAssembler.Label highEqual = asm.label();
                asm.loadWord(high);
                asm.jump(linux_h.BPF_JEQ(), valueHigh, highEqual, pass);
                asm.bind(highEqual);
                asm.loadWord(low);
                asm.jump(linux_h.BPF_JEQ(), valueLow, fail, pass);
            }
            // argument > value, argument >= value
            case GT, GE -> compare(high, low, valueHigh, valueLow,
                    condition.op() == ArgCondition.Op.GT ? linux_h.BPF_JGT() : linux_h.BPF_JGE(), pass, fail);
            // argument < value is !(argument >= value); argument <= value is !(argument > value)
            case LT, LE -> compare(high, low, valueHigh, valueLow,
                    condition.op() == ArgCondition.Op.LT ? linux_h.BPF_JGE() : linux_h.BPF_JGT(), fail, pass);
            case MASKED_EQ -> {
                int maskHigh = (int) (condition.value() >>> 32);
                int maskLow = (int) condition.value();
                int datumHigh = (int) (condition.valueTwo() >>> 32);
                int datumLow = (int) condition.valueTwo();
                // A mask that clears the high word leaves nothing to compare there when the datum's is 0 too.
                if (maskHigh != 0 || datumHigh != 0) {
                    BpfAssembler.Label highEqual = asm.label();
                    asm.loadWord(high);
                    asm.and(maskHigh);
                    asm.jump(linux_h.BPF_JEQ(), datumHigh, highEqual, fail);
                    asm.bind(highEqual);
                }
                asm.loadWord(low);
                asm.and(maskLow);
                asm.jump(linux_h.BPF_JEQ(), datumLow, pass, fail);
            }
        }
    }

    /** To {@code above} if argument OP value (OP: BPF_JGT or BPF_JGE on the 64-bit numbers), else to {@code below}. */
    private void compare(long high, long low, int valueHigh, int valueLow, int operation,
                         BpfAssembler.Label above, BpfAssembler.Label below) {
        BpfAssembler.Label notHigher = asm.label();
        BpfAssembler.Label highEqual = asm.label();
        asm.loadWord(high);
        asm.jump(linux_h.BPF_JGT(), valueHigh, above, notHigher);
        asm.bind(notHigher);
        asm.jump(linux_h.BPF_JEQ(), valueHigh, highEqual, below);
        asm.bind(highEqual);
        asm.loadWord(low);
        asm.jump(operation, valueLow, above, below);
    }

    /** The {@code ret} instructions of one leaf, one per value, placed after its tests. */
    private final class Returns {
        private final Map<Integer, BpfAssembler.Label> labels = new LinkedHashMap<>();

        BpfAssembler.Label of(Action action) {
            return labels.computeIfAbsent(action.seccompReturn(), value -> asm.label());
        }

        void emit() {
            labels.forEach((value, label) -> {
                asm.bind(label);
                asm.ret(value);
            });
        }
    }
}
