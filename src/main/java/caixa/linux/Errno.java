package caixa.linux;

import caixa.bindings.linux_h;

import java.lang.foreign.MemorySegment;

/** errno values as people read them. */
public final class Errno {
    private Errno() {
    }

    /** {@code "No such file or directory"}; thread-safe, unlike strerror. */
    public static String describe(int errno) {
        return cString(linux_h.strerrordesc_np(errno), "Unknown error " + errno);
    }

    /** {@code "ENOENT"}. */
    public static String name(int errno) {
        return cString(linux_h.strerrorname_np(errno), "E" + errno);
    }

    private static String cString(MemorySegment pointer, String fallback) {
        // glibc returns NULL for numbers it has no text for; otherwise a static, NUL-terminated string.
        return pointer.equals(MemorySegment.NULL) ? fallback : pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
