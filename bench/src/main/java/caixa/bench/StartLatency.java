package caixa.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Start → exit of {@code /bin/true} through the Java API, one variant per method, and the JDK's
 * ProcessBuilder as the baseline. SampleTime: JMH reports the median (p0.50) and p0.99.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class StartLatency {
    private Path rootfs;

    @Setup
    public void setUp() {
        rootfs = Starts.rootfs();
    }

    /** No namespaces: the trampoline alone. */
    @Benchmark
    public void plainSpawn() {
        Starts.plain();
    }

    /** pid + mount + uts + ipc, the rootfs with /proc, /sys, /tmp, /dev and pivot_root. */
    @Benchmark
    public void pidMntUtsIpc() {
        Starts.run(Starts.Variant.ISOLATED, rootfs);
    }

    /** ... + net: full isolation. */
    @Benchmark
    public void plusNet() {
        Starts.run(Starts.Variant.NET, rootfs);
    }

    /** ... + net + user (root mapped to the caller). */
    @Benchmark
    public void plusNetUser() {
        Starts.run(Starts.Variant.USER, rootfs);
    }

    /** ... + net + cgroup namespace and a cgroup with cpu and memory limits. */
    @Benchmark
    public void plusNetCgroupLimits() {
        Starts.run(Starts.Variant.CGROUP, rootfs);
    }

    /** ... + net with caixa's default hardening (masked and read-only paths, capabilities, seccomp). */
    @Benchmark
    public void plusNetHardened() {
        Starts.run(Starts.Variant.HARDENED, rootfs);
    }

    /** The JDK's spawn of the host's /bin/true. */
    @Benchmark
    public void processBuilder() {
        Starts.processBuilder();
    }
}
