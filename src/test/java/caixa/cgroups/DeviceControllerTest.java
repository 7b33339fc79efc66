package caixa.cgroups;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Device rules on the real kernel, both ways this hybrid host offers: the v1 devices hierarchy, and an
 * eBPF program on a cgroup of the cgroup2 mount (seen through a layout that has only that mount, as a
 * unified host would be). A process started in the cgroup opens /dev/null (1:3, allowed by the
 * defaults) and /dev/kmsg (1:11, not allowed). Runs as root.
 */
class DeviceControllerTest {

    /** Each open is its own command, so a refused one does not end the script. */
    private static final String OPEN_DEVICES = String.join("; ",
            "true < /dev/null && echo read-null-ok",
            "echo x > /dev/null && echo write-null-ok",
            "true < /dev/zero && echo read-zero-ok",
            "true < /dev/kmsg && echo read-kmsg-ok",
            "exit 0");
    private static final String KMSG_REFUSED = "cannot open /dev/kmsg: Operation not permitted";

    @Test
    void v2AnEbpfProgramAllowsTheDefaultsAndRefusesTheRest() {
        CgroupLayout unifiedOnly = new CgroupLayout(CgroupMode.UNIFIED, CgroupLayout.host().unified(),
                Set.of(), Map.of());
        try (Cgroup cgroup = Cgroup.create(unifiedOnly, HostCgroups.uniqueName(), Set.of())) {
            try {
                assertFalse(cgroup.hasV1());
                DeviceController.apply(cgroup, DeviceRules.defaults());
                assertEquals(1, DeviceController.attachedPrograms(cgroup).length);

                ShellInCgroup run = ShellInCgroup.run(cgroup, OPEN_DEVICES);

                assertEquals(0, run.status().code(), run.output());
                assertTrue(run.output().contains("read-null-ok"), run.output());
                assertTrue(run.output().contains("write-null-ok"), run.output());
                assertTrue(run.output().contains("read-zero-ok"), run.output());
                assertTrue(run.output().contains(KMSG_REFUSED), run.output());
                assertFalse(run.output().contains("read-kmsg-ok"), run.output());
            } finally {
                cgroup.delete();
            }
        }
    }

    @Test
    void v2NewRulesReplaceTheProgram() {
        CgroupLayout unifiedOnly = new CgroupLayout(CgroupMode.UNIFIED, CgroupLayout.host().unified(),
                Set.of(), Map.of());
        try (Cgroup cgroup = Cgroup.create(unifiedOnly, HostCgroups.uniqueName(), Set.of())) {
            try {
                DeviceController.apply(cgroup, DeviceRules.defaults());
                int[] first = DeviceController.attachedPrograms(cgroup);
                // Now /dev/null may be read but not written, /dev/zero not at all, and /dev/kmsg read.
                DeviceController.apply(cgroup, List.of(DeviceRule.denyAll(),
                        DeviceRule.allow(DeviceRule.Type.CHAR, 1, 3, "rw"),
                        DeviceRule.deny(DeviceRule.Type.CHAR, 1, 3, "w"),
                        DeviceRule.allow(DeviceRule.Type.CHAR, 1, 11, "r")));
                int[] second = DeviceController.attachedPrograms(cgroup);
                assertEquals(1, second.length, "the first program is detached");
                assertTrue(first[0] != second[0]);

                ShellInCgroup run = ShellInCgroup.run(cgroup, OPEN_DEVICES);

                assertEquals(0, run.status().code(), run.output());
                assertTrue(run.output().contains("read-null-ok"), run.output());
                assertTrue(run.output().contains("cannot create /dev/null: Operation not permitted"), run.output());
                assertTrue(run.output().contains("cannot open /dev/zero: Operation not permitted"), run.output());
                assertTrue(run.output().contains("read-kmsg-ok"), run.output());
            } finally {
                cgroup.delete();
            }
        }
    }

    @Test
    void v1TheDevicesHierarchyListsTheDefaultsAndEnforcesThem() throws Exception {
        CgroupLayout host = CgroupLayout.host();
        assertTrue(host.inV1("devices"), "this hybrid host mounts a v1 devices hierarchy");
        String name = HostCgroups.uniqueName();
        try (Cgroup cgroup = Cgroup.create(host, name, Set.of("devices"))) {
            try {
                DeviceController.apply(cgroup, DeviceRules.defaults());

                Path list = host.v1().get("devices").resolve(name).resolve("devices.list");
                Set<String> expected = DeviceRules.defaults().stream().skip(1).map(DeviceRule::toV1)
                        .collect(Collectors.toSet());
                assertEquals(expected, Set.copyOf(Files.readAllLines(list)));

                ShellInCgroup run = ShellInCgroup.run(cgroup, OPEN_DEVICES);

                assertEquals(0, run.status().code(), run.output());
                assertTrue(run.output().contains("read-null-ok"), run.output());
                assertTrue(run.output().contains("write-null-ok"), run.output());
                assertTrue(run.output().contains("read-zero-ok"), run.output());
                assertTrue(run.output().contains(KMSG_REFUSED), run.output());
                assertFalse(run.output().contains("read-kmsg-ok"), run.output());
            } finally {
                cgroup.delete();
            }
        }
    }
}
