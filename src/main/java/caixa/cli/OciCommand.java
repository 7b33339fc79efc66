package caixa.cli;

import caixa.cgroups.CgroupStats;
import caixa.runtime.oci.ContainerRecord;
import caixa.runtime.oci.Features;
import caixa.runtime.oci.OciRuntime;
import caixa.runtime.oci.Signals;
import caixa.runtime.oci.Status;
import caixa.spec.DefaultConfig;
import caixa.spec.LinuxResources;
import caixa.spec.OciProcess;
import caixa.spec.json.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** runc's command line, verb by verb: each parses its flags and calls one {@link OciRuntime} operation. */
final class OciCommand {
    private OciCommand() {
    }

    /** The verbs this class serves. */
    static final List<String> VERBS = List.of("create", "start", "state", "kill", "delete", "list", "ps", "pause",
            "resume", "events", "update", "features", "spec", "exec");

    /** The verbs that keep no state: they need no --root (an unprivileged user may have no XDG_RUNTIME_DIR). */
    private static final List<String> STATELESS = List.of("features", "spec");

    static int run(GlobalOptions global, String verb, List<String> argv) {
        OciRuntime runtime = STATELESS.contains(verb) ? null : new OciRuntime(global.root());
        Arguments args = new Arguments(verb, argv);
        return switch (verb) {
            case "create" -> create(runtime, args);
            case "start" -> {
                runtime.start(id(args, verb));
                yield 0;
            }
            case "state" -> {
                System.out.println(runtime.state(id(args, verb)));
                yield 0;
            }
            case "kill" -> kill(runtime, args);
            case "delete" -> delete(runtime, args);
            case "list" -> list(runtime, args);
            case "ps" -> ps(runtime, args);
            case "pause" -> {
                runtime.pause(id(args, verb));
                yield 0;
            }
            case "resume" -> {
                runtime.resume(id(args, verb));
                yield 0;
            }
            case "events" -> events(runtime, args);
            case "update" -> update(runtime, args);
            case "features" -> {
                noOptions(args);
                System.out.println(Features.document());
                yield 0;
            }
            case "spec" -> spec(args);
            case "exec" -> exec(runtime, args);
            default -> throw new UsageException("unknown command " + verb);
        };
    }

    /** {@code create [--bundle DIR] [--pid-file F] [--console-socket SOCK] [--preserve-fds N] [--no-pivot] ID}. */
    private static int create(OciRuntime runtime, Arguments args) {
        OciRuntime.CreateOptions options = createOptions(args);
        runtime.create(id(args, "create"), options);
        return 0;
    }

    /** {@code run [-d] [--bundle DIR] [--pid-file F] [--no-pivot] ID}: the OCI form of run. */
    static int runBundle(GlobalOptions global, List<String> argv) {
        Arguments args = new Arguments("run", argv);
        boolean[] detach = {false};
        OciRuntime.CreateOptions options = createOptions(args, detach);
        return new OciRuntime(global.root()).run(id(args, "run"), options, detach[0]);
    }

    private static OciRuntime.CreateOptions createOptions(Arguments args, boolean... detach) {
        Path bundle = Path.of(".");
        Path pidFile = null;
        Path consoleSocket = null;
        int preserveFds = 0;
        boolean noPivot = false;
        for (String option; (option = args.nextOption()) != null; ) {
            switch (option) {
                case "--bundle", "-b" -> bundle = Path.of(args.value(option));
                case "--console-socket" -> consoleSocket = Path.of(args.value(option));
                case "--pid-file" -> pidFile = Path.of(args.value(option));
                case "--preserve-fds" -> preserveFds = count(option, args.value(option));
                case "-d", "--detach" -> {
                    if (detach.length == 0) {
                        throw args.unknown(option);
                    }
                    detach[0] = true;
                }
                case "--no-pivot" -> {
                    args.noValue(option);
                    noPivot = true;
                }
                case "--no-new-keyring" -> args.noValue(option); // caixa never creates a session keyring
                default -> throw args.unknown(option);
            }
        }
        return new OciRuntime.CreateOptions(bundle, pidFile, preserveFds, consoleSocket, noPivot);
    }

    /**
     * {@code exec [--process FILE | OPTIONS] ID [COMMAND ARG...]}: a process from a process.json, or
     * from the command line with the container's configured environment plus {@code --env}.
     */
    private static int exec(OciRuntime runtime, Arguments args) {
        Path processFile = null;
        Path pidFile = null;
        Path consoleSocket = null;
        boolean detach = false;
        boolean tty = false;
        boolean noNewPrivileges = false;
        List<String> env = new java.util.ArrayList<>();
        String cwd = "/";
        String user = "0:0";
        List<Integer> gids = new java.util.ArrayList<>();
        for (String option; (option = args.nextOption()) != null; ) {
            switch (option) {
                case "--process", "-p" -> processFile = Path.of(args.value(option));
                case "--pid-file" -> pidFile = Path.of(args.value(option));
                case "--console-socket" -> consoleSocket = Path.of(args.value(option));
                case "--detach", "-d" -> detach = true;
                case "--tty", "-t" -> tty = true;
                case "--env", "-e" -> env.add(args.value(option));
                case "--cwd" -> cwd = args.value(option);
                case "--user", "-u" -> user = args.value(option);
                case "--additional-gids", "-g" -> gids.add(count(option, args.value(option)));
                case "--no-new-privs" -> noNewPrivileges = true;
                default -> throw new UsageException("exec: " + option + " is not supported");
            }
        }
        List<String> operands = args.operands();
        if (operands.isEmpty()) {
            throw new UsageException("exec: expected ID [COMMAND ARG...]");
        }
        String id = operands.getFirst();
        OciRuntime.ExecProcess process;
        if (processFile != null) {
            if (operands.size() > 1) {
                throw new UsageException("exec: give the command in --process or on the command line, not both");
            }
            try {
                OciProcess fromFile = OciProcess.read(JsonNode.parse(processFile.getFileName().toString(),
                        Files.readAllBytes(processFile)).asObject());
                process = OciRuntime.ExecProcess.of(fromFile);
                tty = tty || fromFile.terminal();
            } catch (IOException e) {
                throw new UsageException("exec: --process " + processFile + ": " + e.getMessage());
            }
        } else {
            if (operands.size() < 2) {
                throw new UsageException("exec: no command (exec ID COMMAND [ARG...], or --process FILE)");
            }
            String[] ids = user.split(":", 2);
            List<String> environment = new java.util.ArrayList<>(runtime.configEnvironment(id));
            environment.addAll(env);
            process = new OciRuntime.ExecProcess(operands.subList(1, operands.size()), environment, cwd,
                    count("--user", ids[0]), ids.length > 1 ? count("--user", ids[1]) : 0, gids, noNewPrivileges, null);
        }
        return runtime.exec(id, new OciRuntime.ExecRequest(process, tty, consoleSocket, pidFile, detach));
    }

    /** {@code kill [--all|-a] ID [SIGNAL]}; SIGTERM by default, as runc. */
    private static int kill(OciRuntime runtime, Arguments args) {
        boolean all = false;
        for (String option; (option = args.nextOption()) != null; ) {
            switch (option) {
                case "--all", "-a" -> all = true;
                default -> throw args.unknown(option);
            }
        }
        List<String> operands = args.operands();
        if (operands.isEmpty() || operands.size() > 2) {
            throw new UsageException("kill: expected ID [SIGNAL]");
        }
        int signal = operands.size() == 2 ? Signals.parse(operands.get(1)) : Signals.parse("TERM");
        runtime.kill(operands.getFirst(), signal, all);
        return 0;
    }

    /** {@code delete [--force|-f] ID}. */
    private static int delete(OciRuntime runtime, Arguments args) {
        boolean force = false;
        for (String option; (option = args.nextOption()) != null; ) {
            switch (option) {
                case "--force", "-f" -> force = true;
                default -> throw args.unknown(option);
            }
        }
        runtime.delete(single(args, "delete"), force);
        return 0;
    }

    /** {@code list [--format table|json] [-q]}. */
    private static int list(OciRuntime runtime, Arguments args) {
        String format = "table";
        boolean quiet = false;
        for (String option; (option = args.nextOption()) != null; ) {
            switch (option) {
                case "--format", "-f" -> format = args.value(option);
                case "--quiet", "-q" -> quiet = true;
                default -> throw args.unknown(option);
            }
        }
        if (!args.operands().isEmpty()) {
            throw new UsageException("list: takes no arguments");
        }
        List<ContainerRecord> records = runtime.list();
        switch (format) {
            case "json" -> System.out.println("[" + records.stream().map(runtime::stateLine)
                    .collect(Collectors.joining(",")) + "]");
            case "table" -> {
                if (quiet) {
                    records.forEach(r -> System.out.println(r.id()));
                    break;
                }
                System.out.printf(Locale.ROOT, "%-20s %-8s %-10s %-40s %s%n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
                for (ContainerRecord r : records) {
                    Status status = runtime.status(r);
                    System.out.printf(Locale.ROOT, "%-20s %-8d %-10s %-40s %s%n", r.id(),
                            status == Status.STOPPED ? 0 : r.pid(), status.label(), r.bundle(), r.created());
                }
            }
            default -> throw new UsageException("list: --format " + format + ": expected table or json");
        }
        return 0;
    }

    /** {@code ps [--format table|json] ID}: the container's pids. */
    private static int ps(OciRuntime runtime, Arguments args) {
        String format = "table";
        for (String option; (option = args.nextOption()) != null; ) {
            switch (option) {
                case "--format", "-f" -> format = args.value(option);
                default -> throw args.unknown(option);
            }
        }
        List<Integer> pids = runtime.ps(single(args, "ps"));
        switch (format) {
            case "json" -> System.out.println(pids);
            case "table" -> {
                System.out.println("PID CMD");
                for (int pid : pids) {
                    System.out.println(pid + " " + command(pid));
                }
            }
            default -> throw new UsageException("ps: --format " + format + ": expected table or json");
        }
        return 0;
    }

    /** {@code events [--stats] [--interval SECS] ID}: statistics as JSON, once or every interval until it stops. */
    private static int events(OciRuntime runtime, Arguments args) {
        boolean once = false;
        Duration interval = Duration.ofSeconds(5);
        for (String option; (option = args.nextOption()) != null; ) {
            switch (option) {
                case "--stats" -> once = true;
                case "--interval" -> interval = Duration.ofSeconds(count(option, args.value(option).replace("s", "")));
                default -> throw args.unknown(option);
            }
        }
        String id = single(args, "events");
        do {
            System.out.println(statsJson(id, runtime.stats(id)));
            System.out.flush();
            if (once) {
                break;
            }
            sleep(interval);
        } while (runtime.status(runtime.store().require(id)) != Status.STOPPED);
        return 0;
    }

    /** runc's stats event shape, with the counters caixa reads. */
    static String statsJson(String id, CgroupStats s) {
        return String.format(Locale.ROOT, "{\"type\":\"stats\",\"id\":\"%s\",\"data\":{"
                        + "\"cpu\":{\"usage\":{\"total\":%d}},"
                        + "\"memory\":{\"usage\":{\"usage\":%d,\"max\":%d,\"limit\":%d}},"
                        + "\"pids\":{\"current\":%d,\"limit\":%d},\"oom_kill\":%d}}",
                id, Math.max(0, s.cpuUsageMicros()) * 1000, Math.max(0, s.memoryCurrent()), Math.max(0, s.memoryPeak()),
                Math.max(0, s.memoryMax()), Math.max(0, s.pidsCurrent()), Math.max(0, s.pidsMax()), Math.max(0, s.oomKills()));
    }

    /** {@code update --resources FILE ID} ({@code -} reads stdin). */
    private static int update(OciRuntime runtime, Arguments args) {
        Path file = null;
        for (String option; (option = args.nextOption()) != null; ) {
            switch (option) {
                case "--resources", "-r" -> file = Path.of(args.value(option));
                default -> throw new UsageException("update: " + option
                        + " is not supported; give the new limits as linux.resources JSON with --resources FILE");
            }
        }
        if (file == null) {
            throw new UsageException("update: --resources FILE is required");
        }
        String id = single(args, "update");
        try {
            byte[] json = file.toString().equals("-") ? System.in.readAllBytes() : Files.readAllBytes(file);
            runtime.update(id, LinuxResources.read(JsonNode.parse(file.getFileName().toString(), json).asObject()));
        } catch (IOException e) {
            throw new UsageException("update: " + file + ": " + e.getMessage());
        }
        return 0;
    }

    /** {@code spec [--rootless] [--bundle DIR]}: writes a default config.json, as runc spec. */
    private static int spec(Arguments args) {
        boolean rootless = false;
        Path bundle = Path.of(".");
        for (String option; (option = args.nextOption()) != null; ) {
            switch (option) {
                case "--rootless" -> rootless = true;
                case "--bundle", "-b" -> bundle = Path.of(args.value(option));
                default -> throw args.unknown(option);
            }
        }
        if (!args.operands().isEmpty()) {
            throw new UsageException("spec: takes no arguments");
        }
        DefaultConfig.write(bundle, rootless ? DefaultConfig.rootless(caixa.linux.Linux.geteuid(), caixa.linux.Linux.getegid())
                : DefaultConfig.standard());
        return 0;
    }

    private static String id(Arguments args, String verb) {
        noOptions(args);
        return single(args, verb);
    }

    private static void noOptions(Arguments args) {
        String option = args.nextOption();
        if (option != null) {
            throw args.unknown(option);
        }
    }

    private static String single(Arguments args, String verb) {
        List<String> operands = args.operands();
        if (operands.size() != 1) {
            throw new UsageException(verb + ": expected one container ID");
        }
        return operands.getFirst();
    }

    private static int count(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " " + value + ": not a count");
        }
    }

    private static String command(int pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ').strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
