package caixa.cli;

import caixa.rootfs.BusyboxRootfs;
import caixa.rootfs.Debootstrap;

import java.nio.file.Path;
import java.util.List;

/** {@code caixa rootfs busybox DIR} and {@code caixa rootfs debootstrap DIR [SUITE]}. */
final class RootfsCommand {
    private RootfsCommand() {
    }

    static final String USAGE = """
            Usage: caixa rootfs busybox DIR
                   caixa rootfs debootstrap DIR [SUITE]

            busybox      builds a rootfs from the host's static busybox (Debian: busybox-static)
            debootstrap  builds a Debian rootfs with debootstrap, as the walkthrough does (default SUITE: stable)
            """;

    static int run(List<String> args) {
        if (args.isEmpty() || args.getFirst().equals("--help") || args.getFirst().equals("-h")) {
            System.out.print(USAGE);
            return args.isEmpty() ? Main.USAGE_ERROR : 0;
        }
        String kind = args.getFirst();
        List<String> rest = args.subList(1, args.size());
        switch (kind) {
            case "busybox" -> {
                if (rest.size() != 1) {
                    throw new UsageException("rootfs busybox: expected one DIR");
                }
                Path dir = Path.of(rest.getFirst());
                BusyboxRootfs.create(dir);
                System.out.println(dir);
            }
            case "debootstrap" -> {
                if (rest.isEmpty() || rest.size() > 2) {
                    throw new UsageException("rootfs debootstrap: expected DIR [SUITE]");
                }
                Path dir = Path.of(rest.getFirst());
                Debootstrap.create(dir, rest.size() == 2 ? rest.get(1) : "stable");
                System.out.println(dir);
            }
            default -> throw new UsageException("rootfs: unknown kind " + kind + " (busybox, debootstrap)");
        }
        return 0;
    }
}
