package caixa.runtime;

import caixa.bindings.linux_h;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes a container the foreground of this JVM, as {@code docker run} does for its terminal: signals
 * sent to the JVM go to the container's init; a second SIGINT, or the stop timeout after a SIGINT or
 * SIGTERM, kills it. SIGQUIT is not forwarded: the JVM keeps it for thread dumps.
 *
 * <p>It installs process-wide handlers, so it is meant for a launcher's main thread, not for a
 * library embedded in a larger program.
 */
@SuppressWarnings("restriction")
public final class SignalForwarder implements AutoCloseable {
    private static final List<String> FORWARDED = List.of("INT", "TERM", "HUP", "USR1", "USR2");

    private final Duration stopTimeout;
    private final List<sun.misc.Signal> early = new java.util.ArrayList<>();
    private Container container;
    private final AtomicBoolean interrupted = new AtomicBoolean();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "caixa-stop-timeout");
        t.setDaemon(true);
        return t;
    });
    private final java.util.Map<sun.misc.Signal, sun.misc.SignalHandler> previous = new java.util.HashMap<>();

    private SignalForwarder(Duration stopTimeout) {
        this.stopTimeout = stopTimeout;
    }

    /**
     * Installs the handlers before the container exists, so that no signal arriving while it starts
     * takes the JVM's default action; such signals are delivered once {@link #attach} names it.
     */
    public static SignalForwarder install(Duration stopTimeout) {
        SignalForwarder forwarder = new SignalForwarder(stopTimeout);
        for (String name : FORWARDED) {
            sun.misc.Signal signal = new sun.misc.Signal(name);
            forwarder.previous.put(signal, sun.misc.Signal.handle(signal, forwarder::onSignal));
        }
        return forwarder;
    }

    public synchronized void attach(Container container) {
        this.container = container;
        early.forEach(this::onSignal);
        early.clear();
    }

    private synchronized void onSignal(sun.misc.Signal signal) {
        if (container == null) {
            early.add(signal);
            return;
        }
        int number = signal.getNumber();
        if (number == linux_h.SIGINT() && interrupted.getAndSet(true)) {
            container.kill();
            return;
        }
        container.signal(number);
        if (number == linux_h.SIGINT() || number == linux_h.SIGTERM()) {
            timer.schedule(container::kill, stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        previous.forEach(sun.misc.Signal::handle);
        timer.shutdownNow();
    }
}
