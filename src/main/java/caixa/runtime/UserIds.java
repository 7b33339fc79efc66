package caixa.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ids a container's process runs as, resolved from the rootfs's /etc/passwd and /etc/group
 * (the container's view, not the host's).
 */
record UserIds(int uid, int gid, int[] groups) {
    static final UserIds ROOT = new UserIds(0, 0, new int[0]);

    UserIds withGroups(java.util.List<Integer> gids) {
        return gids.isEmpty() ? this : new UserIds(uid, gid, gids.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Resolves {@code UID[:GID]} or {@code NAME[:GROUP]}; null means root. */
    static UserIds resolve(String spec, Path rootfs) {
        if (spec == null) {
            return ROOT;
        }
        String[] parts = spec.split(":", -1);
        if (parts.length > 2 || parts[0].isEmpty()) {
            throw new ContainerException("user '" + spec + "': expected UID[:GID] or NAME[:GROUP]");
        }
        List<String[]> passwd = table(rootfs.resolve("etc/passwd"));
        String[] entry = find(passwd, parts[0]);
        int uid;
        int gid;
        if (entry != null) {
            uid = Integer.parseInt(entry[2]);
            gid = Integer.parseInt(entry[3]);
        } else if (isNumber(parts[0])) {
            uid = Integer.parseInt(parts[0]);
            gid = uid == 0 ? 0 : uid;
        } else {
            throw new ContainerException("user '" + parts[0] + "': not in the rootfs's /etc/passwd");
        }
        if (parts.length == 2) {
            String[] group = find(table(rootfs.resolve("etc/group")), parts[1]);
            if (group != null) {
                gid = Integer.parseInt(group[2]);
            } else if (isNumber(parts[1])) {
                gid = Integer.parseInt(parts[1]);
            } else {
                throw new ContainerException("group '" + parts[1] + "': not in the rootfs's /etc/group");
            }
        }
        return new UserIds(uid, gid, new int[0]);
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() < 10;
    }

    private static String[] find(List<String[]> table, String key) {
        for (String[] row : table) {
            if (row[0].equals(key) && !isNumber(key)) {
                return row;
            }
        }
        return null;
    }

    private static List<String[]> table(Path file) {
        List<String[]> rows = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return rows;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                String[] fields = line.split(":", -1);
                if (fields.length >= 3 && isNumber(fields[2])) {
                    rows.add(fields);
                }
            }
        } catch (IOException e) {
            throw new ContainerException("reading " + file + ": " + e.getMessage());
        }
        return rows;
    }
}
