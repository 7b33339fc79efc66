package caixa.spec;

import caixa.spec.json.JsonArray;
import caixa.spec.json.JsonBoolean;
import caixa.spec.json.JsonException;
import caixa.spec.json.JsonNull;
import caixa.spec.json.JsonNumber;
import caixa.spec.json.JsonObject;
import caixa.spec.json.JsonObjectNode;
import caixa.spec.json.JsonString;
import caixa.spec.json.JsonValue;

/**
 * Fields of the runtime spec that caixa knows but cannot honour. A config.json that sets one is
 * refused, naming the field: the spec requires an error for unsupported values, and a container that
 * silently lacks a limit or a confinement it was given is worse than one that does not start.
 *
 * <p>A field holding its "not set" value is accepted: null, false, 0, "" or an empty array or
 * object. Go writers emit those for fields they did not set (a pointer to zero survives
 * {@code omitempty}), and runc reads them as not set.
 */
final class Unsupported {
    private Unsupported() {
    }

    /** Refuses {@code object.key} if it is set, with {@code reason} after its path. */
    static void refuse(JsonObjectNode object, String key, String reason) {
        object.optional(key).ifPresent(node -> {
            if (isSet(node.value())) {
                throw node.error(reason);
            }
        });
    }

    static boolean isSet(JsonValue value) {
        return switch (value) {
            case JsonNull ignored -> false;
            case JsonBoolean bool -> bool.value();
            case JsonNumber number -> !isZero(number);
            case JsonString string -> !string.value().isEmpty();
            case JsonArray array -> !array.elements().isEmpty();
            case JsonObject object -> !object.members().isEmpty();
        };
    }

    /** A number whose exponent BigDecimal cannot hold (1e99999999999) is not zero for our purposes. */
    private static boolean isZero(JsonNumber number) {
        try {
            return number.asBigDecimal().signum() == 0;
        } catch (JsonException outOfRange) {
            return false;
        }
    }
}
