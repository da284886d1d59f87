package dev.kure.io;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A child JVM for {@link InterruptCleanupTest}: starts writing {@code args[0]} through an
 * {@link AtomicWrite}, says "ready" on stdout, and waits to be stopped by a signal.
 */
public final class AtomicWriteChild {
    private AtomicWriteChild() {}

    /**
     * Entry point.
     *
     * @param args the target file
     * @throws InterruptedException never in practice: the JVM is stopped by a signal
     */
    public static void main(String[] args) throws InterruptedException {
        AtomicWrite w = new AtomicWrite(Path.of(args[0]));
        w.write(ByteBuffer.allocate(1 << 20));
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(120_000);
        w.close();
    }
}
