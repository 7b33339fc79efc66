package caixa.spec;

import caixa.capabilities.CapabilitySet;
import caixa.runtime.ContainerSpec;
import caixa.runtime.Rlimit;
import caixa.spec.json.JsonNode;
import caixa.spec.json.JsonObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * config.json's process: what runs, as whom, with which limits.
 *
 * @param args         argv, at least one entry, the first non-empty
 * @param env          the environment, {@code KEY=VALUE} entries
 * @param cwd          the working directory, absolute
 * @param uid          the user id inside the container
 * @param gid          the group id inside the container
 * @param oomScoreAdj  null to inherit the runtime's
 */
public record OciProcess(boolean terminal, Optional<ConsoleSize> consoleSize, List<String> args, List<String> env,
                  String cwd, int uid, int gid, List<Integer> additionalGids, OptionalInt umask,
                  List<Rlimit> rlimits, boolean noNewPrivileges, Integer oomScoreAdj, Capabilities capabilities) {

    public OciProcess {
        args = List.copyOf(args);
        env = List.copyOf(env);
        additionalGids = List.copyOf(additionalGids);
        rlimits = List.copyOf(rlimits);
    }

    public static OciProcess read(JsonObjectNode process) {
        refuseUnsupported(process);
        JsonObjectNode user = process.requireObject("user");
        return new OciProcess(
                process.optionalBoolean("terminal", false),
                process.optionalObject("consoleSize").map(ConsoleSize::read),
                args(process),
                process.optional("env").map(env -> env.asArray().stream().map(Values::envEntry).toList())
                        .orElse(List.of()),
                Values.absolutePath(process.required("cwd")),
                user.requireInt("uid", 0, Values.MAX_CONTAINER_ID),
                user.requireInt("gid", 0, Values.MAX_CONTAINER_ID),
                user.optional("additionalGids").map(JsonNode::asArray).orElse(List.of()).stream()
                        .map(gid -> gid.asInt(0, Values.MAX_CONTAINER_ID))
                        .toList(),
                // The permission bits are all a umask has.
                user.optionalInt("umask", 0, 0777),
                rlimits(process),
                process.optionalBoolean("noNewPrivileges", false),
                process.optional("oomScoreAdj").map(adj -> adj.asInt(-1000, 1000)).orElse(null),
                process.optionalObject("capabilities").map(Capabilities::read).orElse(Capabilities.NONE));
    }

    void applyTo(ContainerSpec.Builder builder) {
        env.forEach(builder::env);
        builder.workdir(cwd)
                .user(uid + ":" + gid)
                .additionalGids(additionalGids)
                .noNewPrivileges(noNewPrivileges)
                .oomScoreAdj(oomScoreAdj);
        umask.ifPresent(builder::umask);
        rlimits.forEach(builder::rlimit);
        builder.capabilities(capabilitySet().orElse(null));
    }

    /**
     * The capability sets, or empty without process.capabilities, which leaves the runtime's as runc
     * does (an empty object drops them all).
     */
    public Optional<CapabilitySet> capabilitySet() {
        return capabilities == Capabilities.NONE ? Optional.empty() : Optional.of(capabilities.toSet());
    }

    private static List<String> args(JsonObjectNode process) {
        List<JsonNode> args = process.requireNonEmptyArray("args");
        args.getFirst().asNonEmptyString();
        return args.stream().map(JsonNode::asString).toList();
    }

    /** One per type: setrlimit keeps only the last, so a repeated type is a mistake to show, not to resolve. */
    private static List<Rlimit> rlimits(JsonObjectNode process) {
        List<Rlimit> rlimits = new ArrayList<>();
        Map<String, String> listedAt = new HashMap<>();
        for (JsonObjectNode rlimit : process.optionalObjectList("rlimits")) {
            JsonNode typeNode = rlimit.required("type");
            String type = typeNode.asString();
            String first = listedAt.putIfAbsent(type, rlimit.path().path());
            if (first != null) {
                throw typeNode.error("duplicate rlimit \"" + type + "\" (also at " + first + ")");
            }
            long soft = rlimit.required("soft").asUint64();
            long hard = rlimit.required("hard").asUint64();
            rlimits.add(rlimit.path().checked(() -> new Rlimit(type, soft, hard)));
        }
        return rlimits;
    }

    /**
     * Process fields caixa cannot honour yet: see {@link Unsupported}. Capabilities, consoleSize and
     * terminal are read and handed on; the fields for other platforms (commandLine, user.username)
     * are ignored.
     */
    private static void refuseUnsupported(JsonObjectNode process) {
        Unsupported.refuse(process, "apparmorProfile", "not supported: caixa cannot apply AppArmor profiles");
        Unsupported.refuse(process, "selinuxLabel", "not supported: caixa cannot apply SELinux labels");
        Unsupported.refuse(process, "scheduler", "not supported yet");
        Unsupported.refuse(process, "ioPriority", "not supported yet");
        Unsupported.refuse(process, "execCPUAffinity", "not supported yet");
    }
}
