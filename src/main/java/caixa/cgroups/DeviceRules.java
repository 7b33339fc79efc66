package caixa.cgroups;

import java.util.List;
import java.util.stream.Stream;

import static caixa.cgroups.DeviceRule.ANY;
import static caixa.cgroups.DeviceRule.Type.CHAR;

/** Rule lists for the device controller. */
public final class DeviceRules {
    private DeviceRules() {
    }

    private static final String ALL_ACCESS = "rwm";

    /**
     * What a default container may use: everything denied (docker's linux.resources.devices), then
     * runc's allowed devices, less one: mknod of character nodes (opening one stays denied),
     * /dev/null, /dev/random, /dev/full, /dev/tty, /dev/zero, /dev/urandom, the ptys in /dev/pts
     * (136:*), /dev/ptmx and /dev/net/tun (10:200, which runc keeps for old users). runc also allows
     * mknod of any block node ({@code b *:* m}); a node of the host's disk is one open(2) away from
     * its raw blocks, a single missed rule from an escape, and no image needs to make one, so here
     * it is refused. /dev/console (5:1) is not allowed either: a container's console is a pty.
     */
    public static List<DeviceRule> defaults() {
        return Stream.concat(Stream.of(DeviceRule.denyAll()), allowed().stream()).toList();
    }

    /**
     * The allow rules of {@link #defaults}: what every container may use whatever its own rules say.
     * runc appends its list after an OCI config's rules in the same way, so that a config's deny-all
     * does not take /dev/null away.
     */
    public static List<DeviceRule> allowed() {
        return List.of(
                DeviceRule.allow(CHAR, ANY, ANY, "m"),
                DeviceRule.allow(CHAR, 1, 3, ALL_ACCESS),   // /dev/null
                DeviceRule.allow(CHAR, 1, 8, ALL_ACCESS),   // /dev/random
                DeviceRule.allow(CHAR, 1, 7, ALL_ACCESS),   // /dev/full
                DeviceRule.allow(CHAR, 5, 0, ALL_ACCESS),   // /dev/tty
                DeviceRule.allow(CHAR, 1, 5, ALL_ACCESS),   // /dev/zero
                DeviceRule.allow(CHAR, 1, 9, ALL_ACCESS),   // /dev/urandom
                DeviceRule.allow(CHAR, 136, ANY, ALL_ACCESS), // /dev/pts/*
                DeviceRule.allow(CHAR, 5, 2, ALL_ACCESS),   // /dev/ptmx
                DeviceRule.allow(CHAR, 10, 200, ALL_ACCESS)); // /dev/net/tun
    }

    /** What {@code --privileged} allows: every device. */
    public static List<DeviceRule> privileged() {
        return List.of(DeviceRule.allow(DeviceRule.Type.ALL, ANY, ANY, ALL_ACCESS));
    }
}
