package dev.kure.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writing a file through a temporary file in the same directory that is moved into place when
 * complete, so that a failure leaves the target untouched and no partial file behind. A JVM
 * shutdown hook deletes the temporary files still open when the JVM is stopped (Ctrl-C, SIGTERM,
 * {@code System.exit}); only SIGKILL or a crash can leave one behind.
 */
final class AtomicWrite implements AutoCloseable {
    /** Temporary files not yet committed or deleted, for the shutdown hook. */
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(AtomicWrite::deleteLive, "kure-delete-temporary-files"));
    }
    private static final int STAGING = 1 << 20;
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment staging = arena.allocate(STAGING, 64);
    private boolean done;

    /** Creates the temporary file (with default permissions) next to {@code target}. */
    AtomicWrite(Path target) {
        this.target = target;
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        String base = abs.getFileName() == null ? "out" : abs.getFileName().toString();
        if (dir == null || !Files.isDirectory(dir)) {
            arena.close();
            throw new TensorFileException(target, "cannot write: directory " + dir + " does not exist");
        }
        FileChannel ch = null;
        Path t = null;
        for (int attempt = 0; ch == null; attempt++) {
            t = dir.resolve("." + base + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                ch = FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 10) {
                    arena.close();
                    throw new TensorFileException(target, "cannot create a temporary file in " + dir, e);
                }
            } catch (IOException e) {
                arena.close();
                throw new TensorFileException(target, "cannot write (" + describe(e) + ")", e);
            }
        }
        this.temp = t;
        this.channel = ch;
        LIVE.add(t);
    }

    private static void deleteLive() {
        for (Path p : LIVE) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort while the JVM stops
            }
        }
    }

    void write(ByteBuffer b) {
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw new TensorFileException(target, "cannot write (" + describe(e) + ")", e);
        }
    }

    /** Writes the bytes of any segment (heap or native). */
    void write(MemorySegment src) {
        long n = src.byteSize();
        for (long p = 0; p < n; p += STAGING) {
            long k = Math.min(STAGING, n - p);
            MemorySegment.copy(src, p, staging, 0, k);
            write(staging.asSlice(0, k).asByteBuffer());
        }
    }

    /** Writes floats as little-endian float32. */
    void write(float[] src) {
        int per = STAGING / 4;
        for (int p = 0; p < src.length; p += per) {
            int k = Math.min(per, src.length - p);
            MemorySegment.copy(src, p, staging, LE_FLOAT, 0, k);
            write(staging.asSlice(0, (long) k * 4).asByteBuffer());
        }
    }

    /** Flushes, closes and moves the temporary file onto the target. */
    void commit() {
        try {
            channel.force(true);
            channel.close();
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
            LIVE.remove(temp);
        } catch (IOException e) {
            throw new TensorFileException(target, "cannot write (" + describe(e) + ")", e);
        }
    }

    /** Deletes the temporary file unless {@link #commit()} succeeded. */
    @Override
    public void close() {
        arena.close();
        if (!done) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // best effort
            }
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // best effort
            }
            LIVE.remove(temp);
        }
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
