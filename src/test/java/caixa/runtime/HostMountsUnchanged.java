package caixa.runtime;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Snapshots the host's /proc/self/mountinfo before a test class and asserts it is identical after:
 * every mount a container makes belongs in its own mount namespace, so none may reach the host,
 * nor survive the container. Mount ids are in the snapshot, so even a mount replaced by an equal
 * one shows.
 */
final class HostMountsUnchanged implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(HostMountsUnchanged.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        // The rootfs is built first: building it runs a container, whose mounts must not count either way.
        TestRootfs.busybox();
        context.getStore(NAMESPACE).put("mountinfo", Leaks.hostMountinfo());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        String before = context.getStore(NAMESPACE).get("mountinfo", String.class);
        assertEquals(before, Leaks.hostMountinfo(), "the host's mount table before and after " + context.getDisplayName());
    }
}
