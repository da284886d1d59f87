package dev.kure.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading the safetensors header, and the dtype table shared with the writer. */
final class Safetensors {
    /** The largest header accepted: 100 MB, as the reference implementation allows. */
    static final long MAX_HEADER = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    private Safetensors() {
    }

    /**
     * Size of one element in bits for every dtype the safetensors format defines, or -1 for a name
     * it does not define.
     */
    static int bits(String dtype) {
        return switch (dtype) {
            case "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0" -> 8;
            case "F4" -> 4;
            case "F6_E2M3", "F6_E3M2" -> 6;
            case "I16", "U16", "F16", "BF16" -> 16;
            case "I32", "U32", "F32" -> 32;
            case "I64", "U64", "F64", "C64" -> 64;
            default -> -1;
        };
    }

    /** Byte length of {@code count} elements of {@code bits} bits, or -1 on overflow. */
    static long byteLength(long count, int bits) {
        try {
            long totalBits = Math.multiplyExact(count, (long) bits);
            return (totalBits + 7) / 8;
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    record Header(List<Entry> entries, Map<String, String> metadata) {
    }

    static Header read(Path path, MemorySegment file) {
        long size = file.byteSize();
        if (size < 8) {
            throw new TensorFileException(path, "file is " + size
                    + " bytes, shorter than the 8-byte safetensors header length");
        }
        long n = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 0 || n > MAX_HEADER) {
            throw new TensorFileException(path, "header length " + Long.toUnsignedString(n)
                    + " is larger than the " + MAX_HEADER / 1_000_000 + " MB limit (corrupt or not a safetensors file)");
        }
        if (8 + n > size) {
            throw new TensorFileException(path, "header length " + n + " runs past the end of the file ("
                    + size + " bytes; truncated?)");
        }
        byte[] bytes = file.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new TensorFileException(path, "header is not valid UTF-8");
        }
        Object root;
        try {
            root = Json.parse(text);
        } catch (Json.SyntaxError e) {
            throw new TensorFileException(path, "invalid JSON header: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new TensorFileException(path, "header is not a JSON object");
        }
        long dataStart = 8 + n;
        long dataLen = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        List<long[]> ranges = new ArrayList<>(); // {begin, end, index}
        for (Map.Entry<?, ?> kv : top.entrySet()) {
            String name = (String) kv.getKey();
            if (name.equals(METADATA_KEY)) {
                if (!(kv.getValue() instanceof Map<?, ?> meta)) {
                    throw new TensorFileException(path, "\"__metadata__\" is not a JSON object");
                }
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String v)) {
                        throw new TensorFileException(path, "\"__metadata__\" value for " + Entry.quote((String) m.getKey())
                                + " is not a string");
                    }
                    metadata.put((String) m.getKey(), v);
                }
                continue;
            }
            String where = "tensor " + Entry.quote(name);
            if (!(kv.getValue() instanceof Map<?, ?> t)) {
                throw new TensorFileException(path, where + ": entry is not a JSON object");
            }
            Object dt = require(path, where, t, "dtype");
            if (!(dt instanceof String dtype)) {
                throw new TensorFileException(path, where + ": \"dtype\" is not a string");
            }
            long[] shape = longs(path, where, "shape", require(path, where, t, "shape"), -1);
            long[] offs = longs(path, where, "data_offsets", require(path, where, t, "data_offsets"), 2);
            long begin = offs[0];
            long end = offs[1];
            if (begin > end) {
                throw new TensorFileException(path, where + ": data_offsets [" + begin + ", " + end
                        + "] begin after end");
            }
            int bits = bits(dtype);
            if (bits < 0) {
                throw new TensorFileException(path, where + ": unknown dtype \"" + dtype + "\"");
            }
            long count = 1;
            for (long d : shape) {
                try {
                    count = Math.multiplyExact(count, d);
                } catch (ArithmeticException e) {
                    throw new TensorFileException(path, where + ": shape " + Arrays.toString(shape) + " is too large");
                }
            }
            long need = byteLength(count, bits);
            if (need < 0) {
                throw new TensorFileException(path, where + ": shape " + Arrays.toString(shape) + " is too large");
            }
            if (need != end - begin) {
                throw new TensorFileException(path, where + ": shape " + Arrays.toString(shape) + " of " + dtype
                        + " needs " + need + " bytes but data_offsets [" + begin + ", " + end + "] span "
                        + (end - begin));
            }
            if (end > dataLen) {
                throw new TensorFileException(path, where + ": data_offsets [" + begin + ", " + end
                        + "] run past the end of the file (data section is " + dataLen + " bytes; truncated?)");
            }
            TensorInfo info = new TensorInfo(name, DType.fromSafetensors(dtype), dtype, shape, dataStart + begin, end - begin);
            ranges.add(new long[] {begin, end, entries.size()});
            entries.add(new Entry(info, ByteOrder.LITTLE_ENDIAN));
        }
        checkOverlaps(path, entries, ranges);
        checkCoverage(path, ranges, dataLen);
        return new Header(List.copyOf(entries), metadata);
    }

    /**
     * Rejects data bytes that no tensor covers (gaps, trailing bytes), as the safetensors reference
     * loader does (InvalidOffset, MetadataIncompleteBuffer): they are either a corrupt header or data
     * that a reader would silently drop. {@code ranges} is sorted and free of overlaps and empty ranges.
     */
    private static void checkCoverage(Path path, List<long[]> ranges, long dataLen) {
        long covered = 0;
        for (long[] r : ranges) {
            if (r[0] > covered) {
                throw new TensorFileException(path, "bytes [" + covered + ", " + r[0] + ") of the data section belong "
                        + "to no tensor (the safetensors format requires tensors to cover the data contiguously)");
            }
            covered = Math.max(covered, r[1]);
        }
        if (covered < dataLen) {
            throw new TensorFileException(path, (dataLen - covered) + " trailing byte" + (dataLen - covered == 1 ? "" : "s")
                    + " after the last tensor's data (the data section is " + dataLen + " bytes, tensors cover "
                    + covered + "; the safetensors format does not allow them)");
        }
    }

    private static void checkOverlaps(Path path, List<Entry> entries, List<long[]> ranges) {
        ranges.removeIf(r -> r[0] == r[1]); // empty tensors occupy no bytes
        ranges.sort(Comparator.<long[]>comparingLong(r -> r[0]).thenComparingLong(r -> r[1]));
        long[] prev = null;
        for (long[] r : ranges) {
            if (prev != null && r[0] < prev[1]) {
                throw new TensorFileException(path, "tensors " + Entry.quote(entries.get((int) prev[2]).info().name())
                        + " and " + Entry.quote(entries.get((int) r[2]).info().name()) + " overlap (data_offsets ["
                        + prev[0] + ", " + prev[1] + "] and [" + r[0] + ", " + r[1] + "])");
            }
            if (prev == null || r[1] > prev[1]) {
                prev = r;
            }
        }
    }

    private static Object require(Path path, String where, Map<?, ?> t, String key) {
        Object v = t.get(key);
        if (v == null) {
            throw new TensorFileException(path, where + ": missing \"" + key + "\"");
        }
        return v;
    }

    /** A JSON array of non-negative integers, of length {@code want} unless it is -1. */
    private static long[] longs(Path path, String where, String key, Object v, int want) {
        if (!(v instanceof List<?> list)) {
            throw new TensorFileException(path, where + ": \"" + key + "\" is not an array");
        }
        if (want >= 0 && list.size() != want) {
            throw new TensorFileException(path, where + ": \"" + key + "\" has " + list.size()
                    + " elements, expected " + want);
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object e = list.get(i);
            if (!(e instanceof Json.Num num) || !num.isInteger()) {
                throw new TensorFileException(path, where + ": \"" + key + "\" holds " + e + ", not an integer");
            }
            if (num.isNegative()) {
                throw new TensorFileException(path, where + ": \"" + key + "\" holds the negative number " + num);
            }
            try {
                out[i] = Long.parseLong(num.text());
            } catch (NumberFormatException ex) {
                throw new TensorFileException(path, where + ": \"" + key + "\" holds " + num + ", too large");
            }
        }
        return out;
    }
}
