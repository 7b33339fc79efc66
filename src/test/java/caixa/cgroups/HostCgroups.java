package caixa.cgroups;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The host's cgroup hierarchies as the tests see them: listed straight from /sys/fs/cgroup rather
 * than through {@link CgroupLayout}, so a directory the code under test forgot is found even in a
 * hierarchy it does not know about. On a unified host /sys/fs/cgroup is itself the one hierarchy; on
 * a hybrid or legacy host it is a tmpfs with one mount per hierarchy under it. Public for the
 * container tests in caixa.runtime.
 */
public final class HostCgroups {
    private HostCgroups() {
    }

    public static final Path ROOT = Path.of("/sys/fs/cgroup");

    /** Whether /sys/fs/cgroup is itself a cgroup2 mount, as on a systemd host in unified mode. */
    public static boolean unifiedHost() {
        try {
            return Files.getFileStore(ROOT).type().equals("cgroup2");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cgroup2 mount: /sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid one. */
    public static Path unifiedMount() {
        return unifiedHost() ? ROOT : ROOT.resolve("unified");
    }

    /**
     * A cgroup name no concurrent test run on this host uses. Tests look only for names they made:
     * other people's containers come and go under /sys/fs/cgroup meanwhile.
     */
    public static String uniqueName() {
        byte[] bytes = new byte[4];
        ThreadLocalRandom.current().nextBytes(bytes);
        return "caixa-test-" + HexFormat.of().formatHex(bytes);
    }

    /**
     * Leaves what a caixa killed while it ran a container leaves in the lease directory: the lease
     * file of {@code cgroupPath}, unlocked (the kernel dropped the lock with its holder).
     */
    public static void abandonLease(String cgroupPath) {
        try {
            Files.createDirectories(CgroupLease.DIRECTORY);
            Files.write(CgroupLease.fileFor(cgroupPath), new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the lease directory holds a file for {@code cgroupPath}. */
    public static boolean hasLeaseFile(String cgroupPath) {
        return Files.exists(CgroupLease.fileFor(cgroupPath));
    }

    /** The directories of cgroup {@code path} that exist, in every hierarchy mounted at or under /sys/fs/cgroup. */
    public static List<Path> directoriesOf(String path) {
        if (unifiedHost()) {
            return Files.isDirectory(ROOT.resolve(path)) ? List.of(ROOT.resolve(path)) : List.of();
        }
        try (Stream<Path> hierarchies = Files.list(ROOT)) {
            return hierarchies.filter(Files::isDirectory)
                    .map(hierarchy -> hierarchy.resolve(path))
                    .filter(Files::isDirectory)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value of {@code key} in {@code key value} lines (cgroup.events, memory.events, cpu.stat). */
    public static long field(String text, String key) {
        for (String line : text.split("\n")) {
            String[] kv = line.strip().split("\\s+");
            if (kv.length == 2 && kv[0].equals(key)) {
                return Long.parseLong(kv[1]);
            }
        }
        throw new AssertionError("no '" + key + "' in:\n" + text);
    }

    /** A cgroup file as text, without its trailing newline. */
    public static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
