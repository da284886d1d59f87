package dev.kure.io;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A problem with a tensor file: unreadable, truncated, malformed, or holding something this package
 * cannot convert. The message is one line, {@code "<file>: <problem>"}.
 *
 * <p>Unchecked, so that tensor access can be used inside lambdas and streams; callers that present
 * errors to users (the {@code kure} command) catch it and print {@link #getMessage()}.
 */
public final class TensorFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The file concerned (not serialized: {@code Path} is not serializable). */
    private final transient Path file;
    /** The problem, without the file name. */
    private final String problem;

    /**
     * Creates an exception for a file and a problem.
     *
     * @param file the file concerned
     * @param problem what is wrong, one line, without the file name
     */
    public TensorFileException(Path file, String problem) {
        this(file, problem, null);
    }

    /**
     * Creates an exception for a file and a problem, with the underlying cause.
     *
     * @param file the file concerned
     * @param problem what is wrong, one line, without the file name
     * @param cause the underlying exception, or {@code null}
     */
    public TensorFileException(Path file, String problem, Throwable cause) {
        super(Objects.requireNonNull(file, "file") + ": " + oneLine(Objects.requireNonNull(problem, "problem")), cause);
        this.file = file;
        this.problem = oneLine(problem);
    }

    /**
     * The file the problem concerns.
     *
     * @return the path as it was given to the reader or writer
     */
    public Path file() {
        return file;
    }

    /**
     * The problem, without the file name.
     *
     * @return a one-line description
     */
    public String problem() {
        return problem;
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
