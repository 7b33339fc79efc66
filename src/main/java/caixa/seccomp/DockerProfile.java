package caixa.seccomp;

import caixa.spec.json.JsonNode;
import caixa.spec.json.JsonObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A profile in docker's format: OCI's {@code linux.seccomp} plus what lets one file serve every
 * container, resolved per container as docker resolves it. Each {@code syscalls} entry may say when it
 * applies ({@code includes}) and when it does not ({@code excludes}), by the container's bounding
 * capabilities, the architecture and the kernel version; {@code archMap} names the architectures per
 * native one; an entry may name one call with {@code name} instead of {@code names}.
 *
 * @param defaultAction what happens to a system call no rule matches
 * @param flags         SECCOMP_FILTER_FLAG_*
 * @param entries       in order
 */
record DockerProfile(Action defaultAction, Set<FilterFlag> flags, List<Entry> entries) {
    DockerProfile {
        flags = Set.copyOf(flags);
        entries = List.copyOf(entries);
    }

    /**
     * When an entry applies. As an inclusion, every capability listed must be in the bounding set; as
     * an exclusion, any one of them excludes. An empty list or an absent version says nothing.
     *
     * @param capabilities capability names such as {@code CAP_SYS_ADMIN}
     * @param arches       docker's names for architectures ({@link Arch#dockerName()}): {@code amd64}, {@code arm64}
     * @param minKernel    the oldest kernel it applies to (includes) or the oldest it stops applying to (excludes)
     */
    record Selector(List<String> capabilities, List<String> arches, Optional<KernelVersion> minKernel) {
        static final Selector ANY = new Selector(List.of(), List.of(), Optional.empty());

        Selector {
            capabilities = List.copyOf(capabilities);
            arches = List.copyOf(arches);
        }
    }

    /** Rules that apply to a container when {@code includes} select it and {@code excludes} do not. */
    record Entry(List<SyscallRule> rules, Selector includes, Selector excludes) {
        Entry {
            rules = List.copyOf(rules);
        }

        boolean appliesTo(Set<String> capabilities, Arch arch, KernelVersion kernel) {
            if (excludes.arches().contains(arch.dockerName())
                    || excludes.capabilities().stream().anyMatch(capabilities::contains)
                    || excludes.minKernel().filter(min -> kernel.compareTo(min) >= 0).isPresent()) {
                return false;
            }
            return (includes.arches().isEmpty() || includes.arches().contains(arch.dockerName()))
                    && capabilities.containsAll(includes.capabilities())
                    && includes.minKernel().filter(min -> kernel.compareTo(min) < 0).isEmpty();
        }
    }

    /** The profile for one container: the rules of the entries that apply to it, in order. */
    SeccompProfile resolve(Set<String> capabilities, Arch arch, KernelVersion kernel) {
        List<SyscallRule> rules = new ArrayList<>();
        for (Entry entry : entries) {
            if (entry.appliesTo(capabilities, arch, kernel)) {
                rules.addAll(entry.rules());
            }
        }
        return new SeccompProfile(defaultAction, flags, rules);
    }

    /** Reads a profile file; empty when it names no default action and no system call (docker: no filter). */
    static Optional<DockerProfile> read(Path file) throws IOException {
        return parse(JsonNode.parse(file.toString(), Files.readAllBytes(file)).asObject());
    }

    static Optional<DockerProfile> parse(JsonObjectNode profile) {
        List<JsonObjectNode> syscalls = profile.optionalObjectList("syscalls");
        if (profile.optionalString("defaultAction").orElse("").isEmpty() && syscalls.isEmpty()) {
            return Optional.empty();
        }
        OciSeccomp.refuseAgent(profile);
        Action defaultAction = OciSeccomp.defaultAction(profile);
        if (profile.has("architectures") && profile.has("archMap")) {
            throw profile.path().key("archMap").error("a profile has either architectures or archMap, not both");
        }
        OciSeccomp.architectures(profile);
        for (JsonObjectNode map : profile.optionalObjectList("archMap")) {
            OciSeccomp.architecture(map.required("architecture"));
            map.optional("subArchitectures").ifPresent(list -> list.asArray().forEach(OciSeccomp::architecture));
        }
        Set<FilterFlag> flags = OciSeccomp.flags(profile);
        List<Entry> entries = new ArrayList<>();
        for (JsonObjectNode syscall : syscalls) {
            entries.add(new Entry(OciSeccomp.rules(syscall, names(syscall)),
                    selector(syscall, "includes"), selector(syscall, "excludes")));
        }
        return Optional.of(new DockerProfile(defaultAction, flags, entries));
    }

    private static List<String> names(JsonObjectNode syscall) {
        if (syscall.has("name") && syscall.has("names")) {
            throw syscall.path().key("name").error("an entry has either name or names, not both");
        }
        if (syscall.has("name")) {
            return List.of(syscall.requireString("name"));
        }
        return syscall.requireNonEmptyStringList("names");
    }

    private static Selector selector(JsonObjectNode syscall, String key) {
        return syscall.optionalObject(key).map(selector -> new Selector(
                selector.optionalStringList("caps"),
                selector.optionalStringList("arches"),
                selector.optional("minKernel").filter(node -> !node.asString().isEmpty())
                        .map(node -> node.path().checked(() -> KernelVersion.parse(node.asString())))))
                .orElse(Selector.ANY);
    }
}
