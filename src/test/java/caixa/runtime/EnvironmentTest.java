package caixa.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The environment and working directory the command starts with. */
@ExtendWith(NothingLeftBehind.class)
class EnvironmentTest {

    @Test
    void setVariableIsVisible() {
        assertEquals("hello world", Run.stdout(Run.sh("echo \"$GREETING\"").env("GREETING", "hello world")));
    }

    /** Run without a shell in between, which would add PWD and friends of its own. */
    @Test
    void environmentIsTheDefaultsAndNothingFromTheHost() {
        String env = Run.stdout(ContainerSpec.builder(TestRootfs.busybox(), "env").hostname("box"));

        assertEquals(List.of(
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOSTNAME=box",
                "HOME=/root"), env.lines().toList());
    }

    @Test
    void setVariableOverridesADefault() {
        assertEquals("/tmp", Run.stdout(Run.sh("echo \"$HOME\"").env("HOME", "/tmp")));
    }

    @Test
    void workdirIsTheCurrentDirectory() {
        assertEquals("/tmp", Run.stdout(Run.sh("pwd").workdir("/tmp")));
    }

    @Test
    void defaultWorkdirIsRoot() {
        assertEquals("/", Run.stdout(Run.sh("pwd")));
    }
}
