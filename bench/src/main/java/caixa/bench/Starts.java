package caixa.bench;

import caixa.cgroups.Resources;
import caixa.linux.Linux;
import caixa.rootfs.Mount;
import caixa.rootfs.BusyboxRootfs;
import caixa.runtime.Container;
import caixa.runtime.ContainerSpec;
import caixa.runtime.Namespace;
import caixa.spawn.ChildProcess;
import caixa.spawn.ChildProgram;
import caixa.spawn.ExitStatus;
import caixa.spawn.Spawner;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

/** The container start variants the benchmarks measure, each start → exit of {@code /bin/true}. */
public final class Starts {
    private Starts() {
    }

    public enum Variant {
        /** No namespaces, no rootfs: the trampoline alone (caixa.spawn), the host's /bin/true. */
        PLAIN,
        /** pid, mount, uts, ipc: the busybox rootfs with its /proc, /sys, /tmp, /dev, pivot_root. */
        ISOLATED,
        /** ISOLATED + net: what bench/compare calls full isolation (the seed's unshare flags). */
        NET,
        /** NET + a user namespace mapping root inside to the caller (--map-root-user). */
        USER,
        /** NET + cgroup namespace and a cgroup of its own with cpu.max 50% and memory.max 64 MiB. */
        CGROUP,
        /** NET with caixa's default hardening: masked and read-only paths, capabilities, no_new_privs, seccomp. */
        HARDENED
    }

    public static final Resources LIMITS = Resources.NONE.withCpus(0.5).withMemory(64L << 20);

    private static final List<String> PLAIN_ENV =
            List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

    /** The rootfs the benchmarks use: {@code -Dcaixa.bench.rootfs}, else caixa's default busybox rootfs. */
    public static Path rootfs() {
        String configured = System.getProperty("caixa.bench.rootfs");
        return configured != null ? Path.of(configured) : BusyboxRootfs.ensureDefault();
    }

    /**
     * The container every runtime in bench/compare gets (and bench/c/floor.c mirrors): the rootfs
     * mounts, no masked or read-only paths, no cgroup mount, capabilities and seccomp left alone. caixa's
     * default adds docker's hardening on top; {@link Variant#HARDENED} measures it.
     */
    public static ContainerSpec.Builder plainContainer(ContainerSpec.Builder builder) {
        return builder.privileged().capabilities(null).seccomp(null).noNewPrivileges(false)
                .mounts(Mount.defaults().stream().filter(m -> !m.destination().equals("/sys/fs/cgroup")).toList());
    }

    public static ContainerSpec spec(Variant variant, Path rootfs) {
        ContainerSpec.Builder builder = ContainerSpec.builder(rootfs, "/bin/true");
        if (variant != Variant.HARDENED) {
            plainContainer(builder);
        }
        EnumSet<Namespace> ns = EnumSet.of(Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.IPC);
        switch (variant) {
            case PLAIN -> throw new IllegalArgumentException("PLAIN has no container spec");
            case ISOLATED -> { }
            case NET, HARDENED -> ns.add(Namespace.NET);
            case USER -> {
                ns.add(Namespace.NET);
                builder.mapRootUser(Linux.getuid(), Linux.getgid());
            }
            case CGROUP -> {
                ns.add(Namespace.NET);
                ns.add(Namespace.CGROUP);
                builder.resources(LIMITS);
            }
        }
        if (variant == Variant.USER) {
            ns.add(Namespace.USER);
        }
        builder.namespaces(ns);
        return builder.build();
    }

    /** One start → exit; throws unless /bin/true exited 0. */
    public static void run(Variant variant, Path rootfs) {
        if (variant == Variant.PLAIN) {
            plain();
            return;
        }
        try (Container box = Container.start(spec(variant, rootfs))) {
            check(box.waitFor());
        }
    }

    /** The trampoline without namespaces: unblock signals, close_range, execve the host's /bin/true. */
    public static void plain() {
        try (Arena arena = Arena.ofConfined()) {
            ChildProgram program = new ChildProgram(arena);
            program.unblockAllSignals();
            program.closeOnExecFrom(3);
            program.execve("/bin/true", List.of("/bin/true"), PLAIN_ENV, false);
            try (ChildProcess child = Spawner.spawn(program, Spawner.CloneOptions.namespaces(0), Spawner.BarrierHandler.NONE)) {
                check(child.waitFor());
            }
        }
    }

    /** The JDK's own spawn (posix_spawn through jspawnhelper), as the baseline. */
    public static void processBuilder() {
        try {
            Process p = new ProcessBuilder("/bin/true").start();
            int code = p.waitFor();
            if (code != 0) {
                throw new IllegalStateException("/bin/true exited with " + code);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void check(ExitStatus status) {
        if (status.wasKilled() || status.code() != 0) {
            throw new IllegalStateException("/bin/true: " + status);
        }
    }
}
