package caixa.spec.json;

/**
 * Reads and writes JSON texts (RFC 8259). Parsing is strict: it accepts the grammar and nothing
 * more, and refuses a few texts the grammar allows but a runtime should not guess at (duplicate
 * keys, lone surrogates; see the package documentation).
 */
public final class Json {
    /**
     * How deep arrays and objects may nest. A config.json is a handful of levels deep; the limit is
     * there so that a hostile text costs an error, not the stack.
     */
    public static final int MAX_DEPTH = 512;

    private Json() {
    }

    /** Parses a whole text; anything after the value but whitespace is an error. */
    public static JsonValue parse(String text) {
        return JsonParser.parse(text);
    }

    /** Parses a UTF-8 text, as read from a file; bytes that are not well-formed UTF-8 are an error. */
    public static JsonValue parse(byte[] utf8) {
        return JsonParser.parse(utf8);
    }

    /** The compact form, with no whitespace, as state.json is written. */
    public static String write(JsonValue value) {
        return JsonWriter.write(value, "");
    }

    /**
     * One member or element a line, nested ones indented by {@code indent} per level (two spaces,
     * or a tab as {@code runc spec} writes config.json). There is no trailing newline.
     */
    public static String writePretty(JsonValue value, String indent) {
        if (indent.isEmpty() || !indent.chars().allMatch(c -> c == ' ' || c == '\t')) {
            throw new IllegalArgumentException("indent must be spaces or tabs: \"" + indent + "\"");
        }
        return JsonWriter.write(value, indent);
    }
}
