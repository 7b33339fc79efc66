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
 * Starts per second of fully isolated containers (pid, mount, uts, ipc, net) running /bin/true, from
 * many threads of one JVM. The thread count is JMH's {@code -t} (caixa.bench.Jmh runs 1, 2, 4, 8, 16).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class Concurrency {
    private Path rootfs;

    @Setup
    public void setUp() {
        rootfs = Starts.rootfs();
    }

    @Benchmark
    public void startToExit() {
        Starts.run(Starts.Variant.NET, rootfs);
    }
}
