package caixa.seccomp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A kernel's major and minor version, as a docker profile's {@code minKernel} compares them. */
record KernelVersion(int major, int minor) implements Comparable<KernelVersion> {
    private static final Pattern RELEASE = Pattern.compile("(\\d+)\\.(\\d+)(?:[.\\-+].*)?");
    private static final Path OSRELEASE = Path.of("/proc/sys/kernel/osrelease");

    /** {@code 4.8}, or a release such as {@code 6.1.0-18-amd64}. */
    static KernelVersion parse(String release) {
        Matcher matcher = RELEASE.matcher(release.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a kernel version: \"" + release + "\"");
        }
        try {
            return new KernelVersion(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a kernel version: \"" + release + "\"", e);
        }
    }

    /** The running kernel's. */
    static KernelVersion host() {
        try {
            return parse(Files.readString(OSRELEASE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + OSRELEASE, e);
        }
    }

    @Override
    public int compareTo(KernelVersion other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
