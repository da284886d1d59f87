package dev.kure.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr, counting plain units (steps) or bytes, with the elapsed time and an
 * estimate of the time left. On a terminal it redraws one line in place ({@code \r}); otherwise, when
 * forced on, it prints a plain line at each new tenth so that logs stay readable. Disabled, it prints
 * nothing. Thread-safe: analysis workers report from several threads.
 */
final class Progress {
    private final PrintStream err;
    private final boolean enabled;
    private final boolean inPlace;
    private final boolean bytes;
    private final String label;
    private final long total;
    private final long started = System.nanoTime();
    private long done;
    private int lastTenth = -1;
    private int lastWidth;
    private long lastDraw;

    private Progress(PrintStream err, boolean enabled, boolean inPlace, boolean bytes, String label, long total) {
        this.err = err;
        this.enabled = enabled;
        this.inPlace = inPlace;
        this.bytes = bytes;
        this.label = label;
        this.total = Math.max(1, total);
    }

    /**
     * A progress bar counting units.
     *
     * @param err      where to draw
     * @param enabled  whether to draw at all
     * @param terminal whether {@code err} is a terminal (redraw in place)
     * @param label    what is being counted
     * @param total    the number of units of work
     */
    static Progress of(PrintStream err, boolean enabled, boolean terminal, String label, long total) {
        return new Progress(err, enabled, terminal, false, label, total);
    }

    /** A progress bar counting bytes (shown as KB, MB, GB). */
    static Progress ofBytes(PrintStream err, boolean enabled, boolean terminal, String label, long totalBytes) {
        return new Progress(err, enabled, terminal, true, label, totalBytes);
    }

    /**
     * Whether stderr of this JVM is a terminal: the launcher script says so with
     * {@code -Dkure.stderr.tty=true|false}; without it, whether the JVM has an interactive console.
     */
    static boolean stderrIsTerminal() {
        String p = System.getProperty("kure.stderr.tty");
        if (p != null) {
            return Boolean.parseBoolean(p);
        }
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    /** Advances by one unit, naming the item now being worked on (may be null). */
    void step(String item) {
        add(1, item);
    }

    /** Sets the number of units done, naming the current item (may be null). */
    synchronized void set(long newDone, String item) {
        add(newDone - done, item);
    }

    /** Advances by {@code by} units (bytes for a byte bar), naming the current item (may be null). */
    synchronized void add(long by, String item) {
        done = Math.min(total, done + by);
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        double elapsed = (now - started) / 1e9;
        int tenth = (int) (10 * done / total);
        if (inPlace) {
            if (done < total && now - lastDraw < 50_000_000L) {
                return; // at most 20 redraws a second
            }
            lastDraw = now;
            int width = 24;
            int fill = (int) (width * done / total);
            String line = String.format(Locale.ROOT, "\r%s [%s%s] %s %3d%% %s %s", label, "#".repeat(fill),
                    ".".repeat(width - fill), amount(), 100 * done / total, time(elapsed),
                    item == null ? "" : shorten(item));
            int pad = Math.max(0, lastWidth - line.length());
            err.print(line + " ".repeat(pad));
            lastWidth = line.length();
            err.flush();
        } else if (tenth != lastTenth) {
            lastTenth = tenth;
            err.printf(Locale.ROOT, "%s: %s %d%% %s%n", label, amount(), 100 * done / total, time(elapsed));
        }
    }

    private String amount() {
        return bytes ? size(done) + "/" + size(total) : done + "/" + total;
    }

    private String time(double elapsed) {
        if (done == 0 || done >= total) {
            return String.format(Locale.ROOT, "%.1fs", elapsed);
        }
        double left = elapsed * (total - done) / done;
        return String.format(Locale.ROOT, "%.1fs, ETA %s", elapsed, left < 90 ? String.format(Locale.ROOT, "%.0fs", left)
                : String.format(Locale.ROOT, "%dm%02ds", (long) left / 60, (long) left % 60));
    }

    /** A byte count as B, KB, MB or GB (powers of 1000, one decimal). */
    static String size(long b) {
        if (b < 1000) {
            return b + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = b;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /**
     * Erases the bar (on a terminal) so that output written next starts on a clean line; the next
     * {@link #add} draws it again.
     */
    synchronized void clear() {
        if (enabled && inPlace && lastWidth > 0) {
            err.print("\r" + " ".repeat(lastWidth) + "\r");
            err.flush();
            lastWidth = 0;
            lastDraw = 0;
        }
    }

    /** Clears the bar (on a terminal) so that the next output starts on a clean line. */
    void finish() {
        clear();
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : "…" + s.substring(s.length() - 39);
    }
}
