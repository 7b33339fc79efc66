package caixa.runtime;

import caixa.rootfs.Volume;
import caixa.spawn.ExitStatus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Volumes and a read-only rootfs: what the container may change, and what reaches the host. */
@ExtendWith(NothingLeftBehind.class)
class VolumeTest {
    @TempDir
    Path host;

    /** Mount points the runtime creates in the shared rootfs, and whatever else a test may leave there. */
    private final List<Path> toRemove = new ArrayList<>();

    @AfterEach
    void removeFromRootfs() throws IOException {
        for (Path path : toRemove) {
            TestRootfs.deleteTree(path);
        }
    }

    @Test
    void writesToAReadWriteVolumeReachTheHost() throws IOException {
        String target = inRootfs("/vol");

        Run.stdout(Run.sh("echo from-container > " + target + "/out.txt")
                .volume(new Volume(host, target, false)));

        assertEquals("from-container\n", Files.readString(host.resolve("out.txt")));
    }

    @Test
    void aReadOnlyVolumeCanBeReadButNotWritten() throws IOException {
        Files.writeString(host.resolve("kept.txt"), "kept\n");
        String target = inRootfs("/vol");

        Container.Output out = Run.output(Run.sh("cat " + target + "/kept.txt && touch " + target + "/new.txt")
                .volume(new Volume(host, target, true)));

        assertEquals("kept\n", out.stdout(), "the volume's file, read in the container");
        assertNotEquals(ExitStatus.exited(0), out.status());
        assertTrue(out.stderr().contains("Read-only file system"), out.stderr());
        assertEquals(List.of(host.resolve("kept.txt")), list(host));
        assertEquals("kept\n", Files.readString(host.resolve("kept.txt")));
    }

    /** A remount without MS_BIND would make the host's whole filesystem read-only, not just the container's view. */
    @Test
    void aReadOnlyVolumeStaysWritableOnTheHost() throws IOException {
        String target = inRootfs("/vol");

        Run.stdout(Run.sh("true").volume(new Volume(host, target, true)));

        Files.writeString(host.resolve("after.txt"), "still writable");
    }

    @Test
    void aFileVolumeBindsOneFile() throws IOException {
        Path file = Files.writeString(host.resolve("greeting.txt"), "hello\n");
        String target = inRootfs("/greeting");

        String seen = Run.stdout(Run.sh("cat " + target + " && echo from-container >> " + target)
                .volume(new Volume(file, target, false)));

        assertEquals("hello", seen);
        assertEquals("hello\nfrom-container\n", Files.readString(file));
        assertTrue(Files.isRegularFile(TestRootfs.busybox().resolve(target.substring(1))),
                "the mount point of a file volume is a file");
    }

    @Test
    void aReadOnlyRootfsRefusesWrites() {
        String target = inRootfs("/written");

        Container.Output out = Run.output(Run.sh("touch " + target).readOnlyRootfs(true));

        assertNotEquals(ExitStatus.exited(0), out.status());
        assertTrue(out.stderr().contains("Read-only file system"), out.stderr());
        assertFalse(Files.exists(TestRootfs.busybox().resolve(target.substring(1))));
    }

    @Test
    void aReadOnlyRootfsStillHasAWritableTmp() {
        assertEquals("written", Run.stdout(Run.sh("touch /tmp/scratch && echo written").readOnlyRootfs(true)));
    }

    /** As for a volume: the rootfs lives on the host's own filesystem, which must stay writable. */
    @Test
    void aReadOnlyRootfsStaysWritableOnTheHost() throws IOException {
        Run.stdout(Run.sh("true").readOnlyRootfs(true));

        Path probe = TestRootfs.busybox().resolve(inRootfs("/probe").substring(1));
        Files.writeString(probe, "still writable");
    }

    /** The rootfs is remounted read-only alone, not recursively: volumes keep their own mode. */
    @Test
    void aReadWriteVolumeStaysWritableInAReadOnlyRootfs() throws IOException {
        String target = inRootfs("/vol");

        Run.stdout(Run.sh("echo from-container > " + target + "/out.txt")
                .readOnlyRootfs(true).volume(new Volume(host, target, false)));

        assertEquals("from-container\n", Files.readString(host.resolve("out.txt")));
    }

    /**
     * A rootfs is untrusted content: a symlink in it must not make the runtime create (let alone
     * mount over) a path on the host. Refusing is not enough if the mount point was made first.
     */
    @Test
    void aVolumeTargetThroughASymlinkOutOfTheRootfsIsRefusedWithoutTouchingTheHost(@TempDir Path elsewhere)
            throws IOException {
        String link = inRootfs("/link");
        Files.createSymbolicLink(TestRootfs.busybox().resolve(link.substring(1)), elsewhere);

        ContainerException e = assertThrows(ContainerException.class,
                () -> Run.output(Run.sh("true").volume(new Volume(host, link + "/sub", false))));

        assertEquals(ContainerException.RUNTIME_ERROR, e.exitCode());
        assertTrue(e.getMessage().contains("is a symlink in the rootfs"), e.getMessage());
        assertEquals(List.of(), list(elsewhere), "created on the host, outside the rootfs");
    }

    @Test
    void aVolumeTargetWithDotDotOutOfTheRootfsIsRefusedWithoutTouchingTheHost() {
        String name = TestRootfs.uniqueName("escape");
        Path outside = TestRootfs.busybox().resolveSibling(name);
        toRemove.add(outside);

        ContainerException e = assertThrows(ContainerException.class,
                () -> Run.output(Run.sh("true").volume(new Volume(host, "/../" + name, false))));

        assertEquals(ContainerException.RUNTIME_ERROR, e.exitCode());
        assertTrue(e.getMessage().contains("must not contain .."), e.getMessage());
        assertFalse(Files.exists(outside), outside + " was created on the host, outside the rootfs");
    }

    /** A fresh path at the rootfs's top, removed after the test; returned as the container sees it. */
    private String inRootfs(String prefix) {
        String name = TestRootfs.uniqueName(prefix.substring(1));
        toRemove.add(TestRootfs.busybox().resolve(name));
        return "/" + name;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.toList();
        }
    }
}
