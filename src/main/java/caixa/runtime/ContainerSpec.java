package caixa.runtime;

import caixa.capabilities.CapabilitySet;
import caixa.capabilities.DockerDefaults;
import caixa.capabilities.HostCapabilities;
import caixa.cgroups.DeviceRule;
import caixa.cgroups.DeviceRules;
import caixa.cgroups.Resources;
import caixa.seccomp.SeccompProfile;
import caixa.cgroups.StaleCgroups;
import caixa.rootfs.Device;
import caixa.rootfs.Mount;
import caixa.rootfs.MountOptions;
import caixa.rootfs.Volume;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything that decides how a container runs. Immutable; build one with {@link #builder}.
 *
 * @param id             a name for the container, also its default hostname
 * @param rootfs         the directory that becomes {@code /}
 * @param command        argv; a first element without {@code /} is looked up in the container's PATH
 * @param env            {@code KEY=VALUE} entries, added to (and overriding) the defaults
 * @param workdir        the working directory inside the container
 * @param hostname       the UTS hostname (needs the UTS namespace)
 * @param namespaces     the namespaces to create
 * @param uidMappings    uid_map lines when a user namespace is created (for an unprivileged caller
 *                       who asks for none, {@link Rootless} adds the namespace and its mappings)
 * @param gidMappings    gid_map lines when a user namespace is created
 * @param user           {@code UID[:GID]} or {@code NAME[:GROUP]} as in the rootfs, or null for root
 * @param mounts         the mounts, in order (default {@link Mount#defaults()}, then volumes)
 * @param readOnlyRootfs whether {@code /} is mounted read-only
 * @param stdin          where standard input comes from
 * @param stdout         where standard output goes
 * @param stderr         where standard error goes
 * @param dieWithParent  kill the container when the thread that started it dies (for CLIs: a
 *                       killed runtime leaves no container behind); keep it off in thread pools
 * @param execTimeout    the longest the setup may take before the command starts
 * @param resources      cgroup limits
 * @param cgroup         the cgroup to run in, relative to each hierarchy's root; null for none unless
 *                       limits are set (then {@code caixa/<id>}). A cgroup caixa creates, it removes.
 *                       For an unprivileged caller it lies under its delegated cgroup ({@link Rootless})
 * @param maskedPaths    paths hidden from the container (behind /dev/null or an empty tmpfs)
 * @param readonlyPaths  paths made read-only in the container
 * @param startFifo      when set, the container is only created: its init waits until this FIFO is
 *                       opened for reading (see {@link caixa.spawn.StartGate}), as OCI's create/start split asks
 * @param rlimits        resource limits for the process
 * @param umask          the process's umask, or -1 to keep the runtime's
 * @param noNewPrivileges set no_new_privs: execve can no longer grant privileges (setuid, file capabilities)
 * @param oomScoreAdj    the process's oom_score_adj, or null to inherit
 * @param sysctl         namespaced kernel parameters to set inside ({@code net.ipv4.ip_forward} → {@code 1})
 * @param additionalGids supplementary groups, besides those of {@code user}
 * @param joinNamespaces existing namespaces to enter (by /proc/PID/ns/* or bind-mounted path) instead of creating them
 * @param devices        device nodes to create in /dev beyond the defaults
 * @param preserveFds    descriptors 3 .. 3+N-1 of the caller that the container inherits
 * @param defaultEnvironment whether PATH, HOSTNAME and HOME are set unless {@code env} sets them (as
 *                       docker does); otherwise the environment is exactly {@code env} plus HOME if
 *                       missing (as runc does for an OCI process)
 * @param capabilities   the process's capability sets, or null to leave them as the runtime has them
 *                       (an OCI config without process.capabilities); docker's 14 by default
 * @param seccomp        the syscall filter installed just before execve, or null for none (unconfined);
 *                       docker's default profile for the container's capabilities unless told otherwise
 * @param deviceRules    the device cgroup's rules (when the container has a cgroup of its own)
 * @param consoleSocket  a unix socket to send the container's terminal to (runc's --console-socket):
 *                       the process gets a new pty as its controlling terminal and stdio; null for none
 * @param rootPropagation the propagation of the host's mounts as copied into the mount namespace
 *                       (MS_PRIVATE | MS_REC unless told otherwise: nothing flows back to the host)
 * @param noPivotRoot    enter the rootfs as runc's --no-pivot does, for a rootfs pivot_root refuses
 *                       (one on the initramfs's rootfs, say): move its mount onto {@code /} and
 *                       chroot into it. The host's mounts then stay in the container's mount
 *                       namespace, beneath its root, so a process that can chroot again may reach
 *                       them; the host's proc and sysfs mounts are covered first, as runc does.
 */
public record ContainerSpec(String id, Path rootfs, List<String> command, List<String> env, String workdir,
                            String hostname, Set<Namespace> namespaces, List<IdMapping> uidMappings,
                            List<IdMapping> gidMappings, String user, List<Mount> mounts,
                            boolean readOnlyRootfs, Stdio stdin, Stdio stdout, Stdio stderr,
                            boolean dieWithParent, Duration execTimeout, Resources resources, String cgroup,
                            List<String> maskedPaths, List<String> readonlyPaths, long rootPropagation,
                            Path startFifo, List<Rlimit> rlimits, int umask, boolean noNewPrivileges,
                            Integer oomScoreAdj, Map<String, String> sysctl, List<Integer> additionalGids,
                            Map<Namespace, Path> joinNamespaces, List<Device> devices, int preserveFds,
                            Path consoleSocket, boolean defaultEnvironment, CapabilitySet capabilities,
                            List<DeviceRule> deviceRules, SeccompProfile seccomp, boolean noPivotRoot) {

    public ContainerSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(rootfs, "rootfs");
        command = List.copyOf(command);
        if (command.isEmpty() || command.getFirst().isEmpty()) {
            throw new IllegalArgumentException("no command to run");
        }
        env = List.copyOf(env);
        for (String entry : env) {
            if (entry.indexOf('=') <= 0) {
                throw new IllegalArgumentException("environment entry '" + entry + "': expected KEY=VALUE");
            }
        }
        if (!workdir.startsWith("/")) {
            throw new IllegalArgumentException("workdir '" + workdir + "': must be an absolute path");
        }
        namespaces = Set.copyOf(namespaces);
        uidMappings = List.copyOf(uidMappings);
        gidMappings = List.copyOf(gidMappings);
        mounts = List.copyOf(mounts);
        rlimits = List.copyOf(rlimits);
        sysctl = Map.copyOf(sysctl);
        additionalGids = List.copyOf(additionalGids);
        joinNamespaces = Map.copyOf(joinNamespaces);
        devices = List.copyOf(devices);
        deviceRules = List.copyOf(deviceRules);
        for (Namespace ns : joinNamespaces.keySet()) {
            if (!namespaces.contains(ns)) {
                throw new IllegalArgumentException("joining the " + ns.label() + " namespace needs it in the namespaces");
            }
            if (ns == Namespace.PID || ns == Namespace.TIME) {
                throw new IllegalArgumentException("joining an existing " + ns.label() + " namespace is not supported yet");
            }
        }
        if (noPivotRoot && joinNamespaces.containsKey(Namespace.MOUNT)) {
            // The host's proc and sysfs mounts to cover are planned from caixa's own mount table.
            throw new IllegalArgumentException("no-pivot needs a new mount namespace, not a joined one");
        }
        maskedPaths = List.copyOf(maskedPaths);
        readonlyPaths = List.copyOf(readonlyPaths);
        if (!namespaces.contains(Namespace.MOUNT)) {
            throw new IllegalArgumentException("a container needs the mount namespace: its rootfs is mounted in it");
        }
        boolean newUserNs = namespaces.contains(Namespace.USER) && !joinNamespaces.containsKey(Namespace.USER);
        if (newUserNs && (uidMappings.isEmpty() || gidMappings.isEmpty())) {
            throw new IllegalArgumentException("a user namespace needs uid and gid mappings");
        }
        if (!newUserNs && (!uidMappings.isEmpty() || !gidMappings.isEmpty())) {
            throw new IllegalArgumentException("id mappings need a new user namespace");
        }
        if (hostname != null && !namespaces.contains(Namespace.UTS)) {
            throw new IllegalArgumentException("a hostname needs the uts namespace");
        }
        Objects.requireNonNull(resources, "resources");
        if (cgroup == null && !resources.isNone()) {
            cgroup = defaultCgroup(id);
        }
    }

    /** Where a container's own cgroup goes unless told otherwise. */
    public static String defaultCgroup(String id) {
        return StaleCgroups.PARENT + "/" + id;
    }

    /**
     * Hidden from every container unless told otherwise, as docker hides them: kernel memory, keys,
     * scheduler and timer internals, firmware.
     */
    public static final List<String> MASKED_PATHS = List.of("/proc/acpi", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware", "/sys/devices/virtual/powercap");

    /** Read-only in every container unless told otherwise: /proc/sys writes would change the host. */
    public static final List<String> READONLY_PATHS = List.of("/proc/asound", "/proc/bus", "/proc/fs",
            "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    public static Builder builder(Path rootfs, String... command) {
        return new Builder(rootfs, List.of(command));
    }

    public static Builder builder(Path rootfs, List<String> command) {
        return new Builder(rootfs, command);
    }

    /** Twelve hex digits, as docker's short ids. */
    public static String newId() {
        byte[] bytes = new byte[6];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public static final class Builder {
        private String id = newId();
        private final Path rootfs;
        private final List<String> command;
        private final List<String> env = new ArrayList<>();
        private String workdir = "/";
        private String hostname;
        private boolean hostnameSet;
        private final Set<Namespace> namespaces = EnumSet.copyOf(Namespace.defaults());
        private final List<IdMapping> uidMappings = new ArrayList<>();
        private final List<IdMapping> gidMappings = new ArrayList<>();
        private String user;
        private final List<Mount> mounts = new ArrayList<>(Mount.defaults());
        private final List<String> maskedPaths = new ArrayList<>(MASKED_PATHS);
        private final List<String> readonlyPaths = new ArrayList<>(READONLY_PATHS);
        private long rootPropagation = MountOptions.propagation("rprivate");
        private Path startFifo;
        private final List<Rlimit> rlimits = new ArrayList<>();
        private int umask = -1;
        private boolean noNewPrivileges = true;
        private Integer oomScoreAdj;
        private final Map<String, String> sysctl = new java.util.LinkedHashMap<>();
        private final List<Integer> additionalGids = new ArrayList<>();
        private final Map<Namespace, Path> joinNamespaces = new java.util.EnumMap<>(Namespace.class);
        private final List<Device> devices = new ArrayList<>();
        private int preserveFds;
        private Path consoleSocket;
        private boolean defaultEnvironment = true;
        private CapabilitySet capabilities = CapabilitySet.of(DockerDefaults.CAPABILITIES);
        private List<DeviceRule> deviceRules = DeviceRules.defaults();
        private SeccompProfile seccomp;
        private boolean seccompChosen;
        private boolean readOnlyRootfs;
        private Stdio stdin = Stdio.INHERIT;
        private Stdio stdout = Stdio.INHERIT;
        private Stdio stderr = Stdio.INHERIT;
        private boolean dieWithParent;
        private Duration execTimeout = Duration.ofSeconds(30);
        private Resources resources = Resources.NONE;
        private String cgroup;
        private boolean ownCgroup;
        private boolean noPivotRoot;

        private Builder(Path rootfs, List<String> command) {
            this.rootfs = rootfs;
            this.command = List.copyOf(command);
        }

        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder env(String keyValue) {
            env.add(keyValue);
            return this;
        }

        public Builder env(String key, String value) {
            return env(key + "=" + value);
        }

        public Builder workdir(String workdir) {
            this.workdir = workdir;
            return this;
        }

        public Builder hostname(String hostname) {
            this.hostname = hostname;
            this.hostnameSet = true;
            return this;
        }

        /** Replaces the set of namespaces to create. */
        public Builder namespaces(Set<Namespace> namespaces) {
            this.namespaces.clear();
            this.namespaces.addAll(namespaces);
            return this;
        }

        public Builder withNamespace(Namespace ns) {
            namespaces.add(ns);
            return this;
        }

        public Builder withoutNamespace(Namespace ns) {
            namespaces.remove(ns);
            return this;
        }

        /** A user namespace in which the caller's uid and gid are root, as {@code unshare --map-root-user}. */
        public Builder mapRootUser(long hostUid, long hostGid) {
            return userNamespace(List.of(new IdMapping(0, hostUid, 1)), List.of(new IdMapping(0, hostGid, 1)));
        }

        /** A user namespace with these mappings. */
        public Builder userNamespace(List<IdMapping> uids, List<IdMapping> gids) {
            namespaces.add(Namespace.USER);
            uidMappings.clear();
            uidMappings.addAll(uids);
            gidMappings.clear();
            gidMappings.addAll(gids);
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** A host path bound into the container, after the default mounts. */
        public Builder volume(Volume volume) {
            mounts.add(Mount.bind(volume.hostPath().toString(), volume.containerPath(), volume.readOnly()));
            return this;
        }

        /** Replaces every mount (the defaults too), as an OCI bundle's config.json does. */
        public Builder mounts(List<Mount> all) {
            mounts.clear();
            mounts.addAll(all);
            return this;
        }

        public Builder maskedPaths(List<String> paths) {
            maskedPaths.clear();
            maskedPaths.addAll(paths);
            return this;
        }

        public Builder readonlyPaths(List<String> paths) {
            readonlyPaths.clear();
            readonlyPaths.addAll(paths);
            return this;
        }

        public Builder rlimit(Rlimit rlimit) {
            rlimits.add(rlimit);
            return this;
        }

        public Builder umask(int mask) {
            this.umask = mask;
            return this;
        }

        public Builder noNewPrivileges(boolean on) {
            this.noNewPrivileges = on;
            return this;
        }

        public Builder oomScoreAdj(Integer adj) {
            this.oomScoreAdj = adj;
            return this;
        }

        public Builder sysctl(String key, String value) {
            sysctl.put(key, value);
            return this;
        }

        public Builder additionalGids(List<Integer> gids) {
            additionalGids.clear();
            additionalGids.addAll(gids);
            return this;
        }

        /** Enters an existing namespace (its path, like /proc/42/ns/net) instead of creating one. */
        public Builder joinNamespace(Namespace ns, Path path) {
            namespaces.add(ns);
            joinNamespaces.put(ns, path);
            return this;
        }

        /** Docker's default profile, which opens what the capabilities allow (mount with CAP_SYS_ADMIN, say). */
        private SeccompProfile defaultSeccomp() {
            java.util.Set<String> names = new java.util.HashSet<>();
            CapabilitySet caps = capabilities != null ? capabilities : CapabilitySet.of(HostCapabilities.bounding());
            caps.bounding().forEach(c -> names.add(c.toString()));
            return SeccompProfile.defaultProfile(names);
        }

        /** The capability sets, or null to leave the runtime's (see {@link ContainerSpec#capabilities()}). */
        public Builder capabilities(CapabilitySet caps) {
            this.capabilities = caps;
            return this;
        }

        /** The syscall filter; null for none (docker's {@code seccomp=unconfined}). */
        public Builder seccomp(SeccompProfile profile) {
            this.seccomp = profile;
            this.seccompChosen = true;
            return this;
        }

        public Builder deviceRules(List<DeviceRule> rules) {
            this.deviceRules = List.copyOf(rules);
            return this;
        }

        /**
         * What docker's --privileged opens: every capability of the host's bounding set, every
         * device, nothing masked or read-only.
         */
        public Builder privileged() {
            capabilities = CapabilitySet.of(HostCapabilities.bounding());
            deviceRules = DeviceRules.privileged();
            seccomp(null);
            maskedPaths.clear();
            readonlyPaths.clear();
            return this;
        }

        /** The environment is exactly what {@link #env} gives (plus HOME when missing), as an OCI process's. */
        public Builder exactEnvironment() {
            this.defaultEnvironment = false;
            return this;
        }

        public Builder consoleSocket(Path socket) {
            this.consoleSocket = socket;
            return this;
        }

        public Builder preserveFds(int count) {
            this.preserveFds = count;
            return this;
        }

        public Builder device(Device device) {
            devices.add(device);
            return this;
        }

        /** Creates the container without starting its command: see {@link ContainerSpec#startFifo()}. */
        public Builder startFifo(Path fifo) {
            this.startFifo = fifo;
            return this;
        }

        /** MS_* propagation flags for the rootfs (see {@link MountOptions#propagation(String)}). */
        public Builder rootPropagation(long flags) {
            this.rootPropagation = flags;
            return this;
        }

        public Builder readOnlyRootfs(boolean readOnly) {
            this.readOnlyRootfs = readOnly;
            return this;
        }

        public Builder stdin(Stdio stdin) {
            this.stdin = stdin;
            return this;
        }

        public Builder stdout(Stdio stdout) {
            this.stdout = stdout;
            return this;
        }

        public Builder stderr(Stdio stderr) {
            this.stderr = stderr;
            return this;
        }

        public Builder dieWithParent(boolean die) {
            this.dieWithParent = die;
            return this;
        }

        public Builder execTimeout(Duration timeout) {
            this.execTimeout = timeout;
            return this;
        }

        public Builder resources(Resources resources) {
            this.resources = resources;
            return this;
        }

        /** Runs in this cgroup (relative path, created if missing). */
        public Builder cgroup(String path) {
            this.cgroup = path;
            return this;
        }

        /** Gives the container a cgroup of its own ({@code caixa/<id>}) even without limits, for its statistics. */
        public Builder ownCgroup() {
            this.ownCgroup = true;
            return this;
        }

        /** Enter the rootfs with a mount move and chroot instead of pivot_root (runc's --no-pivot). */
        public Builder noPivotRoot(boolean noPivot) {
            this.noPivotRoot = noPivot;
            return this;
        }

        /**
         * The spec. For an unprivileged caller this is where {@link Rootless rootless mode} applies:
         * a spec without a user namespace gets one (the caller is root inside), and the cgroup moves
         * under the caller's delegated cgroup, or goes when no limit needs one.
         *
         * @throws ContainerException when a rootless container's limits have no delegated cgroup
         *                            (the cause is a {@link caixa.cgroups.DelegatedCgroup.Missing})
         */
        public ContainerSpec build() {
            String effectiveHostname = hostnameSet ? hostname
                    : namespaces.contains(Namespace.UTS) ? id : null;
            String cgroupPath = cgroup != null ? cgroup : ownCgroup || !resources.isNone() ? defaultCgroup(id) : null;
            if (Rootless.active()) {
                if (!namespaces.contains(Namespace.USER)) {
                    userNamespace(Rootless.defaultUidMappings(), Rootless.defaultGidMappings());
                }
                try {
                    cgroupPath = Rootless.cgroupFor(cgroupPath, cgroup != null, resources);
                } catch (caixa.cgroups.DelegatedCgroup.Missing e) {
                    throw new ContainerException(e.getMessage(), ContainerException.RUNTIME_ERROR, e);
                }
            }
            return new ContainerSpec(id, rootfs, command, env, workdir, effectiveHostname, namespaces,
                    uidMappings, gidMappings, user, mounts, readOnlyRootfs, stdin, stdout, stderr,
                    dieWithParent, execTimeout, resources, cgroupPath,
                    maskedPaths, readonlyPaths, rootPropagation, startFifo, rlimits, umask, noNewPrivileges,
                    oomScoreAdj, sysctl, additionalGids, joinNamespaces, devices, preserveFds, consoleSocket,
                    defaultEnvironment, capabilities, deviceRules, seccompChosen ? seccomp : defaultSeccomp(),
                    noPivotRoot);
        }
    }
}
