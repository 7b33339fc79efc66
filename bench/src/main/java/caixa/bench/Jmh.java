package caixa.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Runs the JMH benchmarks (StartLatency, CgroupWrite, Concurrency at 1, 2, 4, 8, 16 threads) and
 * writes a markdown summary: {@code Jmh [--quick] [--out FILE] [--only REGEX]}.
 */
public final class Jmh {
    private Jmh() {
    }

    public static void main(String[] args) throws RunnerException, IOException {
        boolean quick = false;
        Path out = Path.of("bench/results/jmh.md");
        String only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--only" -> only = args[++i];
                default -> throw new IllegalArgumentException("usage: Jmh [--quick] [--out FILE] [--only REGEX]");
            }
        }
        String loadBefore = Machine.load();
        List<String> rows = new ArrayList<>();
        rows.add("| benchmark | threads | median | p99 | unit |");
        rows.add("|---|---:|---:|---:|---|");
        for (String bench : List.of("StartLatency", "CgroupWrite")) {
            if (only != null && !bench.matches(only)) {
                continue;
            }
            List<RunResult> results = new ArrayList<>(run(options(bench, quick, 1)));
            results.sort(java.util.Comparator.comparingInt(Jmh::order));
            for (RunResult r : results) {
                Statistics s = r.getPrimaryResult().getStatistics();
                rows.add(String.format(Locale.ROOT, "| %s%s | 1 | %.1f | %.1f | %s |",
                        label(r), params(r), s.getPercentile(50), s.getPercentile(99),
                        r.getPrimaryResult().getScoreUnit()));
            }
        }
        if (only == null || "Concurrency".matches(only)) {
            for (int threads : List.of(1, 2, 4, 8, 16)) {
                for (RunResult r : run(options("Concurrency", quick, threads))) {
                    rows.add(String.format(Locale.ROOT, "| %s | %d | %.0f ± %.0f | | %s |", label(r), threads,
                            r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(),
                            r.getPrimaryResult().getScoreUnit()));
                }
            }
        }
        String date = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String text = "# caixa JMH results\n\n" + Machine.describe() + ", " + date + (quick ? ", --quick" : "")
                + ", load average " + loadBefore + " before, " + Machine.load() + " after"
                + ".\nStart latency: start → exit of /bin/true (SampleTime). Concurrency: fully isolated"
                + " starts per second (Throughput, score ± error).\n\n" + String.join("\n", rows) + "\n";
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text);
        System.out.println();
        System.out.print(text);
    }

    private static ChainedOptionsBuilder options(String bench, boolean quick, int threads) {
        ChainedOptionsBuilder o = new OptionsBuilder().include("caixa\\.bench\\." + bench + "\\.").threads(threads)
                .jvmArgsPrepend("-Dcaixa.bench.rootfs=" + Starts.rootfs());
        if (quick) {
            o.warmupIterations(1).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(1).measurementTime(TimeValue.seconds(2));
        }
        return o;
    }

    private static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
        return new Runner(options.build()).run();
    }

    /** Rows in the order of the issue, not JMH's alphabetical one. */
    private static final List<String> ORDER = List.of("plainSpawn", "pidMntUtsIpc", "plusNet", "plusNetUser",
            "plusNetCgroupLimits", "plusNetHardened", "processBuilder", "ffmWriteKeptFd", "ffmOpenWriteClose", "filesWriteString",
            "cgsetProcess");

    private static int order(RunResult r) {
        String name = r.getParams().getBenchmark();
        int i = ORDER.indexOf(name.substring(name.lastIndexOf('.') + 1));
        return i * 10 + (r.getParams().getParam("key") != null && r.getParams().getParam("key").startsWith("mem") ? 1 : 0);
    }

    private static String label(RunResult r) {
        String name = r.getParams().getBenchmark();
        return name.substring("caixa.bench.".length());
    }

    private static String params(RunResult r) {
        StringBuilder sb = new StringBuilder();
        for (String key : r.getParams().getParamsKeys()) {
            sb.append(sb.isEmpty() ? " (" : ", ").append(r.getParams().getParam(key));
        }
        return sb.isEmpty() ? "" : sb.append(')').toString();
    }
}
