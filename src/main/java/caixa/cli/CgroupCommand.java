package caixa.cli;

import caixa.cgroups.CgroupLayout;
import caixa.cgroups.CgroupTool;
import caixa.cgroups.CgroupTool.Selection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.Set;

/** {@code caixa cgroup VERB ...}: cgroup-tools' cgcreate, cgclassify, cgset, cgget and cgdelete. */
final class CgroupCommand {
    private CgroupCommand() {
    }

    static final String USAGE = """
            Usage: caixa cgroup create   -g CONTROLLERS:NAME ...
                   caixa cgroup classify -g CONTROLLERS:NAME ... PID...
                   caixa cgroup set      -r KEY=VALUE ... NAME...
                   caixa cgroup get      [-n] [-v] -r KEY ... NAME...
                   caixa cgroup delete   [-r] -g CONTROLLERS:NAME ...

            As cgcreate, cgclassify, cgset, cgget and cgdelete, alike on cgroup v1, v2 and hybrid hosts:
            controllers and keys are v2 names (cpu, memory, pids, cpuset, io, hugetlb; cpu.max, memory.max,
            memory.peak, pids.max, ...), translated where the host keeps a controller in a v1 hierarchy.
            NAME is a path below each hierarchy's root, like mazoni or caixa/web.
              -g CONTROLLERS:NAME   a cgroup and its controllers, like cpu,memory:mazoni (repeatable)
              -r KEY=VALUE          set: write VALUE, like cpu.max=20000 or memory.max=48M (repeatable)
              -r KEY                get: read KEY, like memory.peak (repeatable)
              -n                    get: leave out the NAME: header
              -v                    get: print values only, without KEY:
              -r                    delete: delete the cgroups below NAME too
            """;

    static int run(List<String> argv) {
        if (argv.isEmpty()) {
            System.err.print(USAGE);
            return Main.USAGE_ERROR;
        }
        String verb = argv.getFirst();
        String command = "cgroup " + verb;
        List<String> rest = argv.subList(1, argv.size());
        CgroupLayout layout = CgroupLayout.host();
        switch (verb) {
            case "create" -> {
                Getopt args = Getopt.parse(command, rest, Set.of("-g"), Set.of());
                noOperands(command, args);
                selections(command, args).forEach(s -> CgroupTool.create(layout, s));
            }
            case "classify" -> {
                Getopt args = Getopt.parse(command, rest, Set.of("-g"), Set.of());
                List<Integer> pids = pids(command, args.operands());
                selections(command, args).forEach(s -> CgroupTool.classify(layout, s, pids));
            }
            case "set" -> {
                Getopt args = Getopt.parse(command, rest, Set.of("-r"), Set.of());
                SequencedMap<String, String> values = new LinkedHashMap<>();
                for (String r : required(command, args, "-r", "KEY=VALUE")) {
                    int eq = r.indexOf('=');
                    if (eq <= 0) {
                        throw new UsageException(command + ": -r " + r + ": expected KEY=VALUE, like cpu.max=20000");
                    }
                    values.put(r.substring(0, eq), r.substring(eq + 1));
                }
                names(command, args).forEach(name -> CgroupTool.set(layout, name, values));
            }
            case "get" -> {
                Getopt args = Getopt.parse(command, rest, Set.of("-r"), Set.of("-n", "-v"));
                List<String> keys = required(command, args, "-r", "KEY");
                // As cgget: all read before any is printed, so a failure prints nothing.
                StringBuilder out = new StringBuilder();
                for (String name : names(command, args)) {
                    out.append(CgroupTool.cggetText(name, CgroupTool.get(layout, name, keys), !args.has("-n"), !args.has("-v")));
                }
                System.out.print(out);
            }
            case "delete" -> {
                Getopt args = Getopt.parse(command, rest, Set.of("-g"), Set.of("-r"));
                noOperands(command, args);
                selections(command, args).forEach(s -> CgroupTool.delete(layout, s, args.has("-r")));
            }
            case "-h", "--help", "help" -> System.out.print(USAGE);
            default -> throw new UsageException("cgroup: unknown verb " + verb + " (create, classify, set, get, delete)");
        }
        return 0;
    }

    private static List<Selection> selections(String command, Getopt args) {
        List<Selection> selections = new ArrayList<>();
        for (String g : required(command, args, "-g", "CONTROLLERS:NAME")) {
            try {
                selections.add(Selection.parse(g));
            } catch (IllegalArgumentException e) {
                throw new UsageException(command + ": -g " + e.getMessage());
            }
        }
        return selections;
    }

    private static List<String> required(String command, Getopt args, String option, String what) {
        if (args.values(option).isEmpty()) {
            throw new UsageException(command + ": " + option + " " + what + " is required");
        }
        return args.values(option);
    }

    private static List<String> names(String command, Getopt args) {
        if (args.operands().isEmpty()) {
            throw new UsageException(command + ": no cgroup NAME given");
        }
        return args.operands();
    }

    private static void noOperands(String command, Getopt args) {
        if (!args.operands().isEmpty()) {
            throw new UsageException(command + ": unexpected " + args.operands().getFirst() + " (name cgroups with -g)");
        }
    }

    private static List<Integer> pids(String command, List<String> operands) {
        if (operands.isEmpty()) {
            throw new UsageException(command + ": no PID given");
        }
        List<Integer> pids = new ArrayList<>();
        for (String operand : operands) {
            try {
                pids.add(Integer.parseUnsignedInt(operand));
            } catch (NumberFormatException e) {
                throw new UsageException(command + ": '" + operand + "' is not a process id");
            }
        }
        return pids;
    }
}
