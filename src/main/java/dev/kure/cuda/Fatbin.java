package dev.kure.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the entry list of a CUDA fatbin from its header (what {@code cuobjdump --list-elf/--list-ptx}
 * shows; native/list-fatbin.py is the same reader in Python). Little-endian: header {u32 magic
 * 0xBA55ED50, u16 version, u16 header size, u64 body size}; then entries {u16 kind (1 PTX, 2 ELF),
 * u16 version, u32 entry header size, u32 padded payload size, ..., u32 arch at byte 28}.
 */
final class Fatbin {
    private Fatbin() {}

    static final int MAGIC = 0xBA55ED50;

    /** Entry names, e.g. "sm_90" (SASS) and "compute_121" (PTX), in file order. */
    static List<String> entries(byte[] fatbin) {
        ByteBuffer b = ByteBuffer.wrap(fatbin).order(ByteOrder.LITTLE_ENDIAN);
        if (fatbin.length < 16 || b.getInt(0) != MAGIC) {
            throw new IllegalArgumentException("not a CUDA fatbin (magic 0x"
                    + (fatbin.length < 4 ? "?" : Integer.toHexString(b.getInt(0))) + ")");
        }
        int headerSize = Short.toUnsignedInt(b.getShort(6));
        long body = b.getLong(8);
        long end = Math.min(fatbin.length, headerSize + body);
        List<String> out = new ArrayList<>();
        long off = headerSize;
        while (off + 32 <= end) {
            int o = (int) off;
            int kind = Short.toUnsignedInt(b.getShort(o));
            long entryHeader = Integer.toUnsignedLong(b.getInt(o + 4));
            long padded = Integer.toUnsignedLong(b.getInt(o + 8));
            int arch = b.getInt(o + 28);
            out.add((kind == 1 ? "compute_" : "sm_") + arch);
            if (entryHeader == 0) {
                break;
            }
            off += entryHeader + padded;
        }
        return out;
    }
}
