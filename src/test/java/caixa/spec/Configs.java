package caixa.spec;

/** A small valid config.json that tests vary by replacing one piece of it. */
final class Configs {
    static final String MINIMAL = """
            {
              "ociVersion": "1.2.0",
              "process": {
                "terminal": false,
                "user": {"uid": 0, "gid": 0},
                "args": ["sh"],
                "env": ["PATH=/bin"],
                "cwd": "/",
                "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]
              },
              "root": {"path": "rootfs"},
              "hostname": "box",
              "mounts": [
                {"destination": "/proc", "type": "proc", "source": "proc"},
                {"destination": "/mnt", "type": "bind", "source": "/tmp", "options": ["rbind", "ro"]}
              ],
              "hooks": {"poststop": [{"path": "/bin/true", "timeout": 5}]},
              "linux": {
                "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "uts"}],
                "resources": {"memory": {"limit": 1048576}},
                "cgroupsPath": "/caixa-test/box"
              }
            }
            """;

    private Configs() {
    }

    /**
     * MINIMAL with each {@code from} replaced by the {@code to} after it; fails if a {@code from} is
     * not there, so a case cannot go stale when MINIMAL changes.
     */
    static String minimalWith(String... fromTo) {
        String config = MINIMAL;
        for (int i = 0; i < fromTo.length; i += 2) {
            if (!config.contains(fromTo[i])) {
                throw new IllegalArgumentException("the minimal config has no " + fromTo[i]);
            }
            config = config.replace(fromTo[i], fromTo[i + 1]);
        }
        return config;
    }
}
