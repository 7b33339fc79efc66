package caixa.capabilities;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The planned steps on the real kernel: a child spawned without namespaces sets its capabilities, execs
 * a shell, and the shell's /proc/self/status shows what it has. The tests run as root.
 */
class CapabilityStepsTest {

    private static final String SHOW = "grep Cap /proc/self/status";
    private static final long DOCKER_DEFAULT = 0x00000000a80425fbL;
    private static final int NOBODY = 65534;

    @Test
    void dockerDefaultsForRoot() {
        ShellRun run = ShellRun.run(program -> CapabilitySteps.append(program,
                DockerDefaults.capabilitySet(List.of(), List.of(), false)), SHOW);

        assertEquals(0, run.status().code(), run.output());
        assertEquals(DOCKER_DEFAULT, run.mask("CapBnd"), run.output());
        assertEquals(DOCKER_DEFAULT, run.mask("CapEff"), run.output());
        assertEquals(DOCKER_DEFAULT, run.mask("CapPrm"), run.output());
        assertEquals(0, run.mask("CapInh"), run.output());
        assertEquals(0, run.mask("CapAmb"), run.output());
    }

    @Test
    void aCapabilityTheHostLacksIsLeftOutAndTheSpawnSucceeds() {
        // This host has no CAP_SYS_RESOURCE in its bounding set (hosts.md): capset() of a set naming it fails.
        Set<Capability> requested = with(Capability.SYS_RESOURCE);
        CapabilitySet caps = new CapabilitySet(requested, requested, requested, Set.of(Capability.SYS_RESOURCE), Set.of());

        ShellRun run = ShellRun.run(program -> CapabilitySteps.append(program, caps), SHOW);

        assertEquals(0, run.status().code(), run.output());
        long granted = Capability.mask(requested) & HostCapabilities.boundingMask();
        assertEquals(granted, run.mask("CapBnd"), run.output());
        assertEquals(granted, run.mask("CapEff"), run.output());
        assertEquals(granted, run.mask("CapPrm"), run.output());
        long sysResource = 1L << Capability.SYS_RESOURCE.number();
        if ((HostCapabilities.boundingMask() & sysResource) == 0) {
            for (String field : List.of("CapBnd", "CapEff", "CapPrm", "CapInh")) {
                assertEquals(0, run.mask(field) & sysResource, field + " has CAP_SYS_RESOURCE:\n" + run.output());
            }
        }
    }

    @Test
    void ambientCapabilitiesSurviveExecForAUserOtherThanRoot() {
        Set<Capability> ambient = EnumSet.of(Capability.NET_BIND_SERVICE, Capability.CHOWN);
        CapabilitySet caps = new CapabilitySet(DockerDefaults.CAPABILITIES, ambient, ambient, ambient, ambient);

        ShellRun run = ShellRun.run(program -> {
            CapabilitySteps.beforeUserSwitch(program, caps, true);
            program.setresgid(NOBODY).setresuid(NOBODY);
            CapabilitySteps.afterUserSwitch(program, caps);
        }, "id -u; " + SHOW);

        assertEquals(0, run.status().code(), run.output());
        assertTrue(run.output().startsWith(NOBODY + "\n"), run.output());
        long expected = Capability.mask(ambient);
        assertEquals(DOCKER_DEFAULT, run.mask("CapBnd"), run.output());
        assertEquals(expected, run.mask("CapEff"), run.output());
        assertEquals(expected, run.mask("CapPrm"), run.output());
        assertEquals(expected, run.mask("CapInh"), run.output());
        assertEquals(expected, run.mask("CapAmb"), run.output());
    }

    @Test
    void withoutAmbientCapabilitiesAUserOtherThanRootHasNoneAfterExec() {
        // Docker's shape for --user: the capabilities are permitted and effective until execve, then gone.
        CapabilitySet caps = DockerDefaults.capabilitySet(List.of(), List.of(), false);

        ShellRun run = ShellRun.run(program -> {
            CapabilitySteps.beforeUserSwitch(program, caps, true);
            program.setresgid(NOBODY).setresuid(NOBODY);
            CapabilitySteps.afterUserSwitch(program, caps);
        }, SHOW);

        assertEquals(0, run.status().code(), run.output());
        assertEquals(DOCKER_DEFAULT, run.mask("CapBnd"), run.output());
        assertEquals(0, run.mask("CapEff"), run.output());
        assertEquals(0, run.mask("CapPrm"), run.output());
        assertEquals(0, run.mask("CapAmb"), run.output());
    }

    @Test
    void privilegedKeepsTheHostsBoundingSet() {
        ShellRun run = ShellRun.run(program -> CapabilitySteps.append(program,
                DockerDefaults.capabilitySet(List.of(), List.of(), true)), SHOW);

        assertEquals(0, run.status().code(), run.output());
        assertEquals(HostCapabilities.boundingMask(), run.mask("CapBnd"), run.output());
        assertEquals(HostCapabilities.boundingMask(), run.mask("CapEff"), run.output());
    }

    @Test
    void capDropAllLeavesNothing() {
        ShellRun run = ShellRun.run(program -> CapabilitySteps.append(program,
                DockerDefaults.capabilitySet(List.of(), List.of("ALL"), false)), SHOW);

        assertEquals(0, run.status().code(), run.output());
        for (String field : List.of("CapBnd", "CapEff", "CapPrm", "CapInh", "CapAmb")) {
            assertEquals(0, run.mask(field), field + ":\n" + run.output());
        }
    }

    private static Set<Capability> with(Capability extra) {
        EnumSet<Capability> set = EnumSet.copyOf(DockerDefaults.CAPABILITIES);
        set.add(extra);
        return set;
    }
}
