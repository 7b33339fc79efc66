package caixa.spec;

import caixa.spec.json.JsonNode;
import caixa.spec.json.JsonObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * linux.cgroupsPath as the runtime's cgroup path, relative to each hierarchy's root. The spec: an
 * absolute path is taken from the cgroup mount point, so {@code /libpod_parent/libpod-ID} becomes
 * {@code libpod_parent/libpod-ID}. Where a relative one goes is left to the runtime: caixa puts it
 * under the root too (runc's cgroupfs driver puts it under runc's own cgroup).
 */
final class CgroupsPath {
    /** systemd's {@code slice:prefix:name}, which engines send when told to use the systemd driver. */
    private static final Pattern SYSTEMD_FORM = Pattern.compile("[^/:]*:[^/:]*:[^/:]*");

    private CgroupsPath() {
    }

    /** linux.cgroupsPath, or empty when absent or "" (the lifecycle then picks one). */
    static Optional<String> read(JsonObjectNode linux) {
        Optional<JsonNode> node = linux.optional("cgroupsPath").filter(value -> !value.asString().isEmpty());
        return node.map(CgroupsPath::convert);
    }

    private static String convert(JsonNode node) {
        String path = node.asString();
        if (SYSTEMD_FORM.matcher(path).matches()) {
            throw node.error("systemd cgroup paths need --systemd-cgroup, which this host cannot use");
        }
        List<String> names = new ArrayList<>();
        for (String name : path.split("/")) {
            if (name.equals("..")) {
                // It could climb out of the hierarchy, to a directory caixa would create, fill and remove.
                throw node.error("must not contain \"..\", not \"" + path + "\"");
            }
            if (!name.isEmpty() && !name.equals(".")) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            throw node.error("must name a cgroup below the root, not \"" + path + "\"");
        }
        return String.join("/", names);
    }
}
