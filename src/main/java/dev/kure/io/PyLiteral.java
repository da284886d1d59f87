package dev.kure.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parser for the Python literal that a {@code .npy} header holds, e.g.
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}.
 *
 * <p>Understands dicts, tuples, lists, single- or double-quoted strings (with backslash escapes),
 * integers (with an optional Python 2 {@code L} suffix), {@code True}, {@code False} and
 * {@code None}. Dicts become {@link LinkedHashMap}s, tuples and lists {@link List}s, integers
 * {@link BigInteger}s, {@code None} {@link #NONE}.
 */
final class PyLiteral extends TextScanner {
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    private static final int MAX_DEPTH = 64;

    private PyLiteral(String s) {
        super(s);
    }

    @Override
    boolean isSpace(char c) {
        return Character.isWhitespace(c);
    }

    static Object parse(String text) throws SyntaxError {
        PyLiteral p = new PyLiteral(text);
        p.skipWs();
        Object v = p.value(0);
        p.skipWs();
        if (p.pos != text.length()) {
            throw new SyntaxError("unexpected text after the value", p.pos);
        }
        return v;
    }

    private Object value(int depth) throws SyntaxError {
        if (depth > MAX_DEPTH) {
            throw new SyntaxError("nesting too deep", pos);
        }
        char c = peek();
        switch (c) {
            case '{':
                return dict(depth);
            case '(':
                return sequence(depth, ')', true);
            case '[':
                return sequence(depth, ']', false);
            case '\'':
            case '"':
                return string();
            default:
                break;
        }
        if (c == '-' || c == '+' || (c >= '0' && c <= '9')) {
            return integer();
        }
        if (Character.isLetter(c)) {
            int start = pos;
            while (Character.isLetterOrDigit(peek()) || peek() == '_') {
                pos++;
            }
            String w = s.substring(start, pos);
            return switch (w) {
                case "True" -> Boolean.TRUE;
                case "False" -> Boolean.FALSE;
                case "None" -> NONE;
                default -> throw new SyntaxError("unknown name '" + w + "'", start);
            };
        }
        throw new SyntaxError(pos >= s.length() ? "unexpected end" : "unexpected character '" + c + "'", pos);
    }

    private Map<Object, Object> dict(int depth) throws SyntaxError {
        pos++;
        Map<Object, Object> m = new LinkedHashMap<>();
        while (true) {
            skipWs();
            if (peek() == '}') {
                pos++;
                return m;
            }
            int keyPos = pos;
            Object k = value(depth + 1);
            if (k instanceof Map || k instanceof List) {
                throw new SyntaxError("unhashable dict key", keyPos);
            }
            skipWs();
            expect(':');
            skipWs();
            Object v = value(depth + 1);
            if (m.put(k, v) != null) {
                throw new SyntaxError("duplicate key " + k, keyPos);
            }
            skipWs();
            if (peek() == ',') {
                pos++;
            } else if (peek() != '}') {
                throw new SyntaxError("expected ',' or '}'", pos);
            }
        }
    }

    /** A tuple or list; a parenthesised single value without a comma is that value. */
    private Object sequence(int depth, char close, boolean tuple) throws SyntaxError {
        pos++;
        List<Object> items = new ArrayList<>();
        boolean sawComma = false;
        while (true) {
            skipWs();
            if (peek() == close) {
                pos++;
                if (tuple && items.size() == 1 && !sawComma) {
                    return items.get(0);
                }
                return items;
            }
            items.add(value(depth + 1));
            skipWs();
            if (peek() == ',') {
                pos++;
                sawComma = true;
            } else if (peek() != close) {
                throw new SyntaxError("expected ',' or '" + close + "'", pos);
            }
        }
    }

    private String string() throws SyntaxError {
        char q = s.charAt(pos);
        int start = pos++;
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= s.length()) {
                throw new SyntaxError("unterminated string", start);
            }
            char c = s.charAt(pos++);
            if (c == q) {
                return b.toString();
            }
            if (c == '\n') {
                throw new SyntaxError("newline in string", pos - 1);
            }
            if (c == '\\') {
                if (pos >= s.length()) {
                    throw new SyntaxError("unterminated string", start);
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case '0' -> b.append('\0');
                    case '\\', '\'', '"' -> b.append(e);
                    default -> b.append('\\').append(e);
                }
            } else {
                b.append(c);
            }
        }
    }

    private BigInteger integer() throws SyntaxError {
        int start = pos;
        if (peek() == '-' || peek() == '+') {
            pos++;
        }
        int digits = pos;
        while (peek() >= '0' && peek() <= '9') {
            pos++;
        }
        if (pos == digits) {
            throw new SyntaxError("invalid integer", start);
        }
        BigInteger v = new BigInteger(s.substring(start, pos));
        if (peek() == 'L' || peek() == 'l') {
            pos++; // Python 2 long suffix, written by old NumPy
        }
        if (peek() == '.' || peek() == 'e' || peek() == 'E' || peek() == 'x' || peek() == 'j') {
            throw new SyntaxError("only integers are expected here", start);
        }
        return v;
    }
}
