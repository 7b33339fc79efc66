package caixa.spec.json;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonNumberTest {
    private static JsonNumber number(String text) {
        return new JsonNumber(text);
    }

    @Test
    void asLongIsExactInAnyNotation() {
        assertEquals(1000, number("1e3").asLong());
        assertEquals(7, number("7.0").asLong());
        assertEquals(-120, number("-1.2E+2").asLong());
        assertEquals(0, number("-0").asLong());
        assertEquals(Long.MAX_VALUE, number("9223372036854775807").asLong());
        assertEquals(Long.MIN_VALUE, number("-9223372036854775808").asLong());
    }

    @Test
    void asLongRefusesFractionsAndOverflow() {
        String range = " is not an integer from -9223372036854775808 to 9223372036854775807";
        assertEquals("number 1.5" + range, assertThrows(JsonException.class, () -> number("1.5").asLong()).getMessage());
        assertEquals("number 9223372036854775808" + range,
                assertThrows(JsonException.class, () -> number("9223372036854775808").asLong()).getMessage());
        assertThrows(JsonException.class, () -> number("1e-999999999").asLong());
        assertThrows(JsonException.class, () -> number("1e999999999").asLong());
    }

    @Test
    void asIntHasTheIntRange() {
        assertEquals(Integer.MAX_VALUE, number("2147483647").asInt());
        assertEquals(Integer.MIN_VALUE, number("-2147483648").asInt());
        assertEquals("number 2147483648 is not an integer from -2147483648 to 2147483647",
                assertThrows(JsonException.class, () -> number("2147483648").asInt()).getMessage());
    }

    @Test
    void asDoubleIsNearestButNeverInfinite() {
        assertEquals(0.1, number("0.1").asDouble());
        assertEquals(-1.5e300, number("-1.5e300").asDouble());
        assertEquals(0.0, number("123e-10000000").asDouble());
        assertEquals("number 1.5e+9999 is out of the range of a double",
                assertThrows(JsonException.class, () -> number("1.5e+9999").asDouble()).getMessage());
    }

    @Test
    void asBigDecimalKeepsEveryDigit() {
        assertEquals(new BigDecimal("100000000000000000000.000000000000000000001"),
                number("100000000000000000000.000000000000000000001").asBigDecimal());
        String huge = "0.4e" + "9".repeat(100);
        assertEquals("number 0.4e" + "9".repeat(16) + "..." + "9".repeat(10) + " is out of range",
                assertThrows(JsonException.class, () -> number(huge).asBigDecimal()).getMessage());
    }

    @Test
    void textIsKeptExactlyAndEqualityIsTextual() {
        assertEquals("1.0E+2", Json.write(Json.parse("1.0E+2")));
        assertNotEquals(number("1.0"), number("1"));
        assertEquals(0, number("1.0").asBigDecimal().compareTo(number("1").asBigDecimal()));
    }

    @Test
    void onlyGrammaticalTextIsANumber() {
        for (String text : new String[] {"", "01", "+1", "1.", ".1", "1e", "NaN", "Infinity", "0x10", " 1", "1_000"}) {
            assertThrows(IllegalArgumentException.class, () -> number(text), text);
        }
    }

    @Test
    void factoriesWriteGrammaticalText() {
        assertEquals("-42", JsonNumber.of(-42).text());
        assertEquals("1E+3", JsonNumber.of(new BigDecimal("1E+3")).text());
        assertEquals("1.0E-7", JsonNumber.of(1e-7).text());
        assertThrows(IllegalArgumentException.class, () -> JsonNumber.of(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> JsonNumber.of(Double.POSITIVE_INFINITY));
    }
}
