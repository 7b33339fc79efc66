package caixa.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command line read as getopt(3) reads it for cgroup-tools: options may come after operands
 * ({@code cgget mazoni -r memory.peak}), short flags combine ({@code -nv}), a value may be attached
 * ({@code -rmemory.peak}); {@code --} ends the options.
 *
 * @param options  each option given, with its values in order (none for a flag)
 * @param operands the rest, in order
 */
record Getopt(Map<String, List<String>> options, List<String> operands) {

    /**
     * @param withValue options that take a value ({@code -g}, {@code -r})
     * @param flags     options that take none
     */
    static Getopt parse(String command, List<String> argv, Set<String> withValue, Set<String> flags) {
        Map<String, List<String>> options = new LinkedHashMap<>();
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (arg.equals("--")) {
                operands.addAll(argv.subList(i + 1, argv.size()));
                break;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                operands.add(arg);
                continue;
            }
            // -nv is -n -v; -rKEY is -r KEY; a long option stands alone.
            List<String> letters = arg.startsWith("--") ? List.of(arg)
                    : arg.substring(1).chars().mapToObj(c -> "-" + (char) c).toList();
            for (int j = 0; j < letters.size(); j++) {
                String option = letters.get(j);
                if (!withValue.contains(option) && !flags.contains(option)) {
                    throw new UsageException(command + ": unknown option " + (letters.size() > 1 ? option + " in " + arg : arg)
                            + " (see caixa " + command.split(" ")[0] + " --help)");
                }
                List<String> values = options.computeIfAbsent(option, o -> new ArrayList<>());
                if (withValue.contains(option)) {
                    String attached = letters.size() > 1 ? arg.substring(j + 2) : "";
                    if (!attached.isEmpty()) {
                        values.add(attached);
                    } else if (i + 1 < argv.size()) {
                        values.add(argv.get(++i));
                    } else {
                        throw new UsageException(command + ": " + option + " needs a value");
                    }
                    break;
                }
            }
        }
        return new Getopt(options, operands);
    }

    boolean has(String option) {
        return options.containsKey(option);
    }

    List<String> values(String option) {
        return options.getOrDefault(option, List.of());
    }
}
