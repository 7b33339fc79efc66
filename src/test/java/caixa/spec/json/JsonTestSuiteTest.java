package caixa.spec.json;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Nicolas Seriot's JSONTestSuite, from ../shared beside the repository as CI lays it out. Missing
 * data fails the build: a conformance test that skips itself would pass having tested nothing.
 */
class JsonTestSuiteTest {
    private static final Path SUITE = Path.of("..", "shared", "data", "json-test-suite", "test_parsing");

    private enum Outcome { ACCEPT, REJECT }

    /** The y_ cases the parser refuses on purpose (see the package documentation). */
    private static final Map<String, String> REFUSED_YES = Map.of(
            "y_object_duplicated_key.json", "duplicate key \"a\"",
            "y_object_duplicated_key_and_value.json", "duplicate key \"a\"");

    /**
     * Every i_ case with its outcome; a case added to the suite fails until it is decided here.
     * The reasons are in the package documentation of caixa.spec.json.
     */
    private static final Map<String, Outcome> IMPLEMENTATION_DEFINED = Map.ofEntries(
            // Numbers beyond long or double range: the grammar allows them, the accessors refuse them.
            entry("i_number_double_huge_neg_exp.json", Outcome.ACCEPT),
            entry("i_number_huge_exp.json", Outcome.ACCEPT),
            entry("i_number_neg_int_huge_exp.json", Outcome.ACCEPT),
            entry("i_number_pos_double_huge_exp.json", Outcome.ACCEPT),
            entry("i_number_real_neg_overflow.json", Outcome.ACCEPT),
            entry("i_number_real_pos_overflow.json", Outcome.ACCEPT),
            entry("i_number_real_underflow.json", Outcome.ACCEPT),
            entry("i_number_too_big_neg_int.json", Outcome.ACCEPT),
            entry("i_number_too_big_pos_int.json", Outcome.ACCEPT),
            entry("i_number_very_big_negative_int.json", Outcome.ACCEPT),
            // Escaped lone or misordered surrogates: a string must be encodable as UTF-8.
            entry("i_object_key_lone_2nd_surrogate.json", Outcome.REJECT),
            entry("i_string_1st_surrogate_but_2nd_missing.json", Outcome.REJECT),
            entry("i_string_1st_valid_surrogate_2nd_invalid.json", Outcome.REJECT),
            entry("i_string_incomplete_surrogate_and_escape_valid.json", Outcome.REJECT),
            entry("i_string_incomplete_surrogate_pair.json", Outcome.REJECT),
            entry("i_string_incomplete_surrogates_escape_valid.json", Outcome.REJECT),
            entry("i_string_invalid_lonely_surrogate.json", Outcome.REJECT),
            entry("i_string_invalid_surrogate.json", Outcome.REJECT),
            entry("i_string_inverted_surrogates_U+1D11E.json", Outcome.REJECT),
            entry("i_string_lone_second_surrogate.json", Outcome.REJECT),
            // Bytes that are not well-formed UTF-8, including UTF-16 and Latin-1 texts.
            entry("i_string_UTF-16LE_with_BOM.json", Outcome.REJECT),
            entry("i_string_UTF-8_invalid_sequence.json", Outcome.REJECT),
            entry("i_string_UTF8_surrogate_U+D800.json", Outcome.REJECT),
            entry("i_string_invalid_utf-8.json", Outcome.REJECT),
            entry("i_string_iso_latin_1.json", Outcome.REJECT),
            entry("i_string_lone_utf8_continuation_byte.json", Outcome.REJECT),
            entry("i_string_not_in_unicode_range.json", Outcome.REJECT),
            entry("i_string_overlong_sequence_2_bytes.json", Outcome.REJECT),
            entry("i_string_overlong_sequence_6_bytes.json", Outcome.REJECT),
            entry("i_string_overlong_sequence_6_bytes_null.json", Outcome.REJECT),
            entry("i_string_truncated-utf-8.json", Outcome.REJECT),
            entry("i_string_utf16BE_no_BOM.json", Outcome.REJECT),
            entry("i_string_utf16LE_no_BOM.json", Outcome.REJECT),
            // Structure: within the nesting limit; a byte order mark.
            entry("i_structure_500_nested_arrays.json", Outcome.ACCEPT),
            entry("i_structure_UTF-8_BOM_empty_object.json", Outcome.REJECT));

    @TestFactory
    Stream<DynamicTest> everyCase() throws IOException {
        assertTrue(Files.isDirectory(SUITE), "JSONTestSuite data not found at " + SUITE.toAbsolutePath()
                + " (CI checks out ../shared beside the repository)");
        List<Path> cases;
        try (Stream<Path> files = Files.list(SUITE)) {
            cases = files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        for (String prefix : List.of("y_", "n_", "i_")) {
            assertTrue(cases.stream().anyMatch(f -> f.getFileName().toString().startsWith(prefix)),
                    "no " + prefix + " cases in " + SUITE.toAbsolutePath());
        }
        return cases.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
                file.toUri(), () -> check(file)));
    }

    private static void check(Path file) throws IOException {
        String name = file.getFileName().toString();
        byte[] bytes = Files.readAllBytes(file);
        if (REFUSED_YES.containsKey(name)) {
            assertEquals("line 1 column 10: " + REFUSED_YES.get(name), rejection(bytes).getMessage());
            return;
        }
        switch (name.substring(0, 2)) {
            case "y_" -> assertAccepted(bytes);
            case "n_" -> assertRejected(bytes);
            case "i_" -> {
                Outcome outcome = IMPLEMENTATION_DEFINED.get(name);
                if (outcome == null) {
                    fail("no decision recorded for " + name);
                } else if (outcome == Outcome.ACCEPT) {
                    assertAccepted(bytes);
                } else {
                    assertRejected(bytes);
                }
            }
            default -> fail("not a JSONTestSuite case name: " + name);
        }
    }

    /** Accepted, and what the writer makes of it parses back to the same value. */
    private static void assertAccepted(byte[] bytes) {
        JsonValue value = Json.parse(bytes);
        assertEquals(value, Json.parse(Json.write(value)));
        assertEquals(value, Json.parse(Json.writePretty(value, "  ")));
    }

    private static void assertRejected(byte[] bytes) {
        String message = rejection(bytes).getMessage();
        assertTrue(message.matches("line \\d+ column \\d+: \\S.*"), message);
    }

    /** Only a JsonException may escape: no StackOverflowError, no IndexOutOfBoundsException. */
    private static JsonException rejection(byte[] bytes) {
        return assertThrows(JsonException.class, () -> Json.parse(bytes));
    }

    @Test
    void everyDecisionNamesACaseThatExists() {
        for (String name : IMPLEMENTATION_DEFINED.keySet()) {
            assertTrue(Files.isRegularFile(SUITE.resolve(name)), name);
        }
        for (String name : REFUSED_YES.keySet()) {
            assertTrue(Files.isRegularFile(SUITE.resolve(name)), name);
        }
    }
}
