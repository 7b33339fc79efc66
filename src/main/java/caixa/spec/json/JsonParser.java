package caixa.spec.json;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Recursive descent over RFC 8259's grammar, one method per rule. Recursion is bounded by
 * {@link Json#MAX_DEPTH}, so a hostile text gets an error instead of a StackOverflowError.
 */
final class JsonParser {
    private final String text;
    private int pos;

    private JsonParser(String text) {
        this.text = text;
    }

    static JsonValue parse(String text) {
        JsonParser parser = new JsonParser(text);
        if (text.startsWith("\uFEFF")) {
            // RFC 8259 section 8.1 lets a parser ignore a BOM; runc's Go parser refuses it, and so do we.
            throw parser.error(0, "byte order mark is not allowed");
        }
        JsonValue value = parser.value(0);
        parser.skipWhitespace();
        if (parser.pos < text.length()) {
            throw parser.error(parser.pos, "unexpected " + parser.found() + " after the JSON value");
        }
        return value;
    }

    /** Decodes strictly first: overlong forms, encoded surrogates and truncated sequences are errors. */
    static JsonValue parse(byte[] utf8) {
        CharsetDecoder decoder = UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(utf8);
        CharBuffer out = CharBuffer.allocate(utf8.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int offset = in.position();
            String valid = new String(utf8, 0, offset, UTF_8);
            throw new JsonParser(valid).error(valid.length(),
                    "invalid UTF-8 (byte 0x%02X)".formatted(utf8[offset] & 0xFF));
        }
        decoder.flush(out);
        return parse(out.flip().toString());
    }

    private JsonValue value(int depth) {
        skipWhitespace();
        return switch (peek()) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> new JsonString(string());
            case 't' -> literal("true", JsonBoolean.TRUE);
            case 'f' -> literal("false", JsonBoolean.FALSE);
            case 'n' -> literal("null", JsonNull.NULL);
            case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> number();
            default -> throw error(pos, "expected a JSON value but found " + found());
        };
    }

    private JsonObject object(int depth) {
        checkDepth(depth);
        pos++;
        Map<String, JsonValue> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return new JsonObject(members);
        }
        while (true) {
            skipWhitespace();
            int keyStart = pos;
            if (peek() != '"') {
                throw error(pos, "expected a string key but found " + found());
            }
            String key = string();
            if (members.containsKey(key)) {
                throw error(keyStart, "duplicate key " + JsonWriter.quote(key));
            }
            skipWhitespace();
            expect(':');
            members.put(key, value(depth));
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return new JsonObject(members);
            }
            expect(',', "',' or '}'");
        }
    }

    private JsonArray array(int depth) {
        checkDepth(depth);
        pos++;
        List<JsonValue> elements = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return new JsonArray(elements);
        }
        while (true) {
            elements.add(value(depth));
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return new JsonArray(elements);
            }
            expect(',', "',' or ']'");
        }
    }

    private void checkDepth(int depth) {
        if (depth > Json.MAX_DEPTH) {
            throw error(pos, "nesting deeper than " + Json.MAX_DEPTH + " levels");
        }
    }

    private String string() {
        int start = pos;
        pos++;
        StringBuilder value = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error(start, "unterminated string");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return value.toString();
            } else if (c == '\\') {
                escape(value);
            } else if (c < 0x20) {
                throw error(pos, "control character " + found() + " must be escaped");
            } else if (Character.isHighSurrogate(c) && pos + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(pos + 1))) {
                value.append(c).append(text.charAt(pos + 1));
                pos += 2;
            } else if (Character.isSurrogate(c)) {
                throw error(pos, "lone surrogate U+%04X".formatted((int) c));
            } else {
                value.append(c);
                pos++;
            }
        }
    }

    private void escape(StringBuilder value) {
        int start = pos++;
        char c = peek();
        if (c == 'u') {
            pos++;
            unicodeEscape(start, value);
            return;
        }
        value.append(switch (c) {
            case '"', '\\', '/' -> c;
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            default -> throw error(start, pos >= text.length()
                    ? "unterminated string"
                    : "invalid escape: backslash followed by " + found());
        });
        pos++;
    }

    /**
     * A character beyond the BMP is escaped as a pair, high then low; any other surrogate is
     * refused, as {@link JsonString} cannot hold it.
     */
    private void unicodeEscape(int start, StringBuilder value) {
        char c = hex4(start);
        if (Character.isHighSurrogate(c) && text.startsWith("\\u", pos)) {
            int lowStart = pos;
            pos += 2;
            char low = hex4(lowStart);
            if (Character.isLowSurrogate(low)) {
                value.append(c).append(low);
                return;
            }
        }
        if (Character.isSurrogate(c)) {
            throw error(start, "lone surrogate \\u%04X (a high surrogate must be followed by an escaped low one)"
                    .formatted((int) c));
        }
        value.append(c);
    }

    private char hex4(int escapeStart) {
        for (int i = pos; i < pos + 4; i++) {
            if (i >= text.length() || !HexFormat.isHexDigit(text.charAt(i))) {
                throw error(escapeStart, "\\u must be followed by 4 hex digits");
            }
        }
        pos += 4;
        return (char) HexFormat.fromHexDigits(text, pos - 4, pos);
    }

    private JsonNumber number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) {
                throw error(start, "leading zeros are not allowed");
            }
        } else {
            digits("a digit");
        }
        if (peek() == '.') {
            pos++;
            digits("a digit after the decimal point");
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            digits("a digit in the exponent");
        }
        return new JsonNumber(text.substring(start, pos));
    }

    private void digits(String expected) {
        if (!isDigit(peek())) {
            throw error(pos, "expected " + expected + " but found " + found());
        }
        while (isDigit(peek())) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private JsonValue literal(String word, JsonValue value) {
        if (!text.startsWith(word, pos)) {
            throw error(pos, "invalid literal, expected " + word);
        }
        pos += word.length();
        return value;
    }

    private void expect(char c) {
        expect(c, "'" + c + "'");
    }

    private void expect(char c, String expected) {
        if (peek() != c) {
            throw error(pos, "expected " + expected + " but found " + found());
        }
        pos++;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** The character at pos, or NUL at the end: no rule accepts an unescaped NUL, so it ends every loop. */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private String found() {
        if (pos >= text.length()) {
            return "end of input";
        }
        int c = text.codePointAt(pos);
        return c > 0x20 && c < 0x7F ? "'" + (char) c + "'" : "U+%04X".formatted(c);
    }

    /** Columns count code points, as an editor does, so an error after non-ASCII text points at it. */
    private JsonException error(int offset, String reason) {
        int lineStart = text.lastIndexOf('\n', offset - 1) + 1;
        long line = 1 + text.substring(0, lineStart).chars().filter(c -> c == '\n').count();
        int column = 1 + text.codePointCount(lineStart, offset);
        return new JsonException("line " + line + " column " + column + ": " + reason);
    }
}
