package dev.kure.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading the NumPy {@code .npy} header (format versions 1.0, 2.0 and 3.0). */
final class Npy {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    static final long MAX_HEADER = 100_000_000L;
    /** Bytes needed to know the header length: magic, version, and a 4-byte length. */
    static final int PREAMBLE = 12;

    private static final Pattern TYPESTR = Pattern.compile("([<>|=]?)([a-zA-Z])(\\d+)(\\[\\w+\\])?");

    private Npy() {
    }

    /**
     * A parsed header.
     *
     * @param dataOffset bytes before the data (magic, version, length, header text)
     * @param dtype the supported type, or null
     * @param descr the descr as written, for messages and {@link TensorInfo#rawDtype()}
     * @param order element byte order
     * @param shape the shape
     * @param dataBytes the data length
     */
    record Header(long dataOffset, DType dtype, String descr, ByteOrder order, long[] shape, long dataBytes) {
    }

    /**
     * Validates magic and version and returns the offset of the data, i.e. the length of the whole
     * header.
     *
     * @param start the first {@code min(total, PREAMBLE)} bytes (or more)
     * @param total the length of the whole {@code .npy} stream
     */
    static long headerEnd(Path path, String where, MemorySegment start, long total) {
        if (total < 10) {
            throw new TensorFileException(path, where + "too short for a .npy header (" + total + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (start.get(ValueLayout.JAVA_BYTE, i) != MAGIC[i]) {
                throw new TensorFileException(path, where + "not a .npy file (bad magic)");
            }
        }
        int major = Byte.toUnsignedInt(start.get(ValueLayout.JAVA_BYTE, 6));
        int minor = Byte.toUnsignedInt(start.get(ValueLayout.JAVA_BYTE, 7));
        if (major < 1 || major > 3 || minor != 0) {
            throw new TensorFileException(path, where + "unsupported .npy format version " + major + "." + minor
                    + " (1.0, 2.0 and 3.0 are supported)");
        }
        long hlen;
        long pre;
        if (major == 1) {
            hlen = Short.toUnsignedInt(start.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8));
            pre = 10;
        } else {
            if (total < 12) {
                throw new TensorFileException(path, where + "too short for a .npy " + major + ".0 header (" + total + " bytes)");
            }
            hlen = Integer.toUnsignedLong(start.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8));
            pre = 12;
            if (hlen > MAX_HEADER) {
                throw new TensorFileException(path, where + ".npy header length " + hlen + " is larger than the "
                        + MAX_HEADER / 1_000_000 + " MB limit");
            }
        }
        if (pre + hlen > total) {
            throw new TensorFileException(path, where + ".npy header length " + hlen + " runs past the end ("
                    + total + " bytes; truncated?)");
        }
        return pre + hlen;
    }

    /**
     * Parses the header.
     *
     * @param head the first {@code headerEnd} bytes
     * @param headerEnd as returned by {@link #headerEnd}
     * @param total the length of the whole {@code .npy} stream
     */
    static Header parse(Path path, String where, MemorySegment head, long headerEnd, long total) {
        int major = head.get(ValueLayout.JAVA_BYTE, 6);
        int pre = major == 1 ? 10 : 12;
        byte[] text = head.asSlice(pre, headerEnd - pre).toArray(ValueLayout.JAVA_BYTE);
        String s = new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Object v;
        try {
            v = PyLiteral.parse(s);
        } catch (PyLiteral.SyntaxError e) {
            throw new TensorFileException(path, where + "invalid .npy header: " + e.getMessage());
        }
        if (!(v instanceof Map<?, ?> dict)) {
            throw new TensorFileException(path, where + ".npy header is not a dict");
        }
        for (String key : List.of("descr", "fortran_order", "shape")) {
            if (!dict.containsKey(key)) {
                throw new TensorFileException(path, where + ".npy header has no '" + key + "'");
            }
        }
        for (Object key : dict.keySet()) {
            if (!Set.of("descr", "fortran_order", "shape").contains(key)) {
                throw new TensorFileException(path, where + ".npy header has the unexpected key " + key);
            }
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new TensorFileException(path, where + ".npy header: 'fortran_order' is not True or False");
        }
        if (!(dict.get("shape") instanceof List<?> dims)) {
            throw new TensorFileException(path, where + ".npy header: 'shape' is not a tuple");
        }
        long[] shape = new long[dims.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof BigInteger d)) {
                throw new TensorFileException(path, where + ".npy header: 'shape' holds " + dims.get(i) + ", not an integer");
            }
            if (d.signum() < 0) {
                throw new TensorFileException(path, where + ".npy header: 'shape' holds the negative number " + d);
            }
            if (d.bitLength() > 63) {
                throw new TensorFileException(path, where + ".npy header: 'shape' holds " + d + ", too large");
            }
            shape[i] = d.longValue();
        }
        for (long d : shape) {
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw new TensorFileException(path, where + ".npy shape " + Arrays.toString(shape) + " is too large");
            }
        }
        if (fortran && shape.length > 1) {
            throw new TensorFileException(path, where + "fortran_order is True; only C-order arrays are supported"
                    + " (save with np.ascontiguousarray)");
        }
        Object d = dict.get("descr");
        String descr = d instanceof String str ? str : String.valueOf(d);
        DType dtype = null;
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        long itemSize = -1;
        Matcher m = d instanceof String ? TYPESTR.matcher(descr) : null;
        if (m != null && m.matches()) {
            String kind = m.group(2);
            long n;
            try {
                n = Long.parseLong(m.group(3));
            } catch (NumberFormatException e) {
                n = -1;
            }
            itemSize = n < 0 ? -1 : kind.equals("U") ? n * 4 : n;
            boolean big = m.group(1).equals(">")
                    || (m.group(1).equals("=") && ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN);
            order = big ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            if (kind.equals("f") && m.group(4) == null && !m.group(1).equals("|")) {
                dtype = switch ((int) n) {
                    case 2 -> DType.F16;
                    case 4 -> DType.F32;
                    case 8 -> DType.F64;
                    default -> null;
                };
            }
        }
        long avail = total - headerEnd;
        long dataBytes;
        if (itemSize < 0) {
            dataBytes = avail; // element size unknown (object or structured array): cannot check
        } else {
            try {
                dataBytes = Math.multiplyExact(count, itemSize);
            } catch (ArithmeticException e) {
                throw new TensorFileException(path, where + ".npy shape " + Arrays.toString(shape) + " is too large");
            }
            if (dataBytes > avail) {
                throw new TensorFileException(path, where + "truncated data: shape " + Arrays.toString(shape) + " of "
                        + descr + " needs " + dataBytes + " bytes but " + avail + " follow the header");
            }
        }
        return new Header(headerEnd, dtype, descr, order, shape, dataBytes);
    }
}
