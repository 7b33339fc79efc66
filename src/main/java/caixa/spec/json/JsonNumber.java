package caixa.spec.json;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * A number as its exact text. JSON puts no limit on range or precision, so the parser accepts any
 * number the grammar allows and the accessors refuse what their type cannot hold, rather than
 * rounding it: a uid of 1e3 is 1000, a uid of 1.5 or 1e30 is an error. Equality is textual
 * ({@code 1.0} is not {@code 1}); compare {@link #asBigDecimal()} values for numeric equality.
 */
public record JsonNumber(String text) implements JsonValue {
    private static final Pattern GRAMMAR = Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");

    public JsonNumber {
        if (!GRAMMAR.matcher(text).matches()) {
            throw new IllegalArgumentException("not a JSON number: " + text);
        }
    }

    public static JsonNumber of(long value) {
        return new JsonNumber(Long.toString(value));
    }

    public static JsonNumber of(BigDecimal value) {
        return new JsonNumber(value.toString());
    }

    public static JsonNumber of(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("JSON has no " + value);
        }
        return new JsonNumber(Double.toString(value));
    }

    /** The exact value; fails only for an exponent beyond the range of an int. */
    public BigDecimal asBigDecimal() {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new JsonException("number " + shortText() + " is out of range");
        }
    }

    /** The exact value, if it is an integer (in any notation: {@code 1e3}, {@code 7.0}) that fits a long. */
    public long asLong() {
        try {
            return asBigDecimal().longValueExact();
        } catch (ArithmeticException e) {
            throw new JsonException("number " + shortText() + " is not an integer from "
                    + Long.MIN_VALUE + " to " + Long.MAX_VALUE);
        }
    }

    /** The exact value, if it is an integer that fits an int. */
    public int asInt() {
        try {
            return Math.toIntExact(asBigDecimal().longValueExact());
        } catch (ArithmeticException e) {
            throw new JsonException("number " + shortText() + " is not an integer from "
                    + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
        }
    }

    /** The nearest double; a magnitude too large for one is an error, not infinity. */
    public double asDouble() {
        double value = Double.parseDouble(text);
        if (Double.isInfinite(value)) {
            throw new JsonException("number " + shortText() + " is out of the range of a double");
        }
        return value;
    }

    /** The JSONTestSuite has numbers of a thousand digits; an error message need not repeat them. */
    private String shortText() {
        return text.length() <= 40 ? text : text.substring(0, 20) + "..." + text.substring(text.length() - 10);
    }
}
