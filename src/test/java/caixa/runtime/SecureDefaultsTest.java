package caixa.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Escapes a default container must not manage, each attempted from inside; and what --privileged
 * opens again. Every attempt is harmless if it were to succeed (a /proc/sys write writes back the
 * value it read), so a failure to block changes nothing on the host.
 */
@ExtendWith(NothingLeftBehind.class)
class SecureDefaultsTest {
    /** "1" when {@code command} succeeded inside, "0" when it failed. */
    /** "1" where the device cgroup decides, "0" in a user namespace, where the kernel allows no mknod at all. */
    private static final String MKNOD_ALLOWED = Rootless.active() ? "0" : "1";

    private static String attempt(boolean privileged, String command) {
        // With a cgroup of its own, as caixa run gives every container: the device rules live there.
        ContainerSpec.Builder spec = Run.sh("(" + command + ") >/dev/null 2>&1 && echo 1 || echo 0").ownCgroup();
        return Run.stdout(privileged ? spec.privileged() : spec);
    }

    private static String attempt(String command) {
        return attempt(false, command);
    }

    @Test
    void aDefaultContainerCannotChangeTheHost() throws IOException {
        String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        assertEquals("0", attempt("cat /proc/sys/kernel/hostname > /proc/sys/kernel/hostname"), "/proc/sys write");
        assertEquals(hostname, Files.readString(Path.of("/proc/sys/kernel/hostname")).strip());
        assertEquals("0", attempt("touch /sys/kernel/caixa-test"), "write under /sys");
        assertEquals("0", attempt("head -c 1 /dev/kmsg"), "/dev/kmsg is not there");
        assertEquals("0", attempt("test -s /proc/keys"), "/proc/keys is masked");
        assertEquals("0", attempt("mount -t tmpfs none /mnt"), "mount");
        assertEquals("0", attempt("mknod /dev/sda b 8 0"), "creating a block device node");
        // As in docker, making a character node is allowed (CAP_MKNOD, the cgroup's "c *:* m"); using one
        // outside the allowed list is not. In a user namespace (rootless) the kernel refuses every mknod.
        assertEquals(MKNOD_ALLOWED, attempt("mknod /dev/mem c 1 1"), "creating a character node");
        assertEquals("0", attempt("mknod /dev/mem c 1 1 && head -c 1 /dev/mem"), "reading /dev/mem's numbers");
        assertEquals("0", attempt("unshare -U -r true"), "a new user namespace to regain capabilities");
        assertEquals("0", attempt("hostname other"), "sethostname needs CAP_SYS_ADMIN");
    }

    @Test
    void aDefaultContainerHasDockersCapabilitiesNoNewPrivsAndAFilter() {
        String status = Run.stdout(Run.sh("grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status"));
        assertTrue(status.contains("CapEff:\t00000000a80425fb"), status);
        assertTrue(status.contains("CapBnd:\t00000000a80425fb"), status);
        assertTrue(status.contains("NoNewPrivs:\t1"), status);
        assertTrue(status.contains("Seccomp:\t2"), status);
    }

    @Test
    void privilegedOpensWhatTheDefaultsClose() {
        String status = Run.stdout(Run.sh("grep -E '^(CapEff|Seccomp):' /proc/self/status").privileged());
        assertNotEquals("CapEff:\t00000000a80425fb", status.lines().findFirst().orElse(""), status);
        assertTrue(status.contains("Seccomp:\t0"), status);
        assertEquals("1", attempt(true, "mount -t tmpfs none /mnt"), "mount with --privileged");
        assertEquals(MKNOD_ALLOWED, attempt(true, "mknod /dev/sda b 8 0"), "a block device node with --privileged");
    }
}
