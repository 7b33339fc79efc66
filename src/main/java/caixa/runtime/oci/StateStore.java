package caixa.runtime.oci;

import caixa.linux.Linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The state directory ({@code --root}, /run/caixa by default): one directory per container with its
 * state.json and, while it is only created, its exec FIFO. Writes go to a temporary file renamed
 * into place, so a reader (or a crash) never sees half a state.
 */
public final class StateStore {
    /** runc's rule for ids: they name directories and cgroups. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,1023}");

    private final Path root;

    public StateStore(Path root) {
        this.root = root.toAbsolutePath();
    }

    public Path root() {
        return root;
    }

    public static void checkId(String id) {
        if (!ID.matcher(id).matches()) {
            throw new OciException("container id '" + id + "': use letters, digits, and _ . + - after the first character");
        }
    }

    Path directory(String id) {
        return root.resolve(id);
    }

    Path execFifo(String id) {
        return directory(id).resolve("exec.fifo");
    }

    /**
     * Holds the container's lock until closed: commands on one container run one at a time. The lock
     * file sits beside the container's directory, so delete can remove the directory while holding it.
     * A lock file outlives its holder only while the container exists: closing the lock of a container
     * that is gone (deleted, never created, or a create that failed) removes the file, so the state
     * directory holds nothing for ids that no longer exist.
     */
    public Lock lock(String id) {
        checkId(id);
        Path file = root.resolve("." + id + ".lock");
        try {
            Files.createDirectories(root);
            for (;;) {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.lock();
                // A lock file that was removed holds a tombstone byte, written by its last holder
                // before the unlink: whoever waited on it got a lock on a file no one else will open
                // again, and takes the one now at the path instead.
                if (channel.size() == 0) {
                    return new Lock(file, directory(id), channel, lock);
                }
                channel.close();
            }
        } catch (IOException e) {
            throw new OciException("state " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param file      the lock file
     * @param container the container's directory: once it is gone, closing removes the lock file
     * @param channel   the open lock file; closing it releases the lock
     * @param lock      the lock held
     */
    public record Lock(Path file, Path container, FileChannel channel, FileLock lock) implements AutoCloseable {
        @Override
        public void close() {
            try {
                if (!Files.exists(container)) {
                    channel.write(ByteBuffer.wrap(new byte[] {'x'}));
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                try {
                    channel.close(); // releases the lock
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** Makes the container's directory; fails if it exists (the id is taken). */
    void createDirectory(String id) {
        try {
            Files.createDirectories(root);
            Files.createDirectory(directory(id));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new OciException("container " + id + " already exists");
        } catch (IOException e) {
            throw new OciException("state " + directory(id) + ": " + e.getMessage(), e);
        }
    }

    void write(ContainerRecord record) {
        Path target = directory(record.id()).resolve("state.json");
        writeAtomically(target, record.toJson());
    }

    public Optional<ContainerRecord> read(String id) {
        checkId(id);
        Path file = directory(id).resolve("state.json");
        try {
            return Optional.of(ContainerRecord.fromJson(file.toString(), Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new OciException("state " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether the directory exists (possibly without a state.json: a create that crashed). */
    boolean exists(String id) {
        return Files.isDirectory(directory(id));
    }

    public ContainerRecord require(String id) {
        return read(id).orElseThrow(() -> new OciException("container " + id + " does not exist"));
    }

    public List<String> ids() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            List<String> ids = new ArrayList<>();
            entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(id -> ID.matcher(id).matches())
                    .sorted().forEach(ids::add);
            return ids;
        } catch (IOException e) {
            throw new OciException("state " + root + ": " + e.getMessage(), e);
        }
    }

    void remove(String id) {
        Path dir = directory(id);
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new OciException("state " + dir + ": cannot remove: " + e.getMessage(), e);
        }
    }

    /** Writes to a temporary sibling, then renames: readers see the old file or the new, whole. */
    public static void writeAtomically(Path target, byte[] content) {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + Linux.getpid());
        try {
            Files.write(tmp, content);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new OciException(target + ": the filesystem cannot rename atomically", e);
            }
        } catch (IOException e) {
            throw new OciException(target + ": " + e.getMessage(), e);
        }
    }
}
