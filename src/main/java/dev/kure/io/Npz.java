package dev.kure.io;

import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.DataFormatException;

/**
 * Reading a NumPy {@code .npz} archive: a zip of {@code .npy} members, stored or deflated, with
 * zip64 records for large archives. The central directory is authoritative (it gives the sizes even
 * when a member was written with a data descriptor). Members whose names do not end in {@code .npy}
 * are not tensors and are skipped.
 */
final class Npz {
    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CEN_SIG = 0x02014b50;
    private static final int LOC_SIG = 0x04034b50;
    /** Deflate cannot expand data by more than about 1032:1. */
    private static final long MAX_RATIO = 1032;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Npz() {
    }

    static List<Entry> read(Path path, MemorySegment file) {
        long size = file.byteSize();
        long eocd = findEocd(file);
        if (eocd < 0) {
            throw new TensorFileException(path, "not a zip archive, or truncated (no end-of-central-directory record)");
        }
        int disk = u16(file, eocd + 4);
        int cdDisk = u16(file, eocd + 6);
        long total = u16(file, eocd + 10);
        long cdSize = u32(file, eocd + 12);
        long cdOffset = u32(file, eocd + 16);
        long cdLimit = eocd;
        if (total == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
            long loc = eocd - 20;
            if (loc < 0 || file.get(U32, loc) != ZIP64_LOCATOR_SIG) {
                throw new TensorFileException(path, "corrupt zip: zip64 end-of-central-directory locator missing");
            }
            long z = file.get(U64, loc + 8);
            if (z < 0 || z > loc - 56 || file.get(U32, z) != ZIP64_EOCD_SIG) {
                throw new TensorFileException(path, "corrupt zip: zip64 end-of-central-directory record missing");
            }
            disk = file.get(U32, z + 16);
            cdDisk = file.get(U32, z + 20);
            total = file.get(U64, z + 32);
            cdSize = file.get(U64, z + 40);
            cdOffset = file.get(U64, z + 48);
            cdLimit = z;
        }
        if (disk != 0 || cdDisk != 0) {
            throw new TensorFileException(path, "multi-part zip archives are not supported");
        }
        if (cdOffset < 0 || cdSize < 0 || total < 0 || cdOffset > cdLimit || cdSize > cdLimit - cdOffset) {
            throw new TensorFileException(path, "corrupt zip: central directory [" + cdOffset + ", +" + cdSize
                    + "] lies outside the file (truncated?)");
        }
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        long p = cdOffset;
        long cdEnd = cdOffset + cdSize;
        for (long i = 0; i < total; i++) {
            if (p + 46 > cdEnd || file.get(U32, p) != CEN_SIG) {
                throw new TensorFileException(path, "corrupt zip: central directory entry " + i + " is damaged");
            }
            int flags = u16(file, p + 8);
            int method = u16(file, p + 10);
            int crc = file.get(U32, p + 16);
            long csize = u32(file, p + 20);
            long usize = u32(file, p + 24);
            int nameLen = u16(file, p + 28);
            int extraLen = u16(file, p + 30);
            int commentLen = u16(file, p + 32);
            long local = u32(file, p + 42);
            if (p + 46 + nameLen + extraLen + commentLen > cdEnd) {
                throw new TensorFileException(path, "corrupt zip: central directory entry " + i + " is damaged");
            }
            byte[] nameBytes = file.asSlice(p + 46, nameLen).toArray(ValueLayout.JAVA_BYTE);
            String member = new String(nameBytes, (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            // zip64 extended information: the 8-byte values replace the 0xFFFFFFFF fields, in order.
            long x = p + 46 + nameLen;
            long xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = u16(file, x);
                int len = u16(file, x + 2);
                if (id == 0x0001) {
                    long q = x + 4;
                    long qEnd = Math.min(q + len, xEnd);
                    if (usize == 0xFFFFFFFFL && q + 8 <= qEnd) {
                        usize = file.get(U64, q);
                        q += 8;
                    }
                    if (csize == 0xFFFFFFFFL && q + 8 <= qEnd) {
                        csize = file.get(U64, q);
                        q += 8;
                    }
                    if (local == 0xFFFFFFFFL && q + 8 <= qEnd) {
                        local = file.get(U64, q);
                    }
                }
                x += 4 + len;
            }
            p += 46 + nameLen + extraLen + commentLen;
            if (member.endsWith("/") || !member.endsWith(".npy")) {
                continue; // a directory or a file that is not an array
            }
            String where = "member " + Entry.quote(member) + ": ";
            String name = member.substring(0, member.length() - 4);
            if (!names.add(name)) {
                throw new TensorFileException(path, where + "appears twice");
            }
            if ((flags & 1) != 0) {
                throw new TensorFileException(path, where + "is encrypted");
            }
            if (method != 0 && method != 8) {
                throw new TensorFileException(path, where + "uses zip compression method " + method
                        + " (only stored and deflated are supported)");
            }
            if (csize < 0 || usize < 0 || local < 0 || local > size - 30 || file.get(U32, local) != LOC_SIG) {
                throw new TensorFileException(path, where + "local header is missing or damaged");
            }
            long data = local + 30 + u16(file, local + 26) + u16(file, local + 28);
            if (data > size || csize > size - data) {
                throw new TensorFileException(path, where + "data runs past the end of the file (truncated?)");
            }
            if (method == 0) {
                if (csize != usize) {
                    throw new TensorFileException(path, where + "stored member's sizes disagree (" + csize + " vs " + usize + ")");
                }
                MemorySegment npy = file.asSlice(data, usize);
                long headerEnd = Npy.headerEnd(path, where, npy, usize);
                Npy.Header h = Npy.parse(path, where, npy, headerEnd, usize);
                TensorInfo info = new TensorInfo(name, h.dtype(), h.descr(), h.shape(), data + headerEnd, h.dataBytes());
                entries.add(new Entry(info, h.order(), null, 0, new Entry.Stored(data, usize, crc)));
            } else {
                if (usize > csize * MAX_RATIO + 1024) {
                    throw new TensorFileException(path, where + "declared size " + usize
                            + " is impossible for " + csize + " bytes of deflate data");
                }
                Entry.Deflated z = new Entry.Deflated(data, csize, usize, crc);
                Npy.Header h = deflatedHeader(path, where, file.asSlice(data, csize), usize);
                TensorInfo info = new TensorInfo(name, h.dtype(), h.descr(), h.shape(), -1, h.dataBytes());
                entries.add(new Entry(info, h.order(), z, h.dataOffset(), null));
            }
        }
        return List.copyOf(entries);
    }

    /** Inflates just enough of a member to parse its {@code .npy} header. */
    private static Npy.Header deflatedHeader(Path path, String where, MemorySegment compressed, long usize) {
        try (Inflate in = new Inflate(compressed)) {
            int pre = (int) Math.min(usize, Npy.PREAMBLE);
            MemorySegment start = MemorySegment.ofArray(new byte[pre]);
            in.readFully(start);
            long headerEnd = Npy.headerEnd(path, where, start, usize);
            byte[] head = new byte[(int) headerEnd];
            MemorySegment headSeg = MemorySegment.ofArray(head);
            MemorySegment.copy(start, 0, headSeg, 0, Math.min(pre, headerEnd));
            if (headerEnd > pre) {
                in.readFully(headSeg.asSlice(pre));
            }
            return Npy.parse(path, where, headSeg, headerEnd, usize);
        } catch (EOFException | DataFormatException e) {
            throw new TensorFileException(path, where + "corrupt deflate data (" + e.getMessage() + ")");
        }
    }

    /** Position of the end-of-central-directory record, or -1. */
    private static long findEocd(MemorySegment file) {
        long size = file.byteSize();
        long lowest = Math.max(0, size - 22 - 0xFFFF);
        long fallback = -1;
        for (long p = size - 22; p >= lowest; p--) {
            if (file.get(U32, p) == EOCD_SIG) {
                if (p + 22 + u16(file, p + 20) == size) {
                    return p;
                }
                if (fallback < 0) {
                    fallback = p;
                }
            }
        }
        return fallback;
    }

    private static int u16(MemorySegment s, long off) {
        return Short.toUnsignedInt(s.get(U16, off));
    }

    private static long u32(MemorySegment s, long off) {
        return Integer.toUnsignedLong(s.get(U32, off));
    }
}
