package caixa.spawn;

import caixa.bindings.linux_h;
import caixa.linux.Linux;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A started child, held by its pidfd: signals cannot reach a recycled pid, and waiting needs no
 * SIGCHLD handler. Safe for use from many threads.
 */
public final class ChildProcess implements AutoCloseable {
    private final int pid;
    private final int pidfd;
    private final Lock reaping = new ReentrantLock();
    // Readers use the pidfd; the writer closes it, so no call can hit a reused descriptor number.
    private final ReadWriteLock descriptor = new ReentrantReadWriteLock();
    private volatile ExitStatus status;
    private boolean closed;

    ChildProcess(int pid, int pidfd) {
        this.pid = pid;
        this.pidfd = pidfd;
    }

    /** The pid in the caller's pid namespace. */
    public int pid() {
        return pid;
    }

    /** The exit status once reaped, else empty. */
    public Optional<ExitStatus> exitStatus() {
        return Optional.ofNullable(status);
    }

    /** Waits for the process to end and reaps it. */
    public ExitStatus waitFor() {
        return waitFor(null).orElseThrow();
    }

    /** Waits at most {@code timeout} (null: no limit); empty if it is still running then. */
    public Optional<ExitStatus> waitFor(Duration timeout) {
        ExitStatus known = status;
        if (known != null) {
            return Optional.of(known);
        }
        descriptor.readLock().lock();
        try {
            if (closed) {
                return Optional.ofNullable(status);
            }
            if (timeout != null) {
                int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis()));
                if (!Linux.pollReadable(pidfd, millis, "pidfd of " + pid)) {
                    return Optional.empty();
                }
            }
            reaping.lock();
            try {
                if (status == null) {
                    Linux.ChildExit exit = Linux.waitPidfd(pidfd, 0);
                    status = exit.exited() ? ExitStatus.exited(exit.status()) : ExitStatus.killed(exit.status());
                }
                return Optional.of(status);
            } finally {
                reaping.unlock();
            }
        } finally {
            descriptor.readLock().unlock();
        }
    }

    /** Sends {@code signal}; false when the process has already ended. */
    public boolean signal(int signal) {
        descriptor.readLock().lock();
        try {
            return !closed && status == null && Linux.pidfdSendSignal(pidfd, signal);
        } finally {
            descriptor.readLock().unlock();
        }
    }

    /** SIGKILL. */
    public boolean kill() {
        return signal(linux_h.SIGKILL());
    }

    /** Lets the process go on without us: releases the pidfd, neither killing nor reaping it. */
    public void detach() {
        releasePidfd();
    }

    /** Kills the process if it still runs, reaps it and releases the pidfd. */
    @Override
    public void close() {
        if (status == null) {
            kill();
            waitFor();
        }
        releasePidfd();
    }

    private void releasePidfd() {
        descriptor.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                Linux.close(pidfd);
            }
        } finally {
            descriptor.writeLock().unlock();
        }
    }
}
