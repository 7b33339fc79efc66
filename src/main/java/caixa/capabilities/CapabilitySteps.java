package caixa.capabilities;

import caixa.bindings.__user_cap_data_struct;
import caixa.bindings.__user_cap_header_struct;
import caixa.bindings.linux_h;
import caixa.spawn.ChildProgram;

import java.lang.foreign.MemorySegment;
/**
 * Plans the child program's steps that give the process exactly a {@link CapabilitySet}. The sets are
 * first cut down to the host's bounding set ({@link HostCapabilities#restrict}), so a capability the
 * host lacks is never asked for.
 *
 * <p>Two parts, around the caller's setresgid/setresuid:
 * <ol>
 * <li>{@link #beforeUserSwitch}: PR_CAPBSET_DROP of every capability outside the bounding set (it
 *     needs CAP_SETPCAP, which the child has until then), and PR_SET_KEEPCAPS when the process is
 *     about to become a user other than root, whose setresuid would otherwise empty the permitted
 *     set;
 * <li>{@link #afterUserSwitch}: capset() of effective, permitted and inheritable, then the ambient
 *     set (cleared, then each capability raised: the kernel wants it permitted and inheritable
 *     already). Place it after every step that needs a capability the sets may lack (mounts,
 *     pivot_root, sethostname, ...), as close to execve as possible.
 * </ol>
 * {@link #append} is both at once, for a process that keeps its user.
 */
public final class CapabilitySteps {
    private CapabilitySteps() {
    }

    /** Bits in one capability mask: PR_CAPBSET_DROP is tried for each bit the host's mask has. */
    private static final int MASK_BITS = Long.SIZE;

    /** Bits in each {@code __u32} of a {@code struct __user_cap_data_struct}. */
    private static final int WORD_BITS = Integer.SIZE;

    /**
     * Drops from the bounding set every capability {@code caps} does not bound, including ones newer
     * than {@link Capability}, and keeps the permitted set across the coming setresuid when
     * {@code switchingToNonRootUser}.
     */
    public static ChildProgram beforeUserSwitch(ChildProgram program, CapabilitySet caps,
                                                boolean switchingToNonRootUser) {
        return beforeUserSwitch(program, caps, switchingToNonRootUser, false);
    }

    /**
     * @param inNewUserNamespace the process entered a user namespace (made or joined), where the kernel
     *                           gave it a full bounding set (set_cred_user_ns), not the host's: every
     *                           capability the kernel knows is then dropped unless {@code caps} keeps it
     */
    public static ChildProgram beforeUserSwitch(ChildProgram program, CapabilitySet caps,
                                                boolean switchingToNonRootUser, boolean inNewUserNamespace) {
        long keep = Capability.mask(HostCapabilities.restrict(caps).bounding());
        long present = inNewUserNamespace ? HostCapabilities.kernelMask() : HostCapabilities.boundingMask();
        long drop = present & ~keep;
        for (int bit = 0; bit < MASK_BITS; bit++) {
            if ((drop & (1L << bit)) != 0) {
                program.call("prctl(PR_CAPBSET_DROP, " + name(bit) + ")", linux_h.SYS_prctl(),
                        linux_h.PR_CAPBSET_DROP(), bit, 0, 0, 0);
            }
        }
        if (switchingToNonRootUser) {
            program.call("prctl(PR_SET_KEEPCAPS, 1)", linux_h.SYS_prctl(), linux_h.PR_SET_KEEPCAPS(), 1, 0, 0, 0);
        }
        return program;
    }

    /** Sets effective, permitted and inheritable with capset(), then the ambient set. */
    public static ChildProgram afterUserSwitch(ChildProgram program, CapabilitySet caps) {
        CapabilitySet sets = HostCapabilities.restrict(caps);
        MemorySegment header = __user_cap_header_struct.allocate(program.arena());
        __user_cap_header_struct.version(header, linux_h._LINUX_CAPABILITY_VERSION_3());
        __user_cap_header_struct.pid(header, 0); // this process
        int words = linux_h._LINUX_CAPABILITY_U32S_3();
        MemorySegment data = __user_cap_data_struct.allocateArray(words, program.arena());
        long effective = Capability.mask(sets.effective());
        long permitted = Capability.mask(sets.permitted());
        long inheritable = Capability.mask(sets.inheritable());
        for (int i = 0; i < words; i++) {
            MemorySegment word = __user_cap_data_struct.asSlice(data, i);
            __user_cap_data_struct.effective(word, (int) (effective >>> (i * WORD_BITS)));
            __user_cap_data_struct.permitted(word, (int) (permitted >>> (i * WORD_BITS)));
            __user_cap_data_struct.inheritable(word, (int) (inheritable >>> (i * WORD_BITS)));
        }
        program.call("capset(effective " + hex(effective) + ", permitted " + hex(permitted)
                        + ", inheritable " + hex(inheritable) + ")",
                linux_h.SYS_capset(), header.address(), data.address());

        program.call("prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)", linux_h.SYS_prctl(),
                linux_h.PR_CAP_AMBIENT(), linux_h.PR_CAP_AMBIENT_CLEAR_ALL(), 0, 0, 0);
        for (Capability c : sets.ambient()) {
            program.call("prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, " + c + ")", linux_h.SYS_prctl(),
                    linux_h.PR_CAP_AMBIENT(), linux_h.PR_CAP_AMBIENT_RAISE(), c.number(), 0, 0);
        }
        return program;
    }

    /** Both parts, for a process that stays the user it is. */
    public static ChildProgram append(ChildProgram program, CapabilitySet caps) {
        beforeUserSwitch(program, caps, false);
        return afterUserSwitch(program, caps);
    }

    private static String name(int bit) {
        return Capability.ofNumber(bit).map(Capability::toString).orElse("capability " + bit);
    }

    private static String hex(long mask) {
        return "0x" + Long.toHexString(mask);
    }
}
