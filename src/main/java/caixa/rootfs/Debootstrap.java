package caixa.rootfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A Debian rootfs built by debootstrap, as in the walkthrough. Building a rootfs is not running a
 * container: this is the one place caixa starts another program, and only when asked to.
 */
public final class Debootstrap {
    private Debootstrap() {
    }

    public static void create(Path dir, String suite) {
        if (!suite.matches("[a-z][a-z0-9-]*")) {
            throw new RootfsException("debootstrap: suite '" + suite + "': not a suite name");
        }
        Path program = List.of(Path.of("/usr/sbin/debootstrap"), Path.of("/usr/bin/debootstrap")).stream()
                .filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new RootfsException("debootstrap: not installed (Debian: apt-get install debootstrap)"));
        if (Files.exists(dir) && !isEmptyDirectory(dir)) {
            throw new RootfsException("rootfs " + dir + ": exists and is not empty");
        }
        try {
            Process p = new ProcessBuilder(program.toString(), suite, dir.toString()).inheritIO().start();
            int status = p.waitFor();
            if (status != 0) {
                throw new RootfsException("debootstrap " + suite + " " + dir + ": exited with " + status);
            }
        } catch (IOException e) {
            throw new RootfsException("debootstrap: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RootfsException("debootstrap: interrupted");
        }
    }

    private static boolean isEmptyDirectory(Path dir) {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
