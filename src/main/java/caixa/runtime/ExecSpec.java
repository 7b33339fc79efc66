package caixa.runtime;

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
 */
public record ExecSpec(int initPid, String cgroup, List<String> command, List<String> env, String cwd, int uid,
                       int gid, List<Integer> additionalGids, boolean noNewPrivileges,
                       java.nio.file.Path consoleSocket) {
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
    }
}
