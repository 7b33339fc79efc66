package caixa.cli;

import caixa.cgroups.CgroupException;
import caixa.rootfs.RootfsException;
import caixa.runtime.ContainerException;

import caixa.runtime.oci.OciException;
import caixa.spec.json.JsonException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code caixa COMMAND ...}: dispatches to one command and turns its failure into one line and a status. */
public final class Main {
    private Main() {
    }

    static final int USAGE_ERROR = ContainerException.RUNTIME_ERROR;

    static final String USAGE = """
            Usage: caixa COMMAND [ARGS...]

            A container runtime for the JVM.

            Commands:
              run      run a command in a new container (caixa run --help)
              demo     replay the namespaces-and-chroot walkthrough with caixa, showing the evidence
              rootfs   build a rootfs: busybox (the default one) or debootstrap
              cgroup   create, classify, set, get and delete cgroups, as cgroup-tools (caixa cgroup --help)
              top      CPU, memory and tasks of running containers (caixa top --help)

            OCI runtime commands, as runc's (for podman, containerd and the like):
              create, start, state, kill, delete, run ID, exec, list, ps, pause, resume, events,
              update, features, spec
            Global options before the command: --root DIR (default /run/caixa; for a user other
              than root $XDG_RUNTIME_DIR/caixa), --log FILE,
              --log-format text|json, --debug

            Options:
              --help      this text
              --version   caixa's version
            """;

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args)));
    }

    static int run(List<String> all) {
        List<String> args = new ArrayList<>();
        GlobalOptions global;
        try {
            global = GlobalOptions.parse(all, args);
        } catch (UsageException e) {
            return fail(null, e.getMessage(), USAGE_ERROR);
        }
        if (args.isEmpty()) {
            System.err.print(USAGE);
            return USAGE_ERROR;
        }
        List<String> rest = args.subList(1, args.size());
        String command = args.getFirst();
        try {
            if (OciCommand.VERBS.contains(command)) {
                return OciCommand.run(global, command, rest);
            }
            return switch (command) {
                case "run" -> RunCommand.isBundleForm(rest) ? OciCommand.runBundle(global, rest) : RunCommand.run(rest);
                case "demo" -> DemoCommand.run(rest);
                case "rootfs" -> RootfsCommand.run(rest);
                case "cgroup" -> CgroupCommand.run(rest);
                case "top" -> TopCommand.run(rest);
                case "--help", "-h", "help" -> {
                    System.out.print(USAGE);
                    yield 0;
                }
                case "--version", "version" -> {
                    System.out.println("caixa " + version());
                    yield 0;
                }
                default -> throw new UsageException("unknown command " + args.getFirst() + " (see caixa --help)");
            };
        } catch (UsageException | RootfsException | CgroupException | JsonException e) {
            return fail(global, e.getMessage(), USAGE_ERROR);
        } catch (OciException e) {
            return fail(global, e.getMessage(), OCI_ERROR);
        } catch (ContainerException e) {
            return fail(global, e.getMessage(), e.exitCode());
        }
    }

    /** What runc's commands exit with on any error; engines look only at zero or not. */
    static final int OCI_ERROR = 1;

    private static int fail(GlobalOptions global, String message, int status) {
        System.err.println("caixa: " + message);
        if (global != null) {
            global.logError(message);
        }
        return status;
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "development build";
    }
}
