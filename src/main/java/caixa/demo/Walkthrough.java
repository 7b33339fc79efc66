package caixa.demo;

import caixa.capabilities.DockerDefaults;
import caixa.cgroups.Cgroup;
import caixa.cgroups.CgroupLayout;
import caixa.cgroups.Resources;
import caixa.cgroups.Sizes;
import caixa.rootfs.BusyboxRootfs;
import caixa.runtime.Container;
import caixa.runtime.ContainerSpec;
import caixa.runtime.IdMapping;
import caixa.runtime.Stdio;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Replays the walkthrough's {@code unshare --mount --uts --ipc --net --pid --user --fork chroot DIR}
 * and its mounts, one isolation at a time, printing what ran inside and the evidence from both sides.
 */
public final class Walkthrough {
    private final PrintStream out;
    private final Path rootfs;
    private int failures;
    private int step;

    private static final int STEPS = 9;

    private Walkthrough(PrintStream out, Path rootfs) {
        this.out = out;
        this.rootfs = rootfs;
    }

    /** Runs every step; returns the number of steps whose evidence did not hold. */
    public static int run(PrintStream out) {
        Path rootfs = BusyboxRootfs.defaultLocation();
        boolean built = !Files.isDirectory(rootfs.resolve("bin"));
        rootfs = BusyboxRootfs.ensureDefault();
        out.println("caixa demo: the walkthrough's container, made by caixa from Java");
        out.println("rootfs: " + rootfs + (built ? " (built now from the static busybox)" : ""));
        Walkthrough w = new Walkthrough(out, rootfs);
        w.pidNamespace();
        w.utsNamespace();
        w.netNamespace();
        w.ipcNamespace();
        w.mountNamespace();
        w.rootfsIsRoot();
        w.userNamespace();
        w.cpuLimit();
        w.memoryLimit();
        out.println();
        out.println(w.failures == 0 ? "all " + STEPS + " steps hold" : w.failures + " of " + STEPS + " steps did not hold");
        return w.failures;
    }

    private void pidNamespace() {
        String inside = inContainer("PID namespace (unshare --pid --fork)", "echo $$", b -> b);
        check(inside.equals("1"), "the container's shell is PID 1 of its own PID namespace");
    }

    private void utsNamespace() {
        String before = hostHostname();
        String inside = inContainer("UTS namespace (unshare --uts)", "hostname", b -> b.hostname("caixa-demo"));
        String after = hostHostname();
        out.println("      host hostname before: " + before + ", after: " + after);
        check(inside.equals("caixa-demo") && before.equals(after),
                "the container has its own hostname; the host's is unchanged");
    }

    private void netNamespace() {
        String inside = inContainer("network namespace (unshare --net)", "ls /sys/class/net", b -> b);
        check(inside.equals("lo"), "the only interface is lo");
    }

    private void ipcNamespace() {
        String inside = inContainer("IPC namespace (unshare --ipc)", "readlink /proc/self/ns/ipc", b -> b);
        String host = hostLink("/proc/self/ns/ipc");
        out.println("      host: " + host);
        check(!inside.isEmpty() && !inside.equals(host), "System V IPC objects live in another namespace");
    }

    private void mountNamespace() {
        String inside = inContainer("mount namespace (unshare --mount; mount -t proc/sysfs/tmpfs)",
                "mount -t tmpfs scratch /mnt && grep -E ' /(proc|sys|tmp|mnt) ' /proc/mounts | cut -d' ' -f1-3",
                // Mounting needs CAP_SYS_ADMIN, which a container lacks unless given, as with --cap-add SYS_ADMIN.
                b -> b.capabilities(DockerDefaults.capabilitySet(List.of("SYS_ADMIN"), List.of(), false)));
        String mnt = rootfs.resolve("mnt").toString();
        boolean hostSees = read(Path.of("/proc/self/mountinfo")).contains(" " + mnt + " ");
        out.println("      host mount table mentions " + mnt + ": " + (hostSees ? "yes" : "no"));
        check(inside.contains("scratch /mnt tmpfs") && inside.contains("proc /proc proc") && !hostSees,
                "proc, sysfs and tmpfs are mounted inside; the container's mounts never reach the host");
    }

    private void rootfsIsRoot() {
        String inside = inContainer("the rootfs is / (chroot, here pivot_root)",
                "echo $(ls /); test -e /usr/lib/jvm && echo host-visible || echo 'no /usr/lib/jvm here'", b -> b);
        check(inside.contains("bin") && inside.endsWith("no /usr/lib/jvm here"),
                "/ is the busybox rootfs; the host's files are out of reach");
    }

    private void userNamespace() {
        title("user namespace (unshare --user --map-root-user)");
        List<IdMapping> map = List.of(new IdMapping(0, 100000, 65536));
        ContainerSpec spec = ContainerSpec.builder(rootfs, "sh", "-c", "id; cat /proc/self/uid_map; read done")
                .userNamespace(map, map)
                .stdin(Stdio.PIPE)
                .stdout(Stdio.PIPE)
                .dieWithParent(true)
                .build();
        out.println("      $ sh -c 'id; cat /proc/self/uid_map'   (with --uidmap 0:100000:65536)");
        try (Container c = Container.start(spec)) {
            String hostUid = read(Path.of("/proc/" + c.pid() + "/status")).lines()
                    .filter(l -> l.startsWith("Uid:")).findFirst().orElse("Uid: ?").split("\\s+")[1];
            try (OutputStream stdin = c.stdin()) {
                stdin.write("done\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String inside = c.output().stdout().strip();
            indent(inside);
            out.println("      host: /proc/" + c.pid() + "/status says Uid " + hostUid);
            check(inside.startsWith("uid=0(root)") && hostUid.equals("100000"),
                    "root inside the container is uid 100000 outside");
        }
    }

    /** The walkthrough's {@code cgset -r cpu.max=20000} and dd watched in htop, measured from the cgroup's usage counter. */
    private void cpuLimit() {
        title("cgroup CPU limit (cgset -r cpu.max=20000; dd in htop)");
        // Not "exec dd" as PID 1: an init ignores the SIGTERM timeout sends it.
        String script = "timeout 3 dd if=/dev/zero of=/dev/null bs=8k; echo done";
        out.println("      $ " + script + "   (with --cpus 0.2)");
        ContainerSpec spec = ContainerSpec.builder(rootfs, "sh", "-c", script)
                .resources(Resources.NONE.withCpus(0.2))
                .stdout(Stdio.NULL).stderr(Stdio.NULL).dieWithParent(true)
                .build();
        try (Container c = Container.start(spec)) {
            out.println("      cpu.max: " + spec.resources().cpuMax()
                    + " in cgroup " + spec.cgroup() + " (" + CgroupLayout.host().mode().name().toLowerCase(java.util.Locale.ROOT) + " host)");
            sleep(500);
            long u0 = c.stats().orElseThrow().cpuUsageMicros();
            long t0 = System.nanoTime();
            sleep(2000);
            long u1 = c.stats().orElseThrow().cpuUsageMicros();
            long t1 = System.nanoTime();
            double share = (u1 - u0) * 1000.0 / (t1 - t0);
            if (c.waitFor(java.time.Duration.ofSeconds(20)).isEmpty()) {
                c.kill();
            }
            out.printf(java.util.Locale.ROOT, "      dd used %.1f%% of one CPU over 2 s (cgroup usage counter)%n", share * 100);
            check(share > 0.17 && share < 0.23, "the container holds at 20% of a CPU");
        }
    }

    /** The walkthrough's {@code cgset -r memory.max=48M} and {@code cgget -r memory.peak}, with a process that wants 100 MiB. */
    private void memoryLimit() {
        title("cgroup memory limit (cgset -r memory.max=48M; cgget -r memory.peak)");
        String path = "caixa-demo-" + ContainerSpec.newId();
        out.println("      $ dd if=/dev/zero of=/dev/null bs=100M count=1   (with --memory 48M, in cgroup " + path + ")");
        try (Cgroup cgroup = Cgroup.createForContainer(CgroupLayout.host(), path)) {
            try {
                ContainerSpec spec = ContainerSpec.builder(rootfs, "dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1")
                        .resources(Resources.NONE.withMemory(48L << 20).withMemorySwap(48L << 20))
                        .cgroup(path)
                        .stdout(Stdio.NULL).stderr(Stdio.NULL).dieWithParent(true)
                        .build();
                try (Container c = Container.start(spec)) {
                    String status = c.waitFor().toString();
                    String report = c.oomReport().map(r -> "caixa: container killed: " + r).orElse("(no OOM kill)");
                    long peak = Long.parseLong(cgroup.get("memory.peak").strip());
                    out.println("      " + report + "   [" + status + "]");
                    out.println("      memory.peak: " + peak + " (" + Sizes.human(peak) + ")");
                    check(c.oomKilled() && peak <= (48L << 20), "the kernel killed it at 48 MiB; the host was never short of memory");
                }
            } finally {
                cgroup.delete();
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private String inContainer(String title, String script, UnaryOperator<ContainerSpec.Builder> options) {
        title(title);
        out.println("      $ " + script);
        ContainerSpec spec = options.apply(ContainerSpec.builder(rootfs, "sh", "-c", script)
                .stdout(Stdio.PIPE).dieWithParent(true)).build();
        try (Container c = Container.start(spec)) {
            String output = c.output().stdout().strip();
            indent(output);
            return output;
        }
    }

    private void title(String title) {
        out.println();
        out.println("[" + ++step + "/" + STEPS + "] " + title);
    }

    private void indent(String text) {
        text.lines().forEach(l -> out.println("      " + l));
    }

    private void check(boolean holds, String claim) {
        out.println((holds ? "      ok: " : "      FAILED: ") + claim);
        if (!holds) {
            failures++;
        }
    }

    private static String hostHostname() {
        return read(Path.of("/proc/sys/kernel/hostname")).strip();
    }

    private static String hostLink(String link) {
        try {
            return Files.readSymbolicLink(Path.of(link)).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
