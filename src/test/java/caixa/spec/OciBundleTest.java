package caixa.spec;

import caixa.cgroups.DeviceRule;
import caixa.cgroups.DeviceRules;
import caixa.cgroups.Resources;
import caixa.rootfs.Device;
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
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static caixa.cgroups.DeviceRule.Type.CHAR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config.json files as podman and containerd write them, read into a ContainerSpec. */
class OciBundleTest {
    private static final String PODMAN_ID = "3f5a0c1e9b7d4a2f8e6c1b0a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e";
    private static final String USERDATA = "/run/containers/storage/overlay-containers/" + PODMAN_ID + "/userdata/";

    @TempDir
    Path dir;

    @Test
    void podmanConfig() {
        OciBundle bundle = Bundles.load(dir, Bundles.resource("podman-config.json"));
        ContainerSpec spec = bundle.toSpec(PODMAN_ID).build();

        assertEquals(Path.of("/var/lib/containers/storage/overlay/"
                + "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b/merged"), spec.rootfs());
        assertFalse(spec.readOnlyRootfs());
        assertEquals(List.of("sh", "-c", "echo hi"), spec.command());
        assertEquals(List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "container=podman",
                "HOME=/root", "HOSTNAME=box"), spec.env());
        assertEquals("0:0", spec.user());
        assertEquals(List.of(0, 1, 2, 3, 4, 6, 10, 11, 20, 26, 27), spec.additionalGids());
        assertEquals(022, spec.umask());
        // 2^64 - 1, RLIM_INFINITY, held in a long as the kernel's unsigned value.
        assertEquals(List.of(new Rlimit("RLIMIT_NOFILE", 1048576, 1048576), new Rlimit("RLIMIT_NPROC", 4194304, 4194304),
                new Rlimit("RLIMIT_CORE", -1L, -1L)), spec.rlimits());
        assertEquals(0, spec.oomScoreAdj());
        assertFalse(spec.noNewPrivileges());
        assertEquals("box", spec.hostname());

        assertEquals(11, spec.mounts().size());
        assertEquals(new Mount("/etc/hostname", "bind", USERDATA + "hostname", List.of("bind", "rprivate")),
                spec.mounts().get(5));
        assertEquals(new Mount("/sys/fs/cgroup", "cgroup", "cgroup",
                List.of("rprivate", "nosuid", "noexec", "nodev", "relatime", "ro")), spec.mounts().getLast());

        assertEquals(EnumSet.of(Namespace.PID, Namespace.NET, Namespace.IPC, Namespace.UTS, Namespace.MOUNT,
                Namespace.CGROUP), spec.namespaces());
        assertEquals(Map.of(), spec.joinNamespaces());
        // --memory 64m (podman's swap default: twice that, counted with the memory), --cpus 0.5, --pids-limit 100.
        assertEquals(new Resources(0.5, 64 << 20, 128 << 20, 100, null, 0), spec.resources());
        assertEquals("libpod_parent/libpod-" + PODMAN_ID, spec.cgroup());
        assertEquals(Map.of("net.ipv4.ping_group_range", "0 0"), spec.sysctl());
        assertEquals(MountOptions.propagation("rslave"), spec.rootPropagation());
        assertEquals(11, spec.maskedPaths().size());
        assertEquals("/sys/dev/block", spec.maskedPaths().getLast());
        assertEquals(List.of("/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
                spec.readonlyPaths());

        assertFalse(bundle.terminal());
        assertEquals(List.of("io.container.manager", "io.podman.annotations.autoremove",
                "org.opencontainers.image.stopSignal", "org.systemd.property.KillSignal",
                "org.systemd.property.TimeoutStopUSec"), List.copyOf(bundle.annotations().keySet()));
        assertEquals("uint64 10000000", bundle.annotations().get("org.systemd.property.TimeoutStopUSec"));
        assertEquals(11, bundle.capabilities().bounding().size());
        assertEquals(bundle.capabilities().bounding(), bundle.capabilities().permitted());
        assertEquals(List.of(), bundle.capabilities().ambient());
        assertEquals("SCMP_ACT_ERRNO", bundle.seccomp().orElseThrow().requireString("defaultAction"));
        assertEquals(Hooks.NONE, bundle.hooks());
    }

    @Test
    void containerdConfig() {
        OciBundle bundle = Bundles.load(dir, Bundles.resource("containerd-config.json"));
        ContainerSpec spec = bundle.toSpec("demo").build();

        assertEquals("1.1.0", bundle.ociVersion());
        assertEquals(dir.resolve("rootfs"), spec.rootfs());
        assertEquals(List.of("sleep", "3600"), spec.command());
        assertEquals("1000:1000", spec.user());
        assertEquals(List.of(1000, 27), spec.additionalGids());
        assertEquals("/srv", spec.workdir());
        assertEquals(-1, spec.umask());
        assertNull(spec.oomScoreAdj());
        assertTrue(spec.noNewPrivileges());
        // No hostname in config.json: none is set, though there is a UTS namespace.
        assertNull(spec.hostname());

        // A bind mount without a type, its source relative to the bundle.
        assertEquals(new Mount("/srv/data", "bind", dir.resolve("volumes/data").toString(), List.of("rbind", "rw")),
                spec.mounts().getLast());
        assertEquals(new Mount("/run", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                spec.mounts().get(6));

        // The network namespace is one a CNI plugin prepared: joined, not created.
        assertEquals(EnumSet.of(Namespace.PID, Namespace.IPC, Namespace.UTS, Namespace.MOUNT, Namespace.NET),
                spec.namespaces());
        assertEquals(Map.of(Namespace.NET, Path.of("/var/run/netns/cni-5f0e1c2a")), spec.joinNamespaces());
        // cpu.shares 0 and an empty blockIO are how Go writers say "not set": accepted.
        assertEquals(new Resources(1.5, 128 << 20, 0, 0, "0-1", 0), spec.resources());
        assertEquals("default/demo", spec.cgroup());
        assertEquals(List.of(new Device("/dev/fuse", "c", 10, 229, 0666, 0, 0)), spec.devices());
        // The config's device rules in order, then what every container may use, then its own nodes: runc's list.
        List<DeviceRule> rules = new ArrayList<>(List.of(DeviceRule.denyAll(), DeviceRule.allow(CHAR, 10, 229, "rwm")));
        rules.addAll(DeviceRules.allowed());
        rules.add(DeviceRule.allow(CHAR, 10, 229, "rwm"));
        assertEquals(rules, spec.deviceRules());
        assertEquals("/sys/devices/virtual/powercap", spec.maskedPaths().getLast());

        assertEquals(new Hooks(List.of(),
                List.of(new Hook("/usr/local/bin/netns-setup", List.of("netns-setup", "--id", "demo"),
                        List.of("PATH=/usr/bin:/bin"), OptionalInt.of(10))),
                List.of(), List.of(), List.of(),
                List.of(new Hook("/usr/local/bin/netns-teardown", List.of(), List.of(), OptionalInt.empty()))),
                bundle.hooks());
        assertEquals(Map.of("io.containerd.image.name", "docker.io/library/busybox:latest"), bundle.annotations());
        assertEquals(14, bundle.capabilities().effective().size());
    }

    @Test
    void eachCallGivesAFreshBuilder() {
        OciBundle bundle = Bundles.load(dir, Bundles.resource("containerd-config.json"));
        ContainerSpec first = bundle.toSpec("one").env("EXTRA=1").build();
        ContainerSpec second = bundle.toSpec("two").build();
        assertEquals("one", first.id());
        assertEquals(List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"),
                second.env());
    }

    @Test
    void aJoinedUserNamespaceNeedsNoMappings() {
        ContainerSpec spec = Bundles.load(dir, Configs.minimalWith(
                "{\"type\": \"uts\"}", "{\"type\": \"uts\"}, {\"type\": \"user\", \"path\": \"/proc/42/ns/user\"}"))
                .toSpec("box").build();
        assertEquals(Map.of(Namespace.USER, Path.of("/proc/42/ns/user")), spec.joinNamespaces());
        assertEquals(List.of(), spec.uidMappings());
    }

    @Test
    void aNewUserNamespaceGetsItsMappings() {
        ContainerSpec spec = Bundles.load(dir, Configs.minimalWith("{\"type\": \"uts\"}", """
                {"type": "uts"}, {"type": "user"}],
                "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}, {"containerID": 65536, "hostID": 5, "size": 1}""")
        ).toSpec("box").build();
        assertTrue(spec.namespaces().contains(Namespace.USER));
        assertEquals(List.of(new IdMapping(0, 100000, 65536)), spec.uidMappings());
        assertEquals(List.of(new IdMapping(0, 100000, 65536), new IdMapping(65536, 5, 1)), spec.gidMappings());
    }

    @Test
    void optionalFieldsAtTheirSpecDefaults() {
        String config = Configs.minimalWith(
                "\"rootfs\"}", "\"rootfs\", \"readonly\": true}",
                "\"cwd\": \"/\"", "\"cwd\": \"/\", \"oomScoreAdj\": -500, \"consoleSize\": {\"height\": 24, \"width\": 80}",
                "\"cgroupsPath\": \"/caixa-test/box\"", "\"cgroupsPath\": \"relative//path/\", \"rootfsPropagation\": \"rshared\"",
                "\"hostname\": \"box\",", "\"hostname\": \"\", \"annotations\": null,");
        OciBundle bundle = Bundles.load(dir, config);
        ContainerSpec spec = bundle.toSpec("box").build();
        assertTrue(spec.readOnlyRootfs());
        assertEquals(-500, spec.oomScoreAdj());
        assertEquals(new ConsoleSize(24, 80), bundle.consoleSize().orElseThrow());
        assertEquals("relative/path", spec.cgroup());
        assertEquals(MountOptions.propagation("rshared"), spec.rootPropagation());
        assertNull(spec.hostname());
        assertEquals(Map.of(), bundle.annotations());
    }

    @Test
    void aMissingBundleDirectory() {
        Path missing = dir.resolve("nope");
        assertEquals("bundle " + missing + ": no such directory",
                assertThrows(JsonException.class, () -> OciBundle.load(missing)).getMessage());
    }

    @Test
    void aBundleWithoutConfigJson() throws Exception {
        Files.createDirectory(dir.resolve("rootfs"));
        assertEquals("bundle " + dir + ": no config.json",
                assertThrows(JsonException.class, () -> OciBundle.load(dir)).getMessage());
    }

    @Test
    void aSyntaxErrorNamesTheFileLineAndColumn() {
        assertEquals("config.json: line 2 column 17: expected ',' or '}' but found '\"'",
                assertThrows(JsonException.class, () -> Bundles.load(dir, "{\"ociVersion\": \"1.2.0\",\n  \"process\": {} \"root\": {}}"))
                        .getMessage());
    }
}
