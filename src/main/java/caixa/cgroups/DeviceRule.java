package caixa.cgroups;

import java.util.Locale;

/**
 * One rule of the device controller, as OCI's linux.resources.devices and cgroup v1's devices.allow
 * and devices.deny write it: {@code c 1:3 rwm}.
 *
 * @param type   character or block devices, or all devices
 * @param major  the major number, or {@link #ANY}
 * @param minor  the minor number, or {@link #ANY}
 * @param access some of {@code r} (read), {@code w} (write) and {@code m} (mknod), in that order
 * @param allow  whether the rule grants the access or denies it
 */
public record DeviceRule(Type type, long major, long minor, String access, boolean allow) {

    /** A major or minor number that matches every number ({@code *}). */
    public static final long ANY = -1;

    /** Access letters, in the order the kernel lists them. */
    private static final String ACCESS_LETTERS = "rwm";

    /** A device's type, with the letter cgroup files use for it. */
    public enum Type {
        /** Every device, character and block: the kernel reads nothing else of such a rule. */
        ALL('a'),
        CHAR('c'),
        BLOCK('b');

        private final char letter;

        Type(char letter) {
            this.letter = letter;
        }

        public char letter() {
            return letter;
        }

        public static Type of(char letter) {
            for (Type t : values()) {
                if (t.letter == letter) {
                    return t;
                }
            }
            throw new IllegalArgumentException("device type '" + letter + "': expected a, c or b");
        }
    }

    public DeviceRule {
        if (major < ANY || major > Integer.MAX_VALUE || minor < ANY || minor > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("device rule " + major + ":" + minor
                    + ": a number is from 0 to " + Integer.MAX_VALUE + ", or -1 for any");
        }
        access = normalize(access);
    }

    /** Grants {@code access} to devices of {@code type} and these numbers. */
    public static DeviceRule allow(Type type, long major, long minor, String access) {
        return new DeviceRule(type, major, minor, access, true);
    }

    /** Denies {@code access} to devices of {@code type} and these numbers. */
    public static DeviceRule deny(Type type, long major, long minor, String access) {
        return new DeviceRule(type, major, minor, access, false);
    }

    /** Denies everything: the rule a list starts with to grant only what follows. */
    public static DeviceRule denyAll() {
        return deny(Type.ALL, ANY, ANY, ACCESS_LETTERS);
    }

    /** Parses the v1 form, {@code c 1:3 rwm}, {@code b *:* m} or {@code a}. */
    public static DeviceRule parse(String text, boolean allow) {
        String[] fields = text.strip().split("\\s+");
        if (fields[0].length() != 1) {
            throw new IllegalArgumentException("device rule '" + text + "': expected TYPE MAJOR:MINOR ACCESS");
        }
        Type type = Type.of(fields[0].charAt(0));
        if (fields.length == 1 && type == Type.ALL) {
            return new DeviceRule(type, ANY, ANY, ACCESS_LETTERS, allow);
        }
        String[] numbers = fields.length == 3 ? fields[1].split(":", -1) : new String[0];
        if (numbers.length != 2) {
            throw new IllegalArgumentException("device rule '" + text + "': expected TYPE MAJOR:MINOR ACCESS");
        }
        try {
            return new DeviceRule(type, number(numbers[0]), number(numbers[1]), fields[2], allow);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("device rule '" + text + "': a number is digits or *");
        }
    }

    /** Whether every device of the type matches, whatever its numbers. */
    public boolean anyDevice() {
        return major == ANY && minor == ANY;
    }

    /** The line cgroup v1 reads from devices.allow or devices.deny: {@code c 1:3 rwm}, {@code a}. */
    public String toV1() {
        if (type == Type.ALL) {
            return "a";
        }
        return type.letter + " " + numberText(major) + ":" + numberText(minor) + " " + access;
    }

    @Override
    public String toString() {
        return (allow ? "allow " : "deny ") + (type == Type.ALL ? "a *:* " + access : toV1());
    }

    private static long number(String text) {
        return text.equals("*") ? ANY : Long.parseLong(text);
    }

    private static String numberText(long number) {
        return number == ANY ? "*" : Long.toString(number);
    }

    private static String normalize(String access) {
        String lower = access.toLowerCase(Locale.ROOT);
        StringBuilder normalized = new StringBuilder();
        for (char letter : ACCESS_LETTERS.toCharArray()) {
            if (lower.indexOf(letter) >= 0) {
                normalized.append(letter);
            }
        }
        if (normalized.isEmpty() || lower.chars().anyMatch(c -> ACCESS_LETTERS.indexOf(c) < 0)) {
            throw new IllegalArgumentException("device access '" + access + "': expected some of r, w and m");
        }
        return normalized.toString();
    }
}
