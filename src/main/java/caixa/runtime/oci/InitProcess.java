package caixa.runtime.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;

/** A container's init as /proc shows it: identified by pid and start time, since pids are recycled. */
final class InitProcess {
    private InitProcess() {
    }

    /** The start time (clock ticks since boot, /proc/PID/stat field 22) of a live, non-zombie process. */
    static OptionalLong startTime(int pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new OciException("reading /proc/" + pid + "/stat: " + e.getMessage(), e);
        }
        // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        char state = fields[0].charAt(0);
        if (state == 'Z' || state == 'X') {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(fields[22 - 3]));
    }

    /** Whether the container's init still runs (the same process, not a new one with its pid). */
    static boolean alive(ContainerRecord record) {
        OptionalLong start = startTime(record.pid());
        return start.isPresent() && start.getAsLong() == record.pidStartTime();
    }
}
