package caixa.seccomp;

import caixa.spec.json.JsonNode;
import caixa.spec.json.JsonObjectNode;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads OCI's {@code linux.seccomp} as runc does. What runc refuses, this refuses, naming the member;
 * what caixa cannot do (a seccomp agent) is refused as clearly.
 * <ul>
 * <li>{@code architectures} must be SCMP_ARCH_* names libseccomp knows. The filter covers the host's
 *     native ABI only (see {@link Arch}); the names are checked, not otherwise used.</li>
 * <li>{@code flags}: SECCOMP_FILTER_FLAG_TSYNC, _LOG and _SPEC_ALLOW, as runc accepts them.</li>
 * <li>{@code syscalls[].names} that the architecture does not have are skipped when the filter is
 *     built (runc leaves out a name its libseccomp cannot resolve, so that one profile serves several
 *     kernels and architectures).</li>
 * <li>{@code args} are ANDed, except that when two of them test the same argument, runc adds each as
 *     a rule of its own (ORed): so does this.</li>
 * </ul>
 */
final class OciSeccomp {
    /** What libseccomp (and so runc) accepts in {@code architectures}. */
    static final Set<String> ARCHITECTURES = Set.of(
            "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
            "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
            "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
            "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC",
            "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
            "SCMP_ARCH_SH", "SCMP_ARCH_SHEB");

    private static final long UINT32_MAX = 0xFFFF_FFFFL;

    private OciSeccomp() {
    }

    static SeccompProfile read(JsonObjectNode seccomp) {
        refuseAgent(seccomp);
        Action defaultAction = defaultAction(seccomp);
        architectures(seccomp);
        Set<FilterFlag> flags = flags(seccomp);
        List<SyscallRule> rules = new ArrayList<>();
        for (JsonObjectNode syscall : seccomp.optionalObjectList("syscalls")) {
            rules.addAll(rules(syscall, syscall.requireNonEmptyStringList("names")));
        }
        return new SeccompProfile(defaultAction, flags, rules);
    }

    /** {@code listenerPath} hands a notification descriptor to an agent; caixa runs none. */
    static void refuseAgent(JsonObjectNode seccomp) {
        seccomp.optional("listenerPath").ifPresent(node -> {
            throw node.error("seccomp agents (SCMP_ACT_NOTIFY) are not supported");
        });
    }

    static Action defaultAction(JsonObjectNode seccomp) {
        JsonNode name = seccomp.required("defaultAction");
        OptionalLong errnoRet = seccomp.optionalLong("defaultErrnoRet", 0, UINT32_MAX);
        return name.path().checked(() -> Action.fromOci(name.asString(), errnoRet));
    }

    /** Checks the names; the filter covers the native architecture whatever they say, as libseccomp's does. */
    static void architectures(JsonObjectNode seccomp) {
        seccomp.optional("architectures").ifPresent(list -> list.asArray().forEach(OciSeccomp::architecture));
    }

    static String architecture(JsonNode node) {
        String name = node.asString();
        if (!ARCHITECTURES.contains(name)) {
            throw node.error("unknown architecture \"" + name + "\"");
        }
        return name;
    }

    static Set<FilterFlag> flags(JsonObjectNode seccomp) {
        Set<FilterFlag> flags = EnumSet.noneOf(FilterFlag.class);
        for (JsonNode node : seccomp.optional("flags").map(JsonNode::asArray).orElse(List.of())) {
            String name = node.asString();
            flags.add(FilterFlag.fromOciName(name).orElseThrow(() -> node.error(
                    "unsupported flag \"" + name + "\"; caixa knows SECCOMP_FILTER_FLAG_TSYNC, "
                            + "SECCOMP_FILTER_FLAG_LOG and SECCOMP_FILTER_FLAG_SPEC_ALLOW")));
        }
        return flags;
    }

    /** One {@code syscalls} entry as rules: one, or one per condition when conditions share an argument. */
    static List<SyscallRule> rules(JsonObjectNode syscall, List<String> names) {
        JsonNode actionNode = syscall.required("action");
        OptionalLong errnoRet = syscall.optionalLong("errnoRet", 0, UINT32_MAX);
        Action action = actionNode.path().checked(() -> Action.fromOci(actionNode.asString(), errnoRet));
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).isEmpty()) {
                throw syscall.path().key("names").index(i).error("must be a system call name, not \"\"");
            }
        }
        List<ArgCondition> conditions = syscall.optionalObjectList("args").stream().map(OciSeccomp::condition).toList();
        Set<Integer> indexes = new HashSet<>();
        boolean sharedArgument = !conditions.stream().allMatch(condition -> indexes.add(condition.index()));
        if (sharedArgument) {
            return conditions.stream().map(condition -> SyscallRule.when(action, names, condition)).toList();
        }
        return List.of(new SyscallRule(names, action, conditions));
    }

    private static ArgCondition condition(JsonObjectNode arg) {
        int index = arg.requireInt("index", 0, ArgCondition.MAX_INDEX);
        long value = arg.required("value").asUint64();
        long valueTwo = arg.optional("valueTwo").map(JsonNode::asUint64).orElse(0L);
        JsonNode opNode = arg.required("op");
        String opName = opNode.asString();
        ArgCondition.Op op = ArgCondition.Op.fromOciName(opName).orElseThrow(() -> opNode.error(
                "unknown operator \"" + opName + "\"; expected one of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, "
                        + "SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ"));
        return new ArgCondition(index, op, value, valueTwo);
    }
}
