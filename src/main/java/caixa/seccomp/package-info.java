/**
 * seccomp: profiles (docker's default, OCI {@code linux.seccomp}, docker profile files), compiled in
 * Java to classic BPF and installed by a child program as its last step before execve.
 *
 * <h2>The pieces</h2>
 * <ul>
 * <li>{@link caixa.seccomp.SeccompProfile}: rules by system call name, a default action, flags; read
 *     from OCI ({@link caixa.seccomp.SeccompProfile#fromOci}) or a docker profile file
 *     ({@link caixa.seccomp.SeccompProfile#readFile}), or docker's default
 *     ({@link caixa.seccomp.SeccompProfile#defaultProfile}).</li>
 * <li>{@link caixa.seccomp.SeccompFilter}: a profile compiled for one {@link caixa.seccomp.Arch}
 *     (x86_64 or aarch64, with their system call tables), as a {@link caixa.seccomp.BpfProgram}.</li>
 * <li>{@link caixa.seccomp.Seccomp#install}: the child program step.</li>
 * </ul>
 *
 * <h2>The default profile</h2>
 * Docker's (moby's profiles/seccomp/default.json), resolved for the container's bounding capabilities
 * as docker resolves it: an allowlist (286 calls on x86_64, 247 on aarch64, of 362 and 306), EPERM
 * for the rest. With docker's default capabilities it keeps out, among others: kexec_load and
 * kexec_file_load; init_module, finit_module and delete_module; mount, umount2 and the new mount API
 * (fsopen, fsmount, move_mount, open_tree, ...); unshare, setns, and clone with any CLONE_NEW* flag
 * (clone3, whose flags the filter cannot read, fails with ENOSYS, so libc falls back to clone);
 * pivot_root; keyctl, add_key and request_key; bpf; perf_event_open; reboot; swapon and swapoff;
 * acct; settimeofday and clock_settime; open_by_handle_at; syslog; userfaultfd; io_uring;
 * personality other than the Linux personas; socket(AF_VSOCK). CAP_SYS_ADMIN and the other
 * capabilities docker ties calls to open those calls again, as in docker.
 * <p>Decisions:
 * <ul>
 * <li>ptrace, process_vm_readv and process_vm_writev are allowed, as docker does on Linux 4.8 and
 *     later, where seccomp runs after the tracer has had its say: tracing one's own processes
 *     (strace, gdb) works; another user's process needs CAP_SYS_PTRACE, which the default set lacks.</li>
 * <li>name_to_handle_at is allowed, as in docker: it only makes a handle; open_by_handle_at, which
 *     could use one to reach outside the container's root, is not.</li>
 * <li>io_uring_setup, io_uring_enter and io_uring_register are denied, as docker 25 and containerd 2
 *     deny them: a ring's operations are not filtered.</li>
 * </ul>
 *
 * <h2>Where caixa's reading differs from runc's</h2>
 * <ul>
 * <li>Only the host's native ABI is filtered. A profile's other architectures (SCMP_ARCH_X86 and
 *     SCMP_ARCH_X32 in every docker-made config.json) are accepted but not filtered: a system call
 *     through one of them kills the process. runc, through libseccomp, filters them with their own
 *     tables, so 32-bit programs run under runc and are killed under caixa.</li>
 * <li>The system call tables are those of the Linux 6.1 UAPI headers (see {@code SyscallTable}). A
 *     name newer than them is skipped, like one runc's libseccomp does not know; and because calls
 *     above the highest number a profile names fail with ENOSYS (runc's rule), a newer call looks
 *     absent to a program, which falls back to an older one.</li>
 * <li>SCMP_ACT_NOTIFY and {@code listenerPath} (seccomp agents) are refused.</li>
 * </ul>
 */
package caixa.seccomp;
