package caixa.runtime;

import caixa.capabilities.CapabilitySet;
import caixa.seccomp.SeccompProfile;

import java.util.List;

/**
 * A process to start in a running container (OCI exec): it joins the container's namespaces and
 * cgroup instead of getting its own, and its root is the container's.
 *
 * @param initPid         the container's init, whose namespaces it joins
 * @param cgroup          the container's cgroup path, or null when it has none
 * @param command         argv; without a slash, looked up in the PATH of {@code env}
 * @param env             the complete environment ({@code KEY=VALUE})
 * @param cwd             the working directory inside
 * @param uid             the user id inside
 * @param gid             the group id inside
 * @param additionalGids  supplementary groups
 * @param noNewPrivileges set no_new_privs before execve
 * @param consoleSocket   where to send a new terminal's master (runc's --console-socket), or null
 * @param stdinFd         a descriptor of the caller to become the process's standard input, or -1 to
 *                        inherit the caller's
 * @param capabilities    the process's capability sets (the container's, as runc gives an exec'd
 *                        process), or null to keep the runtime's: only for the runtime's own hooks
 * @param seccomp         the container's syscall filter, installed as the container's init got it, or
 *                        null for none
 */
public record ExecSpec(int initPid, String cgroup, List<String> command, List<String> env, String cwd, int uid,
                       int gid, List<Integer> additionalGids, boolean noNewPrivileges,
                       java.nio.file.Path consoleSocket, int stdinFd, CapabilitySet capabilities,
                       SeccompProfile seccomp) {
    public ExecSpec {
        command = List.copyOf(command);
        env = List.copyOf(env);
        additionalGids = List.copyOf(additionalGids);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("exec: no command");
        }
        if (!cwd.startsWith("/")) {
            throw new IllegalArgumentException("exec: cwd '" + cwd + "' must be absolute");
        }
        if (stdinFd >= 0 && consoleSocket != null) {
            throw new IllegalArgumentException("exec: a terminal is its own standard input");
        }
    }

    /**
     * Root in the container's namespaces with the runtime's privileges and the caller's stdio: how OCI
     * hooks run inside (they are the runtime's programs, not the container's).
     */
    public static ExecSpec asRoot(int initPid, String cgroup, List<String> command, List<String> env, int stdinFd) {
        return new ExecSpec(initPid, cgroup, command, env, "/", 0, 0, List.of(), false, null, stdinFd, null, null);
    }
}
