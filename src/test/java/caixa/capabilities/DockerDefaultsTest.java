package caixa.capabilities;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static caixa.capabilities.Capability.AUDIT_WRITE;
import static caixa.capabilities.Capability.CHOWN;
import static caixa.capabilities.Capability.MKNOD;
import static caixa.capabilities.Capability.NET_ADMIN;
import static caixa.capabilities.Capability.NET_RAW;
import static caixa.capabilities.Capability.SYS_ADMIN;
import static caixa.capabilities.Capability.SYS_RESOURCE;
import static caixa.capabilities.Capability.SYS_TIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** --cap-add and --cap-drop as moby's TweakCapabilities reads them. */
class DockerDefaultsTest {

    @Test
    void theFourteen() {
        assertEquals(14, DockerDefaults.CAPABILITIES.size());
        assertEquals(DockerDefaults.CAPABILITIES, DockerDefaults.capabilities(List.of(), List.of()));
    }

    @Test
    void addAndDrop() {
        Set<Capability> expected = EnumSet.copyOf(DockerDefaults.CAPABILITIES);
        expected.remove(NET_RAW);
        expected.remove(MKNOD);
        expected.add(NET_ADMIN);
        expected.add(SYS_TIME);
        assertEquals(expected, DockerDefaults.capabilities(List.of("NET_ADMIN", "cap_sys_time"),
                List.of("CAP_NET_RAW", "mknod")));
    }

    @Test
    void aCapabilityBothDroppedAndAddedIsKept() {
        assertEquals(DockerDefaults.CAPABILITIES, DockerDefaults.capabilities(List.of("CHOWN"), List.of("CHOWN")));
    }

    @Test
    void dropAllKeepsOnlyTheAddedOnes() {
        assertEquals(EnumSet.of(CHOWN, NET_ADMIN),
                DockerDefaults.capabilities(List.of("CHOWN", "NET_ADMIN"), List.of("ALL")));
        assertEquals(Set.of(), DockerDefaults.capabilities(List.of(), List.of("all")));
    }

    @Test
    void addAllGivesEveryCapabilityButTheDroppedOnes() {
        Set<Capability> expected = EnumSet.allOf(Capability.class);
        expected.remove(SYS_ADMIN);
        assertEquals(expected, DockerDefaults.capabilities(List.of("ALL"), List.of("SYS_ADMIN")));
        // add ALL wins over drop ALL, as in docker.
        assertEquals(EnumSet.allOf(Capability.class), DockerDefaults.capabilities(List.of("ALL"), List.of("ALL")));
    }

    @Test
    void unknownNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> DockerDefaults.capabilities(List.of("CAP_FLY"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> DockerDefaults.capabilities(List.of(), List.of("FLY")));
    }

    @Test
    void theSetsAreDockersShapeLessWhatTheHostLacks() {
        CapabilitySet sets = DockerDefaults.capabilitySet(List.of("SYS_RESOURCE"), List.of("AUDIT_WRITE"), false);
        Set<Capability> expected = EnumSet.copyOf(DockerDefaults.CAPABILITIES);
        expected.remove(AUDIT_WRITE);
        expected.add(SYS_RESOURCE);
        expected.retainAll(HostCapabilities.bounding());
        assertEquals(expected, sets.bounding());
        assertEquals(expected, sets.effective());
        assertEquals(expected, sets.permitted());
        assertEquals(Set.of(), sets.inheritable());
        assertEquals(Set.of(), sets.ambient());
    }

    @Test
    void privilegedIsTheHostsBoundingSetWhateverIsAddedOrDropped() {
        CapabilitySet sets = DockerDefaults.capabilitySet(List.of(), List.of("ALL"), true);
        assertEquals(HostCapabilities.bounding(), sets.bounding());
        assertEquals(HostCapabilities.bounding(), sets.effective());
        assertEquals(HostCapabilities.bounding(), sets.permitted());
    }
}
