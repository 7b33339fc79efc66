package caixa.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

/**
 * runc's global options, before the command: engines pass {@code --root}, {@code --log} and
 * {@code --log-format json} and read errors back from the log file.
 *
 * @param root          the state directory given with --root, or null for the default ({@link #root()})
 * @param log           a file that receives error lines besides stderr, or null
 * @param jsonLog       log lines as JSON objects ({"level", "msg", "time"}), as runc writes them
 * @param debug         log debug lines too
 */
record GlobalOptions(Path root, Path log, boolean jsonLog, boolean debug) {
    static final Path DEFAULT_ROOT = Path.of("/run/caixa");

    /**
     * The state directory: --root, else /run/caixa for root and $XDG_RUNTIME_DIR/caixa for an
     * unprivileged caller (runc uses $XDG_RUNTIME_DIR/runc), who may not write /run. Without
     * XDG_RUNTIME_DIR there is no guessing: the error names it.
     */
    @Override
    public Path root() {
        if (root != null) {
            return root;
        }
        if (!caixa.runtime.Rootless.active()) {
            return DEFAULT_ROOT;
        }
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        if (runtimeDir == null || runtimeDir.isEmpty()) {
            throw new UsageException("rootless: XDG_RUNTIME_DIR is not set: an unprivileged user's containers are kept"
                    + " in $XDG_RUNTIME_DIR/caixa (set it, or give --root DIR)");
        }
        if (!runtimeDir.startsWith("/")) {
            throw new UsageException("rootless: XDG_RUNTIME_DIR " + runtimeDir + ": must be an absolute path");
        }
        return Path.of(runtimeDir, "caixa");
    }

    /** Parses the options before the command; the arguments from the command on go to {@code remaining}. */
    static GlobalOptions parse(List<String> args, List<String> remaining) {
        Path root = null;
        Path log = null;
        boolean json = false;
        boolean debug = false;
        int i = 0;
        for (; i < args.size() && args.get(i).startsWith("--"); i++) {
            String arg = args.get(i);
            int eq = arg.indexOf('=');
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            if (name.equals("--debug")) {
                debug = true;
                continue;
            }
            if (name.equals("--systemd-cgroup")) {
                throw new UsageException(Files.isDirectory(Path.of("/run/systemd/system"))
                        ? "--systemd-cgroup: caixa manages cgroups through cgroupfs only; leave the flag out"
                        : "--systemd-cgroup: this host does not run systemd (no /run/systemd/system)");
            }
            if (!name.equals("--root") && !name.equals("--log") && !name.equals("--log-format")) {
                break; // a command's own option (--help, --version)
            }
            String value;
            if (eq > 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new UsageException(name + " needs a value");
            }
            switch (name) {
                case "--root" -> root = Path.of(value);
                case "--log" -> log = Path.of(value);
                default -> {
                    if (!value.equals("text") && !value.equals("json")) {
                        throw new UsageException("--log-format " + value + ": expected text or json");
                    }
                    json = value.equals("json");
                }
            }
        }
        remaining.addAll(args.subList(i, args.size()));
        return new GlobalOptions(root, log, json, debug);
    }

    /** Appends an error line to the log file, if there is one; the log never hides the error itself. */
    void logError(String message) {
        if (log == null) {
            return;
        }
        String line = jsonLog
                ? "{\"level\":\"error\",\"msg\":" + quote(message) + ",\"time\":\"" + Instant.now() + "\"}\n"
                : "time=\"" + Instant.now() + "\" level=error msg=" + quote(message) + "\n";
        try {
            Files.writeString(log, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("caixa: log " + log + ": " + e.getMessage());
        }
    }

    private static String quote(String s) {
        return caixa.spec.json.Json.write(new caixa.spec.json.JsonString(s));
    }
}
