package dev.kure.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr. On a terminal it redraws one line in place ({@code \r}); otherwise,
 * when forced on, it prints a plain line at each new tenth so that logs stay readable. Disabled, it
 * prints nothing.
 */
final class Progress {
    private final PrintStream err;
    private final boolean enabled;
    private final boolean inPlace;
    private final String label;
    private final long total;
    private final long started = System.nanoTime();
    private long done;
    private int lastTenth = -1;
    private int lastWidth;

    private Progress(PrintStream err, boolean enabled, boolean inPlace, String label, long total) {
        this.err = err;
        this.enabled = enabled;
        this.inPlace = inPlace;
        this.label = label;
        this.total = Math.max(1, total);
    }

    /**
     * A progress bar.
     *
     * @param err      where to draw
     * @param enabled  whether to draw at all
     * @param terminal whether {@code err} is a terminal (redraw in place)
     * @param label    what is being counted
     * @param total    the number of units of work
     */
    static Progress of(PrintStream err, boolean enabled, boolean terminal, String label, long total) {
        return new Progress(err, enabled, terminal, label, total);
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
        advance(1, item);
    }

    /** Sets the number of units done, naming the current item (may be null). */
    void set(long newDone, String item) {
        advance(newDone - done, item);
    }

    private void advance(long by, String item) {
        done = Math.min(total, done + by);
        if (!enabled) {
            return;
        }
        int tenth = (int) (10 * done / total);
        if (inPlace) {
            int width = 24;
            int fill = (int) (width * done / total);
            String line = String.format(Locale.ROOT, "\r%s [%s%s] %d/%d %4.1fs %s", label, "#".repeat(fill),
                    ".".repeat(width - fill), done, total, (System.nanoTime() - started) / 1e9,
                    item == null ? "" : shorten(item));
            int pad = Math.max(0, lastWidth - line.length());
            err.print(line + " ".repeat(pad));
            lastWidth = line.length();
            err.flush();
        } else if (tenth != lastTenth) {
            lastTenth = tenth;
            err.printf(Locale.ROOT, "%s: %d/%d (%.1fs)%n", label, done, total, (System.nanoTime() - started) / 1e9);
        }
    }

    /** Clears the bar (on a terminal) so that the next output starts on a clean line. */
    void finish() {
        if (enabled && inPlace) {
            err.print("\r" + " ".repeat(lastWidth) + "\r");
            err.flush();
        }
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : "…" + s.substring(s.length() - 39);
    }
}
