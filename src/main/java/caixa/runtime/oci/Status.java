package caixa.runtime.oci;

import java.util.Locale;

/** A container's status as the OCI runtime-spec names it. */
public enum Status {
    CREATING, CREATED, RUNNING, PAUSED, STOPPED;

    /** {@code created}, as state output writes it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
