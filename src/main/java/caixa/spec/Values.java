package caixa.spec;

import caixa.spec.json.JsonArray;
import caixa.spec.json.JsonBoolean;
import caixa.spec.json.JsonException;
import caixa.spec.json.JsonNode;
import caixa.spec.json.JsonNull;
import caixa.spec.json.JsonNumber;
import caixa.spec.json.JsonObject;
import caixa.spec.json.JsonPath;
import caixa.spec.json.JsonString;
import caixa.spec.json.JsonValue;

import java.math.BigInteger;
import java.util.List;
import java.util.function.Supplier;

/** What config.json's fields need beyond the reader layer: unsigned numbers, paths, env entries. */
final class Values {
    static final long UINT32_MAX = 0xFFFF_FFFFL;

    /**
     * The largest uid or gid inside the container. The spec's ids are uint32, but the runtime holds
     * them as Java ints (ContainerSpec's additionalGids, Device's owner); ids above 2^31 - 1 are
     * refused here rather than wrapped.
     */
    static final int MAX_CONTAINER_ID = Integer.MAX_VALUE;

    private static final BigInteger UINT64_LIMIT = BigInteger.ONE.shiftLeft(64);

    private Values() {
    }

    /**
     * A uint64, kept in a long's 64 bits as Go keeps it: 2^64 - 1, which a writer puts for an
     * unlimited rlimit (RLIM_INFINITY), comes back as -1L. Compare such values unsigned.
     */
    static long uint64(JsonNode node) {
        if (node.value() instanceof JsonNumber number) {
            try {
                BigInteger value = number.asBigDecimal().toBigIntegerExact();
                if (value.signum() >= 0 && value.compareTo(UINT64_LIMIT) < 0) {
                    return value.longValue();
                }
            } catch (ArithmeticException | JsonException notAnInteger) {
                // reported below
            }
        }
        throw node.error("must be an integer from 0 to 18446744073709551615, not " + describe(node.value()));
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

    /**
     * Builds a runtime value whose constructor validates it ({@link caixa.runtime.Rlimit},
     * {@link caixa.rootfs.Device}, ...), turning its refusal into an error at the value's path.
     */
    static <T> T at(JsonPath path, Supplier<T> construct) {
        try {
            return construct.get();
        } catch (IllegalArgumentException e) {
            throw path.error(e.getMessage());
        }
    }

    /** A value as the reader layer's errors name it. */
    private static String describe(JsonValue value) {
        return switch (value) {
            case JsonObject ignored -> "an object";
            case JsonArray ignored -> "an array";
            case JsonString ignored -> "a string";
            case JsonNumber number -> number.text().length() <= 24 ? number.text() : "a number out of range";
            case JsonBoolean bool -> Boolean.toString(bool.value());
            case JsonNull ignored -> "null";
        };
    }
}
