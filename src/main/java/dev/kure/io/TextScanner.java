package dev.kure.io;

/**
 * The character-level scanning that the header parsers ({@link Json} for safetensors,
 * {@link PyLiteral} for .npy) share: the text and position, peeking, expecting a character, skipping
 * whitespace, and syntax errors that say where and what was found.
 */
abstract class TextScanner {
    /** A syntax error at a character position. */
    static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxError(String message, int pos) {
            super(message + " at character " + pos);
        }
    }

    final String s;
    int pos;

    TextScanner(String s) {
        this.s = s;
    }

    /** Whether {@code c} is whitespace between tokens in this syntax. */
    abstract boolean isSpace(char c);

    /** The current character, or 0 at the end (0 is never valid where peek() is used). */
    final char peek() {
        return pos < s.length() ? s.charAt(pos) : 0;
    }

    final void skipWs() {
        while (pos < s.length() && isSpace(s.charAt(pos))) {
            pos++;
        }
    }

    final void expect(char c) throws SyntaxError {
        if (peek() != c) {
            throw new SyntaxError("expected '" + c + "' but found " + describeHere(), pos);
        }
        pos++;
    }

    /** What is at the current position, for messages: a printable character, a code point, or the end. */
    final String describeHere() {
        if (pos >= s.length()) {
            return "end of input";
        }
        char c = s.charAt(pos);
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("character U+%04X", (int) c);
    }
}
