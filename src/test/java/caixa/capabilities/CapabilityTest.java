package caixa.capabilities;

import caixa.bindings.linux_h;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CapabilityTest {

    @Test
    void namesEveryCapabilityOfTheHeaderInOrder() {
        Capability[] all = Capability.values();
        assertEquals(linux_h.CAP_LAST_CAP() + 1, all.length);
        for (int i = 0; i < all.length; i++) {
            assertEquals(i, all[i].number(), all[i].toString());
        }
        assertEquals(24, Capability.SYS_RESOURCE.number());
        assertEquals("CAP_NET_BIND_SERVICE", Capability.NET_BIND_SERVICE.toString());
    }

    @Test
    void parsesDockerAndOciSpellings() {
        for (String name : List.of("CHOWN", "CAP_CHOWN", "chown", "cap_chown", "Cap_Chown", " CHOWN ")) {
            assertEquals(Capability.CHOWN, Capability.parse(name), name);
        }
        assertEquals(Capability.SYS_ADMIN, Capability.parse("sys_admin"));
    }

    @Test
    void allIsNoSingleCapability() {
        for (String name : List.of("ALL", "all", "CAP_ALL")) {
            assertTrue(Capability.isAll(name), name);
        }
        assertFalse(Capability.isAll("CHOWN"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Capability.parse("ALL"));
        assertTrue(e.getMessage().contains("every capability"), e.getMessage());
    }

    @Test
    void refusesUnknownNames() {
        for (String name : List.of("", "CAP_", "CAP_FLY", "NET", "CAP_CHOWN2")) {
            assertThrows(IllegalArgumentException.class, () -> Capability.parse(name), name);
        }
    }

    @Test
    void masksAreTheKernelsBits() {
        assertEquals(0x00000000a80425fbL, Capability.mask(DockerDefaults.CAPABILITIES));
        assertEquals(DockerDefaults.CAPABILITIES, Capability.fromMask(0xa80425fbL));
        assertEquals(0, Capability.mask(Set.of()));
        assertEquals(1L << 40, Capability.mask(Set.of(Capability.CHECKPOINT_RESTORE)));
        // Bits of capabilities newer than the enum are left out.
        assertEquals(EnumSet.of(Capability.CHOWN), Capability.fromMask(1L | 1L << 62));
    }

    @Test
    void ofNumber() {
        assertEquals(Capability.KILL, Capability.ofNumber(5).orElseThrow());
        assertTrue(Capability.ofNumber(63).isEmpty());
    }
}
