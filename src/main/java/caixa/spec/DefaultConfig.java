package caixa.spec;

import caixa.spec.json.Json;
import caixa.spec.json.JsonArray;
import caixa.spec.json.JsonException;
import caixa.spec.json.JsonObject;
import caixa.spec.json.JsonValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The config.json {@code caixa spec} writes: runc's {@code runc spec} starter file (libcontainer's
 * specconv.Example), field for field and in its order, with caixa's name as the hostname; and its
 * {@code --rootless} variant, as specconv.ToRootless makes it. Like runc's, it expects the bundle to
 * hold the rootfs in {@code rootfs/} and runs {@code sh} on a terminal.
 */
public final class DefaultConfig {
    public static final String OCI_VERSION = "1.2.0";

    private static final List<String> CAPABILITIES = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

    private static final List<String> MASKED_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/kcore",
            "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
            "/sys/firmware", "/proc/scsi", "/sys/devices/virtual/tpm");

    private static final List<String> READONLY_PATHS =
            List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    private DefaultConfig() {
    }

    /** For a container created by root. */
    public static JsonObject standard() {
        return config(null);
    }

    /**
     * For a container created by an unprivileged user, whose ids on the host become root in a new
     * user namespace (runc passes its euid and egid). Then there is no network namespace (an
     * unprivileged user could not connect it to anything), /sys is the host's bound read-only (sysfs
     * may only be mounted for a network namespace the user namespace owns), no mount option names a
     * uid or gid (only one of each is mapped), and there are no cgroup limits (the user may have no
     * cgroup to delegate them from).
     */
    public static JsonObject rootless(long hostUid, long hostGid) {
        return config(new Caller(hostUid, hostGid));
    }

    /** The file's text: tab-indented, as runc writes it, and ending with a newline. */
    public static String text(JsonObject config) {
        return Json.writePretty(config, "\t") + "\n";
    }

    /** Writes bundleDir/config.json, refusing to replace one that exists, as runc does. */
    public static void write(Path bundleDir, JsonObject config) {
        Path file = bundleDir.resolve("config.json");
        try {
            Files.writeString(file, text(config), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new JsonException(file + ": already exists; remove it first");
        } catch (IOException e) {
            throw new JsonException(file + ": " + e.getMessage());
        }
    }

    /** The unprivileged user a rootless config maps to root. */
    private record Caller(long uid, long gid) {
    }

    /** @param rootless the caller for the rootless variant, or null */
    private static JsonObject config(Caller rootless) {
        return JsonObject.builder()
                .put("ociVersion", OCI_VERSION)
                .put("process", process())
                .put("root", JsonObject.builder().put("path", "rootfs").put("readonly", true).build())
                .put("hostname", "caixa")
                .put("mounts", mounts(rootless != null))
                .put("linux", linux(rootless))
                .build();
    }

    private static JsonObject process() {
        return JsonObject.builder()
                .put("terminal", true)
                .put("user", JsonObject.builder().put("uid", 0).put("gid", 0).build())
                .put("args", strings("sh"))
                .put("env", strings("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"))
                .put("cwd", "/")
                .put("capabilities", JsonObject.builder()
                        .put("bounding", JsonArray.ofStrings(CAPABILITIES))
                        .put("effective", JsonArray.ofStrings(CAPABILITIES))
                        .put("permitted", JsonArray.ofStrings(CAPABILITIES))
                        .build())
                .put("rlimits", array(JsonObject.builder()
                        .put("type", "RLIMIT_NOFILE").put("hard", 1024).put("soft", 1024).build()))
                .put("noNewPrivileges", true)
                .build();
    }

    private static JsonArray mounts(boolean rootless) {
        List<JsonValue> mounts = new ArrayList<>();
        mounts.add(mount("/proc", "proc", "proc"));
        mounts.add(mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"));
        List<String> devpts = new ArrayList<>(List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"));
        if (!rootless) {
            devpts.add("gid=5");
        }
        mounts.add(mount("/dev/pts", "devpts", "devpts", devpts.toArray(String[]::new)));
        mounts.add(mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
        mounts.add(mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"));
        mounts.add(rootless
                ? mount("/sys", "none", "/sys", "rbind", "nosuid", "noexec", "nodev", "ro")
                : mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"));
        mounts.add(mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro"));
        return new JsonArray(mounts);
    }

    /** runc leaves "options" out when there are none. */
    private static JsonObject mount(String destination, String type, String source, String... options) {
        JsonObject.Builder mount = JsonObject.builder()
                .put("destination", destination).put("type", type).put("source", source);
        if (options.length > 0) {
            mount.put("options", strings(options));
        }
        return mount.build();
    }

    private static JsonObject linux(Caller rootless) {
        JsonObject.Builder linux = JsonObject.builder();
        List<String> namespaces = new ArrayList<>(List.of("pid", "network", "ipc", "uts", "mount", "cgroup"));
        if (rootless != null) {
            linux.put("uidMappings", array(idMapping(rootless.uid())));
            linux.put("gidMappings", array(idMapping(rootless.gid())));
            namespaces.remove("network");
            namespaces.add("user");
        } else {
            // Deny every device: runc's starting point, to which engines add their allow rules.
            linux.put("resources", JsonObject.builder().put("devices", array(JsonObject.builder()
                    .put("allow", false).put("access", "rwm").build())).build());
        }
        return linux
                .put("namespaces", new JsonArray(namespaces.stream()
                        .<JsonValue>map(type -> JsonObject.builder().put("type", type).build()).toList()))
                .put("maskedPaths", JsonArray.ofStrings(MASKED_PATHS))
                .put("readonlyPaths", JsonArray.ofStrings(READONLY_PATHS))
                .build();
    }

    private static JsonObject idMapping(long hostId) {
        return JsonObject.builder().put("containerID", 0).put("hostID", hostId).put("size", 1).build();
    }

    private static JsonArray strings(String... strings) {
        return JsonArray.ofStrings(List.of(strings));
    }

    private static JsonArray array(JsonValue... values) {
        return new JsonArray(List.of(values));
    }
}
