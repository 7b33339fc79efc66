package caixa.runtime.oci;

import java.io.Serial;

/** An OCI command that cannot be done: unknown id, wrong state, bad bundle. */
public final class OciException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public OciException(String message) {
        super(message);
    }

    public OciException(String message, Throwable cause) {
        super(message, cause);
    }
}
