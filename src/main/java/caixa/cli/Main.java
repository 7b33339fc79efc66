package caixa.cli;

import caixa.cgroups.CgroupException;
import caixa.rootfs.RootfsException;
import caixa.runtime.ContainerException;

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

            Options:
              --help      this text
              --version   caixa's version
            """;

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args)));
    }

    static int run(List<String> args) {
        if (args.isEmpty()) {
            System.err.print(USAGE);
            return USAGE_ERROR;
        }
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (args.getFirst()) {
                case "run" -> RunCommand.run(rest);
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
        } catch (UsageException | RootfsException | CgroupException e) {
            return fail(e.getMessage(), USAGE_ERROR);
        } catch (ContainerException e) {
            return fail(e.getMessage(), e.exitCode());
        }
    }

    private static int fail(String message, int status) {
        System.err.println("caixa: " + message);
        return status;
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "development build";
    }
}
