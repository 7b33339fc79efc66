package caixa.cli;

import caixa.cgroups.CgroupLayout;
import caixa.cgroups.CgroupTop;

import java.util.List;
import java.util.Set;

/** {@code caixa top [--once] [NAME|ID...]}: containers' CPU, memory and tasks, refreshed every second. */
final class TopCommand {
    private TopCommand() {
    }

    static final String USAGE = """
            Usage: caixa top [--once] [NAME|ID...]

            Shows every container's cgroup (those under caixa/), and the cgroups NAME (an ID means the
            container's, caixa/ID): CPU use as a percentage of one CPU, memory now, at its peak and its
            limit, and tasks against their limit. Refreshes every second until interrupted.
              --once   print one table (CPU measured over half a second) and exit
            """;

    /** Cursor home, then erase the screen: the terminal redraws in place. */
    private static final String CLEAR = "\033[H\033[2J";

    static int run(List<String> argv) {
        Getopt args = Getopt.parse("top", argv, Set.of(), Set.of("--once", "-h", "--help"));
        if (args.has("-h") || args.has("--help")) {
            System.out.print(USAGE);
            return 0;
        }
        CgroupTop top = new CgroupTop(CgroupLayout.host(), args.operands());
        top.sample();
        try {
            if (args.has("--once")) {
                Thread.sleep(500);
                System.out.print(CgroupTop.table(top.sample()));
                return 0;
            }
            while (true) {
                Thread.sleep(1000);
                System.out.print(CLEAR + CgroupTop.table(top.sample()));
                System.out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
