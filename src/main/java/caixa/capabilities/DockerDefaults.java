package caixa.capabilities;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What {@code docker run} grants: 14 capabilities, changed by {@code --cap-add} and {@code --cap-drop}
 * as moby's TweakCapabilities changes them, or every capability of the host with {@code --privileged}.
 */
public final class DockerDefaults {
    private DockerDefaults() {
    }

    /** The 14 capabilities a docker container's root has by default. */
    public static final Set<Capability> CAPABILITIES = Collections.unmodifiableSet(EnumSet.of(
            Capability.CHOWN, Capability.DAC_OVERRIDE, Capability.FSETID, Capability.FOWNER,
            Capability.MKNOD, Capability.NET_RAW, Capability.SETGID, Capability.SETUID,
            Capability.SETFCAP, Capability.SETPCAP, Capability.NET_BIND_SERVICE, Capability.SYS_CHROOT,
            Capability.KILL, Capability.AUDIT_WRITE));

    /**
     * The capabilities after {@code --cap-add} and {@code --cap-drop} (names as {@link Capability#parse}
     * reads them, or {@link Capability#ALL}), as docker decides them:
     * <ul>
     * <li>{@code --cap-add ALL}: every capability but the dropped ones;
     * <li>else {@code --cap-drop ALL}: only the added ones;
     * <li>else the defaults, less the dropped ones, plus the added ones (a capability both dropped and
     *     added is kept).
     * </ul>
     * The result may name capabilities the host lacks: {@link #capabilitySet} leaves those out.
     */
    public static Set<Capability> capabilities(Collection<String> capAdd, Collection<String> capDrop) {
        boolean addAll = capAdd.stream().anyMatch(Capability::isAll);
        boolean dropAll = capDrop.stream().anyMatch(Capability::isAll);
        Set<Capability> added = parse(capAdd);
        Set<Capability> dropped = parse(capDrop);
        EnumSet<Capability> result;
        if (addAll) {
            result = EnumSet.allOf(Capability.class);
            result.removeAll(dropped);
        } else if (dropAll) {
            result = EnumSet.noneOf(Capability.class);
            result.addAll(added);
        } else {
            result = EnumSet.noneOf(Capability.class);
            result.addAll(CAPABILITIES);
            result.removeAll(dropped);
            result.addAll(added);
        }
        return Collections.unmodifiableSet(result);
    }

    /**
     * The sets for {@code caixa run}: with {@code privileged}, the host's whole bounding set (and
     * {@code --cap-add}/{@code --cap-drop} are ignored, as docker ignores them); otherwise
     * {@link #capabilities}, in docker's shape ({@link CapabilitySet#of}), less what the host lacks.
     */
    public static CapabilitySet capabilitySet(Collection<String> capAdd, Collection<String> capDrop,
                                              boolean privileged) {
        Set<Capability> granted = privileged ? HostCapabilities.bounding() : capabilities(capAdd, capDrop);
        return HostCapabilities.restrict(CapabilitySet.of(granted));
    }

    /** The named capabilities, {@code ALL} left out (the caller looks for it). */
    private static Set<Capability> parse(Collection<String> names) {
        EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
        for (String name : names) {
            if (!Capability.isAll(name)) {
                set.add(Capability.parse(name));
            }
        }
        return set;
    }
}
