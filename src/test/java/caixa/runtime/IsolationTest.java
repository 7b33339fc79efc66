package caixa.runtime;

import caixa.spawn.ExitStatus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a container with the default namespaces sees, checked against what the host sees. */
@ExtendWith(NothingLeftBehind.class)
class IsolationTest {

    private static final caixa.capabilities.CapabilitySet WITH_SYS_ADMIN =
            caixa.capabilities.DockerDefaults.capabilitySet(java.util.List.of("SYS_ADMIN"), java.util.List.of(), false);

    @Test
    void commandIsPidOneOfItsPidNamespace() {
        assertEquals("1", Run.stdout(Run.sh("echo $$")));
    }

    @Test
    void hostnameIsSetInsideAndTheHostKeepsItsOwn() throws IOException {
        String hostBefore = hostHostname();
        assertNotEquals("caixa-box", hostBefore, "the host's hostname must differ, or this test proves nothing");

        assertEquals("caixa-box", Run.stdout(Run.sh("hostname").hostname("caixa-box")));

        assertEquals(hostBefore, hostHostname());
    }

    @Test
    void hostnameDefaultsToTheContainerId() {
        String id = TestRootfs.uniqueName("box");
        assertEquals(id, Run.stdout(Run.sh("hostname").id(id)));
    }

    @Test
    void networkNamespaceHasOnlyLoopback() {
        assertEquals("lo", Run.stdout(Run.sh("ls /sys/class/net")));
    }

    /** pid_for_children too: it is the namespace the command's own children are born in. */
    @ParameterizedTest
    @ValueSource(strings = {"ipc", "uts", "net", "mnt", "pid", "pid_for_children", "cgroup"})
    void defaultNamespacesDifferFromTheHosts(String ns) throws IOException {
        String inside = Run.stdout(Run.sh("readlink /proc/self/ns/" + ns));

        assertTrue(inside.startsWith(ns.replace("_for_children", "") + ":["), inside);
        assertNotEquals(hostNamespace(ns), inside);
    }

    /** The counterpart of the test above: it shows that equal links do mean a shared namespace. */
    @Test
    void namespacesNotAskedForAreTheHosts() throws IOException {
        assertEquals(hostNamespace("time"), Run.stdout(Run.sh("readlink /proc/self/ns/time")));
    }

    /** Root's container shares the host's user namespace; a rootless one gets its own without asking. */
    @Test
    void userNamespaceIsTheHostsOnlyForRoot() throws IOException {
        String inside = Run.stdout(Run.sh("readlink /proc/self/ns/user"));
        if (Rootless.active()) {
            assertNotEquals(hostNamespace("user"), inside);
        } else {
            assertEquals(hostNamespace("user"), inside);
        }
    }

    /**
     * Looked at while the container still runs: once it exits its mount namespace is gone, and a
     * mount there would vanish with it even if it had been made in the host's.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void mountInsideTheContainerIsInvisibleOnTheHost() throws IOException {
        Path mnt = TestRootfs.busybox().resolve("mnt");
        // Mounting is CAP_SYS_ADMIN's, which containers lack by default: granted here, as --cap-add would.
        ContainerSpec spec = Run.sh("mount -t tmpfs none /mnt && touch /mnt/inside || exit; echo mounted; read line")
                .capabilities(WITH_SYS_ADMIN)
                .stdin(Stdio.PIPE).stdout(Stdio.PIPE).stderr(Stdio.PIPE).build();
        try (Container container = Container.start(spec)) {
            assertEquals("mounted", Run.firstLine(container), "the mount inside the container failed");

            assertFalse(Leaks.hostMountinfo().contains(mnt.toString()), "the host's mount table shows " + mnt);
            assertFalse(Files.exists(mnt.resolve("inside")), "the file went through the tmpfs into the rootfs");

            Run.endInput(container);
            assertEquals(ExitStatus.exited(0), container.waitFor());
        }
        assertFalse(Leaks.hostMountinfo().contains(mnt.toString()), "the host's mount table shows " + mnt);
    }

    /**
     * Where the host's / is a shared mount (systemd makes it so; this VM's is private), mounts made
     * in a new mount namespace propagate back to the host unless the runtime first makes its tree
     * private. A shared mount of our own makes the test mean the same on every host.
     */
    @Test
    void mountsDoNotPropagateBackThroughASharedRootfs(@TempDir Path dir) throws Exception {
        if (Rootless.active()) {
            // An unprivileged user cannot make the shared bind on the host (mount needs root there);
            // and the kernel turns every mount copied into a less privileged mount namespace into a
            // slave, so nothing can propagate back. What is left to check: a mount inside leaves the
            // host's table as it was.
            String before = Leaks.hostMountinfo();
            Run.stdout(Run.sh("mount -t tmpfs none /mnt").capabilities(WITH_SYS_ADMIN));
            assertEquals(before, Leaks.hostMountinfo());
            return;
        }
        Path shared = Files.createDirectory(dir.resolve("rootfs"));
        onHost("mount", "--bind", TestRootfs.busybox().toString(), shared.toString());
        try {
            onHost("mount", "--make-shared", shared.toString());
            String before = Leaks.hostMountinfo();

            Run.stdout(ContainerSpec.builder(shared, "sh", "-c", "mount -t tmpfs none /mnt").capabilities(WITH_SYS_ADMIN));

            assertEquals(before, Leaks.hostMountinfo());
        } finally {
            // A runtime whose mounts do propagate stacks its own rootfs bind on ours: unmount all.
            while (Leaks.hostMountinfo().contains(" " + shared + " ")) {
                onHost("umount", "--recursive", shared.toString());
            }
        }
    }

    @Test
    void rootfsIsTheContainersRoot() throws IOException {
        String name = TestRootfs.uniqueName("marker");
        Path marker = TestRootfs.busybox().resolve(name);
        Files.writeString(marker, "in the rootfs\n");
        try {
            assertEquals("in the rootfs", Run.stdout(Run.sh("cat /" + name)));
        } finally {
            Files.delete(marker);
        }
    }

    /**
     * runc's --no-pivot: the rootfs mount moved onto / and a chroot into it. The container sees the
     * same root, and the host's files stay out of its reach by path; in a user namespace too, where
     * the host's proc and sysfs mounts are locked and get covered rather than detached.
     */
    @Test
    void rootfsIsTheContainersRootWithoutPivot() throws IOException {
        String name = TestRootfs.uniqueName("marker");
        Path marker = TestRootfs.busybox().resolve(name);
        Files.writeString(marker, "in the rootfs\n");
        String script = "cat /" + name + "; if [ -e /usr/lib/jvm ]; then echo host; else echo no host; fi; "
                + "cat /proc/1/comm; ls /sys/kernel >/dev/null && echo sysfs";
        try {
            assertEquals("in the rootfs\nno host\nsh\nsysfs", Run.stdout(Run.sh(script).noPivotRoot(true)));
            IdMapping range = IdMapping.parse("0:100000:65536");
            assertEquals("in the rootfs\nno host\nsh\nsysfs", Run.stdout(Run.sh(script).noPivotRoot(true)
                    .userNamespace(List.of(range), List.of(range))));
        } finally {
            Files.delete(marker);
        }
    }

    /** The host mounts no-pivot covers are planned from caixa's own mount table: not another namespace's. */
    @Test
    void noPivotRefusesAJoinedMountNamespace() {
        ContainerSpec.Builder joined = Run.sh("true").noPivotRoot(true)
                .joinNamespace(Namespace.MOUNT, Path.of("/proc/self/ns/mnt"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, joined::build);
        assertEquals("no-pivot needs a new mount namespace, not a joined one", e.getMessage());
    }

    @Test
    void hostFilesAreNotVisible() {
        String hostOnly = "/usr/lib/jvm";
        assertTrue(Files.isDirectory(Path.of(hostOnly)), hostOnly + " must exist on the host, or this test proves nothing");

        assertEquals("absent", Run.stdout(Run.sh("if [ -e " + hostOnly + " ]; then echo present; else echo absent; fi")));
    }

    private static String hostHostname() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    }

    private static String hostNamespace(String ns) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/ns", ns)).toString();
    }

    private static void onHost(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + output);
    }
}
