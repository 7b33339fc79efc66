package caixa.spec;

import caixa.runtime.Namespace;
import caixa.spec.json.JsonNode;
import caixa.spec.json.JsonObjectNode;
import caixa.spec.json.JsonPath;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;

/**
 * linux.namespaces: exactly the namespaces the container gets. A type that is not listed is not
 * created; the container shares the runtime's (the spec's rule, unlike {@code caixa run}'s
 * defaults). An entry with a {@code path} joins that namespace instead of creating one.
 *
 * @param all    every listed namespace, created or joined
 * @param joined the namespaces to join, by the path of their namespace file
 */
record OciNamespaces(Set<Namespace> all, Map<Namespace, Path> joined) {
    /** The spec's names, in its order; a few differ from caixa's ({@code network}, {@code mount}). */
    private static final SequencedMap<String, Namespace> TYPES = types();

    OciNamespaces {
        all = Collections.unmodifiableSet(EnumSet.copyOf(all));
        joined = Collections.unmodifiableMap(new EnumMap<>(joined));
    }

    static OciNamespaces read(JsonObjectNode linux) {
        Set<Namespace> all = EnumSet.noneOf(Namespace.class);
        Map<Namespace, Path> joined = new EnumMap<>(Namespace.class);
        Map<Namespace, JsonPath> listedAt = new EnumMap<>(Namespace.class);
        for (JsonObjectNode entry : linux.optionalObjectList("namespaces")) {
            JsonNode typeNode = entry.required("type");
            Namespace ns = type(typeNode);
            JsonPath first = listedAt.putIfAbsent(ns, entry.path());
            if (first != null) {
                throw typeNode.error("duplicate namespace \"" + typeNode.asString() + "\" (also at " + first.path() + ")");
            }
            all.add(ns);
            JsonNode pathNode = entry.optional("path").filter(path -> !path.asString().isEmpty()).orElse(null);
            if (pathNode != null) {
                joined.put(ns, Path.of(joinable(ns, pathNode)));
            }
        }
        if (!all.contains(Namespace.MOUNT)) {
            throw linux.path().key("namespaces").error("must include a mount namespace: caixa mounts the rootfs in one");
        }
        return new OciNamespaces(all, joined);
    }

    /** Whether a user namespace is created (and so needs id mappings), not joined. */
    boolean createsUserNamespace() {
        return all.contains(Namespace.USER) && !joined.containsKey(Namespace.USER);
    }

    private static Namespace type(JsonNode node) {
        Namespace ns = TYPES.get(node.asString());
        if (ns == null) {
            throw node.error("unknown namespace \"" + node.asString() + "\" (" + String.join(", ", TYPES.keySet()) + ")");
        }
        return ns;
    }

    private static String joinable(Namespace ns, JsonNode pathNode) {
        String path = Values.absolutePath(pathNode);
        if (ns == Namespace.PID || ns == Namespace.TIME) {
            // setns moves only the caller's later children into these, so the container's process would
            // need one more fork; ContainerSpec refuses them, and the error is clearer here, with its path.
            throw pathNode.error("joining an existing " + ns.label() + " namespace is not supported yet");
        }
        return path;
    }

    private static SequencedMap<String, Namespace> types() {
        SequencedMap<String, Namespace> types = new LinkedHashMap<>();
        types.put("pid", Namespace.PID);
        types.put("network", Namespace.NET);
        types.put("mount", Namespace.MOUNT);
        types.put("ipc", Namespace.IPC);
        types.put("uts", Namespace.UTS);
        types.put("user", Namespace.USER);
        types.put("cgroup", Namespace.CGROUP);
        types.put("time", Namespace.TIME);
        return Collections.unmodifiableSequencedMap(types);
    }
}
