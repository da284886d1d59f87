package dev.kure.cli;

/**
 * A problem with what the user gave the command (a file, an option): printed as one line on stderr,
 * exit code 2, no stack trace unless {@code --verbose}.
 */
public final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an error with a one-line message.
     *
     * @param message what is wrong, naming the file or option concerned
     */
    public UserError(String message) {
        super(message.replace('\n', ' ').replace('\r', ' '));
    }

    /**
     * Creates an error with a one-line message and its cause (shown with {@code --verbose}).
     *
     * @param message what is wrong, naming the file or option concerned
     * @param cause   the underlying exception
     */
    public UserError(String message, Throwable cause) {
        super(message.replace('\n', ' ').replace('\r', ' '), cause);
    }
}
