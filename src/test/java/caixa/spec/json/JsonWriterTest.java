package caixa.spec.json;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonWriterTest {
    private static final JsonObject STATE = JsonObject.builder()
            .put("ociVersion", "1.2.0")
            .put("id", "box")
            .put("pid", 4242)
            .put("running", true)
            .put("annotations", JsonObject.EMPTY)
            .put("args", JsonArray.ofStrings(List.of("sh", "-c")))
            .put("none", JsonNull.NULL)
            .put("nested", new JsonArray(List.of(JsonArray.EMPTY, JsonObject.builder().put("a", 1).build())))
            .build();

    @Test
    void compactHasNoWhitespaceAndKeepsOrder() {
        assertEquals("{\"ociVersion\":\"1.2.0\",\"id\":\"box\",\"pid\":4242,\"running\":true,\"annotations\":{},"
                + "\"args\":[\"sh\",\"-c\"],\"none\":null,\"nested\":[[],{\"a\":1}]}", Json.write(STATE));
    }

    @Test
    void prettyPutsOneMemberOrElementALine() {
        assertEquals("""
                {
                  "ociVersion": "1.2.0",
                  "id": "box",
                  "pid": 4242,
                  "running": true,
                  "annotations": {},
                  "args": [
                    "sh",
                    "-c"
                  ],
                  "none": null,
                  "nested": [
                    [],
                    {
                      "a": 1
                    }
                  ]
                }""", Json.writePretty(STATE, "  "));
        assertEquals("[\n\t{\n\t\t\"a\": []\n\t}\n]",
                Json.writePretty(new JsonArray(List.of(JsonObject.builder().put("a", JsonArray.EMPTY).build())), "\t"));
    }

    @Test
    void indentIsSpacesOrTabs() {
        assertThrows(IllegalArgumentException.class, () -> Json.writePretty(STATE, ""));
        assertThrows(IllegalArgumentException.class, () -> Json.writePretty(STATE, "--"));
    }

    @Test
    void escapesWhatTheGrammarRequiresAndNothingElse() {
        assertEquals("\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0000\\u001f / é 𝄞 \u007f \u2028\"",
                Json.write(new JsonString("q\" b\\ \b\f\n\r\t \u0000\u001f / é 𝄞 \u007f \u2028")));
    }

    @Test
    void writtenTextParsesBackToTheSameValue() {
        JsonValue value = Json.parse("""
                {"s": "\\u0001\\"\\\\é\\uD83D\\uDE39", "n": [-0, 1.5E-7, 123456789012345678901234567890],
                 "o": {"": {"deep": [[[true, false, null]]]}}, "e": [], "f": {}}
                """);
        assertEquals(value, Json.parse(Json.write(value)));
        assertEquals(value, Json.parse(Json.writePretty(value, "  ")));
        assertEquals(value, Json.parse(Json.writePretty(value, "\t")));
        assertEquals(Json.write(value), Json.write(Json.parse(Json.writePretty(value, "    "))));
    }

    @Test
    void builderRefusesDuplicateKeys() {
        JsonObject.Builder builder = JsonObject.builder().put("id", "a");
        assertEquals("duplicate key \"id\"",
                assertThrows(IllegalArgumentException.class, () -> builder.put("id", "b")).getMessage());
    }

    @Test
    void stringsMustBeWellFormedUnicode() {
        assertEquals("lone surrogate U+D800 at index 1",
                assertThrows(IllegalArgumentException.class, () -> new JsonString("a\uD800")).getMessage());
        assertEquals("😹", new JsonString("\uD83D\uDE39").value());
    }
}
