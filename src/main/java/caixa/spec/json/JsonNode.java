package caixa.spec.json;

import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * A value and its path, for readers of documents such as config.json: each conversion either
 * returns what the reader expects or throws a {@link JsonException} naming the path and the
 * expectation ({@code config.json: process.user.uid: must be an integer from 0 to 4294967295}).
 */
public record JsonNode(JsonPath path, JsonValue value) {
    private static final BigInteger UINT64_LIMIT = BigInteger.ONE.shiftLeft(64);

    /**
     * Parses a document; syntax errors are prefixed with its name
     * ({@code config.json: line 3 column 7: expected ':' but found '='}).
     */
    public static JsonNode parse(String document, byte[] utf8) {
        try {
            return new JsonNode(JsonPath.root(document), Json.parse(utf8));
        } catch (JsonException e) {
            throw new JsonException(document + ": " + e.getMessage());
        }
    }

    public JsonException error(String reason) {
        return path.error(reason);
    }

    public JsonObjectNode asObject() {
        if (value instanceof JsonObject object) {
            return new JsonObjectNode(path, object);
        }
        throw mismatch("an object");
    }

    /** The elements, each with its index in its path. */
    public List<JsonNode> asArray() {
        if (value instanceof JsonArray array) {
            return IntStream.range(0, array.elements().size())
                    .mapToObj(i -> new JsonNode(path.index(i), array.elements().get(i)))
                    .toList();
        }
        throw mismatch("an array");
    }

    public List<JsonNode> asNonEmptyArray() {
        List<JsonNode> elements = asArray();
        if (elements.isEmpty()) {
            throw error("must be a non-empty array");
        }
        return elements;
    }

    public String asString() {
        if (value instanceof JsonString string) {
            return string.value();
        }
        throw mismatch("a string");
    }

    public String asNonEmptyString() {
        String string = asString();
        if (string.isEmpty()) {
            throw error("must be a non-empty string");
        }
        return string;
    }

    public boolean asBoolean() {
        if (value instanceof JsonBoolean bool) {
            return bool.value();
        }
        throw mismatch("a boolean");
    }

    public JsonNumber asNumber() {
        if (value instanceof JsonNumber number) {
            return number;
        }
        throw mismatch("a number");
    }

    public int asInt() {
        return asInt(Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    public int asInt(int min, int max) {
        return (int) asLong(min, max);
    }

    public long asLong() {
        return asLong(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** An integer in {@code [min, max]}; {@code 1e3} counts as 1000, {@code 1.5} is an error. */
    public long asLong(long min, long max) {
        String expected = "an integer from " + min + " to " + max;
        if (!(value instanceof JsonNumber number)) {
            throw mismatch(expected);
        }
        try {
            long result = number.asLong();
            if (result >= min && result <= max) {
                return result;
            }
        } catch (JsonException notAnInteger) {
            // reported below, with the number
        }
        throw mismatch(expected);
    }

    /**
     * A uint64, kept in a long's 64 bits as Go keeps it: 2^64 - 1, which a writer puts for an
     * unlimited rlimit (RLIM_INFINITY) or an all-ones seccomp mask, comes back as -1L. Compare such
     * values unsigned.
     */
    public long asUint64() {
        if (value instanceof JsonNumber number) {
            try {
                BigInteger exact = number.asBigDecimal().toBigIntegerExact();
                if (exact.signum() >= 0 && exact.compareTo(UINT64_LIMIT) < 0) {
                    return exact.longValue();
                }
            } catch (ArithmeticException | JsonException notAnInteger) {
                // reported below, with the number
            }
        }
        throw mismatch("an integer from 0 to 18446744073709551615");
    }

    public List<String> asStringList() {
        return asArray().stream().map(JsonNode::asString).toList();
    }

    public List<String> asNonEmptyStringList() {
        return asNonEmptyArray().stream().map(JsonNode::asString).toList();
    }

    public List<JsonObjectNode> asObjectList() {
        return asArray().stream().map(JsonNode::asObject).toList();
    }

    /** A map in document order, as annotations and sysctl are. */
    public Map<String, String> asStringMap() {
        return asMap(JsonNode::asString);
    }

    /** Each member's value converted, in document order; a conversion's error names the member. */
    public <T> Map<String, T> asMap(Function<JsonNode, T> conversion) {
        SequencedMap<String, T> map = new LinkedHashMap<>();
        asObject().fields().forEach((key, node) -> map.put(key, conversion.apply(node)));
        return Collections.unmodifiableSequencedMap(map);
    }

    private JsonException mismatch(String expected) {
        return error("must be " + expected + ", not " + describe(value));
    }

    private static String describe(JsonValue value) {
        return switch (value) {
            case JsonObject ignored -> "an object";
            case JsonArray ignored -> "an array";
            case JsonString ignored -> "a string";
            case JsonNumber number -> number.text().length() <= 24 ? number.text() : "a number out of range";
            case JsonBoolean bool -> bool.value() ? "true" : "false";
            case JsonNull ignored -> "null";
        };
    }
}
