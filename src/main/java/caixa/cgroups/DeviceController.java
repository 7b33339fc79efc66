package caixa.cgroups;

import caixa.linux.Linux;
import caixa.linux.SyscallException;

import java.util.List;
import java.util.Optional;

/**
 * Which devices a cgroup's processes may open or create: the rules go to cgroup v1's devices
 * controller where this host mounts one, and otherwise (cgroup v2 has no devices controller) into an
 * eBPF program attached to the cgroup2 directory. The kernel checks both at open() and mknod(), so a
 * descriptor opened before is not affected.
 */
public final class DeviceController {
    private DeviceController() {
    }

    private static final String V1_HIERARCHY = "devices";

    /**
     * Replaces the cgroup's device rules with {@code rules}, applied in order (start with
     * {@link DeviceRule#denyAll()} to allow only what follows, as {@link DeviceRules#defaults()} does).
     *
     * <ul>
     * <li>v1: {@code a} to devices.deny or devices.allow for a rule on all devices (which resets the
     *     list: the kernel refuses it once the cgroup has children), each other rule's line to the file
     *     of its kind. On a running container the rules are rewritten from the start, so a device in
     *     both the old and the new list may be refused for a moment.
     * <li>v2: a new program ({@link DeviceProgram}) is attached with BPF_F_ALLOW_MULTI, then the device
     *     programs attached before it are detached, so there is no moment with neither. A program
     *     someone attached without BPF_F_ALLOW_MULTI makes the attach fail with EPERM.
     * </ul>
     */
    public static void apply(Cgroup cgroup, List<DeviceRule> rules) {
        Optional<CgroupDirectory> v1 = cgroup.v1Directory(V1_HIERARCHY);
        if (v1.isPresent()) {
            applyV1(v1.get(), rules);
        } else if (cgroup.unifiedFd() >= 0) {
            applyProgram(cgroup, rules);
        } else {
            throw new CgroupException("cgroup " + cgroup.path() + ": no devices controller, and no cgroup2 directory"
                    + " to attach a device program to");
        }
    }

    private static void applyV1(CgroupDirectory dir, List<DeviceRule> rules) {
        for (DeviceRule rule : rules) {
            dir.write(rule.allow() ? "devices.allow" : "devices.deny", rule.toV1());
        }
    }

    private static void applyProgram(Cgroup cgroup, List<DeviceRule> rules) {
        int cgroupFd = cgroup.unifiedFd();
        try {
            int[] previous = Bpf.attachedDevicePrograms(cgroupFd);
            int program = Bpf.loadDeviceProgram(DeviceProgram.of(rules));
            try {
                Bpf.attach(cgroupFd, program);
            } finally {
                // Attached, the cgroup holds the program; the descriptor is not needed any more.
                Linux.close(program);
            }
            for (int id : previous) {
                detach(cgroupFd, id);
            }
        } catch (SyscallException e) {
            throw new CgroupException("cgroup " + cgroup.path() + ": device rules: " + CgroupDirectory.reason(e)
                    + " (" + e.operation() + ")", e);
        }
    }

    private static void detach(int cgroupFd, int programId) {
        int program = Bpf.programById(programId);
        try {
            Bpf.detach(cgroupFd, program);
        } finally {
            Linux.close(program);
        }
    }

    /** The ids of the device programs attached to the cgroup's cgroup2 directory (for tests and inspection). */
    static int[] attachedPrograms(Cgroup cgroup) {
        return Bpf.attachedDevicePrograms(cgroup.unifiedFd());
    }
}
