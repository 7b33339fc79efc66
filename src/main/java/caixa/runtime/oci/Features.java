package caixa.runtime.oci;

import caixa.spec.json.Json;
import caixa.spec.json.JsonArray;
import caixa.spec.json.JsonBoolean;
import caixa.spec.json.JsonObject;

import java.util.List;

/** The runtime-spec features document ({@code caixa features}): what this runtime understands. */
public final class Features {
    private Features() {
    }

    public static String document() {
        JsonObject linux = JsonObject.builder()
                .put("namespaces", JsonArray.ofStrings(List.of("cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts")))
                .put("cgroup", JsonObject.builder()
                        .put("v1", JsonBoolean.TRUE).put("v2", JsonBoolean.TRUE).put("systemd", JsonBoolean.FALSE)
                        .put("systemdUser", JsonBoolean.FALSE).build())
                .build();
        JsonObject features = JsonObject.builder()
                .put("ociVersionMin", "1.0.0")
                .put("ociVersionMax", OciRuntime.OCI_VERSION)
                .put("hooks", JsonArray.ofStrings(List.of("prestart", "createRuntime", "createContainer",
                        "startContainer", "poststart", "poststop")))
                .put("mountOptions", JsonArray.ofStrings(List.of("ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec",
                        "exec", "noatime", "atime", "nodiratime", "diratime", "relatime", "norelatime", "strictatime",
                        "nostrictatime", "bind", "rbind", "private", "rprivate", "shared", "rshared", "slave",
                        "rslave", "unbindable", "runbindable", "defaults", "tmpcopyup")))
                .put("linux", linux)
                .put("annotations", JsonObject.builder().put("org.opencontainers.runtime-spec.features.runtime", "caixa").build())
                .build();
        return Json.writePretty(features, "    ");
    }
}
