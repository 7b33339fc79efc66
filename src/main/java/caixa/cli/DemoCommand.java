package caixa.cli;

import caixa.demo.Walkthrough;

import java.util.List;

/** {@code caixa demo}. */
final class DemoCommand {
    private DemoCommand() {
    }

    static int run(List<String> args) {
        if (!args.isEmpty()) {
            throw new UsageException("demo: takes no arguments");
        }
        return Walkthrough.run(System.out) == 0 ? 0 : 1;
    }
}
