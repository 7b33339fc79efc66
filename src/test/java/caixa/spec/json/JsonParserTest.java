package caixa.spec.json;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonParserTest {
    private static String error(String text) {
        return assertThrows(JsonException.class, () -> Json.parse(text)).getMessage();
    }

    private static String error(byte[] bytes) {
        return assertThrows(JsonException.class, () -> Json.parse(bytes)).getMessage();
    }

    @Test
    void parsesEveryKindOfValue() {
        JsonValue value = Json.parse(" {\"s\": \"x\", \"n\": -1.5e3, \"t\": true, \"f\": false, \"z\": null, \"a\": [{}, []]}\n");
        assertEquals(new JsonObject(Map.of(
                "s", new JsonString("x"),
                "n", new JsonNumber("-1.5e3"),
                "t", JsonBoolean.TRUE,
                "f", JsonBoolean.FALSE,
                "z", JsonNull.NULL,
                "a", new JsonArray(List.of(JsonObject.EMPTY, JsonArray.EMPTY)))), value);
    }

    @Test
    void membersKeepDocumentOrder() {
        JsonObject object = (JsonObject) Json.parse("{\"b\": 1, \"c\": 2, \"a\": 3}");
        assertEquals(List.of("b", "c", "a"), List.copyOf(object.members().keySet()));
    }

    @Test
    void duplicateKeyIsRefusedNamingTheKeyWhereItRepeats() {
        assertEquals("line 3 column 3: duplicate key \"root\"",
                error("{\n  \"root\": {\"path\": \"a\"},\n  \"root\": {\"path\": \"b\"}\n}"));
        assertEquals("line 1 column 20: duplicate key \"a\\nb\"", error("[{\"x\": {\"a\\nb\": 1, \"a\\u000ab\": 2}}]"));
    }

    @Test
    void sameKeyInDifferentObjectsIsFine() {
        assertDoesNotThrow(() -> Json.parse("[{\"a\": 1}, {\"a\": 2, \"b\": {\"a\": 3}}]"));
    }

    @Test
    void nestingUpToTheLimitParses() {
        String deepest = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertDoesNotThrow(() -> Json.parse(deepest));
        String objects = "{\"a\":".repeat(Json.MAX_DEPTH - 1) + "{}" + "}".repeat(Json.MAX_DEPTH - 1);
        assertDoesNotThrow(() -> Json.parse(objects));
    }

    @Test
    void nestingBeyondTheLimitIsAnErrorNotAStackOverflow() {
        int over = Json.MAX_DEPTH + 1;
        assertEquals("line 1 column 513: nesting deeper than 512 levels",
                error("[".repeat(over) + "]".repeat(over)));
        assertEquals("line 1 column 2561: nesting deeper than 512 levels", error("{\"a\":".repeat(1_000_000)));
    }

    @Test
    void escapesDecode() {
        assertEquals(new JsonString("\"\\/\b\f\n\r\t\u0000é"),
                Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u00E9\""));
    }

    @Test
    void escapedSurrogatePairIsOneCodePoint() {
        JsonString clef = (JsonString) Json.parse("\"\\uD834\\uDD1E\"");
        assertEquals("𝄞", clef.value());
        assertEquals(List.of(0x1D11E), clef.value().codePoints().boxed().toList());
    }

    @Test
    void loneSurrogatesAreRefused() {
        String reason = " (a high surrogate must be followed by an escaped low one)";
        assertEquals("line 1 column 2: lone surrogate \\uD800" + reason, error("\"\\uD800\""));
        assertEquals("line 1 column 3: lone surrogate \\uDC00" + reason, error("\"a\\uDC00\\uD800\""));
        assertEquals("line 1 column 2: lone surrogate \\uD800" + reason, error("\"\\uD800\\u0041\""));
        assertEquals("line 1 column 2: lone surrogate \\uD800" + reason, error("\"\\uD800𝄞\""));
        assertEquals("line 1 column 2: lone surrogate U+DC00", error("\"\uDC00\""));
        assertEquals("line 1 column 3: lone surrogate U+D834", error("\"x\uD834\""));
    }

    @Test
    void unescapedControlCharactersAreRefusedButDeleteIsNot() {
        assertEquals("line 1 column 3: control character U+0009 must be escaped", error("\"a\tb\""));
        assertEquals("line 1 column 2: control character U+001F must be escaped", error("\"\u001f\""));
        assertEquals(new JsonString("\u007f"), Json.parse("\"\u007f\""));
    }

    @Test
    void badEscapesAreRefused() {
        assertEquals("line 1 column 2: invalid escape: backslash followed by 'x'", error("\"\\x41\""));
        assertEquals("line 1 column 2: invalid escape: backslash followed by 'U'", error("\"\\U0041\""));
        assertEquals("line 1 column 2: \\u must be followed by 4 hex digits", error("\"\\u00G1\""));
        assertEquals("line 1 column 2: \\u must be followed by 4 hex digits", error("\"\\u１２３４\""));
        assertEquals("line 1 column 5: unterminated string", error("\"abc\\"));
    }

    @Test
    void numbersFollowTheGrammar() {
        for (String number : List.of("0", "-0", "7", "-12", "0.5", "1.25e10", "1E+2", "1e-2", "0e0", "-0.0E-0")) {
            assertEquals(new JsonNumber(number), Json.parse(number), number);
        }
        assertEquals("line 1 column 1: leading zeros are not allowed", error("012"));
        assertEquals("line 1 column 1: leading zeros are not allowed", error("-00"));
        assertEquals("line 1 column 1: expected a JSON value but found '+'", error("+1"));
        assertEquals("line 1 column 1: expected a JSON value but found '.'", error(".5"));
        assertEquals("line 1 column 3: expected a digit after the decimal point but found end of input", error("1."));
        assertEquals("line 1 column 3: expected a digit in the exponent but found end of input", error("1e"));
        assertEquals("line 1 column 4: expected a digit in the exponent but found end of input", error("1e+"));
        assertEquals("line 1 column 2: expected a digit but found 'I'", error("-Infinity"));
        assertEquals("line 1 column 1: expected a JSON value but found 'N'", error("NaN"));
        assertEquals("line 1 column 2: unexpected 'x' after the JSON value", error("0x1F"));
    }

    @Test
    void trailingGarbageIsRefusedButTrailingWhitespaceIsNot() {
        assertEquals("line 2 column 1: unexpected '{' after the JSON value", error("{}\n{}"));
        assertEquals("line 1 column 5: unexpected '/' after the JSON value", error("true// comment"));
        assertEquals(JsonObject.EMPTY, Json.parse("\t{}\r\n "));
    }

    @Test
    void emptyInputIsAnError() {
        assertEquals("line 1 column 1: expected a JSON value but found end of input", error(""));
        assertEquals("line 2 column 1: expected a JSON value but found end of input", error(" \n"));
    }

    @Test
    void columnsCountCodePoints() {
        assertEquals("line 2 column 9: expected ',' or ']' but found '1'", error("[\n\"é𝄞\", 1 1]"));
        assertEquals("line 2 column 9: expected ',' or ']' but found '1'",
                error("[\n\"é𝄞\", 1 1]".getBytes(UTF_8)));
    }

    @Test
    void byteOrderMarkIsRefused() {
        assertEquals("line 1 column 1: byte order mark is not allowed", error("\uFEFF{}"));
        assertEquals("line 1 column 1: byte order mark is not allowed",
                error(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'}));
    }

    @Test
    void bytesMustBeStrictUtf8() {
        assertEquals(new JsonString("é€𝄞"), Json.parse("\"é€𝄞\"".getBytes(UTF_8)));
        assertEquals("line 1 column 3: invalid UTF-8 (byte 0xC0)", error(bytes('[', '"', 0xC0, 0xAF, '"', ']')));
        assertEquals("line 1 column 2: invalid UTF-8 (byte 0xED)", error(bytes('"', 0xED, 0xA0, 0x80, '"')));
        assertEquals("line 1 column 2: invalid UTF-8 (byte 0xF4)", error(bytes('"', 0xF4, 0x90, 0x80, 0x80, '"')));
        assertEquals("line 2 column 2: invalid UTF-8 (byte 0xE2)", error(bytes('[', '\n', '1', 0xE2, 0x82)));
        assertEquals("line 1 column 1: invalid UTF-8 (byte 0xFF)", error(bytes(0xFF, 0xFE, '[', 0, ']', 0)));
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }
}
