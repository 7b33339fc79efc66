package caixa.spec;

import caixa.cgroups.DeviceRule;
import caixa.cgroups.DeviceRules;
import caixa.cgroups.Resources;
import caixa.rootfs.Device;
import caixa.rootfs.MountOptions;
import caixa.runtime.ContainerSpec;
import caixa.runtime.IdMapping;
import caixa.spec.json.JsonNode;
import caixa.spec.json.JsonObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * config.json's linux section: namespaces and id mappings, cgroup and limits, devices, kernel
 * parameters, and what the mount namespace hides.
 *
 * @param cgroupsPath     relative to each hierarchy's root; empty when config.json names none
 * @param deviceRules     linux.resources.devices, in order; empty when config.json has none
 * @param seccomp         the filter as config.json writes it, checked for shape (OciBundle compiles it)
 * @param rootPropagation MS_* flags for the host's mounts as the container's namespace copies them
 */
record OciLinux(OciNamespaces namespaces, List<IdMapping> uidMappings, List<IdMapping> gidMappings,
                Map<String, String> sysctl, Resources resources, Optional<String> cgroupsPath,
                List<DeviceRule> deviceRules, List<Device> devices, Optional<JsonObjectNode> seccomp, long rootPropagation,
                List<String> maskedPaths, List<String> readonlyPaths) {

    /**
     * runc's default: host mounts made later still reach the container, and nothing flows back. A
     * volume marked {@code rslave} (Kubernetes' HostToContainer) relies on it: under a private
     * root it would have no master to follow.
     */
    private static final String DEFAULT_PROPAGATION = "rslave";

    private static final List<String> PROPAGATIONS =
            List.of("private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable");

    /** What runc gives a device node whose fileMode config.json leaves out. */
    private static final int DEFAULT_DEVICE_MODE = 0666;

    OciLinux {
        uidMappings = List.copyOf(uidMappings);
        gidMappings = List.copyOf(gidMappings);
        deviceRules = List.copyOf(deviceRules);
        devices = List.copyOf(devices);
        maskedPaths = List.copyOf(maskedPaths);
        readonlyPaths = List.copyOf(readonlyPaths);
    }

    static OciLinux read(JsonObjectNode linux) {
        refuseUnsupported(linux);
        OciNamespaces namespaces = OciNamespaces.read(linux);
        List<IdMapping> uidMappings = idMappings(linux, "uidMappings");
        List<IdMapping> gidMappings = idMappings(linux, "gidMappings");
        checkMappings(linux, namespaces, uidMappings, gidMappings);
        return new OciLinux(namespaces, uidMappings, gidMappings,
                linux.optionalStringMap("sysctl"),
                linux.optionalObject("resources").map(LinuxResources::read).orElse(Resources.NONE),
                CgroupsPath.read(linux),
                linux.optionalObject("resources").map(LinuxResources::deviceRules).orElse(List.of()),
                linux.optionalObjectList("devices").stream().map(OciLinux::device).toList(),
                linux.optionalObject("seccomp").map(Seccomp::check),
                rootPropagation(linux),
                linux.optional("maskedPaths").map(paths -> Values.absolutePaths(paths.asArray())).orElse(List.of()),
                linux.optional("readonlyPaths").map(paths -> Values.absolutePaths(paths.asArray())).orElse(List.of()));
    }

    void applyTo(ContainerSpec.Builder builder) {
        builder.namespaces(namespaces.all());
        if (namespaces.createsUserNamespace()) {
            builder.userNamespace(uidMappings, gidMappings);
        }
        namespaces.joined().forEach(builder::joinNamespace);
        sysctl.forEach(builder::sysctl);
        builder.resources(resources);
        cgroupsPath.ifPresent(builder::cgroup);
        devices.forEach(builder::device);
        builder.deviceRules(cgroupDeviceRules());
        builder.rootPropagation(rootPropagation)
                .maskedPaths(maskedPaths)
                .readonlyPaths(readonlyPaths);
    }

    /**
     * The device cgroup's rules as runc makes them: the config's own (or, with none, everything
     * denied: caixa does not read a missing list as "allow all"), then the devices every container
     * may use ({@link DeviceRules#allowed}), then full access to each node {@code linux.devices}
     * creates. Unlike runc's list, the appended one does not allow mknod of block nodes.
     */
    List<DeviceRule> cgroupDeviceRules() {
        List<DeviceRule> rules = new ArrayList<>(deviceRules.isEmpty() ? List.of(DeviceRule.denyAll()) : deviceRules);
        rules.addAll(DeviceRules.allowed());
        for (Device device : devices) {
            switch (device.type()) {
                case "c", "u" -> rules.add(DeviceRule.allow(DeviceRule.Type.CHAR, device.major(), device.minor(), "rwm"));
                case "b" -> rules.add(DeviceRule.allow(DeviceRule.Type.BLOCK, device.major(), device.minor(), "rwm"));
                default -> { } // a FIFO ("p") is no device to the cgroup
            }
        }
        return List.copyOf(rules);
    }

    private static List<IdMapping> idMappings(JsonObjectNode linux, String key) {
        return linux.optionalObjectList(key).stream().map(mapping -> {
            long containerId = mapping.requireLong("containerID", 0, Values.UINT32_MAX);
            long hostId = mapping.requireLong("hostID", 0, Values.UINT32_MAX);
            long size = mapping.requireLong("size", 1, Values.UINT32_MAX);
            if (containerId + size - 1 > Values.UINT32_MAX || hostId + size - 1 > Values.UINT32_MAX) {
                throw mapping.error("maps ids beyond 4294967295");
            }
            return new IdMapping(containerId, hostId, size);
        }).toList();
    }

    /** A new user namespace needs both maps (the kernel gives an unmapped id no rights); a joined one has its own. */
    private static void checkMappings(JsonObjectNode linux, OciNamespaces namespaces,
                                      List<IdMapping> uidMappings, List<IdMapping> gidMappings) {
        if (namespaces.createsUserNamespace()) {
            if (uidMappings.isEmpty()) {
                throw linux.path().key("uidMappings").error("a new user namespace needs uid and gid mappings");
            }
            if (gidMappings.isEmpty()) {
                throw linux.path().key("gidMappings").error("a new user namespace needs uid and gid mappings");
            }
        } else if (!uidMappings.isEmpty() || !gidMappings.isEmpty()) {
            String key = uidMappings.isEmpty() ? "gidMappings" : "uidMappings";
            throw linux.path().key(key).error(
                    "needs a new user namespace (a \"user\" entry without a path in linux.namespaces)");
        }
    }

    private static Device device(JsonObjectNode device) {
        JsonNode pathNode = device.required("path");
        String path = pathNode.asString();
        if (!path.startsWith("/dev/")) {
            throw pathNode.error("must be a path under /dev/, not \"" + path + "\"");
        }
        JsonNode typeNode = device.required("type");
        String type = typeNode.asString();
        if (!List.of("c", "b", "u", "p").contains(type)) {
            throw typeNode.error("must be c, b, u or p, not \"" + type + "\"");
        }
        // The spec requires major and minor for every type but a FIFO, which has none.
        boolean fifo = type.equals("p");
        long major = fifo ? 0 : device.requireLong("major", 0, Values.UINT32_MAX);
        long minor = fifo ? 0 : device.requireLong("minor", 0, Values.UINT32_MAX);
        // Writers differ on whether fileMode carries the file type bits (Go's os.FileMode keeps them
        // high up); the type comes from "type", so only the permission bits are kept.
        int mode = (int) (device.optionalLong("fileMode", 0, Values.UINT32_MAX).orElse(DEFAULT_DEVICE_MODE) & 07777);
        int uid = device.optionalInt("uid", 0, Values.MAX_CONTAINER_ID).orElse(0);
        int gid = device.optionalInt("gid", 0, Values.MAX_CONTAINER_ID).orElse(0);
        return device.path().checked(() -> new Device(path, type, major, minor, mode, uid, gid));
    }

    private static long rootPropagation(JsonObjectNode linux) {
        Optional<JsonNode> node = linux.optional("rootfsPropagation").filter(value -> !value.asString().isEmpty());
        String name = node.map(JsonNode::asString).orElse(DEFAULT_PROPAGATION);
        if (!PROPAGATIONS.contains(name)) {
            throw node.orElseThrow().error("must be one of " + String.join(", ", PROPAGATIONS) + ", not \"" + name + "\"");
        }
        return MountOptions.propagation(name);
    }

    /** Linux fields caixa cannot honour yet: see {@link Unsupported}. */
    private static void refuseUnsupported(JsonObjectNode linux) {
        Unsupported.refuse(linux, "mountLabel", "not supported: caixa cannot apply SELinux labels");
        Unsupported.refuse(linux, "intelRdt", "not supported yet");
        Unsupported.refuse(linux, "personality", "not supported yet");
        Unsupported.refuse(linux, "timeOffsets", "not supported yet");
    }
}
