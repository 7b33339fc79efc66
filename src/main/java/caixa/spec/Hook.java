package caixa.spec;

import caixa.spec.json.JsonNode;
import caixa.spec.json.JsonObjectNode;

import java.util.List;
import java.util.OptionalInt;

/**
 * A program config.json asks the runtime to run at a point of the container's lifecycle, given the
 * container's state on its standard input.
 *
 * @param path    the program, an absolute path in the runtime's namespace
 * @param args    its argv, argv[0] included (execv's semantics); may be empty
 * @param env     its whole environment, {@code KEY=VALUE} entries
 * @param timeout seconds before the hook is aborted (and the operation fails), if limited
 */
public record Hook(String path, List<String> args, List<String> env, OptionalInt timeout) {
    public Hook {
        args = List.copyOf(args);
        env = List.copyOf(env);
    }

    static Hook read(JsonObjectNode hook) {
        return new Hook(Values.absolutePath(hook.required("path")),
                hook.optionalStringList("args"),
                hook.optional("env").map(env -> env.asArray().stream().map(Values::envEntry).toList()).orElse(List.of()),
                // The spec: "If set, timeout MUST be greater than zero."
                hook.optionalInt("timeout", 1, Integer.MAX_VALUE));
    }

    static List<Hook> readAll(List<JsonNode> hooks) {
        return hooks.stream().map(node -> read(node.asObject())).toList();
    }
}
