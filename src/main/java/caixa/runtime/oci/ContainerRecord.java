package caixa.runtime.oci;

import caixa.spec.json.Json;
import caixa.spec.json.JsonArray;
import caixa.spec.json.JsonNode;
import caixa.spec.json.JsonObject;
import caixa.spec.json.JsonObjectNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What caixa remembers of a container between commands (its state.json): enough to find its init
 * again (pid and the pid's start time, so a recycled pid is not mistaken for it), its cgroup, and
 * what the OCI state reports.
 *
 * @param id             the container's id
 * @param pid            its init's pid in caixa's pid namespace
 * @param pidStartTime   the init's start time in clock ticks since boot (/proc/PID/stat field 22)
 * @param bundle         the bundle directory
 * @param rootfs         the root filesystem
 * @param created        when it was created
 * @param cgroup         its cgroup path, relative to each hierarchy's root; {@link #NO_CGROUP} for none
 * @param execCandidates the paths the command's execve tries, for start's error message
 * @param annotations    the config's annotations, reported by state
 */
public record ContainerRecord(String id, int pid, long pidStartTime, Path bundle, Path rootfs, Instant created,
                              String cgroup, List<String> execCandidates, Map<String, String> annotations) {

    /** The cgroup of a container that has none (a rootless one without limits). */
    public static final String NO_CGROUP = "";

    public ContainerRecord {
        execCandidates = List.copyOf(execCandidates);
        annotations = Map.copyOf(annotations);
    }

    /** Its cgroup path, or empty for a container without one (rootless, without limits). */
    Optional<String> cgroupPath() {
        return cgroup.equals(NO_CGROUP) ? Optional.empty() : Optional.of(cgroup);
    }

    /** The same container once its init is known. */
    ContainerRecord withInit(int pid, long pidStartTime, List<String> execCandidates) {
        return new ContainerRecord(id, pid, pidStartTime, bundle, rootfs, created, cgroup, execCandidates, annotations);
    }

    byte[] toJson() {
        JsonObject.Builder annotationsJson = JsonObject.builder();
        new java.util.TreeMap<>(annotations).forEach(annotationsJson::put);
        JsonObject json = JsonObject.builder()
                .put("id", id)
                .put("pid", pid)
                .put("pidStartTime", pidStartTime)
                .put("bundle", bundle.toString())
                .put("rootfs", rootfs.toString())
                .put("created", created.toString())
                .put("cgroup", cgroup)
                .put("execCandidates", JsonArray.ofStrings(execCandidates))
                .put("annotations", annotationsJson.build())
                .build();
        return Json.writePretty(json, "\t").getBytes(StandardCharsets.UTF_8);
    }

    static ContainerRecord fromJson(String name, byte[] bytes) {
        JsonObjectNode o = JsonNode.parse(name, bytes).asObject();
        Map<String, String> annotations = new LinkedHashMap<>(o.optionalStringMap("annotations"));
        return new ContainerRecord(o.requireString("id"), o.requireInt("pid", 0, Integer.MAX_VALUE),
                o.requireLong("pidStartTime", 0, Long.MAX_VALUE), Path.of(o.requireString("bundle")),
                Path.of(o.requireString("rootfs")), Instant.parse(o.requireString("created")),
                o.requireString("cgroup"), o.optionalStringList("execCandidates"), annotations);
    }

    /** The OCI state document ({@code caixa state}), with runc's extra fields rootfs, created and owner. */
    JsonObject ociState(Status status, String ociVersion) {
        JsonObject.Builder annotationsJson = JsonObject.builder();
        new java.util.TreeMap<>(annotations).forEach(annotationsJson::put);
        return JsonObject.builder()
                .put("ociVersion", ociVersion)
                .put("id", id)
                .put("pid", status == Status.STOPPED ? 0 : pid)
                .put("status", status.label())
                .put("bundle", bundle.toString())
                .put("rootfs", rootfs.toString())
                .put("created", created.toString())
                .put("owner", "")
                .put("annotations", annotationsJson.build())
                .build();
    }
}
