package caixa.spec.json;

import java.util.Iterator;
import java.util.Map;

/** Prints a value compactly, or with one member or element a line when given an indent. */
final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    private final String indent;

    private JsonWriter(String indent) {
        this.indent = indent;
    }

    static String write(JsonValue value, String indent) {
        JsonWriter writer = new JsonWriter(indent);
        writer.value(value, 0);
        return writer.out.toString();
    }

    private void value(JsonValue value, int level) {
        switch (value) {
            case JsonObject object -> object(object, level);
            case JsonArray array -> array(array, level);
            case JsonString string -> quote(string.value(), out);
            case JsonNumber number -> out.append(number.text());
            case JsonBoolean bool -> out.append(bool.value());
            case JsonNull ignored -> out.append("null");
        }
    }

    private void object(JsonObject object, int level) {
        out.append('{');
        Iterator<Map.Entry<String, JsonValue>> members = object.members().entrySet().iterator();
        while (members.hasNext()) {
            Map.Entry<String, JsonValue> member = members.next();
            newline(level + 1);
            quote(member.getKey(), out);
            out.append(indent.isEmpty() ? ":" : ": ");
            value(member.getValue(), level + 1);
            if (members.hasNext()) {
                out.append(',');
            }
        }
        if (!object.members().isEmpty()) {
            newline(level);
        }
        out.append('}');
    }

    private void array(JsonArray array, int level) {
        out.append('[');
        Iterator<JsonValue> elements = array.elements().iterator();
        while (elements.hasNext()) {
            newline(level + 1);
            value(elements.next(), level + 1);
            if (elements.hasNext()) {
                out.append(',');
            }
        }
        if (!array.elements().isEmpty()) {
            newline(level);
        }
        out.append(']');
    }

    private void newline(int level) {
        if (!indent.isEmpty()) {
            out.append('\n').append(indent.repeat(level));
        }
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        quote(s, out);
        return out.toString();
    }

    /** Escapes only what RFC 8259 requires; everything else, non-ASCII included, is written as it is. */
    static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u%04x".formatted((int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
