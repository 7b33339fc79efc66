package caixa.rootfs;

import caixa.bindings.linux_h;
import caixa.spawn.ChildProgram;
import caixa.spawn.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the child enters its rootfs, as planned: pivot_root by default; with no-pivot, runc's move of
 * the rootfs mount onto / and chroot, after the host's proc and sysfs are covered. The containers
 * that run these plans are in IsolationTest and OciLifecycleTest.
 */
class RootfsMountsTest {
    private static List<Step> plan(Path rootfs, boolean noPivot) {
        RootfsMounts mounts = new RootfsMounts(rootfs, false, List.of(), false, true, true, 5,
                MountOptions.propagation("rprivate"), List.of(), List.of(), List.of(), null, noPivot);
        ChildProgram program = new ChildProgram(Arena.ofAuto());
        mounts.addTo(program);
        return program.steps();
    }

    private static List<String> descriptions(List<Step> steps) {
        return steps.stream().map(Step::description).toList();
    }

    @Test
    void pivotRootByDefault(@TempDir Path rootfs) {
        List<String> steps = descriptions(plan(rootfs, false));

        assertEquals(List.of("chdir(" + rootfs + ")", "pivot_root(" + rootfs + ")", "umount2(.)", "chdir(/)"),
                steps.subList(steps.size() - 4, steps.size()));
        assertFalse(steps.stream().anyMatch(s -> s.startsWith("chroot(")), steps.toString());
    }

    @Test
    void noPivotMovesTheRootfsOntoSlashAndChroots(@TempDir Path rootfs) {
        List<Step> steps = plan(rootfs, true);
        List<String> described = descriptions(steps);

        assertEquals(List.of("mount(. on /)", "chroot(.)", "chdir(/)"),
                described.subList(described.size() - 3, described.size()));
        Step move = steps.get(steps.size() - 3);
        assertEquals(linux_h.SYS_mount(), move.syscall());
        assertEquals(linux_h.MS_MOVE(), move.args()[3], "mount flags");
        assertEquals(linux_h.SYS_chroot(), steps.get(steps.size() - 2).syscall());
        assertFalse(described.stream().anyMatch(s -> s.startsWith("pivot_root(")), described.toString());
        int chdirIntoRootfs = described.indexOf("chdir(" + rootfs + ")");
        assertTrue(chdirIntoRootfs >= 0 && chdirIntoRootfs < described.size() - 3, described.toString());
    }

    /** runc's guard: the host's proc and sysfs would otherwise lie beneath the container's root. */
    @Test
    void noPivotCoversTheHostsProcAndSysfsFirst(@TempDir Path rootfs) {
        List<String> described = descriptions(plan(rootfs, true));
        int move = described.indexOf("mount(. on /)");

        for (String mountPoint : List.of("/proc", "/sys")) {
            int detach = described.indexOf("umount2(" + mountPoint + ")");
            int cover = described.indexOf("mount(empty tmpfs over " + mountPoint + ")");
            assertTrue(detach >= 0 && detach < cover && cover < move, mountPoint + " in " + described);
        }
    }

    @Test
    void hostKernelFilesystemsAreFullProcAndSysfsMountsOutsideTheRootfs() {
        List<String> all = RootfsMounts.hostKernelFilesystems("/srv/rootfs");
        assertTrue(all.containsAll(List.of("/proc", "/sys")), all.toString());

        List<String> outsideSys = RootfsMounts.hostKernelFilesystems("/sys");
        assertTrue(outsideSys.contains("/proc"), outsideSys.toString());
        assertFalse(outsideSys.stream().anyMatch(p -> p.equals("/sys") || p.startsWith("/sys/")), outsideSys.toString());
    }
}
