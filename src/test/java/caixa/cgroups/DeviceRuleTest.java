package caixa.cgroups;

import org.junit.jupiter.api.Test;

import java.util.List;

import static caixa.cgroups.DeviceRule.ANY;
import static caixa.cgroups.DeviceRule.Type.ALL;
import static caixa.cgroups.DeviceRule.Type.BLOCK;
import static caixa.cgroups.DeviceRule.Type.CHAR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceRuleTest {

    @Test
    void v1Lines() {
        assertEquals("c 1:3 rwm", DeviceRule.allow(CHAR, 1, 3, "rwm").toV1());
        assertEquals("b *:* m", DeviceRule.allow(BLOCK, ANY, ANY, "m").toV1());
        assertEquals("c 136:* rwm", DeviceRule.allow(CHAR, 136, ANY, "mrw").toV1());
        assertEquals("a", DeviceRule.denyAll().toV1());
    }

    @Test
    void parsesWhatItWrites() {
        assertEquals(DeviceRule.allow(CHAR, 1, 3, "rwm"), DeviceRule.parse("c 1:3 rwm", true));
        assertEquals(DeviceRule.deny(BLOCK, 8, ANY, "r"), DeviceRule.parse("  b 8:* r ", false));
        assertEquals(DeviceRule.denyAll(), DeviceRule.parse("a", false));
        assertEquals(DeviceRule.denyAll(), DeviceRule.parse("a *:* rwm", false));
        for (DeviceRule rule : DeviceRules.defaults()) {
            assertEquals(rule, DeviceRule.parse(rule.toV1(), rule.allow()), rule.toString());
        }
    }

    @Test
    void accessIsNormalizedToTheKernelsOrder() {
        assertEquals("rwm", DeviceRule.allow(CHAR, 1, 3, "MWR").access());
        assertEquals("rm", DeviceRule.allow(CHAR, 1, 3, "mr").access());
    }

    @Test
    void refusesWhatTheKernelWould() {
        assertThrows(IllegalArgumentException.class, () -> DeviceRule.allow(CHAR, 1, 3, ""));
        assertThrows(IllegalArgumentException.class, () -> DeviceRule.allow(CHAR, 1, 3, "rx"));
        assertThrows(IllegalArgumentException.class, () -> DeviceRule.allow(CHAR, -2, 3, "r"));
        assertThrows(IllegalArgumentException.class, () -> DeviceRule.allow(CHAR, 1L << 32, 3, "r"));
        assertThrows(IllegalArgumentException.class, () -> DeviceRule.parse("x 1:3 r", true));
        assertThrows(IllegalArgumentException.class, () -> DeviceRule.parse("c 1 r", true));
        assertThrows(IllegalArgumentException.class, () -> DeviceRule.parse("c a:3 r", true));
        assertThrows(IllegalArgumentException.class, () -> DeviceRule.parse("c", true));
    }

    @Test
    void theDefaultsDenyAllThenAllowRuncsListLessBlockNodes() {
        List<DeviceRule> defaults = DeviceRules.defaults();
        assertEquals(DeviceRule.denyAll(), defaults.getFirst());
        assertTrue(defaults.stream().skip(1).allMatch(DeviceRule::allow));
        List<String> allowed = defaults.stream().skip(1).map(DeviceRule::toV1).toList();
        assertEquals(List.of("c *:* m", "c 1:3 rwm", "c 1:8 rwm", "c 1:7 rwm", "c 5:0 rwm",
                "c 1:5 rwm", "c 1:9 rwm", "c 136:* rwm", "c 5:2 rwm", "c 10:200 rwm"), allowed);
        assertFalse(allowed.contains("c 5:1 rwm"), "a container's console is a pty");
        assertEquals(List.of(DeviceRule.allow(ALL, ANY, ANY, "rwm")), DeviceRules.privileged());
    }
}
