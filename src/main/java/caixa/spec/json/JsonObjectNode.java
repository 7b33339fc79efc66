package caixa.spec.json;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SequencedMap;

/**
 * An object and its path, read by key. Keys a reader does not ask for are ignored, as the OCI
 * runtime spec requires of unknown fields. A member whose value is {@code null} counts as absent
 * for the {@code optional} methods, as it does for runc's Go decoder, so a config.json runc accepts
 * is not refused for writing {@code "annotations": null}.
 */
public record JsonObjectNode(JsonPath path, JsonObject value) {
    public JsonException error(String reason) {
        return path.error(reason);
    }

    /** Whether the member is there and not null. */
    public boolean has(String key) {
        return optional(key).isPresent();
    }

    /** The member, which may be null; its absence is an error. */
    public JsonNode required(String key) {
        JsonValue member = value.members().get(key);
        if (member == null) {
            throw path.key(key).error("is required");
        }
        return new JsonNode(path.key(key), member);
    }

    /** The member, unless it is absent or null. */
    public Optional<JsonNode> optional(String key) {
        JsonValue member = value.members().get(key);
        if (member == null || member == JsonNull.NULL) {
            return Optional.empty();
        }
        return Optional.of(new JsonNode(path.key(key), member));
    }

    /** Every member, in document order, for objects whose keys are data (annotations, hooks). */
    public Map<String, JsonNode> fields() {
        SequencedMap<String, JsonNode> fields = new LinkedHashMap<>();
        value.members().forEach((key, member) -> fields.put(key, new JsonNode(path.key(key), member)));
        return Collections.unmodifiableSequencedMap(fields);
    }

    public String requireString(String key) {
        return required(key).asString();
    }

    public Optional<String> optionalString(String key) {
        return optional(key).map(JsonNode::asString);
    }

    public JsonObjectNode requireObject(String key) {
        return required(key).asObject();
    }

    public Optional<JsonObjectNode> optionalObject(String key) {
        return optional(key).map(JsonNode::asObject);
    }

    public List<JsonNode> requireNonEmptyArray(String key) {
        return required(key).asNonEmptyArray();
    }

    public List<String> requireNonEmptyStringList(String key) {
        return required(key).asNonEmptyStringList();
    }

    /** The strings, or an empty list if the member is absent. */
    public List<String> optionalStringList(String key) {
        return optional(key).map(JsonNode::asStringList).orElse(List.of());
    }

    /** The objects, each with its index in its path, or an empty list if the member is absent. */
    public List<JsonObjectNode> optionalObjectList(String key) {
        return optional(key).map(JsonNode::asObjectList).orElse(List.of());
    }

    /** The map, or an empty one if the member is absent. */
    public Map<String, String> optionalStringMap(String key) {
        return optional(key).map(JsonNode::asStringMap).orElse(Map.of());
    }

    public boolean optionalBoolean(String key, boolean absent) {
        return optional(key).map(JsonNode::asBoolean).orElse(absent);
    }

    public int requireInt(String key, int min, int max) {
        return required(key).asInt(min, max);
    }

    public OptionalInt optionalInt(String key, int min, int max) {
        return optional(key).map(node -> OptionalInt.of(node.asInt(min, max))).orElse(OptionalInt.empty());
    }

    public long requireLong(String key, long min, long max) {
        return required(key).asLong(min, max);
    }

    public OptionalLong optionalLong(String key, long min, long max) {
        return optional(key).map(node -> OptionalLong.of(node.asLong(min, max))).orElse(OptionalLong.empty());
    }
}
