package caixa.spec;

import caixa.spec.json.JsonNode;

import java.util.List;

/** What config.json's fields need beyond the reader layer: id limits, paths, env entries. */
final class Values {
    static final long UINT32_MAX = 0xFFFF_FFFFL;

    /**
     * The largest uid or gid inside the container. The spec's ids are uint32, but the runtime holds
     * them as Java ints (ContainerSpec's additionalGids, Device's owner); ids above 2^31 - 1 are
     * refused here rather than wrapped.
     */
    static final int MAX_CONTAINER_ID = Integer.MAX_VALUE;

    private Values() {
    }

    /** An absolute path (a hook, a namespace file, a masked path). */
    static String absolutePath(JsonNode node) {
        String path = node.asString();
        if (!path.startsWith("/")) {
            throw node.error("must be an absolute path, not \"" + path + "\"");
        }
        return path;
    }

    static List<String> absolutePaths(List<JsonNode> nodes) {
        return nodes.stream().map(Values::absolutePath).toList();
    }

    /** {@code KEY=VALUE} with a non-empty key, as execve's environment and the runtime expect. */
    static String envEntry(JsonNode node) {
        String entry = node.asString();
        if (entry.indexOf('=') <= 0) {
            throw node.error("must be KEY=VALUE, not \"" + entry + "\"");
        }
        return entry;
    }
}
