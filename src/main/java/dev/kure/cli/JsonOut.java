package dev.kure.cli;

import java.util.Locale;

/**
 * A minimal hand-written JSON writer (no library): objects, arrays, strings, numbers. Non-finite
 * numbers are written as {@code null}. Output is pretty-printed with two-space indentation.
 */
final class JsonOut {
    private final StringBuilder sb = new StringBuilder();
    private final boolean[] first = new boolean[64];
    private int depth;
    private boolean afterKey;

    /** Opens an object. */
    JsonOut beginObject() {
        value("{");
        open();
        return this;
    }

    /** Closes an object. */
    JsonOut endObject() {
        close('}');
        return this;
    }

    /** Opens an array. */
    JsonOut beginArray() {
        value("[");
        open();
        return this;
    }

    /** Closes an array. */
    JsonOut endArray() {
        close(']');
        return this;
    }

    /** Writes a member name; the next value is its value. */
    JsonOut key(String k) {
        separator();
        sb.append(quote(k)).append(": ");
        afterKey = true;
        return this;
    }

    /** Writes a string (null as {@code null}). */
    JsonOut string(String s) {
        value(s == null ? "null" : quote(s));
        return this;
    }

    /** Writes a number; NaN and infinities as {@code null}. */
    JsonOut number(double d) {
        value(num(d));
        return this;
    }

    /** Writes an integer. */
    JsonOut number(long v) {
        value(Long.toString(v));
        return this;
    }

    /** Writes a boolean. */
    JsonOut bool(boolean b) {
        value(Boolean.toString(b));
        return this;
    }

    /** Shorthand for {@code key(k).string(v)}. */
    JsonOut field(String k, String v) {
        return key(k).string(v);
    }

    /** Shorthand for {@code key(k).number(v)}. */
    JsonOut field(String k, double v) {
        return key(k).number(v);
    }

    /** Shorthand for {@code key(k).number(v)}. */
    JsonOut field(String k, long v) {
        return key(k).number(v);
    }

    /** Writes an array of numbers on one line. */
    JsonOut numbers(double[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ", ").append(num(v[i]));
        }
        value(b.append(']').toString());
        return this;
    }

    /** Writes an array of integers on one line. */
    JsonOut numbers(long[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ", ").append(v[i]);
        }
        value(b.append(']').toString());
        return this;
    }

    @Override
    public String toString() {
        return sb.toString();
    }

    private void open() {
        depth++;
        first[depth] = true;
    }

    private void close(char c) {
        boolean empty = first[depth];
        depth--;
        if (!empty) {
            newline();
        }
        sb.append(c);
    }

    private void value(String text) {
        if (!afterKey) {
            separator();
        }
        afterKey = false;
        sb.append(text);
    }

    private void separator() {
        if (depth == 0) {
            return;
        }
        if (!first[depth]) {
            sb.append(',');
        }
        first[depth] = false;
        newline();
    }

    private void newline() {
        sb.append('\n').append("  ".repeat(depth));
    }

    /** A JSON number: shortest round-trip decimal of the double, null when not finite. */
    static String num(double d) {
        if (!Double.isFinite(d)) {
            return "null";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d).toLowerCase(Locale.ROOT);
    }

    /** A JSON string literal. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
