package caixa.capabilities;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The capabilities this host lets a process have: the bounding set of this process (CapBnd in
 * /proc/self/status), read once, which every child inherits. A set a container asks for is cut down
 * to it ({@link #restrict}): a capability outside it cannot be regained, and capset() of a set that
 * names it fails with EPERM, so it is left out of every set rather than requested. Some hosts (the
 * project's CI machines among them) have no CAP_SYS_RESOURCE there.
 */
public final class HostCapabilities {
    private HostCapabilities() {
    }

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final String BOUNDING_FIELD = "CapBnd:";

    /** Read on first use; the bounding set of a running process only ever shrinks, and not behind our back. */
    private static final class Bounding {
        static final long MASK = read();

        private static long read() {
            try {
                return parseBounding(Files.readString(STATUS));
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + STATUS, e);
            }
        }
    }

    /**
     * The raw bounding mask, with the bits of capabilities newer than {@link Capability}: the planner
     * drops those too.
     */
    public static long boundingMask() {
        return Bounding.MASK;
    }

    /** Every capability this kernel knows: bits 0 to /proc/sys/kernel/cap_last_cap. */
    public static long kernelMask() {
        return KernelCapabilities.MASK;
    }

    private static final class KernelCapabilities {
        static final long MASK = read();

        private static long read() {
            // Read with plain read(2)s: Files.readString gets only "4" of this file's "40\n" (procfs
            // reports a size of 0, and its sysctl handler answers a short first read).
            int last = Integer.parseInt(caixa.linux.Linux.readFile(caixa.bindings.linux_h.AT_FDCWD(),
                    "/proc/sys/kernel/cap_last_cap").strip());
            return last >= Long.SIZE - 1 ? -1L : (1L << (last + 1)) - 1;
        }
    }

    /** The bounding set, as far as {@link Capability} names it. */
    public static Set<Capability> bounding() {
        return Capability.fromMask(Bounding.MASK);
    }

    /** {@code requested} without what this host's bounding set lacks, in every set. */
    public static CapabilitySet restrict(CapabilitySet requested) {
        return requested.retainAll(bounding());
    }

    /** The CapBnd mask of a /proc/PID/status text. */
    static long parseBounding(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith(BOUNDING_FIELD)) {
                return Long.parseUnsignedLong(line.substring(BOUNDING_FIELD.length()).strip(), 16);
            }
        }
        throw new IllegalStateException("no " + BOUNDING_FIELD + " line in " + STATUS);
    }
}
