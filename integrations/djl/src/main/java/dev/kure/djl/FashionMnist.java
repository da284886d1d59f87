package dev.kure.djl;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The Fashion-MNIST data set read from its IDX files (gzip-compressed, as Debian's
 * {@code dataset-fashion-mnist} package installs them under {@code /usr/share/datasets/fashion-mnist}).
 *
 * <p>Images are 28×28 gray levels scaled to [0, 1] (no mean/std normalization, so every layer input of
 * the reproduction's CNN is non-negative and activations quantize on an unsigned grid); labels are the
 * ten classes 0..9. Any problem with a file is a {@link DataException} naming the file and the fix.
 *
 * @param trainImages 60,000 × 784 floats, row-major
 * @param trainLabels 60,000 labels
 * @param testImages 10,000 × 784 floats
 * @param testLabels 10,000 labels
 */
public record FashionMnist(float[] trainImages, int[] trainLabels, float[] testImages, int[] testLabels) {

    /** Where Debian's {@code dataset-fashion-mnist} package puts the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Pixels per image (28 × 28). */
    public static final int PIXELS = 28 * 28;
    /** Number of classes. */
    public static final int CLASSES = 10;

    private static final int IMAGE_MAGIC = 0x00000803;
    private static final int LABEL_MAGIC = 0x00000801;
    private static final String FIX = "install it with: apt-get install -y dataset-fashion-mnist";

    /** A missing, unreadable or malformed data file; the message names the file and the fix. */
    public static final class DataException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DataException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Number of training images. */
    public int trainSize() {
        return trainLabels.length;
    }

    /** Number of test images. */
    public int testSize() {
        return testLabels.length;
    }

    /** Reads the four files {@code train-images-idx3-ubyte.gz} … {@code t10k-labels-idx1-ubyte.gz} of {@code dir}. */
    public static FashionMnist load(Path dir) {
        float[] trainX = images(dir.resolve("train-images-idx3-ubyte.gz"));
        int[] trainY = labels(dir.resolve("train-labels-idx1-ubyte.gz"));
        float[] testX = images(dir.resolve("t10k-images-idx3-ubyte.gz"));
        int[] testY = labels(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        sameCount(dir, "train", trainX, trainY);
        sameCount(dir, "t10k", testX, testY);
        return new FashionMnist(trainX, trainY, testX, testY);
    }

    /**
     * The first {@code train} training and {@code test} test images (for quick runs and tests);
     * both must be within the data set's sizes.
     */
    public FashionMnist head(int train, int test) {
        if (train < 1 || train > trainSize()) {
            throw new IllegalArgumentException("train must be in [1, " + trainSize() + "], was " + train);
        }
        if (test < 1 || test > testSize()) {
            throw new IllegalArgumentException("test must be in [1, " + testSize() + "], was " + test);
        }
        return new FashionMnist(java.util.Arrays.copyOf(trainImages, train * PIXELS),
                java.util.Arrays.copyOf(trainLabels, train),
                java.util.Arrays.copyOf(testImages, test * PIXELS), java.util.Arrays.copyOf(testLabels, test));
    }

    private static void sameCount(Path dir, String prefix, float[] x, int[] y) {
        if (x.length / PIXELS != y.length) {
            throw new DataException(dir.resolve(prefix + "-*") + ": " + x.length / PIXELS + " images but "
                    + y.length + " labels; " + FIX, null);
        }
    }

    static float[] images(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != IMAGE_MAGIC) {
                throw bad(file, String.format("not an IDX image file (magic 0x%08x, expected 0x%08x)", magic, IMAGE_MAGIC));
            }
            int n = in.readInt(), rows = in.readInt(), cols = in.readInt();
            if (n <= 0 || n > 1_000_000 || rows != 28 || cols != 28) {
                throw bad(file, "unexpected image header: " + n + " images of " + rows + "x" + cols);
            }
            byte[] raw = in.readNBytes(n * PIXELS);
            if (raw.length != n * PIXELS) {
                throw bad(file, "truncated: " + raw.length + " of " + n * PIXELS + " pixel bytes");
            }
            float[] x = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                x[i] = (raw[i] & 0xff) / 255f;
            }
            return x;
        } catch (EOFException e) {
            throw bad(file, "truncated header");
        } catch (IOException e) {
            throw io(file, e);
        }
    }

    static int[] labels(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != LABEL_MAGIC) {
                throw bad(file, String.format("not an IDX label file (magic 0x%08x, expected 0x%08x)", magic, LABEL_MAGIC));
            }
            int n = in.readInt();
            if (n <= 0 || n > 1_000_000) {
                throw bad(file, "unexpected label count " + n);
            }
            byte[] raw = in.readNBytes(n);
            if (raw.length != n) {
                throw bad(file, "truncated: " + raw.length + " of " + n + " labels");
            }
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = raw[i] & 0xff;
                if (y[i] >= CLASSES) {
                    throw bad(file, "label " + y[i] + " at index " + i + " is not a class 0..9");
                }
            }
            return y;
        } catch (EOFException e) {
            throw bad(file, "truncated header");
        } catch (IOException e) {
            throw io(file, e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new DataException(file + ": file not found; " + FIX, null);
        }
        if (!Files.isRegularFile(file)) {
            throw new DataException(file + ": not a regular file", null);
        }
        InputStream raw = Files.newInputStream(file);
        try {
            return new DataInputStream(new GZIPInputStream(raw, 1 << 16));
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    private static DataException bad(Path file, String what) {
        return new DataException(file + ": " + what + "; reinstall it (apt-get install --reinstall -y dataset-fashion-mnist)", null);
    }

    private static DataException io(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new DataException(file + ": file not found; " + FIX, e);
        }
        if (e instanceof ZipException) {
            return bad(file, "corrupt gzip data (" + e.getMessage() + ")");
        }
        return new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
}
