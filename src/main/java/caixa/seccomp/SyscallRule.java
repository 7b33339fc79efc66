package caixa.seccomp;

import java.util.List;

/**
 * What happens to the named system calls when every condition holds (all of them: a rule is a
 * conjunction; several rules for one call are tried in order, see {@link SeccompFilter}).
 *
 * @param names      system call names, resolved to numbers for each architecture when the filter is
 *                   built; a name the architecture lacks is skipped
 * @param action     what the filter does when the rule matches
 * @param conditions argument tests, all of which must pass; none means every call matches
 */
public record SyscallRule(List<String> names, Action action, List<ArgCondition> conditions) {
    public SyscallRule {
        names = List.copyOf(names);
        conditions = List.copyOf(conditions);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a rule names at least one system call");
        }
        for (String name : names) {
            if (name.isEmpty()) {
                throw new IllegalArgumentException("a system call name cannot be empty");
            }
        }
        if (action == null) {
            throw new IllegalArgumentException("a rule needs an action");
        }
    }

    /** {@code action} for every call of these names. */
    public static SyscallRule of(Action action, String... names) {
        return new SyscallRule(List.of(names), action, List.of());
    }

    /** {@code action} for calls of these names whose arguments pass every condition. */
    public static SyscallRule when(Action action, List<String> names, ArgCondition... conditions) {
        return new SyscallRule(names, action, List.of(conditions));
    }

    public boolean isConditional() {
        return !conditions.isEmpty();
    }
}
