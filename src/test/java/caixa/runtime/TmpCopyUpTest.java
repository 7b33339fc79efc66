package caixa.runtime;

import caixa.rootfs.Mount;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code tmpcopyup}: a tmpfs over a directory of the rootfs starts with a copy of what the directory
 * held (files, directories, symlinks and FIFOs with their mode, owner and time), the container's
 * writes go to the tmpfs alone, and the rootfs is left as it was.
 */
@ExtendWith(NothingLeftBehind.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TmpCopyUpTest {
    private String name;
    private Path directory;

    @BeforeEach
    void directoryWithContent() throws IOException, InterruptedException {
        name = TestRootfs.uniqueName("copyup");
        directory = Files.createDirectory(TestRootfs.busybox().resolve(name));
        Files.writeString(directory.resolve("config"), "from the rootfs\n");
        Path sub = Files.createDirectory(directory.resolve("sub"));
        Files.writeString(sub.resolve("deeper"), "two levels down\n");
        Files.createSymbolicLink(directory.resolve("link"), Path.of("sub/deeper"));
        onHost("mkfifo", directory.resolve("fifo").toString());
        // chown clears setuid: the mode goes last.
        Files.setAttribute(directory.resolve("config"), "unix:uid", 101234, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(directory.resolve("config"), "unix:gid", 105678, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(directory.resolve("config"), "unix:mode", 04640);
        Files.setAttribute(sub, "unix:mode", 01750);
        Files.setLastModifiedTime(sub.resolve("deeper"), FileTime.fromMillis(1_000_000_000_000L));
    }

    @AfterEach
    void removeDirectory() throws IOException {
        TestRootfs.deleteTree(directory);
    }

    private ContainerSpec.Builder withCopyUp(String script) {
        List<Mount> mounts = new ArrayList<>(Mount.defaults());
        mounts.add(new Mount("/" + name, "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=755", "tmpcopyup")));
        return Run.sh(script).mounts(mounts);
    }

    @Test
    void tmpfsStartsWithACopyOfTheDirectory() throws IOException {
        String script = "cd /" + name + " && grep -c ' /" + name + " tmpfs ' /proc/mounts"
                + " && cat config sub/deeper link && readlink link"
                + " && stat -c '%n %a %u %g %F' config sub sub/deeper fifo && date -r sub/deeper +%s"
                + " && echo changed > config && cat config";

        String out = Run.stdout(withCopyUp(script));

        assertEquals(String.join("\n",
                "1",
                "from the rootfs", "two levels down", "two levels down",
                "sub/deeper",
                "config 4640 101234 105678 regular file",
                "sub 1750 0 0 directory",
                "sub/deeper 644 0 0 regular file",
                "fifo 644 0 0 fifo",
                "1000000000",
                "changed"), out);
        assertEquals("from the rootfs\n", Files.readString(directory.resolve("config")), "the rootfs is unchanged");
    }

    /**
     * In a user namespace that maps caixa's root, the copy keeps the host's owners, which the
     * container sees through its mapping; one that does not map it gets a clear refusal, not the
     * kernel's EOVERFLOW.
     */
    @Test
    void ownersAreKeptThroughAUserNamespaceThatMapsCaixasRoot() {
        IdMapping withHostRoot = IdMapping.parse("0:0:200000");
        String out = Run.stdout(withCopyUp("stat -c '%u %g' /" + name + "/config")
                .userNamespace(List.of(withHostRoot), List.of(withHostRoot)));
        assertEquals("101234 105678", out);

        IdMapping range = IdMapping.parse("0:100000:65536");
        ContainerException e = assertThrows(ContainerException.class, () -> Container.start(withCopyUp("true")
                .userNamespace(List.of(range), List.of(range)).build()));
        assertEquals("mount /" + name + ": tmpcopyup of a directory that is not empty needs the container's user"
                + " namespace to map uid 0 and gid 0, as which caixa copies it", e.getMessage());
    }

    /** A device node copied into a tmpfs would be a device no rule granted: refused, naming it. */
    @Test
    void aDeviceNodeIsRefused() throws IOException, InterruptedException {
        onHost("mknod", directory.resolve("null").toString(), "c", "1", "3");

        ContainerException e = assertThrows(ContainerException.class, () -> Container.start(withCopyUp("true").build()));

        assertEquals(ContainerException.RUNTIME_ERROR, e.exitCode());
        assertEquals("mount /" + name + ": tmpcopyup: /" + name + "/null is a device node or a socket,"
                + " which caixa does not copy into a tmpfs", e.getMessage());
    }

    private static void onHost(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, process.waitFor(), String.join(" ", command));
    }
}
