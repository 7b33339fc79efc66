package caixa.bench;

import caixa.bindings.linux_h;
import caixa.linux.Linux;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Setting cpu.max or memory.max (or their v1 files on a hybrid host, see {@link CgroupFiles}) four
 * ways: FFM write(2) on a kept descriptor, open + write + close each time (what caixa's
 * CgroupDirectory does), Files.writeString, and spawning Debian's cgset per write.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class CgroupWrite {
    @Param({"cpu.max", "memory.max"})
    public String key;

    private CgroupFiles files;
    private Path file;
    private String[] values;
    private MemorySegment[] segments;
    private int keptFd = -1;
    private int dirFd = -1;
    private int next;
    private final Arena arena = Arena.ofShared();

    @Setup(Level.Trial)
    public void setUp() {
        files = CgroupFiles.create();
        file = key.equals("cpu.max") ? files.cpuFile() : files.memoryFile();
        values = key.equals("cpu.max") ? files.cpuValues() : files.memoryValues();
        segments = new MemorySegment[values.length];
        for (int i = 0; i < values.length; i++) {
            segments[i] = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE,
                    values[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        keptFd = Linux.openat(linux_h.AT_FDCWD(), file.toString(), linux_h.O_WRONLY() | linux_h.O_CLOEXEC(), 0);
        dirFd = Linux.openDirectory(file.getParent().toString());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Linux.close(keptFd);
        Linux.close(dirFd);
        files.close();
        arena.close();
    }

    private int flip() {
        next ^= 1;
        return next;
    }

    @Benchmark
    public void ffmWriteKeptFd() {
        Linux.write(keptFd, segments[flip()], "cgroup file");
    }

    @Benchmark
    public void ffmOpenWriteClose() {
        Linux.writeFile(dirFd, file.getFileName().toString(), values[flip()]);
    }

    @Benchmark
    public void filesWriteString() throws IOException {
        Files.writeString(file, values[flip()]);
    }

    @Benchmark
    public void cgsetProcess() throws IOException, InterruptedException {
        String name = file.getFileName().toString();
        Process p = new ProcessBuilder("cgset", "-r", name + "=" + values[flip()], files.path())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("cgset exited with " + p.exitValue());
        }
    }
}
