package caixa.spec.json;

public enum JsonNull implements JsonValue {
    NULL
}
