package dev.kure.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) parser and string quoter for safetensors headers.
 *
 * <p>Objects become {@link LinkedHashMap}s in document order, arrays {@link List}s, strings
 * {@link String}s, numbers {@link Num} (the literal text, converted on demand), {@code true} and
 * {@code false} {@link Boolean}s and {@code null} {@link #NULL}. Rejected: duplicate keys, trailing
 * commas, comments, leading zeros, unescaped control characters, lone surrogate escapes, anything
 * after the value but whitespace, and nesting deeper than {@value #MAX_DEPTH}.
 */
final class Json extends TextScanner {
    static final int MAX_DEPTH = 64;

    /** The JSON {@code null} literal. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** A JSON number, kept as written. */
    record Num(String text) {
        /** Whether the literal is an integer: no fraction, no exponent. */
        boolean isInteger() {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '.' || c == 'e' || c == 'E') {
                    return false;
                }
            }
            return true;
        }

        /** Whether an integer literal is below zero ({@code -0} is zero). */
        boolean isNegative() {
            return text.startsWith("-") && !text.equals("-0");
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private Json(String s) {
        super(s);
    }

    @Override
    boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    /** Parses a complete document. */
    static Object parse(String text) throws SyntaxError {
        Json p = new Json(text);
        p.skipWs();
        if (p.pos == text.length()) {
            throw new SyntaxError("empty document", p.pos);
        }
        Object v = p.value(0);
        p.skipWs();
        if (p.pos != text.length()) {
            throw new SyntaxError("unexpected " + p.describeHere() + " after the value", p.pos);
        }
        return v;
    }

    private Object value(int depth) throws SyntaxError {
        if (depth > MAX_DEPTH) {
            throw new SyntaxError("nesting deeper than " + MAX_DEPTH, pos);
        }
        if (pos >= s.length()) {
            throw new SyntaxError("unexpected end of input", pos);
        }
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw new SyntaxError("unexpected " + describeHere(), pos);
            }
        };
    }

    private Map<String, Object> object(int depth) throws SyntaxError {
        pos++; // '{'
        Map<String, Object> m = new LinkedHashMap<>();
        skipWs();
        if (peek() == '}') {
            pos++;
            return m;
        }
        while (true) {
            skipWs();
            if (peek() != '"') {
                throw new SyntaxError("expected a string key but found " + describeHere(), pos);
            }
            int keyPos = pos;
            String key = string();
            skipWs();
            expect(':');
            skipWs();
            Object v = value(depth + 1);
            if (m.containsKey(key)) {
                throw new SyntaxError("duplicate key \"" + key + "\"", keyPos);
            }
            m.put(key, v);
            skipWs();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                return m;
            } else {
                throw new SyntaxError("expected ',' or '}' but found " + describeHere(), pos);
            }
        }
    }

    private List<Object> array(int depth) throws SyntaxError {
        pos++; // '['
        List<Object> a = new ArrayList<>();
        skipWs();
        if (peek() == ']') {
            pos++;
            return a;
        }
        while (true) {
            skipWs();
            a.add(value(depth + 1));
            skipWs();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                return a;
            } else {
                throw new SyntaxError("expected ',' or ']' but found " + describeHere(), pos);
            }
        }
    }

    private String string() throws SyntaxError {
        int start = pos;
        pos++; // opening quote
        StringBuilder b = null;
        int run = pos;
        while (true) {
            if (pos >= s.length()) {
                throw new SyntaxError("unterminated string", start);
            }
            char c = s.charAt(pos);
            if (c == '"') {
                String out = b == null ? s.substring(run, pos) : b.append(s, run, pos).toString();
                pos++;
                return out;
            }
            if (c < 0x20) {
                throw new SyntaxError("unescaped control character in string", pos);
            }
            if (c != '\\') {
                pos++;
                continue;
            }
            if (b == null) {
                b = new StringBuilder();
            }
            b.append(s, run, pos);
            pos++;
            if (pos >= s.length()) {
                throw new SyntaxError("unterminated string", start);
            }
            char e = s.charAt(pos++);
            switch (e) {
                case '"' -> b.append('"');
                case '\\' -> b.append('\\');
                case '/' -> b.append('/');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    char u = hex4();
                    if (Character.isHighSurrogate(u)) {
                        if (pos + 1 < s.length() && s.charAt(pos) == '\\' && s.charAt(pos + 1) == 'u') {
                            pos += 2;
                            char lo = hex4();
                            if (!Character.isLowSurrogate(lo)) {
                                throw new SyntaxError("unpaired surrogate escape", pos - 6);
                            }
                            b.append(u).append(lo);
                        } else {
                            throw new SyntaxError("unpaired surrogate escape", pos - 6);
                        }
                    } else if (Character.isLowSurrogate(u)) {
                        throw new SyntaxError("unpaired surrogate escape", pos - 6);
                    } else {
                        b.append(u);
                    }
                }
                default -> throw new SyntaxError("invalid escape '\\" + e + "'", pos - 2);
            }
            run = pos;
        }
    }

    private char hex4() throws SyntaxError {
        if (pos + 4 > s.length()) {
            throw new SyntaxError("truncated \\u escape", pos);
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos + i), 16);
            if (d < 0) {
                throw new SyntaxError("invalid \\u escape", pos);
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private Num number() throws SyntaxError {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) {
                throw new SyntaxError("leading zero in number", start);
            }
        } else if (isDigit(peek())) {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw new SyntaxError("invalid number", start);
        }
        if (peek() == '.') {
            pos++;
            if (!isDigit(peek())) {
                throw new SyntaxError("invalid number", start);
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw new SyntaxError("invalid number", start);
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        return new Num(s.substring(start, pos));
    }

    private Object literal(String word, Object v) throws SyntaxError {
        if (!s.startsWith(word, pos)) {
            throw new SyntaxError("unexpected " + describeHere(), pos);
        }
        pos += word.length();
        return v;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Appends {@code v} as a JSON string literal (quotes included). */
    static StringBuilder quote(StringBuilder out, String v) {
        out.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
