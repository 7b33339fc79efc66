package caixa.spec;

import caixa.cgroups.Resources;
import caixa.rootfs.Mount;
import caixa.rootfs.MountOptions;
import caixa.runtime.ContainerSpec;
import caixa.runtime.IdMapping;
import caixa.runtime.Namespace;
import caixa.runtime.Rlimit;
import caixa.spec.json.JsonException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code caixa spec} writes. The expected files are {@code runc spec}'s output (runc 1.2's
 * specconv.Example) with the differences a reader would look for: ociVersion 1.2.0 and hostname
 * "caixa".
 */
class DefaultConfigTest {
    private static final List<String> CAPABILITIES = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

    @TempDir
    Path dir;

    @Test
    void standardIsRuncsStarterFile() {
        assertEquals(Bundles.resource("default-config.json"), DefaultConfig.text(DefaultConfig.standard()));
    }

    @Test
    void rootlessIsRuncsToRootless() {
        assertEquals(Bundles.resource("rootless-config.json"), DefaultConfig.text(DefaultConfig.rootless(1000, 1000)));
    }

    @Test
    void standardLoadsBackIntoEveryField() throws Exception {
        DefaultConfig.write(dir, DefaultConfig.standard());
        Files.createDirectory(dir.resolve("rootfs"));
        OciBundle bundle = OciBundle.load(dir);
        ContainerSpec spec = bundle.toSpec("box").build();

        assertEquals("1.2.0", bundle.ociVersion());
        assertEquals(dir.toAbsolutePath(), bundle.bundle());
        assertEquals(dir.resolve("rootfs").toAbsolutePath(), bundle.rootfs());
        assertTrue(bundle.terminal());
        assertEquals(new Capabilities(CAPABILITIES, CAPABILITIES, List.of(), CAPABILITIES, List.of()),
                bundle.capabilities());
        assertEquals(Optional.empty(), bundle.seccomp());
        assertEquals(Hooks.NONE, bundle.hooks());
        assertEquals(Map.of(), bundle.annotations());

        assertEquals("box", spec.id());
        assertEquals(bundle.rootfs(), spec.rootfs());
        assertTrue(spec.readOnlyRootfs());
        assertEquals(List.of("sh"), spec.command());
        assertEquals(List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"), spec.env());
        assertEquals("/", spec.workdir());
        assertEquals("0:0", spec.user());
        assertEquals(List.of(), spec.additionalGids());
        assertEquals(-1, spec.umask());
        assertEquals(List.of(new Rlimit("RLIMIT_NOFILE", 1024, 1024)), spec.rlimits());
        assertTrue(spec.noNewPrivileges());
        assertNull(spec.oomScoreAdj());
        assertEquals("caixa", spec.hostname());
        assertEquals(List.of(
                new Mount("/proc", "proc", "proc", List.of()),
                new Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new Mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                new Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                new Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro"))),
                spec.mounts());
        assertEquals(EnumSet.of(Namespace.PID, Namespace.NET, Namespace.IPC, Namespace.UTS, Namespace.MOUNT,
                Namespace.CGROUP), spec.namespaces());
        assertEquals(Map.of(), spec.joinNamespaces());
        assertEquals(List.of(), spec.uidMappings());
        assertEquals(List.of(), spec.gidMappings());
        // The device rule (deny all) is read and not applied: no limits, so no cgroup yet.
        assertEquals(Resources.NONE, spec.resources());
        assertNull(spec.cgroup());
        assertEquals(Map.of(), spec.sysctl());
        assertEquals(List.of(), spec.devices());
        assertEquals(MountOptions.propagation("rslave"), spec.rootPropagation());
        assertEquals(List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                "/sys/devices/virtual/tpm"), spec.maskedPaths());
        assertEquals(List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
                spec.readonlyPaths());
    }

    @Test
    void rootlessLoadsBackWithAUserNamespaceAndNoNetworkOne() {
        ContainerSpec spec = Bundles.load(dir, DefaultConfig.text(DefaultConfig.rootless(1000, 1001)))
                .toSpec("box").build();

        assertEquals(EnumSet.of(Namespace.PID, Namespace.IPC, Namespace.UTS, Namespace.MOUNT, Namespace.CGROUP,
                Namespace.USER), spec.namespaces());
        assertEquals(List.of(new IdMapping(0, 1000, 1)), spec.uidMappings());
        assertEquals(List.of(new IdMapping(0, 1001, 1)), spec.gidMappings());
        assertEquals(new Mount("/sys", "none", "/sys", List.of("rbind", "nosuid", "noexec", "nodev", "ro")),
                spec.mounts().get(5));
        assertTrue(spec.mounts().get(5).isBind());
        assertEquals(List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"),
                spec.mounts().get(2).options());
        assertEquals(Resources.NONE, spec.resources());
    }

    @Test
    void writeRefusesToReplaceAConfig() throws Exception {
        DefaultConfig.write(dir, DefaultConfig.rootless(1000, 1000));
        JsonException e = assertThrows(JsonException.class, () -> DefaultConfig.write(dir, DefaultConfig.standard()));
        assertEquals(dir.resolve("config.json") + ": already exists; remove it first", e.getMessage());
        assertEquals(Bundles.resource("rootless-config.json"), Files.readString(dir.resolve("config.json")));
    }
}
