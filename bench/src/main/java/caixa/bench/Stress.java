package caixa.bench;

import caixa.spawn.SpawnTimeoutException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Reliability, not speed: many starts through the Java API while other threads allocate heavily
 * (run it with -Xmx64m: constant GCs, so safepoints are armed all the time), and a watchdog that
 * counts every start that does not reach execve within the timeout. Java code in a forked JVM child
 * hangs in such a run (see shared/notes/child-path.md); caixa's child runs no Java, so hangs must be 0.
 *
 * <p>{@code Stress [--starts N] [--threads T] [--allocators A] [--timeout SECONDS] [--variant NET|ISOLATED|...]}.
 * Prints {@code starts=N hangs=H retries=R} last; exits 1 when a start hung.
 */
public final class Stress {
    private Stress() {
    }

    public static void main(String[] args) throws Exception {
        int starts = 100_000;
        int threads = 4;
        int allocators = 2;
        long timeoutSeconds = 10;
        Starts.Variant variant = Starts.Variant.NET;
        java.nio.file.Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--starts" -> starts = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--allocators" -> allocators = Integer.parseInt(args[++i]);
                case "--timeout" -> timeoutSeconds = Long.parseLong(args[++i]);
                case "--variant" -> variant = Starts.Variant.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--out" -> out = java.nio.file.Path.of(args[++i]);
                default -> throw new IllegalArgumentException("usage: Stress [--starts N] [--threads T] "
                        + "[--allocators A] [--timeout SECONDS] [--variant NET|ISOLATED|USER|CGROUP|PLAIN] [--out FILE]");
            }
        }
        Path rootfs = Starts.rootfs();
        long timeoutNanos = timeoutSeconds * 1_000_000_000L;
        AtomicInteger claimed = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger hangs = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLongArray inFlightSince = new AtomicLongArray(threads);  // 0: idle
        AtomicLongArray counted = new AtomicLongArray(threads);        // the start already counted as a hang
        AtomicLong allocated = new AtomicLong();

        // Heavy allocation: arrays of random size kept in a ring (live set ~16 MiB of a 64 MiB heap),
        // plus native allocation and release, as in the experiments of child-path.md.
        for (int a = 0; a < allocators; a++) {
            Thread t = Thread.ofPlatform().daemon().name("allocator-" + a).start(() -> {
                byte[][] ring = new byte[256][];
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (long i = 0; !stop; i++) {
                    int size = 1024 + random.nextInt(128 * 1024);
                    ring[(int) (i & 255)] = new byte[size];
                    allocated.addAndGet(size);
                    if ((i & 63) == 0) {
                        try (Arena arena = Arena.ofConfined()) {
                            arena.allocate(64 * 1024).fill((byte) 1);
                        }
                    }
                }
            });
            t.setPriority(Thread.NORM_PRIORITY);
        }

        final int total = starts;
        final long timeoutSecs = timeoutSeconds;
        final Starts.Variant v = variant;
        Thread[] starters = new Thread[threads];
        for (int s = 0; s < threads; s++) {
            final int slot = s;
            starters[s] = Thread.ofPlatform().name("starter-" + s).start(() -> {
                while (claimed.getAndIncrement() < total) {
                    int attempts = 0;
                    while (true) {
                        inFlightSince.set(slot, System.nanoTime());
                        try {
                            Starts.run(v, rootfs);
                            break;
                        } catch (RuntimeException e) {
                            if (causedBy(e, SpawnTimeoutException.class)) {
                                hangs.incrementAndGet();    // the runtime's own timeout: never reached execve
                            }
                            retries.incrementAndGet();
                            if (++attempts == 5) {
                                System.err.println("stress: start failed 5 times: " + e);
                                failed.incrementAndGet();
                                break;
                            }
                        } finally {
                            inFlightSince.set(slot, 0);
                        }
                    }
                    int n = done.incrementAndGet();
                    if (n % 10_000 == 0) {
                        System.err.printf("stress: %d starts, %d hangs, %d retries%n", n, hangs.get(), retries.get());
                    }
                }
            });
        }

        // The watchdog: a start in flight for longer than the timeout never reached execve (with
        // CLONE_VFORK the starting thread is held in clone3 until the child execs). Count it once and
        // kill the stuck child (a child of this JVM that still runs the JVM's binary), so the run goes on.
        Thread watchdog = Thread.ofPlatform().daemon().name("watchdog").start(() -> {
            while (!stop) {
                long now = System.nanoTime();
                for (int s = 0; s < inFlightSince.length(); s++) {
                    long since = inFlightSince.get(s);
                    if (since != 0 && now - since > timeoutNanos && counted.get(s) != since) {
                        counted.set(s, since);
                        hangs.incrementAndGet();
                        System.err.printf("stress: starter-%d: no execve after %d s%n", s, timeoutSecs);
                        killStuckChildren();
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });

        long began = System.nanoTime();
        for (Thread t : starters) {
            t.join();
        }
        stop = true;
        watchdog.interrupt();
        double seconds = (System.nanoTime() - began) / 1e9;
        long gcs = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        String details = String.format(Locale.ROOT, "stress: %s, %d starter threads, %d allocating threads (%.1f GB "
                        + "allocated), max heap %d MiB, %d GCs (%d ms), %.0f s, %.0f starts/s, %d starts failed after 5 tries",
                variant, threads, allocators, allocated.get() / 1e9, Runtime.getRuntime().maxMemory() >> 20, gcs,
                gcMillis, seconds, done.get() / seconds, failed.get());
        String summary = String.format("starts=%d hangs=%d retries=%d", done.get() - failed.get(), hangs.get(),
                retries.get());
        if (out != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, "# bench/stress\n\n" + Machine.describe() + "; "
                    + java.time.ZonedDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z"))
                    + "; load average " + Machine.load() + " at the end.\n\n```\n" + details + "\n" + summary + "\n```\n");
        }
        System.out.println(details);
        System.out.println(summary);
        System.exit(hangs.get() == 0 && failed.get() == 0 ? 0 : 1);
    }

    private static volatile boolean stop;

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static void killStuckChildren() {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            Path self = Path.of("/proc/self/exe").toRealPath();
            for (Path task : tasks.toList()) {
                for (String pid : Files.readString(task.resolve("children")).trim().split("\\s+")) {
                    if (pid.isEmpty()) {
                        continue;
                    }
                    try {
                        if (Path.of("/proc", pid, "exe").toRealPath().equals(self)) {
                            caixa.linux.Linux.kill(Integer.parseInt(pid), caixa.bindings.linux_h.SIGKILL());
                        }
                    } catch (IOException | RuntimeException gone) {
                        // exited meanwhile
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("stress: watchdog: " + e);
        }
    }
}
