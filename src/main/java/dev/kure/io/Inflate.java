package dev.kure.io;

import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** Streams raw deflate data from a (mapped) segment into segments, without heap copies of the data. */
final class Inflate implements AutoCloseable {
    private static final long IN_CHUNK = 1L << 24;
    private static final long OUT_CHUNK = 1L << 30;

    private final Inflater inflater = new Inflater(true);
    private final MemorySegment in;
    private long inPos;

    Inflate(MemorySegment compressed) {
        this.in = compressed;
    }

    /** Inflates exactly {@code dst.byteSize()} bytes into {@code dst}. */
    void readFully(MemorySegment dst) throws DataFormatException, EOFException {
        long done = 0;
        long size = dst.byteSize();
        while (done < size) {
            long chunk = Math.min(size - done, OUT_CHUNK);
            ByteBuffer out = dst.asSlice(done, chunk).asByteBuffer();
            while (out.hasRemaining()) {
                if (inflater.needsInput() && !feed()) {
                    throw new EOFException("compressed data ends early");
                }
                int got = inflater.inflate(out);
                if (got == 0) {
                    if (inflater.finished()) {
                        throw new EOFException("compressed data holds fewer bytes than declared");
                    }
                    if (inflater.needsDictionary()) {
                        throw new DataFormatException("needs a preset dictionary");
                    }
                    if (!inflater.needsInput()) {
                        throw new DataFormatException("inflater made no progress");
                    }
                }
            }
            done += chunk;
        }
    }

    /** After {@link #readFully}: whether the compressed stream ends exactly here. */
    boolean endsHere() throws DataFormatException {
        ByteBuffer one = ByteBuffer.allocate(1);
        while (!inflater.finished()) {
            if (inflater.needsInput() && !feed()) {
                return false;
            }
            int got = inflater.inflate(one);
            if (got > 0 || inflater.needsDictionary()) {
                return false;
            }
            if (!inflater.finished() && !inflater.needsInput()) {
                return false;
            }
        }
        return true;
    }

    private boolean feed() {
        if (inPos >= in.byteSize()) {
            return false;
        }
        long k = Math.min(in.byteSize() - inPos, IN_CHUNK);
        inflater.setInput(in.asSlice(inPos, k).asByteBuffer());
        inPos += k;
        return true;
    }

    @Override
    public void close() {
        inflater.end();
    }
}
