package caixa.rootfs;

import java.io.Serial;

/** A rootfs that cannot be used as asked: missing, unwritable, or escaping through a symlink. */
public final class RootfsException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public RootfsException(String message) {
        super(message);
    }
}
