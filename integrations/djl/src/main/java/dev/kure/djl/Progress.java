package dev.kure.djl;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long run on stderr: work units done of the total, elapsed time and an ETA from the
 * rate so far; redrawn in place on a terminal, one line every few seconds otherwise.
 */
public final class Progress {
    private final PrintStream out;
    private final boolean tty;
    private final long total;
    private final long start = System.nanoTime();
    private long done;
    private long lastPrint;
    private String label = "";

    /** Progress over {@code total} units (images trained or evaluated) printed to {@code out}. */
    public Progress(PrintStream out, boolean tty, long total) {
        this.out = out;
        this.tty = tty;
        this.total = Math.max(1, total);
    }

    /** What is running now (shown before the counters). */
    public void label(String s) {
        this.label = s;
        print(true);
    }

    /** {@code units} more done. */
    public void advance(long units) {
        done += units;
        print(false);
    }

    /** Seconds since the start. */
    public double elapsed() {
        return (System.nanoTime() - start) / 1e9;
    }

    private void print(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastPrint < (tty ? 200_000_000L : 10_000_000_000L)) {
            return;
        }
        lastPrint = now;
        double el = elapsed();
        double frac = Math.min(1.0, (double) done / total);
        String eta = frac > 0.01 ? fmt(el / frac - el) : "?";
        String line = String.format(Locale.ROOT, "[%5.1f%%] %s  elapsed %s, ETA %s", 100 * frac, label, fmt(el), eta);
        if (tty) {
            out.print("\r\033[K" + line);
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends the progress display (a newline on a terminal). */
    public void finish() {
        if (tty) {
            out.println();
        }
    }

    private static String fmt(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
    }
}
