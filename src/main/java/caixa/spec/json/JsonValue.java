package caixa.spec.json;

/**
 * A JSON value, immutable. The six kinds are exhaustive, so a {@code switch} over a value needs no
 * default branch.
 */
public sealed interface JsonValue permits JsonObject, JsonArray, JsonString, JsonNumber, JsonBoolean, JsonNull {
}
