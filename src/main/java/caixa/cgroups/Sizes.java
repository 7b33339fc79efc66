package caixa.cgroups;

import java.util.Locale;

/** Byte sizes as cgroup files and docker flags write them: {@code 48M}, {@code 1g}, {@code 65536}, {@code max}. */
public final class Sizes {
    private Sizes() {
    }

    /** -1 stands for {@code max}, no limit. */
    public static final long UNLIMITED = -1;

    /** v1 reports "no limit" as the largest page-aligned counter; anything this large is unlimited. */
    private static final long V1_UNLIMITED_FLOOR = 1L << 62;

    public static long parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("max") || t.equals("-1")) {
            return UNLIMITED;
        }
        long unit = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        switch (last) {
            case 'k' -> unit = 1L << 10;
            case 'm' -> unit = 1L << 20;
            case 'g' -> unit = 1L << 30;
            case 't' -> unit = 1L << 40;
            default -> { }
        }
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        if (digits.endsWith("i")) {
            digits = digits.substring(0, digits.length() - 1);
        }
        if (digits.endsWith("b") && unit != 1) {
            digits = digits.substring(0, digits.length() - 1);
        }
        try {
            long n = Long.parseLong(digits);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size (like 48M, 1G, 65536 or max)");
        }
    }

    /** A value read from a v1 file: its huge "unlimited" becomes {@link #UNLIMITED}. */
    static long fromV1(long value) {
        return value >= V1_UNLIMITED_FLOOR || value < 0 ? UNLIMITED : value;
    }

    /** The value as a v2 file writes it. */
    public static String v2(long bytes) {
        return bytes == UNLIMITED ? "max" : Long.toString(bytes);
    }

    /** {@code 48 MiB}, for messages. */
    public static String human(long bytes) {
        if (bytes == UNLIMITED) {
            return "unlimited";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        double v = bytes;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[u];
    }
}
