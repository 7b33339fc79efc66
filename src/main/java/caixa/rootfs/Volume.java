package caixa.rootfs;

import java.nio.file.Path;

/** A host path bind-mounted into the container. */
public record Volume(Path hostPath, String containerPath, boolean readOnly) {
    public Volume {
        if (!containerPath.startsWith("/")) {
            throw new IllegalArgumentException("volume target '" + containerPath + "': must be an absolute path");
        }
    }

    /** Parses {@code HOST:CONTAINER[:ro|:rw]}, as {@code -v} takes it. */
    public static Volume parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new IllegalArgumentException("volume '" + text + "': expected HOST:CONTAINER[:ro]");
        }
        boolean readOnly = false;
        if (parts.length == 3) {
            switch (parts[2]) {
                case "ro" -> readOnly = true;
                case "rw" -> readOnly = false;
                default -> throw new IllegalArgumentException("volume '" + text + "': mode must be ro or rw");
            }
        }
        return new Volume(Path.of(parts[0]), parts[1], readOnly);
    }
}
