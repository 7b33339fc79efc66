package caixa.spec.json;

import java.util.Objects;

/**
 * A string. It is always well-formed Unicode (no lone surrogate), so it encodes to UTF-8 without
 * loss: a lone surrogate in a path or an argument would otherwise reach the kernel as {@code ?}.
 */
public record JsonString(String value) implements JsonValue {
    public JsonString {
        Objects.requireNonNull(value, "value");
        int bad = loneSurrogateIndex(value);
        if (bad >= 0) {
            throw new IllegalArgumentException(
                    "lone surrogate U+%04X at index %d".formatted((int) value.charAt(bad), bad));
        }
    }

    /** The index of the first surrogate that is not half of a pair, or -1. */
    static int loneSurrogateIndex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
