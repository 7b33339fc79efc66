package caixa.spec;

import caixa.rootfs.Mount;
import caixa.runtime.ContainerSpec;
import caixa.seccomp.SeccompProfile;
import caixa.runtime.Namespace;
import caixa.spec.json.JsonException;
import caixa.spec.json.JsonNode;
import caixa.spec.json.JsonObject;
import caixa.spec.json.JsonObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An OCI bundle: a directory whose config.json (runtime-spec 1.0 to 1.2) says what container to
 * create. {@link #load} reads and checks the whole file at once, so every mistake in it is reported
 * before anything is created, as one message naming the JSON path
 * ({@code config.json: process.cwd: must be an absolute path, not "tmp"}); {@link #toSpec} then
 * turns it into the runtime's {@link ContainerSpec}, as runc's specconv does.
 *
 * <p>Fields the spec defines but caixa cannot honour are refused when set (see
 * {@link Unsupported} and {@link LinuxResources}). Fields the spec does not define are ignored, as
 * it requires.
 */
public final class OciBundle {
    /** 1.0.x to 1.2.x, with SemVer's pre-release and build suffixes ({@code 1.0.2-dev}, as runc 1.1 writes). */
    private static final Pattern SUPPORTED_VERSION =
            Pattern.compile("1\\.[0-2]\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");

    private final Path bundle;
    private final String ociVersion;
    private final Path rootfs;
    private final boolean readonlyRootfs;
    private final OciProcess process;
    private final String hostname;
    private final List<Mount> mounts;
    private final OciLinux linux;
    private final Hooks hooks;
    private final Map<String, String> annotations;

    private OciBundle(Path bundle, JsonObjectNode config) {
        this.bundle = bundle;
        this.ociVersion = ociVersion(config);
        Unsupported.refuse(config, "domainname", "not supported yet");
        JsonObjectNode root = config.requireObject("root");
        // The spec: root.path is absolute or relative to the bundle.
        this.rootfs = bundle.resolve(root.required("path").asNonEmptyString()).normalize();
        this.readonlyRootfs = root.optionalBoolean("readonly", false);
        this.process = OciProcess.read(config.requireObject("process"));
        this.mounts = OciMounts.read(config.optionalObjectList("mounts"), bundle);
        this.linux = OciLinux.read(config.optionalObject("linux")
                .orElseGet(() -> new JsonObjectNode(config.path().key("linux"), JsonObject.EMPTY)));
        this.hostname = hostname(config, linux);
        this.hooks = config.optionalObject("hooks").map(Hooks::read).orElse(Hooks.NONE);
        this.annotations = config.optionalStringMap("annotations");
    }

    /**
     * Reads {@code bundleDir/config.json}. Every refusal is a {@link JsonException} whose message is
     * for the user as it is: {@code bundle /x: no such directory}, {@code bundle /x: no config.json},
     * {@code config.json: line 3 column 7: ...}, {@code config.json: process.args: ...}.
     */
    public static OciBundle load(Path bundleDir) {
        Path bundle = bundleDir.toAbsolutePath().normalize();
        if (!Files.isDirectory(bundle)) {
            throw new JsonException("bundle " + bundle + ": no such directory");
        }
        Path config = bundle.resolve("config.json");
        if (!Files.exists(config)) {
            throw new JsonException("bundle " + bundle + ": no config.json");
        }
        byte[] text;
        try {
            text = Files.readAllBytes(config);
        } catch (IOException e) {
            throw new JsonException("bundle " + bundle + ": cannot read config.json: " + e.getMessage());
        }
        return new OciBundle(bundle, JsonNode.parse("config.json", text).asObject());
    }

    /**
     * A builder for the container config.json describes, with the given id. Each call returns a new
     * builder; the lifecycle adds what is not in config.json (start FIFO, stdio, ...).
     *
     * <p>The builder's defaults give way to the bundle's: its mounts replace caixa's default mounts,
     * its namespaces are exactly those listed, and without {@code hostname} none is set (the UTS
     * namespace keeps the host's name, as with runc). With no {@code linux.cgroupsPath} the cgroup
     * is left to the lifecycle.
     */
    public ContainerSpec.Builder toSpec(String id) {
        ContainerSpec.Builder builder = ContainerSpec.builder(rootfs, process.args())
                .id(id)
                .readOnlyRootfs(readonlyRootfs)
                .hostname(hostname)
                .mounts(mounts)
                .exactEnvironment();
        process.applyTo(builder);
        linux.applyTo(builder);
        // No linux.seccomp means no filter, as runc; caixa's own default is for caixa run.
        builder.seccomp(seccomp().map(SeccompProfile::fromOci).orElse(null));
        return builder;
    }

    /** The bundle directory, absolute. */
    public Path bundle() {
        return bundle;
    }

    public String ociVersion() {
        return ociVersion;
    }

    /** root.path, resolved against the bundle. */
    public Path rootfs() {
        return rootfs;
    }

    /** process.terminal: whether the process gets a pty, whose master goes to the console socket. */
    public boolean terminal() {
        return process.terminal();
    }

    /** process.consoleSize, for the pty. */
    public Optional<ConsoleSize> consoleSize() {
        return process.consoleSize();
    }

    /** The annotations, in document order. */
    public Map<String, String> annotations() {
        return annotations;
    }

    public Hooks hooks() {
        return hooks;
    }

    /** process.capabilities, as read; {@link #toSpec} applies them. */
    public Capabilities capabilities() {
        return process.capabilities();
    }

    /** linux.seccomp as config.json writes it, checked for shape; {@link #toSpec} compiles it. */
    public Optional<JsonObjectNode> seccomp() {
        return linux.seccomp();
    }

    private static String ociVersion(JsonObjectNode config) {
        JsonNode node = config.required("ociVersion");
        String version = node.asString();
        if (!SUPPORTED_VERSION.matcher(version).matches()) {
            throw node.error("\"" + version + "\" is not supported (caixa reads 1.0.x to 1.2.x)");
        }
        return version;
    }

    /** null when absent or "": the UTS namespace, if any, then keeps the name it was created with. */
    private static String hostname(JsonObjectNode config, OciLinux linux) {
        Optional<JsonNode> node = config.optional("hostname").filter(name -> !name.asString().isEmpty());
        if (node.isPresent() && !linux.namespaces().all().contains(Namespace.UTS)) {
            throw node.get().error("needs a uts namespace in linux.namespaces");
        }
        return node.map(JsonNode::asString).orElse(null);
    }
}
