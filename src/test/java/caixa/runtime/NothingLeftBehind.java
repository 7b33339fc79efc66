package caixa.runtime;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * For a class of container tests: after each test no child process of this JVM remains (checked
 * per test, so a leak is blamed on the test that made it), and after the class the host's
 * /proc/self/mountinfo is identical to before: every mount a container makes belongs in its own
 * mount namespace. Mount ids are part of the snapshot, so even a mount replaced by an equal one shows.
 */
final class NothingLeftBehind implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NothingLeftBehind.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        // Built first: building it runs a container, whose traces must not count either way.
        TestRootfs.busybox();
        context.getStore(NAMESPACE).put("mountinfo", Leaks.hostMountinfo());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Leaks.assertNoChildProcesses();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        String before = context.getStore(NAMESPACE).get("mountinfo", String.class);
        assertEquals(before, Leaks.hostMountinfo(), "the host's mount table before and after " + context.getDisplayName());
    }
}
