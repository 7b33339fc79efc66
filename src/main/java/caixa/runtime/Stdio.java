package caixa.runtime;

/** Where one of the container's standard streams goes. */
public enum Stdio {
    /** The caller's own descriptor, as a shell would pass it. */
    INHERIT,
    /** A pipe the caller reads or writes through the {@link Container} handle. */
    PIPE,
    /** /dev/null. */
    NULL
}
