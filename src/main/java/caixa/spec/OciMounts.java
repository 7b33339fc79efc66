package caixa.spec;

import caixa.rootfs.Mount;
import caixa.rootfs.MountOptions;
import caixa.spec.json.JsonObjectNode;

import java.nio.file.Path;
import java.util.List;

/**
 * config.json's mounts, in order, as {@link Mount}s. They replace caixa's default mounts: a bundle
 * lists every mount its container gets.
 */
final class OciMounts {
    private OciMounts() {
    }

    static List<Mount> read(List<JsonObjectNode> mounts, Path bundle) {
        return mounts.stream().map(mount -> mount(mount, bundle)).toList();
    }

    private static Mount mount(JsonObjectNode mount, Path bundle) {
        List<String> options = mount.optionalStringList("options");
        boolean bind = options.contains("bind") || options.contains("rbind");
        String type = mount.optionalString("type").filter(t -> !t.isEmpty()).orElse(null);
        if (type == null && !bind) {
            throw mount.path().key("type").error("is required unless the options contain bind or rbind");
        }
        bind |= "bind".equals(type);
        Unsupported.refuse(mount, "uidMappings", "id-mapped mounts are not supported");
        Unsupported.refuse(mount, "gidMappings", "id-mapped mounts are not supported");
        String source = mount.optionalString("source").filter(s -> !s.isEmpty()).orElse(null);
        if (bind) {
            checkBindOptions(mount, options);
            if (source == null) {
                throw mount.path().key("source").error("is required for a bind mount");
            }
            // The spec: a bind mount's source is absolute or relative to the bundle.
            source = bundle.resolve(source).normalize().toString();
        } else if (source == null) {
            // mount(2) shows the source in /proc/mounts; the type says more there than "none" would.
            source = type;
        }
        return new Mount(destination(mount), type != null ? type : "bind", source, options);
    }

    /** The spec still allows the deprecated relative form, which "MUST be interpreted as relative to /". */
    private static String destination(JsonObjectNode mount) {
        String destination = mount.required("destination").asNonEmptyString();
        return destination.startsWith("/") ? destination : "/" + destination;
    }

    /**
     * A bind mount takes flags only: an option mount(2) would get as filesystem data (anything
     * {@link MountOptions} does not know as a flag or a propagation) would be dropped without a word.
     */
    private static void checkBindOptions(JsonObjectNode mount, List<String> options) {
        String data = MountOptions.parse(options).data();
        if (data != null) {
            throw mount.path().key("options").error("not supported for a bind mount: " + data.replace(",", ", "));
        }
    }
}
