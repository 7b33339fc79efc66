package caixa.bench;

import caixa.bindings.linux_h;
import caixa.linux.Linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side run of bench/compare, in one JVM that is also the "caixa Java API" subject (so
 * that one is measured in steady state). Every other subject is a process, timed by the small C
 * runner ({@code floor exec}: posix_spawn → waitpid, as hyperfine does), so no JVM spawn cost lands in
 * their numbers. Subjects are measured in rounds, interleaved, so that a noisy moment on the machine
 * hits all of them alike.
 */
public final class Compare {
    private Compare() {
    }

    enum Group { START, CGROUP }

    /** One row: a batch of n samples, in nanoseconds. */
    record Subject(String key, String label, Group group, int perRound, Batch batch) {
    }

    @FunctionalInterface
    interface Batch {
        long[] run(int n) throws Exception;
    }

    record Stats(double median, double p99, int n) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--quick")) {
                quick = true;
            } else if (args[i].equals("-h") || args[i].equals("--help")) {
                System.out.println("usage: bench/compare [--quick] [--only REGEX (subject keys: floor floorfork lib crun"
                        + " runc unshare cli clinoaot java cfloor cgwrite cgset)]");
                return;
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                opt.put(args[i].substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
        }
        String floor = require(opt, "floor");
        Path rootfs = Path.of(require(opt, "rootfs"));
        String bundle = require(opt, "bundle");
        String crunWrapper = require(opt, "crun-wrapper");
        String caixa = require(opt, "caixa");
        String java = require(opt, "java");
        Path results = Path.of(require(opt, "results"));
        System.setProperty("caixa.bench.rootfs", rootfs.toString());
        int rounds = quick ? 5 : 20;
        int scale = quick ? 1 : 2;

        List<Subject> subjects = new ArrayList<>();
        subjects.add(new Subject("floor", "C floor: clone(CLONE_VM|CLONE_VFORK), same child syscalls", Group.START,
                20 * scale, n -> external(List.of(floor, "start", "vfork", rootfs.toString(), "" + n), Map.of())));
        subjects.add(new Subject("floorfork", "C floor: plain fork semantics, same child syscalls", Group.START,
                10 * scale, n -> external(List.of(floor, "start", "fork", rootfs.toString(), "" + n), Map.of())));
        subjects.add(new Subject("lib", "**caixa, Java API** (Container.start → waitFor, steady state)", Group.START,
                20 * scale, n -> lib(n)));
        subjects.add(new Subject("crun", "crun run (OCI bundle, --cgroup-manager=disabled)", Group.START,
                3 * scale, n -> external(List.of(crunWrapper, floor, "exec", "" + n, "crun",
                        "--cgroup-manager=disabled", "run", "--bundle", bundle, "caixa-bench-crun"), Map.of())));
        subjects.add(new Subject("runc", "runc run (OCI bundle, cgroupfs)", Group.START,
                2 * scale, n -> runner(floor, n, List.of("runc", "run", "--bundle", bundle, "caixa-bench-runc"))));
        subjects.add(new Subject("unshare", "unshare --mount --uts --ipc --net --pid --fork chroot ROOTFS /bin/true",
                Group.START, 5 * scale, n -> runner(floor, n, List.of("unshare", "--mount", "--uts", "--ipc", "--net",
                        "--pid", "--fork", "chroot", rootfs.toString(), "/bin/true"))));
        List<String> cli = List.of(caixa, "run", "--rootfs", rootfs.toString(), "--ns", "pid,mount,uts,ipc,net",
                "--", "/bin/true");
        subjects.add(new Subject("cli", "**bin/caixa run** (cold CLI process, AOT cache)", Group.START,
                2 * scale, n -> external(prepend(floor, n, cli), Map.of("CAIXA_AOT", "on"))));
        subjects.add(new Subject("clinoaot", "bin/caixa run (cold CLI process, no AOT cache)", Group.START,
                1 * scale, n -> external(prepend(floor, n, cli), Map.of("CAIXA_AOT", "off"))));
        subjects.add(new Subject("java", "java -version (the JVM's own floor)", Group.START,
                2 * scale, n -> runner(floor, n, List.of(java, "-version"))));

        try (CgroupFiles files = CgroupFiles.create(); Arena arena = Arena.ofConfined()) {
            String cpuFile = files.cpuFile().toString();
            String[] values = files.cpuValues();
            MemorySegment[] segments = {bytes(arena, values[0]), bytes(arena, values[1])};
            int fd = Linux.openat(linux_h.AT_FDCWD(), cpuFile, linux_h.O_WRONLY() | linux_h.O_CLOEXEC(), 0);
            try {
                subjects.add(new Subject("cfloor", "C floor: write(2) to " + files.cpuFile().getFileName()
                        + " on a kept fd", Group.CGROUP, 2000 * scale,
                        n -> external(List.of(floor, "cgwrite", cpuFile, "" + n, values[0], values[1]), Map.of())));
                subjects.add(new Subject("cgwrite", "**caixa FFM write** (Linux.write on a kept fd)", Group.CGROUP,
                        2000 * scale, n -> ffmWrites(fd, segments, n)));
                subjects.add(new Subject("cgset", "cgset -r " + files.cgsetCpu(values[0]) + " (a process per write)",
                        Group.CGROUP, 5 * scale, n -> runner(floor, n, List.of("cgset", "-r",
                                files.cgsetCpu(values[0]), files.path()))));
                String only = opt.get("only");
                if (only != null) {
                    subjects.removeIf(s -> !s.key().matches(only));
                }
                run(subjects, rounds, quick || only != null, results, fd, segments);
            } finally {
                Linux.close(fd);
            }
        }
    }

    private static void run(List<Subject> subjects, int rounds, boolean quick, Path results, int fd,
                            MemorySegment[] segments) throws Exception {
        long began = System.nanoTime();
        String loadBefore = Machine.load();
        // Warm-up: the JVM subject reaches steady state, the others get their files into the page cache.
        System.err.printf("compare: warming up%n");
        if (subjects.stream().anyMatch(s -> s.key().equals("lib"))) {
            lib(quick ? 100 : 400);
        }
        for (int i = 0; i < 100; i++) {   // in batches, as measured, so that ffmWrites itself gets C2-compiled
            ffmWrites(fd, segments, 2000);
        }
        Map<String, List<Long>> samples = new LinkedHashMap<>();
        Map<String, String> failures = new LinkedHashMap<>();
        for (Subject s : subjects) {
            samples.put(s.key(), new ArrayList<>());
            if (!s.key().equals("lib") && !s.key().equals("cgwrite")) {
                try {
                    s.batch().run(1);
                } catch (Exception e) {
                    failures.put(s.key(), e.getMessage());
                    System.err.printf("compare: %s: %s%n", s.key(), e.getMessage());
                }
            }
        }
        for (int round = 0; round < rounds; round++) {
            System.err.printf("compare: round %d/%d%n", round + 1, rounds);
            // Rotate the order, so no subject always follows the same one.
            for (int i = 0; i < subjects.size(); i++) {
                Subject s = subjects.get((i + round) % subjects.size());
                if (failures.containsKey(s.key())) {
                    continue;
                }
                try {
                    for (long v : s.batch().run(s.perRound())) {
                        samples.get(s.key()).add(v);
                    }
                } catch (Exception e) {
                    failures.put(s.key(), e.getMessage());
                    System.err.printf("compare: %s: %s%n", s.key(), e.getMessage());
                }
            }
        }
        Map<String, Stats> stats = new LinkedHashMap<>();
        for (Subject s : subjects) {
            List<Long> v = samples.get(s.key());
            if (!failures.containsKey(s.key()) && !v.isEmpty()) {
                stats.put(s.key(), stats(v));
            }
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        report(subjects, stats, failures, rounds, quick, seconds, loadBefore + " before, " + Machine.load() + " after",
                results);
    }

    private static void report(List<Subject> subjects, Map<String, Stats> stats, Map<String, String> failures,
                               int rounds, boolean quick, double seconds, String load, Path results)
            throws IOException {
        String date = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z"));
        StringBuilder md = new StringBuilder();
        md.append("| subject | median | p99 | ratio to C floor | n |\n|---|---:|---:|---:|---:|\n");
        for (Subject s : subjects) {
            Stats st = stats.get(s.key());
            if (st == null) {
                md.append("| ").append(s.label()).append(" | failed: ")
                        .append(failures.getOrDefault(s.key(), "no samples")).append(" | | | |\n");
                continue;
            }
            boolean start = s.group() == Group.START;
            Stats base = stats.get(start ? "floor" : "cfloor");
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d |%n", s.label(),
                    format(st.median(), start), format(st.p99(), start),
                    base == null ? "" : String.format(Locale.ROOT, "%.2f×", st.median() / base.median()), st.n()));
        }
        String ratios = String.format(Locale.ROOT,
                "RATIOS lib/floor=%s crun/lib=%s runc/lib=%s unshare/lib=%s cli/java=%s cgwrite/cfloor=%s cgset/cgwrite=%s",
                ratio(stats, "lib", "floor"), ratio(stats, "crun", "lib"), ratio(stats, "runc", "lib"),
                ratio(stats, "unshare", "lib"), ratio(stats, "cli", "java"), ratio(stats, "cgwrite", "cfloor"),
                ratio(stats, "cgset", "cgwrite"));
        String name = quick ? "compare-quick" : "compare";
        String doc = "# bench/compare" + (quick ? " --quick" : "") + "\n\n"
                + Machine.describe() + "; " + date + "; " + rounds + " interleaved rounds, "
                + String.format(Locale.ROOT, "%.0f s", seconds) + "; load average " + load + ".\n"
                + "Start rows: start → exit of /bin/true in the same busybox rootfs with pid, mount, uts, ipc and net"
                + " namespaces, the rootfs mounts and no further hardening (crun and runc as whole processes; bin/caixa run as"
                + " users run it, with caixa's default hardening). Cgroup rows: one write of a CPU limit.\n\n"
                + md + "\n![bench/compare](" + name + ".svg)\n\n```\n" + ratios + "\n```\n";
        Files.createDirectories(results);
        Files.writeString(results.resolve(name + ".md"), doc);
        Files.writeString(results.resolve(name + ".svg"), Chart.svg(subjects, stats, date));
        System.out.println();
        System.out.print(md);
        System.out.println();
        System.out.println("results: " + results.resolve(name + ".md") + ", " + results.resolve(name + ".svg"));
        System.out.println(ratios);
    }

    private static String ratio(Map<String, Stats> stats, String a, String b) {
        Stats x = stats.get(a);
        Stats y = stats.get(b);
        if (x == null || y == null || y.median() == 0) {
            return "NaN";
        }
        double r = x.median() / y.median();
        return String.format(Locale.ROOT, r >= 100 ? "%.0f" : r >= 10 ? "%.1f" : "%.2f", r);
    }

    static String format(double nanos, boolean millis) {
        return millis ? String.format(Locale.ROOT, "%.2f ms", nanos / 1e6)
                : String.format(Locale.ROOT, "%.2f µs", nanos / 1e3);
    }

    static Stats stats(List<Long> values) {
        long[] v = values.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Stats(percentile(v, 50), percentile(v, 99), v.length);
    }

    /** Linear interpolation between closest ranks (as JMH and numpy's default). */
    static double percentile(long[] sorted, double p) {
        if (sorted.length == 1) {
            return sorted[0];
        }
        double rank = p / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }

    private static long[] lib(int n) {
        long[] out = new long[n];
        Path rootfs = Starts.rootfs();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            Starts.run(Starts.Variant.NET, rootfs);
            out[i] = System.nanoTime() - t0;
        }
        return out;
    }

    private static long[] ffmWrites(int fd, MemorySegment[] values, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            MemorySegment value = values[i & 1];
            long t0 = System.nanoTime();
            Linux.write(fd, value, "cgroup file");
            out[i] = System.nanoTime() - t0;
        }
        return out;
    }

    private static MemorySegment bytes(Arena arena, String s) {
        return arena.allocateFrom(ValueLayout.JAVA_BYTE, s.getBytes(StandardCharsets.US_ASCII));
    }

    private static List<String> prepend(String floor, int n, List<String> command) {
        List<String> all = new ArrayList<>(List.of(floor, "exec", "" + n));
        all.addAll(command);
        return all;
    }

    private static long[] runner(String floor, int n, List<String> command) throws IOException, InterruptedException {
        return external(prepend(floor, n, command), Map.of());
    }

    /** Runs the C program, which prints one sample (ns) per line. */
    private static long[] external(List<String> command, Map<String, String> env)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (p.waitFor() != 0) {
            String message = new String(err, StandardCharsets.UTF_8).strip();
            throw new IOException(message.isEmpty() ? String.join(" ", command) + " failed" : message);
        }
        return Arrays.stream(new String(out, StandardCharsets.US_ASCII).split("\n"))
                .filter(l -> !l.isBlank()).mapToLong(Long::parseLong).toArray();
    }

    private static String require(Map<String, String> opt, String key) {
        String v = opt.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + key);
        }
        return v;
    }
}
