package caixa.cli;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Walks a command line: options ({@code --name VALUE}, {@code --name=VALUE}, {@code -n VALUE}) until
 * the first operand or {@code --}.
 */
final class Arguments {
    private final String command;
    private final Deque<String> rest;
    private String pendingValue;

    Arguments(String command, List<String> args) {
        this.command = command;
        this.rest = new ArrayDeque<>(args);
    }

    /** The next option name, or null when the options are over (the operands remain). */
    String nextOption() {
        String next = rest.peekFirst();
        if (next == null || !next.startsWith("-") || next.equals("-")) {
            return null;
        }
        rest.removeFirst();
        if (next.equals("--")) {
            return null;
        }
        int eq = next.indexOf('=');
        if (next.startsWith("--") && eq > 0) {
            pendingValue = next.substring(eq + 1);
            return next.substring(0, eq);
        }
        pendingValue = null;
        return next;
    }

    /** The value of the option just read. */
    String value(String option) {
        if (pendingValue != null) {
            String v = pendingValue;
            pendingValue = null;
            return v;
        }
        String v = rest.pollFirst();
        if (v == null) {
            throw new UsageException(command + ": " + option + " needs a value");
        }
        return v;
    }

    /** For flags that take no value: refuses {@code --flag=value}. */
    void noValue(String option) {
        if (pendingValue != null) {
            throw new UsageException(command + ": " + option + " takes no value");
        }
    }

    List<String> operands() {
        return List.copyOf(rest);
    }

    UsageException unknown(String option) {
        return new UsageException(command + ": unknown option " + option + " (see caixa --help)");
    }
}
