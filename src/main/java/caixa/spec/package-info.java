/**
 * OCI bundles: config.json (runtime-spec 1.0 to 1.2) read into caixa's
 * {@link caixa.runtime.ContainerSpec}, as runc's specconv does, and the starter config.json that
 * {@code caixa spec} writes. Parsing and converting only; the lifecycle (create, start, hooks, state)
 * lives in {@code caixa.runtime.oci}.
 *
 * <pre>{@code
 * OciBundle bundle = OciBundle.load(Path.of("/run/containers/bundle"));  // every error up front
 * ContainerSpec spec = bundle.toSpec("web-1").startFifo(fifo).build();
 * bundle.hooks().createRuntime();                                         // the lifecycle runs them
 * }</pre>
 *
 * <h2>What config.json may ask for</h2>
 * <ul>
 * <li><b>Honoured</b>: process (args, env, cwd, user ids, additionalGids, umask, rlimits,
 *     noNewPrivileges, oomScoreAdj, terminal and consoleSize for the lifecycle), root, hostname,
 *     mounts, hooks and annotations (for the lifecycle), and in linux: namespaces (created or
 *     joined), uid and gid mappings, resources (see {@link caixa.spec.LinuxResources}), cgroupsPath,
 *     devices, sysctl, rootfsPropagation, maskedPaths, readonlyPaths; process.capabilities,
 *     linux.seccomp (compiled by {@code caixa.seccomp}) and the device cgroup rules in
 *     linux.resources.devices.
 * <li><b>Refused when set</b>, naming the field: the rest of what the spec defines for Linux
 *     (apparmorProfile, selinuxLabel and mountLabel, scheduler, ioPriority, execCPUAffinity,
 *     domainname, intelRdt, personality, timeOffsets, id-mapped mounts, the resource controls other
 *     than memory, cpu quota and cpuset, and pids). The spec asks for an error on an unsupported
 *     value, and a container that quietly lacks what it was given is worse than one that does not
 *     start.
 * <li><b>Ignored</b>: fields the spec does not define, and those of other platforms, as the spec
 *     requires.
 * </ul>
 */
package caixa.spec;
