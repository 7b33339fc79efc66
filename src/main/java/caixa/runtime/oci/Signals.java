package caixa.runtime.oci;

import caixa.bindings.linux_h;

import java.util.Locale;
import java.util.Map;

/** Signal names as kill(1) and runc take them: {@code TERM}, {@code SIGTERM} or {@code 15}. */
public final class Signals {
    private Signals() {
    }

    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("HUP", linux_h.SIGHUP()), Map.entry("INT", linux_h.SIGINT()), Map.entry("QUIT", linux_h.SIGQUIT()),
            Map.entry("ILL", linux_h.SIGILL()), Map.entry("TRAP", linux_h.SIGTRAP()), Map.entry("ABRT", linux_h.SIGABRT()),
            Map.entry("BUS", linux_h.SIGBUS()), Map.entry("FPE", linux_h.SIGFPE()), Map.entry("KILL", linux_h.SIGKILL()),
            Map.entry("USR1", linux_h.SIGUSR1()), Map.entry("SEGV", linux_h.SIGSEGV()), Map.entry("USR2", linux_h.SIGUSR2()),
            Map.entry("PIPE", linux_h.SIGPIPE()), Map.entry("ALRM", linux_h.SIGALRM()), Map.entry("TERM", linux_h.SIGTERM()),
            Map.entry("STKFLT", linux_h.SIGSTKFLT()), Map.entry("CHLD", linux_h.SIGCHLD()), Map.entry("CONT", linux_h.SIGCONT()),
            Map.entry("STOP", linux_h.SIGSTOP()), Map.entry("TSTP", linux_h.SIGTSTP()), Map.entry("TTIN", linux_h.SIGTTIN()),
            Map.entry("TTOU", linux_h.SIGTTOU()), Map.entry("URG", linux_h.SIGURG()), Map.entry("XCPU", linux_h.SIGXCPU()),
            Map.entry("XFSZ", linux_h.SIGXFSZ()), Map.entry("VTALRM", linux_h.SIGVTALRM()), Map.entry("PROF", linux_h.SIGPROF()),
            Map.entry("WINCH", linux_h.SIGWINCH()), Map.entry("IO", linux_h.SIGIO()), Map.entry("PWR", linux_h.SIGPWR()),
            Map.entry("SYS", linux_h.SIGSYS()));

    public static int parse(String text) {
        String name = text.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        Integer number = NUMBERS.get(name);
        if (number != null) {
            return number;
        }
        try {
            int n = Integer.parseInt(text);
            if (n > 0 && n < 65) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // not a number either: reported below
        }
        throw new OciException("signal '" + text + "': unknown (a name like TERM or SIGKILL, or a number)");
    }
}
