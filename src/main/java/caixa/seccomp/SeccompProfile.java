package caixa.seccomp;

import caixa.capabilities.Capability;
import caixa.capabilities.DockerDefaults;
import caixa.spec.json.JsonObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A seccomp profile: what to do with each system call, by name, for any architecture. It becomes a
 * filter for one architecture with {@link SeccompFilter#compile}, and is installed in a child with
 * {@link Seccomp#install}.
 *
 * <p>Rules are read as runc and libseccomp read them (see {@link SeccompFilter} for the details):
 * a rule whose action is the default action changes nothing; for one system call, a rule without
 * conditions wins over those with conditions, and conditional rules are tried in order.
 *
 * @param defaultAction what happens to a system call no rule matches
 * @param flags         SECCOMP_FILTER_FLAG_* for seccomp(2)
 * @param rules         in order
 */
public record SeccompProfile(Action defaultAction, Set<FilterFlag> flags, List<SyscallRule> rules) {
    /**
     * The capabilities docker gives a container, which decide the parts of its default profile that
     * depend on capabilities: with these, {@code chroot} is allowed, {@code mount} and the like are not.
     */
    static final Set<String> DOCKER_DEFAULT_CAPABILITIES = DockerDefaults.CAPABILITIES.stream()
            .map(Capability::toString).collect(java.util.stream.Collectors.toUnmodifiableSet());

    public SeccompProfile {
        if (defaultAction == null) {
            throw new IllegalArgumentException("a profile needs a default action");
        }
        flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
        rules = List.copyOf(rules);
    }

    public static SeccompProfile of(Action defaultAction, SyscallRule... rules) {
        return new SeccompProfile(defaultAction, Set.of(), List.of(rules));
    }

    /** The same rules installed with these flags. */
    public SeccompProfile withFlags(Set<FilterFlag> flags) {
        return new SeccompProfile(defaultAction, flags, rules);
    }

    /**
     * Docker's default profile for a container with docker's default capabilities, on this host's
     * architecture and kernel. See {@link #defaultProfile(Set)}.
     */
    public static SeccompProfile defaultProfile() {
        return defaultProfile(DOCKER_DEFAULT_CAPABILITIES);
    }

    /**
     * Docker's default profile as docker resolves it for a container whose bounding set is
     * {@code capabilities} (names such as {@code CAP_SYS_ADMIN}), on this host's architecture and
     * kernel: an allowlist, anything else failing with EPERM. The package documentation lists what it
     * keeps out and where it departs from docker's.
     */
    public static SeccompProfile defaultProfile(Set<String> capabilities) {
        return DefaultProfile.DOCKER.resolve(capabilities, Arch.host(), KernelVersion.host());
    }

    /**
     * An OCI {@code linux.seccomp} object, as runc reads it; errors name the member
     * ({@code config.json: linux.seccomp.syscalls[3].action: ...}).
     *
     * @throws caixa.spec.json.JsonException when the object is malformed or asks for what caixa cannot do
     */
    public static SeccompProfile fromOci(JsonObjectNode seccomp) {
        return OciSeccomp.read(seccomp);
    }

    /**
     * A docker profile file ({@code --security-opt seccomp=FILE.json}), resolved as docker resolves
     * it for a container whose bounding set is {@code capabilities}, on this host's architecture and
     * kernel: its {@code includes} and {@code excludes} pick the entries that apply, and
     * {@code archMap} is read like {@code architectures}. Empty when the file names neither a default
     * action nor any system call, which docker takes to mean no filter.
     *
     * @throws IOException when the file cannot be read
     * @throws caixa.spec.json.JsonException when it is not a valid profile; the message names the file and member
     */
    public static Optional<SeccompProfile> readFile(Path file, Set<String> capabilities) throws IOException {
        return DockerProfile.read(file).map(profile -> profile.resolve(capabilities, Arch.host(), KernelVersion.host()));
    }
}
