package caixa.runtime.oci;

import caixa.bindings.linux_h;
import caixa.capabilities.CapabilitySet;
import caixa.cgroups.Cgroup;
import caixa.cgroups.CgroupLayout;
import caixa.cgroups.CgroupStats;
import caixa.cgroups.Resources;
import caixa.linux.Linux;
import caixa.runtime.Container;
import caixa.runtime.ContainerSpec;
import caixa.runtime.Exec;
import caixa.runtime.ExecSpec;
import caixa.runtime.SignalForwarder;
import caixa.spawn.ChildProcess;
import caixa.spawn.ExitStatus;
import caixa.spawn.StartGate;
import caixa.spec.Hooks;
import caixa.spec.OciBundle;
import caixa.spec.OciProcess;
import caixa.spec.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The OCI lifecycle over a state directory: what runc's commands do, as a library the CLI calls.
 * Every operation on a container holds its lock.
 */
public final class OciRuntime {
    /** The runtime-spec version caixa implements. */
    public static final String OCI_VERSION = "1.2.0";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final StateStore store;

    public OciRuntime(Path root) {
        this.store = new StateStore(root);
    }

    public StateStore store() {
        return store;
    }

    /**
     * @param bundle        the bundle directory (config.json and the rootfs)
     * @param pidFile       where to write the init's pid, or null
     * @param preserveFds   descriptors 3 .. 3+N-1 passed on to the container
     * @param consoleSocket where the pty master goes when process.terminal is set, or null
     * @param noPivot       enter the rootfs with a mount move and chroot, not pivot_root (runc's --no-pivot)
     */
    public record CreateOptions(Path bundle, Path pidFile, int preserveFds, Path consoleSocket, boolean noPivot) {
    }

    /**
     * Creates the container: namespaces, mounts and cgroup are in place and its init waits in
     * caixa-init, just before exec. Returns its record; the caller may exit, the container stays.
     */
    public ContainerRecord create(String id, CreateOptions options) {
        try (StateStore.Lock ignored = store.lock(id)) {
            Created created = createLocked(id, options);
            created.container().detach();
            return created.record();
        }
    }

    private record Created(ContainerRecord record, Container container, OciBundle bundle) {
    }

    private Created createLocked(String id, CreateOptions options) {
        OciBundle bundle = OciBundle.load(options.bundle().toAbsolutePath());
        store.createDirectory(id);
        try {
            Path fifo = store.execFifo(id);
            StartGate.create(fifo);
            ContainerSpec.Builder builder = bundle.toSpec(id).startFifo(fifo).preserveFds(options.preserveFds())
                    .noPivotRoot(options.noPivot());
            if (bundle.terminal() != (options.consoleSocket() != null)) {
                throw new OciException(bundle.terminal()
                        ? "config.json: process.terminal is true: --console-socket is required"
                        : "--console-socket is only for a process with a terminal (process.terminal)");
            }
            builder.consoleSocket(options.consoleSocket());
            ContainerSpec spec = buildSpec(builder.ownCgroup());
            // Null only for a rootless container without limits, which gets no cgroup.
            String cgroup = spec.cgroup() != null ? spec.cgroup() : ContainerRecord.NO_CGROUP;
            // Written before anything runs: a crash from here on leaves what delete --force needs.
            ContainerRecord record = new ContainerRecord(id, 0, 0, bundle.bundle(), bundle.rootfs(), Instant.now(),
                    cgroup, List.of(), bundle.annotations());
            store.write(record);
            ContainerRecord creating = record;
            Hooks hooks = bundle.hooks();
            boolean hooksBeforePivot = !hooks.prestart().isEmpty() || !hooks.createRuntime().isEmpty()
                    || !hooks.createContainer().isEmpty();
            Container container = Container.start(spec, !hooksBeforePivot ? null : pid -> {
                String state = stateJson(creating.withInit(pid, 0, List.of()), Status.CREATING);
                HookRunner.run("prestart", hooks.prestart(), state);
                HookRunner.run("createRuntime", hooks.createRuntime(), state);
                HookRunner.runInContainer("createContainer", hooks.createContainer(), state, pid,
                        creating.cgroupPath().orElse(null));
            });
            // From here the state owns the cgroup, through create, start, a stop and until delete;
            // the destroy below removes it if this create fails.
            container.handOverCgroup();
            OptionalLong startTime = InitProcess.startTime(container.pid());
            record = record.withInit(container.pid(), startTime.orElse(0), container.execCandidates());
            store.write(record);
            try {
                if (options.pidFile() != null) {
                    StateStore.writeAtomically(options.pidFile().toAbsolutePath(),
                            Integer.toString(container.pid()).getBytes(StandardCharsets.US_ASCII));
                }
            } catch (RuntimeException e) {
                container.close();
                throw e;
            }
            return new Created(record, container, bundle);
        } catch (RuntimeException e) {
            destroy(id, store.read(id).map(ContainerRecord::cgroup).orElse(ContainerSpec.defaultCgroup(id)));
            throw e;
        }
    }

    /** Where config.json sets each cgroup key, for a rootless caller's error without a delegated cgroup. */
    private static final java.util.Map<String, String> RESOURCE_FIELDS = java.util.Map.of(
            "memory.max", "linux.resources.memory.limit", "memory.swap.max", "linux.resources.memory.swap",
            "cpu.max", "linux.resources.cpu.quota", "cpu.weight", "linux.resources.cpu.shares",
            "pids.max", "linux.resources.pids.limit", "cpuset.cpus", "linux.resources.cpu.cpus");

    private static ContainerSpec buildSpec(ContainerSpec.Builder builder) {
        try {
            return builder.build();
        } catch (caixa.runtime.ContainerException e) {
            if (e.getCause() instanceof caixa.cgroups.DelegatedCgroup.Missing missing
                    && RESOURCE_FIELDS.containsKey(missing.what())) {
                throw new OciException("config.json: " + RESOURCE_FIELDS.get(missing.what())
                        + missing.getMessage().substring(missing.what().length()), e);
            }
            throw e;
        }
    }

    /** Lets a created container run its command. */
    public void start(String id) {
        try (StateStore.Lock ignored = store.lock(id)) {
            startLocked(store.require(id));
        }
    }

    private void startLocked(ContainerRecord record) {
        Status status = status(record);
        if (status != Status.CREATED) {
            throw new OciException("container " + record.id() + " is " + status.label() + ", not created: cannot start it");
        }
        Optional<OciBundle> bundle = bundleIfPresent(record);
        bundle.ifPresent(b -> HookRunner.runInContainer("startContainer", b.hooks().startContainer(),
                stateJson(record, Status.CREATED), record.pid(), record.cgroupPath().orElse(null)));
        Path fifo = store.execFifo(record.id());
        Optional<StartGate.ExecFailure> failure =
                StartGate.open(fifo, record.execCandidates(), (int) START_TIMEOUT.toMillis());
        deleteQuietly(fifo);
        if (failure.isPresent()) {
            StartGate.ExecFailure f = failure.get();
            throw new OciException("exec " + f.path() + ": " + caixa.linux.Errno.describe(f.errno()));
        }
        bundle.ifPresent(b -> HookRunner.run("poststart", b.hooks().poststart(), stateJson(record, Status.RUNNING)));
    }

    /**
     * create, start, and (unless detached) wait with signals forwarded, then delete: runc's run.
     * Returns the container's exit status as a shell reports it.
     */
    public int run(String id, CreateOptions options, boolean detach) {
        Created created;
        try (StateStore.Lock ignored = store.lock(id)) {
            created = createLocked(id, options);
            try {
                startLocked(created.record());
            } catch (RuntimeException e) {
                created.container().close();
                destroy(id, created.record().cgroup());
                throw e;
            }
        }
        if (detach) {
            created.container().detach();
            return 0;
        }
        ExitStatus status;
        try (SignalForwarder forwarder = SignalForwarder.install(Duration.ofSeconds(10))) {
            forwarder.attach(created.container());
            status = created.container().waitFor();
        }
        created.container().close();
        delete(id, true);
        return status.shellCode();
    }

    public Status status(ContainerRecord record) {
        if (record.pid() == 0 || !InitProcess.alive(record)) {
            return record.pid() == 0 ? Status.CREATING : Status.STOPPED;
        }
        if (Files.exists(store.execFifo(record.id()))) {
            return Status.CREATED;
        }
        Optional<Cgroup> cgroup = existingCgroup(record);
        if (cgroup.isPresent()) {
            try (Cgroup c = cgroup.get()) {
                if (c.frozen()) {
                    return Status.PAUSED;
                }
            }
        }
        return Status.RUNNING;
    }

    /** The OCI state document. */
    public String state(String id) {
        ContainerRecord record = store.require(id);
        return stateJson(record, status(record));
    }

    /** The OCI state document on one line, as {@code list --format json} prints each container's. */
    public String stateLine(ContainerRecord record) {
        return Json.write(record.ociState(status(record), OCI_VERSION));
    }

    private String stateJson(ContainerRecord record, Status status) {
        return Json.writePretty(record.ociState(status, OCI_VERSION), "  ");
    }

    public List<ContainerRecord> list() {
        List<ContainerRecord> records = new ArrayList<>();
        for (String id : store.ids()) {
            store.read(id).ifPresent(records::add);
        }
        return records;
    }

    /** Sends {@code signal} to the init, or with {@code all} to every process of the container. */
    public void kill(String id, int signal, boolean all) {
        try (StateStore.Lock ignored = store.lock(id)) {
            ContainerRecord record = store.require(id);
            Status status = status(record);
            if (status == Status.STOPPED || status == Status.CREATING) {
                throw new OciException("container " + id + " is " + status.label() + ": nothing to signal");
            }
            if (all && record.cgroupPath().isEmpty()) {
                if (signal != linux_h.SIGKILL()) {
                    throw new OciException("container " + id + " has no cgroup (rootless, without limits) to find"
                            + " its processes in: kill --all can only send SIGKILL to its init, which ends them all");
                }
                signalInit(record, signal);
                return;
            }
            if (all) {
                try (Cgroup cgroup = requireCgroup(record)) {
                    for (int pid : cgroup.pids()) {
                        Linux.kill(pid, signal);
                    }
                }
                return;
            }
            signalInit(record, signal);
        }
    }

    /** Through a pidfd taken after checking the start time: the signal cannot reach a recycled pid. */
    private static void signalInit(ContainerRecord record, int signal) {
        int pidfd = Linux.pidfdOpen(record.pid());
        try {
            if (!InitProcess.alive(record)) {
                return;
            }
            Linux.pidfdSendSignal(pidfd, signal);
        } finally {
            Linux.close(pidfd);
        }
    }

    /** Removes a stopped (or, with force, any) container: its processes, cgroup and state. */
    public void delete(String id, boolean force) {
        try (StateStore.Lock ignored = store.lock(id)) {
            Optional<ContainerRecord> found = store.read(id);
            if (found.isEmpty()) {
                if (!store.exists(id)) {
                    if (force) {
                        return; // runc: delete --force of what is not there is not an error
                    }
                    throw new OciException("container " + id + " does not exist");
                }
                // A create that died before writing its state: clean what its id implies.
                destroy(id, ContainerSpec.defaultCgroup(id));
                return;
            }
            ContainerRecord record = found.get();
            Status status = status(record);
            if ((status == Status.RUNNING || status == Status.PAUSED) && !force) {
                throw new OciException("container " + id + " is " + status.label()
                        + ": stop it first, or use delete --force");
            }
            destroy(id, record.cgroup());
            bundleIfPresent(record).ifPresent(b ->
                    HookRunner.run("poststop", b.hooks().poststop(), stateJson(record, Status.STOPPED)));
        }
    }

    /** Kills everything in the container's cgroup, waits for it to empty, removes it and the state. */
    private void destroy(String id, String cgroupPath) {
        if (cgroupPath.equals(ContainerRecord.NO_CGROUP)) {
            store.read(id).ifPresent(OciRuntime::killInit);
            store.remove(id);
            return;
        }
        Optional<Cgroup> found = Cgroup.openExisting(CgroupLayout.host(), cgroupPath);
        if (found.isPresent()) {
            try (Cgroup cgroup = found.get()) {
                if (cgroup.frozen()) {
                    cgroup.thaw();
                }
                cgroup.kill();
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (cgroup.populated() && System.nanoTime() < deadline) {
                    sleep(10);
                }
                cgroup.delete();
            }
        }
        store.remove(id);
    }

    /**
     * A container without a cgroup has its own pid namespace (a rootless container always gets one):
     * SIGKILL to its init makes the kernel kill every process in it.
     */
    private static void killInit(ContainerRecord record) {
        if (record.pid() == 0 || !InitProcess.alive(record)) {
            return;
        }
        signalInit(record, linux_h.SIGKILL());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (InitProcess.alive(record)) {
            if (System.nanoTime() > deadline) {
                throw new OciException("container " + record.id() + ": its init " + record.pid()
                        + " is still alive 10 s after SIGKILL");
            }
            sleep(10);
        }
    }

    /** The container's cgroup; an error when it has none, or it is gone. */
    private static Cgroup requireCgroup(ContainerRecord record) {
        String path = record.cgroupPath().orElseThrow(() -> new OciException("container " + record.id()
                + " has no cgroup (a rootless container gets one only for its limits)"));
        return Cgroup.openExisting(CgroupLayout.host(), path)
                .orElseThrow(() -> new OciException("container " + record.id() + ": its cgroup is gone"));
    }

    /** The container's cgroup, if it has one and it still exists. */
    private static Optional<Cgroup> existingCgroup(ContainerRecord record) {
        return record.cgroupPath().flatMap(path -> Cgroup.openExisting(CgroupLayout.host(), path));
    }

    public void pause(String id) {
        withCgroup(id, Status.RUNNING, "pause", Cgroup::freeze);
    }

    public void resume(String id) {
        withCgroup(id, Status.PAUSED, "resume", Cgroup::thaw);
    }

    /** The pids of the container's processes. */
    public List<Integer> ps(String id) {
        ContainerRecord record = store.require(id);
        return existingCgroup(record).map(c -> {
            try (c) {
                return c.pids();
            }
        }).orElse(List.of());
    }

    /**
     * A process to add to a running container.
     *
     * @param process       what to run, as whom, where (the uid, gid and groups are the container's)
     * @param terminal      whether it gets a pty (sent to {@code consoleSocket})
     * @param consoleSocket where the pty master goes, or null
     * @param pidFile       where to write its pid, or null
     * @param detach        return once it runs, instead of waiting for its exit
     */
    public record ExecRequest(ExecProcess process, boolean terminal, Path consoleSocket, Path pidFile, boolean detach) {
    }

    /**
     * What an exec runs: config.json's process, or the command line's equivalent. Without
     * capabilities of its own (null) it gets the container's, as runc's exec does.
     */
    public record ExecProcess(List<String> args, List<String> env, String cwd, int uid, int gid,
                              List<Integer> additionalGids, boolean noNewPrivileges, CapabilitySet capabilities) {
        public static ExecProcess of(OciProcess p) {
            return new ExecProcess(p.args(), p.env(), p.cwd(), p.uid(), p.gid(), p.additionalGids(), p.noNewPrivileges(),
                    p.capabilitySet().orElse(null));
        }
    }

    /** Starts a process in the container; returns its exit status as a shell reports it (0 when detached). */
    public int exec(String id, ExecRequest request) {
        ContainerRecord record;
        try (StateStore.Lock ignored = store.lock(id)) {
            record = store.require(id);
            Status status = status(record);
            if (status != Status.RUNNING) {
                throw new OciException("container " + id + " is " + status.label() + ": cannot exec in it");
            }
        }
        ExecProcess process = request.process();
        if (request.terminal() && request.consoleSocket() == null) {
            throw new OciException("exec: a terminal (process.terminal) needs --console-socket");
        }
        // The process is confined as the container's init is: its capabilities (unless the exec
        // request names its own), its seccomp filter and no_new_privs, all from config.json.
        ContainerSpec container = bundleIfPresent(record).map(b -> b.toSpec(id).build())
                .orElseThrow(() -> new OciException("exec: container " + id + ": its bundle " + record.bundle()
                        + " is gone, and with it the capabilities and seccomp filter its processes get"));
        ExecSpec spec = new ExecSpec(record.pid(), record.cgroupPath().orElse(null), process.args(), process.env(),
                process.cwd(), process.uid(), process.gid(), process.additionalGids(),
                process.noNewPrivileges() || container.noNewPrivileges(),
                request.terminal() ? request.consoleSocket() : null, -1,
                process.capabilities() != null ? process.capabilities() : container.capabilities(), container.seccomp());
        ChildProcess child = Exec.start(spec);
        if (request.pidFile() != null) {
            StateStore.writeAtomically(request.pidFile().toAbsolutePath(),
                    Integer.toString(child.pid()).getBytes(StandardCharsets.US_ASCII));
        }
        if (request.detach()) {
            child.detach();
            return 0;
        }
        ExitStatus status = child.waitFor();
        child.close();
        return status.shellCode();
    }

    /** The environment a new process of the container gets by default: its config's. */
    public List<String> configEnvironment(String id) {
        ContainerRecord record = store.require(id);
        return bundleIfPresent(record).map(b -> b.toSpec(id).build().env()).orElse(List.of());
    }

    /** Applies new limits to a running container. */
    public void update(String id, Resources resources) {
        try (StateStore.Lock ignored = store.lock(id)) {
            ContainerRecord record = store.require(id);
            try (Cgroup cgroup = requireCgroup(record)) {
                resources.applyTo(cgroup);
            }
        }
    }

    public CgroupStats stats(String id) {
        ContainerRecord record = store.require(id);
        try (Cgroup cgroup = requireCgroup(record)) {
            return cgroup.stats();
        }
    }

    private void withCgroup(String id, Status expected, String verb, java.util.function.Consumer<Cgroup> action) {
        try (StateStore.Lock ignored = store.lock(id)) {
            ContainerRecord record = store.require(id);
            Status status = status(record);
            if (status != expected) {
                throw new OciException("container " + id + " is " + status.label() + ": cannot " + verb + " it");
            }
            try (Cgroup cgroup = requireCgroup(record)) {
                action.accept(cgroup);
            }
        }
    }

    private static Optional<OciBundle> bundleIfPresent(ContainerRecord record) {
        if (!Files.exists(record.bundle().resolve("config.json"))) {
            return Optional.empty();
        }
        return Optional.of(OciBundle.load(record.bundle()));
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new OciException(file + ": " + e.getMessage(), e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OciException("interrupted", e);
        }
    }
}
