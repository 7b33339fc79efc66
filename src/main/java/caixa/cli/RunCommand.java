package caixa.cli;

import caixa.capabilities.DockerDefaults;
import caixa.cgroups.CgroupLayout;
import caixa.cgroups.DelegatedCgroup;
import caixa.cgroups.Resources;
import caixa.cgroups.Sizes;
import caixa.cgroups.StaleCgroups;
import caixa.linux.Linux;
import caixa.rootfs.BusyboxRootfs;
import caixa.rootfs.Volume;
import caixa.runtime.Container;
import caixa.runtime.ContainerException;
import caixa.runtime.ContainerSpec;
import caixa.runtime.IdMapping;
import caixa.runtime.Namespace;
import caixa.runtime.Rlimit;
import caixa.runtime.Rootless;
import caixa.runtime.SignalForwarder;
import caixa.seccomp.SeccompProfile;
import caixa.spawn.ExitStatus;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** {@code caixa run [OPTIONS] [--] COMMAND [ARG...]}: one container in the foreground. */
final class RunCommand {
    private RunCommand() {
    }

    static final String USAGE = """
            Usage: caixa run [OPTIONS] [--] COMMAND [ARG...]

            Runs COMMAND in a new container, in the foreground; exits with its status.
              --rootfs DIR          the container's / (default: the busybox rootfs, built on first use)
              --name ID             the container's id (default: 12 random hex digits)
              --hostname NAME       the hostname (default: the id)
              -e, --env KEY=VALUE   set an environment variable (KEY alone: take it from caixa's)
              -w, --workdir DIR     the working directory inside (default /)
              -u, --user U[:G]      run as uid/user U and gid/group G of the rootfs (default root)
              -v, --volume H:C[:ro] bind-mount host path H at C, read-only with :ro
              --read-only           mount the rootfs read-only (/tmp, /dev stay writable)
              --map-root-user       new user namespace: root inside is the caller outside
              --uidmap C:H:N        new user namespace: map N uids from C inside to H outside (repeatable)
              --gidmap C:H:N        the same for gids (required with --uidmap)
              --ns LIST             namespaces: an exact list (pid,mount,uts,ipc,net,cgroup,user,time)
                                    or changes to the default, +time,-net (default pid,mount,uts,ipc,net,cgroup)
              --stop-timeout SECS   after SIGINT/SIGTERM, SIGKILL the container after SECS (default 10)
              --cpus N              CPU time, in CPUs (0.2 = 20% of one CPU): cpu.max
              -c, --cpu-shares N    CPU weight under contention, 2 to 262144 (the kernel's default is 1024):
                                    cpu.shares on cgroup v1, converted to cpu.weight on v2
              --memory SIZE         memory limit (48M, 1G): memory.max
              --memory-swap SIZE    memory plus swap (equal to --memory: no swap; -1: unlimited)
              --pids-limit N        at most N tasks: pids.max
              --cpuset-cpus LIST    run on these CPUs (0-1, 0,2): cpuset.cpus
              --cgroup NAME         run in cgroup NAME (created if missing; default caixa/ID)
              --ulimit NAME=S[:H]   a resource limit (nofile=1024:2048), repeatable
              --cap-add CAP         add a capability to docker's 14 (ALL: every one the host has)
              --cap-drop CAP        drop one (ALL: all of them)
              --privileged          every capability, every device, no seccomp, nothing masked or read-only
              --security-opt seccomp=unconfined|FILE
                                    no syscall filter, or a docker seccomp profile instead of the default
              --security-opt no-new-privileges=false
                                    let execve grant privileges again (setuid binaries, file capabilities)

            Exit status: the command's; 128+N when killed by signal N; 125 when caixa failed;
            126 when the command cannot be executed; 127 when it is not found.
            """;

    static int run(List<String> argv) {
        Arguments args = new Arguments("run", argv);
        Path rootfs = null;
        String name = null;
        String hostname = null;
        List<String> env = new ArrayList<>();
        String workdir = "/";
        String user = null;
        List<Volume> volumes = new ArrayList<>();
        boolean readOnly = false;
        boolean mapRootUser = false;
        List<IdMapping> uidMaps = new ArrayList<>();
        List<IdMapping> gidMaps = new ArrayList<>();
        String nsList = null;
        Duration stopTimeout = Duration.ofSeconds(10);
        double cpus = 0;
        long cpuShares = 0;
        long memory = Sizes.UNLIMITED;
        long memorySwap = 0;
        long pidsLimit = 0;
        String cpusetCpus = null;
        String cgroup = null;
        List<Rlimit> ulimits = new ArrayList<>();
        boolean noNewPrivileges = true;
        List<String> capAdd = new ArrayList<>();
        List<String> capDrop = new ArrayList<>();
        boolean privileged = false;
        Path seccompFile = null;
        for (String option; (option = args.nextOption()) != null; ) {
            switch (option) {
                case "--rootfs" -> rootfs = Path.of(args.value(option));
                case "--name" -> name = args.value(option);
                case "--hostname" -> hostname = args.value(option);
                case "-e", "--env" -> env.add(envEntry(args.value(option)));
                case "-w", "--workdir" -> workdir = args.value(option);
                case "-u", "--user" -> user = args.value(option);
                case "-v", "--volume" -> volumes.add(parse(Volume::parse, args.value(option)));
                case "--read-only" -> {
                    args.noValue(option);
                    readOnly = true;
                }
                case "--map-root-user" -> {
                    args.noValue(option);
                    mapRootUser = true;
                }
                case "--uidmap" -> uidMaps.add(parse(IdMapping::parse, args.value(option)));
                case "--gidmap" -> gidMaps.add(parse(IdMapping::parse, args.value(option)));
                case "--ns" -> nsList = args.value(option);
                case "--stop-timeout" -> stopTimeout = Duration.ofSeconds(seconds(args.value(option)));
                case "--cpus" -> cpus = number(option, args.value(option));
                case "-c", "--cpu-shares" -> cpuShares = integer(option, args.value(option));
                case "--memory", "-m" -> memory = size(option, args.value(option));
                case "--memory-swap" -> memorySwap = size(option, args.value(option));
                case "--pids-limit" -> pidsLimit = (long) number(option, args.value(option));
                case "--cpuset-cpus" -> cpusetCpus = args.value(option);
                case "--cgroup" -> cgroup = args.value(option);
                case "--ulimit" -> ulimits.add(parse(Rlimit::parseUlimit, args.value(option)));
                case "--cap-add" -> capAdd.add(args.value(option));
                case "--cap-drop" -> capDrop.add(args.value(option));
                case "--privileged" -> {
                    args.noValue(option);
                    privileged = true;
                }
                case "--security-opt" -> {
                    String opt = args.value(option);
                    switch (opt) {
                        case "no-new-privileges", "no-new-privileges=true", "no-new-privileges:true" -> noNewPrivileges = true;
                        case "no-new-privileges=false", "no-new-privileges:false" -> noNewPrivileges = false;
                        case "seccomp=unconfined", "seccomp:unconfined" -> seccompFile = UNCONFINED;
                        default -> {
                            if (!opt.startsWith("seccomp=") && !opt.startsWith("seccomp:")) {
                                throw new UsageException("run: --security-opt " + opt + ": not supported");
                            }
                            seccompFile = Path.of(opt.substring("seccomp=".length()));
                        }
                    }
                }
                case "-h", "--help" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                default -> throw args.unknown(option);
            }
        }
        List<String> command = args.operands();
        if (command.isEmpty()) {
            throw new UsageException("run: no command given (caixa run [OPTIONS] -- COMMAND [ARG...])");
        }
        ContainerSpec.Builder spec = ContainerSpec.builder(rootfs != null ? rootfs : BusyboxRootfs.ensureDefault(), command)
                .workdir(workdir)
                .user(user)
                .readOnlyRootfs(readOnly)
                .dieWithParent(true)
                .resources(resources(cpus, memory, memorySwap, pidsLimit, cpusetCpus, cpuShares))
                .ownCgroup();
        if (cgroup != null) {
            spec.cgroup(cgroup);
        }
        if (name != null) {
            spec.id(name);
        }
        if (nsList != null) {
            spec.namespaces(namespaces(nsList));
        }
        if (hostname != null) {
            spec.hostname(hostname);
        }
        env.forEach(spec::env);
        ulimits.forEach(spec::rlimit);
        if (privileged) {
            spec.privileged();
        } else {
            spec.capabilities(parse(add -> DockerDefaults.capabilitySet(add, capDrop, false), capAdd));
        }
        if (seccompFile == UNCONFINED) {
            spec.seccomp(null);
        } else if (seccompFile != null) {
            spec.seccomp(seccompProfile(seccompFile, capAdd, capDrop, privileged));
        }
        spec.noNewPrivileges(noNewPrivileges);
        volumes.forEach(spec::volume);
        if (mapRootUser && !uidMaps.isEmpty()) {
            throw new UsageException("run: --map-root-user and --uidmap exclude each other");
        }
        if (mapRootUser) {
            spec.mapRootUser(Linux.geteuid(), Linux.getegid());
        } else if (!uidMaps.isEmpty() || !gidMaps.isEmpty()) {
            if (uidMaps.isEmpty() || gidMaps.isEmpty()) {
                throw new UsageException("run: --uidmap and --gidmap go together");
            }
            spec.userNamespace(uidMaps, gidMaps);
        }
        ContainerSpec built = build(spec);
        if (!Rootless.active()) {
            // Leftovers of a killed caixa; a rootless container has no lease to tell them by.
            StaleCgroups.sweep(CgroupLayout.host());
        }
        try (SignalForwarder forwarder = SignalForwarder.install(stopTimeout);
             Container container = Container.start(built)) {
            forwarder.attach(container);
            ExitStatus status = container.waitFor();
            container.oomReport().ifPresent(report -> System.err.println("caixa: container killed: " + report));
            return status.shellCode();
        }
    }

    /** The option that set each cgroup key, for a rootless caller's error without a delegated cgroup. */
    private static final java.util.Map<String, String> LIMIT_OPTIONS = java.util.Map.of("memory.max", "--memory",
            "memory.swap.max", "--memory-swap", "cpu.max", "--cpus", "cpu.weight", "--cpu-shares",
            "pids.max", "--pids-limit", "cpuset.cpus", "--cpuset-cpus");

    /** The spec; a rootless limit without a delegated cgroup is reported as the option that asked for it. */
    private static ContainerSpec build(ContainerSpec.Builder spec) {
        try {
            return parse(b -> b.build(), spec);
        } catch (ContainerException e) {
            if (e.getCause() instanceof DelegatedCgroup.Missing missing && LIMIT_OPTIONS.containsKey(missing.what())) {
                throw new UsageException(LIMIT_OPTIONS.get(missing.what())
                        + missing.getMessage().substring(missing.what().length()));
            }
            throw e;
        }
    }

    private static final java.util.Set<String> BUNDLE_OPTIONS = java.util.Set.of("-b", "--bundle", "-d", "--detach",
            "--pid-file", "--console-socket", "--no-pivot", "--no-new-keyring", "--preserve-fds");

    /**
     * {@code run ID} (OCI, a bundle) or {@code run [OPTIONS] -- COMMAND} (quick): the OCI form has no
     * {@code --}, and either an option only it has, or a single operand with a config.json in the
     * bundle directory (the current one by default, as runc).
     */
    static boolean isBundleForm(List<String> args) {
        if (args.contains("--")) {
            return false;
        }
        for (String arg : args) {
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (BUNDLE_OPTIONS.contains(name)) {
                return true;
            }
        }
        return args.size() == 1 && !args.getFirst().startsWith("-") && java.nio.file.Files.exists(java.nio.file.Path.of("config.json"));
    }

    /** {@code --ns pid,mount} is the exact set; {@code --ns +time,-net} changes the default set. */
    static Set<Namespace> namespaces(String list) {
        Set<Namespace> result = EnumSet.noneOf(Namespace.class);
        boolean relative = list.startsWith("+") || list.startsWith("-");
        if (relative) {
            result.addAll(Namespace.defaults());
        }
        for (String item : list.split(",")) {
            if (item.isEmpty()) {
                continue;
            }
            char sign = item.charAt(0);
            if ((sign == '+' || sign == '-') != relative) {
                throw new UsageException("run: --ns " + list + ": use either an exact list or +/- changes, not both");
            }
            Namespace ns = parse(Namespace::parse, relative ? item.substring(1) : item);
            if (sign == '-') {
                result.remove(ns);
            } else {
                result.add(ns);
            }
        }
        return result;
    }

    /** {@code --security-opt seccomp=unconfined}: no filter at all. */
    private static final Path UNCONFINED = Path.of("unconfined");

    private static SeccompProfile seccompProfile(Path file, List<String> capAdd, List<String> capDrop, boolean privileged) {
        java.util.Set<String> names = new java.util.HashSet<>();
        DockerDefaults.capabilitySet(capAdd, capDrop, privileged).bounding().forEach(c -> names.add(c.toString()));
        try {
            return SeccompProfile.readFile(file, names).orElse(null);
        } catch (java.io.IOException e) {
            throw new UsageException("run: --security-opt seccomp=" + file + ": " + e.getMessage());
        }
    }

    private static Resources resources(double cpus, long memory, long memorySwap, long pidsLimit, String cpuset,
                                       long cpuShares) {
        try {
            return new Resources(cpus, memory, memorySwap, pidsLimit, cpuset, cpuShares);
        } catch (IllegalArgumentException e) {
            throw new UsageException("run: " + e.getMessage());
        }
    }

    private static double number(String option, String value) {
        try {
            double n = Double.parseDouble(value);
            if (n < 0 || Double.isNaN(n) || Double.isInfinite(n)) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("run: " + option + " " + value + ": not a positive number");
        }
    }

    private static long integer(String option, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException("run: " + option + " " + value + ": not an integer");
        }
    }

    private static long size(String option, String value) {
        try {
            return Sizes.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException("run: " + option + " " + e.getMessage());
        }
    }

    private static String envEntry(String value) {
        if (value.indexOf('=') > 0) {
            return value;
        }
        String inherited = System.getenv(value);
        if (inherited == null) {
            throw new UsageException("run: --env " + value + ": not set in caixa's environment (use KEY=VALUE)");
        }
        return value + "=" + inherited;
    }

    private static long seconds(String value) {
        try {
            long s = Long.parseLong(value);
            if (s < 0) {
                throw new NumberFormatException();
            }
            return s;
        } catch (NumberFormatException e) {
            throw new UsageException("run: --stop-timeout " + value + ": not a number of seconds");
        }
    }

    /** Library validation errors are the user's input errors here. */
    private static <A, T> T parse(java.util.function.Function<A, T> parser, A input) {
        try {
            return parser.apply(input);
        } catch (IllegalArgumentException e) {
            throw new UsageException("run: " + e.getMessage());
        }
    }
}
