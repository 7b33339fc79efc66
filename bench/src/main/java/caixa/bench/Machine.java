package caixa.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One line about the machine, for result files. */
final class Machine {
    private Machine() {
    }

    /** The 1-minute load average now: on a shared machine, what else ran. */
    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    static String describe() {
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?");
        } catch (IOException ignored) {
            // described as "?"
        }
        return "Linux " + System.getProperty("os.version") + ", " + Runtime.getRuntime().availableProcessors()
                + " vCPU (" + cpu + "), JDK " + Runtime.version();
    }
}
