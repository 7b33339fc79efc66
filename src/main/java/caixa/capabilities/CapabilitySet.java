package caixa.capabilities;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The five capability sets of a process, as OCI's process.capabilities lists them.
 *
 * <ul>
 * <li>{@code bounding}: the most the process and its descendants can ever gain (at execve, with capset);
 * <li>{@code effective}: what the kernel checks;
 * <li>{@code permitted}: what the process may make effective;
 * <li>{@code inheritable}: what an execve may keep, for a program with the same file capabilities;
 * <li>{@code ambient}: what an execve of an ordinary program keeps, for a process that is not root.
 * </ul>
 *
 * <p>What a process has after execve is the kernel's business: for root every bounding capability
 * becomes permitted and effective (and the ambient set is cleared); for any other user only the
 * ambient set survives, as permitted and effective. Each set is an unmodifiable copy.
 */
public record CapabilitySet(Set<Capability> bounding, Set<Capability> effective, Set<Capability> permitted,
                            Set<Capability> inheritable, Set<Capability> ambient) {

    /** No capability in any set. */
    public static final CapabilitySet NONE = of(Set.of());

    public CapabilitySet {
        bounding = copy(bounding);
        effective = copy(effective);
        permitted = copy(permitted);
        inheritable = copy(inheritable);
        ambient = copy(ambient);
    }

    /**
     * Docker's shape: {@code capabilities} bounding, effective and permitted; nothing inheritable or
     * ambient (so a non-root user has no capability after execve, as in docker).
     */
    public static CapabilitySet of(Collection<Capability> capabilities) {
        Set<Capability> granted = copy(capabilities);
        return new CapabilitySet(granted, granted, granted, Set.of(), Set.of());
    }

    /** The same sets without the capabilities {@code available} lacks (the host's bounding set, say). */
    public CapabilitySet retainAll(Set<Capability> available) {
        return new CapabilitySet(retain(bounding, available), retain(effective, available),
                retain(permitted, available), retain(inheritable, available), retain(ambient, available));
    }

    /** Every capability some set names. */
    public Set<Capability> named() {
        EnumSet<Capability> all = EnumSet.noneOf(Capability.class);
        for (Set<Capability> set : List.of(bounding, effective, permitted, inheritable, ambient)) {
            all.addAll(set);
        }
        return Collections.unmodifiableSet(all);
    }

    private static Set<Capability> retain(Set<Capability> set, Set<Capability> available) {
        EnumSet<Capability> kept = EnumSet.noneOf(Capability.class);
        kept.addAll(set);
        kept.retainAll(available);
        return kept;
    }

    private static Set<Capability> copy(Collection<Capability> capabilities) {
        EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
        set.addAll(capabilities);
        return Collections.unmodifiableSet(set);
    }
}
