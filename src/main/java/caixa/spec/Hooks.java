package caixa.spec;

import caixa.spec.json.JsonNode;
import caixa.spec.json.JsonObjectNode;

import java.util.List;

/**
 * config.json's hooks, by phase, each list in the order the hooks must run. Running them (with the
 * state on stdin, in the right namespace) is the lifecycle's work.
 *
 * @param prestart        deprecated by the spec in favour of the next three; run as runc does, just before createRuntime
 * @param createRuntime   after the container's namespaces exist, in the runtime's namespace
 * @param createContainer in the container's mount namespace, before pivot_root
 * @param startContainer  in the container, before the user's program is executed
 * @param poststart       after the user's program started
 * @param poststop        after the container is deleted
 */
public record Hooks(List<Hook> prestart, List<Hook> createRuntime, List<Hook> createContainer,
                    List<Hook> startContainer, List<Hook> poststart, List<Hook> poststop) {
    public static final Hooks NONE = new Hooks(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

    public Hooks {
        prestart = List.copyOf(prestart);
        createRuntime = List.copyOf(createRuntime);
        createContainer = List.copyOf(createContainer);
        startContainer = List.copyOf(startContainer);
        poststart = List.copyOf(poststart);
        poststop = List.copyOf(poststop);
    }

    static Hooks read(JsonObjectNode hooks) {
        return new Hooks(phase(hooks, "prestart"), phase(hooks, "createRuntime"), phase(hooks, "createContainer"),
                phase(hooks, "startContainer"), phase(hooks, "poststart"), phase(hooks, "poststop"));
    }

    private static List<Hook> phase(JsonObjectNode hooks, String name) {
        return hooks.optional(name).map(JsonNode::asArray).map(Hook::readAll).orElse(List.of());
    }
}
