package caixa.rootfs;

/**
 * A device node the container gets in /dev, as OCI's linux.devices lists it.
 *
 * @param path     where, e.g. {@code /dev/fuse}
 * @param type     {@code c} (character), {@code b} (block), {@code u} (unbuffered character) or {@code p} (FIFO)
 * @param major    the major number
 * @param minor    the minor number
 * @param fileMode the permission bits
 * @param uid      the owner inside the container
 * @param gid      the group inside the container
 */
public record Device(String path, String type, long major, long minor, int fileMode, int uid, int gid) {
    public Device {
        if (path == null || !path.startsWith("/dev/")) {
            throw new IllegalArgumentException("device path '" + path + "': must be under /dev");
        }
        if (!type.equals("c") && !type.equals("b") && !type.equals("u") && !type.equals("p")) {
            throw new IllegalArgumentException("device " + path + ": type '" + type + "' is not c, b, u or p");
        }
    }

    /** The kernel's dev_t encoding (glibc's makedev). */
    public long devT() {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }
}
