package caixa.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bar chart of bench/compare as a standalone SVG (no dependencies): one panel for starts (ms),
 * one for cgroup writes (µs), log scale, a bar per subject for the median and a whisker to the p99.
 */
final class Chart {
    private Chart() {
    }

    private static final int WIDTH = 1000;
    private static final int LABEL_WIDTH = 470;
    private static final int BAR_LEFT = LABEL_WIDTH + 10;
    private static final int BAR_RIGHT = WIDTH - 90;
    private static final int ROW = 24;

    static String svg(List<Compare.Subject> subjects, Map<String, Compare.Stats> stats, String date) {
        StringBuilder body = new StringBuilder();
        int y = 40;
        y = panel(body, subjects, stats, Compare.Group.START, "Start → exit of /bin/true (pid, mount, uts, ipc, net; "
                + "busybox rootfs), median and p99, ms, log scale", 1e6, "ms", y);
        y = panel(body, subjects, stats, Compare.Group.CGROUP, "Setting a CPU limit in a cgroup, median and p99, µs,"
                + " log scale", 1e3, "µs", y + 20);
        int height = y + 30;
        return String.format(Locale.ROOT, """
                <svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" \
                font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">
                <rect width="100%%" height="100%%" fill="#ffffff"/>
                <text x="12" y="22" font-size="15" font-weight="bold">caixa bench/compare</text>
                <text x="%d" y="22" text-anchor="end" fill="#555">%s</text>
                %s<text x="12" y="%d" fill="#555">blue: caixa · grey: C floors and the JVM's floor · orange: \
                other runtimes and tools · whisker: p99</text>
                </svg>
                """, WIDTH, height, WIDTH, height, WIDTH - 12, escape(date), body, height - 10);
    }

    private static int panel(StringBuilder out, List<Compare.Subject> subjects, Map<String, Compare.Stats> stats,
                             Compare.Group group, String title, double unit, String unitName, int y) {
        double min = Double.MAX_VALUE;
        double max = 0;
        int rows = 0;
        for (Compare.Subject s : subjects) {
            Compare.Stats st = stats.get(s.key());
            if (s.group() == group && st != null) {
                min = Math.min(min, st.median() / unit);
                max = Math.max(max, st.p99() / unit);
                rows++;
            }
        }
        out.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%d\" font-weight=\"bold\">%s</text>%n", y + 14,
                escape(title)));
        y += 24;
        if (rows == 0) {
            return y;
        }
        double lo = Math.pow(10, Math.floor(Math.log10(min)));
        double hi = Math.pow(10, Math.ceil(Math.log10(max)));
        if (hi <= lo) {
            hi = lo * 10;
        }
        int top = y;
        int bottom = y + rows * ROW;
        for (double tick = lo; tick <= hi * 1.0001; tick *= 10) {
            double x = xOf(tick, lo, hi);
            out.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\" font-size=\"11\">%s %s</text>%n",
                    x, top - 2, x, bottom, x, bottom + 14, number(tick), unitName));
        }
        for (Compare.Subject s : subjects) {
            Compare.Stats st = stats.get(s.key());
            if (s.group() != group || st == null) {
                continue;
            }
            String color = s.label().contains("caixa") ? "#2b7bb9"
                    : s.key().contains("floor") || s.key().equals("java") ? "#8c8c8c" : "#e39b2d";
            double median = st.median() / unit;
            double p99 = st.p99() / unit;
            double xm = xOf(median, lo, hi);
            double xp = xOf(p99, lo, hi);
            int mid = y + ROW / 2;
            out.append(String.format(Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
                            + "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                            + "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>"
                            + "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" fill=\"#222\">%s</text>%n",
                    LABEL_WIDTH, mid + 4, escape(plain(s.label())),
                    BAR_LEFT, y + 4, Math.max(1, xm - BAR_LEFT), ROW - 8, color,
                    xm, mid, xp, mid, xp, mid - 4, xp, mid + 4,
                    Math.max(xm, xp) + 6, mid + 4, number(median)));
            y += ROW;
        }
        return bottom + 20;
    }

    private static double xOf(double v, double lo, double hi) {
        double f = (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
        return BAR_LEFT + f * (BAR_RIGHT - BAR_LEFT);
    }

    private static String number(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (v >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String plain(String markdown) {
        return markdown.replace("**", "");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
