package caixa.runtime;

/**
 * One line of uid_map or gid_map: {@code count} ids from {@code containerId} inside map to
 * {@code hostId} outside.
 */
public record IdMapping(long containerId, long hostId, long count) {
    public IdMapping {
        if (containerId < 0 || hostId < 0 || count <= 0) {
            throw new IllegalArgumentException("invalid id mapping " + containerId + ":" + hostId + ":" + count);
        }
    }

    /** Parses {@code CONTAINER:HOST:COUNT}, as {@code --uidmap} takes it. */
    public static IdMapping parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("id mapping '" + text + "': expected CONTAINER_ID:HOST_ID:COUNT");
        }
        try {
            return new IdMapping(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("id mapping '" + text + "': not a number");
        }
    }

    /** Whether {@code id} inside the container has a host id under this mapping. */
    public boolean mapsContainerId(long id) {
        return id >= containerId && id < containerId + count;
    }

    public long toHost(long id) {
        return hostId + (id - containerId);
    }

    String line() {
        return containerId + " " + hostId + " " + count + "\n";
    }
}
