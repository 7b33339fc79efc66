package caixa.cgroups;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What {@code caixa top} shows: every container's cgroup (each one under {@code caixa/}) and any
 * other cgroup asked for, with the CPU it used since the previous sample, its memory and its tasks.
 * Not thread-safe: one sampler per view.
 */
public final class CgroupTop {
    private static final Set<String> CONTROLLERS = Set.of("cpu", "memory", "pids");

    /**
     * One cgroup in one sample.
     *
     * @param cpuPercent CPU time per wall time since the previous sample, in percent of one CPU (a
     *                   cgroup busy on two CPUs shows 200); NaN in the first sample of a cgroup
     */
    public record Row(String path, double cpuPercent, CgroupStats stats) {
    }

    private record Usage(long nanoTime, long cpuMicros) {
    }

    private final CgroupLayout layout;
    private final Set<String> named;
    private Map<String, Usage> previous = Map.of();

    /**
     * @param names cgroups to show besides the containers': a container's id stands for
     *              {@code caixa/ID}, anything else is a path relative to each hierarchy's root
     * @throws CgroupException when one of them does not exist
     */
    public CgroupTop(CgroupLayout layout, List<String> names) {
        this.layout = layout;
        this.named = new LinkedHashSet<>();
        for (String name : names) {
            String container = StaleCgroups.PARENT + "/" + name;
            if (!name.contains("/") && !CgroupTool.present(layout, container, CONTROLLERS).isEmpty()) {
                named.add(container);
            } else if (!CgroupTool.present(layout, name, CONTROLLERS).isEmpty()) {
                named.add(name);
            } else {
                throw new CgroupException("cgroup " + name + ": no such cgroup (nor container " + container + ")");
            }
        }
    }

    /** Reads every cgroup now; one that has gone since it was listed is left out. */
    public List<Row> sample() {
        Set<String> paths = new TreeSet<>(containers());
        paths.addAll(named);
        List<Row> rows = new ArrayList<>();
        Map<String, Usage> current = new HashMap<>();
        for (String path : paths) {
            Set<String> controllers = CgroupTool.present(layout, path, CONTROLLERS);
            if (controllers.isEmpty()) {
                continue;
            }
            CgroupStats stats;
            long now = System.nanoTime();
            try (Cgroup cgroup = Cgroup.open(layout, path, controllers)) {
                stats = cgroup.stats();
            } catch (CgroupException e) {
                continue;
            }
            Usage before = previous.get(path);
            double cpu = Double.NaN;
            if (stats.cpuUsageMicros() >= 0) {
                current.put(path, new Usage(now, stats.cpuUsageMicros()));
                if (before != null && now > before.nanoTime()) {
                    cpu = 100.0 * (stats.cpuUsageMicros() - before.cpuMicros()) * 1000 / (now - before.nanoTime());
                }
            }
            rows.add(new Row(path, cpu, stats));
        }
        previous = current;
        return rows;
    }

    /** The cgroups under {@code caixa/} in any hierarchy. */
    private Set<String> containers() {
        Set<Path> roots = new LinkedHashSet<>(layout.v1().values());
        if (layout.unified() != null) {
            roots.add(layout.unified());
        }
        Set<String> found = new TreeSet<>();
        for (Path root : roots) {
            Path parent = root.resolve(StaleCgroups.PARENT);
            try (Stream<Path> children = Files.list(parent)) {
                children.filter(Files::isDirectory).forEach(c -> found.add(StaleCgroups.PARENT + "/" + c.getFileName()));
            } catch (java.nio.file.NoSuchFileException e) {
                // No container has run here since boot, or the last one removed the parent.
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return found;
    }

    /** The rows as a table, a header line first; sizes in binary units, "-" where the host cannot tell. */
    public static String table(List<Row> rows) {
        int width = rows.stream().mapToInt(r -> r.path().length()).max().orElse(0);
        String format = "%-" + Math.max(width, 4) + "s %6s %10s %10s %10s  %s\n";
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, format, "NAME", "CPU%", "MEM", "PEAK", "LIMIT", "PIDS"));
        for (Row row : rows) {
            CgroupStats s = row.stats();
            out.append(String.format(Locale.ROOT, format, row.path(),
                    Double.isNaN(row.cpuPercent()) ? "-" : String.format(Locale.ROOT, "%.1f", row.cpuPercent()),
                    bytes(s.memoryCurrent()), bytes(s.memoryPeak()), bytes(s.memoryMax()),
                    count(s.pidsCurrent()) + "/" + count(s.pidsMax())));
        }
        return out.toString();
    }

    private static String bytes(long n) {
        return n == CgroupStats.UNKNOWN ? "-" : Sizes.human(n);
    }

    private static String count(long n) {
        return n == CgroupStats.UNKNOWN ? "-" : n == Sizes.UNLIMITED ? "max" : Long.toString(n);
    }
}
