package caixa.capabilities;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostCapabilitiesTest {

    @Test
    void readsCapBndFromAStatusText() {
        String status = "Name:\tjava\nCapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\n"
                + "CapEff:\t000001fffeffffff\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\n";
        assertEquals(0x000001fffeffffffL, HostCapabilities.parseBounding(status));
        assertEquals(0xffffffffffffffffL, HostCapabilities.parseBounding("CapBnd:\tffffffffffffffff\n"));
        assertThrows(IllegalStateException.class, () -> HostCapabilities.parseBounding("Name:\tjava\n"));
    }

    @Test
    void theBoundingSetIsThisProcesses() {
        assertTrue(HostCapabilities.bounding().contains(Capability.SETPCAP), "tests run as root");
        assertEquals(Capability.mask(HostCapabilities.bounding()),
                HostCapabilities.boundingMask() & Capability.mask(EnumSet.allOf(Capability.class)));
    }

    @Test
    void restrictTakesWhatTheHostLacksOutOfEverySet() {
        Set<Capability> all = EnumSet.allOf(Capability.class);
        CapabilitySet restricted = HostCapabilities.restrict(new CapabilitySet(all, all, all, all, all));
        Set<Capability> host = HostCapabilities.bounding();
        assertEquals(host, restricted.bounding());
        assertEquals(host, restricted.effective());
        assertEquals(host, restricted.permitted());
        assertEquals(host, restricted.inheritable());
        assertEquals(host, restricted.ambient());
    }

    @Test
    void retainAllCutsEachSet() {
        CapabilitySet sets = new CapabilitySet(Set.of(Capability.CHOWN, Capability.KILL), Set.of(Capability.KILL),
                Set.of(Capability.CHOWN), Set.of(), Set.of(Capability.KILL));
        CapabilitySet cut = sets.retainAll(Set.of(Capability.KILL));
        assertEquals(Set.of(Capability.KILL), cut.bounding());
        assertEquals(Set.of(Capability.KILL), cut.effective());
        assertEquals(Set.of(), cut.permitted());
        assertEquals(Set.of(Capability.KILL), cut.ambient());
        assertEquals(Set.of(Capability.CHOWN, Capability.KILL), sets.named());
    }
}
