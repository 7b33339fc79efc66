package caixa.spec.json;

import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Where a value sits in a document, written as error messages name it: {@code process.args},
 * {@code mounts[2].destination}, {@code annotations["io.kubernetes.cri.sandbox-id"]}.
 *
 * @param document the file the value came from, such as {@code config.json}
 * @param path the keys and indexes from the root, empty for the root itself
 */
public record JsonPath(String document, String path) {
    /** Keys that read unambiguously after a dot; others (with dots, spaces, ...) are quoted. */
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public static JsonPath root(String document) {
        return new JsonPath(document, "");
    }

    public JsonPath key(String key) {
        if (!PLAIN_KEY.matcher(key).matches()) {
            return new JsonPath(document, path + "[" + JsonWriter.quote(key) + "]");
        }
        return new JsonPath(document, path.isEmpty() ? key : path + "." + key);
    }

    public JsonPath index(int index) {
        return new JsonPath(document, path + "[" + index + "]");
    }

    /** An error about the value here: {@code config.json: process.args: must be a non-empty array}. */
    public JsonException error(String reason) {
        return new JsonException(this + ": " + reason);
    }

    /**
     * Builds a value whose constructor checks it ({@code new Rlimit(...)}, {@code Action.fromOci(...)}),
     * turning its refusal (an IllegalArgumentException) into an error about the value here.
     */
    public <T> T checked(Supplier<T> construct) {
        try {
            return construct.get();
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    @Override
    public String toString() {
        return path.isEmpty() ? document : document + ": " + path;
    }
}
