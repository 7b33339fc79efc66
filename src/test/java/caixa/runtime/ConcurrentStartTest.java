package caixa.runtime;

import caixa.spawn.ExitStatus;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Many threads starting containers at once: clone3 with CLONE_VM from several threads, descriptors
 * created while other threads clone, pidfds reaped concurrently. A race shows as a failed start, a
 * wrong exit status, or a descriptor or child left over.
 */
@ExtendWith(NothingLeftBehind.class)
class ConcurrentStartTest {
    private static final int THREADS = 8;
    private static final int STARTS_PER_THREAD = 200;

    @BeforeAll
    static void warmUp() {
        Run.stdout(ContainerSpec.builder(TestRootfs.busybox(), "/bin/true"));
    }

    @Test
    void manyThreadsStartingContainersLeaveNothingBehind() {
        String mountsBefore = Leaks.hostMountinfo();
        Leaks.Baseline baseline = Leaks.baseline();

        int succeeded = assertTimeoutPreemptively(Duration.ofMinutes(5), ConcurrentStartTest::startFromManyThreads);

        assertEquals(THREADS * STARTS_PER_THREAD, succeeded);
        baseline.assertNoLeaks();
        assertEquals(mountsBefore, Leaks.hostMountinfo());
    }

    private static int startFromManyThreads() throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            List<Future<Integer>> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                threads.add(pool.submit(() -> {
                    for (int i = 0; i < STARTS_PER_THREAD; i++) {
                        try (Container container = Container.start(spec())) {
                            assertEquals(ExitStatus.exited(0), container.waitFor(), "start " + i + " of " + container.id());
                        }
                    }
                    return STARTS_PER_THREAD;
                }));
            }
            int succeeded = 0;
            for (Future<Integer> thread : threads) {
                succeeded += thread.get();
            }
            return succeeded;
        }
    }

    /**
     * Output piped and stdin on /dev/null: pipe ends and /dev/null descriptors are what most easily
     * leak, or reach a sibling's child. Each spec has a fresh id, hence its own hostname.
     */
    private static ContainerSpec spec() {
        return ContainerSpec.builder(TestRootfs.busybox(), "/bin/true")
                .stdin(Stdio.NULL).stdout(Stdio.PIPE).stderr(Stdio.PIPE).build();
    }
}
