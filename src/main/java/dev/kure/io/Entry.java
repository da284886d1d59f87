package dev.kure.io;

import java.nio.ByteOrder;

/**
 * One tensor as a reader found it: its public description plus what is needed to fetch the bytes.
 *
 * @param info the public description
 * @param order byte order of the stored elements
 * @param zipped for a deflated {@code .npz} member, where its compressed bytes are; {@code null}
 *     when the data is mapped at {@code info.offset()}
 * @param dataInMember for a deflated member, the offset of the data within the inflated member
 * @param stored for a stored (uncompressed) {@code .npz} member, the mapped bytes its CRC-32 covers;
 *     {@code null} otherwise
 */
record Entry(TensorInfo info, ByteOrder order, Deflated zipped, long dataInMember, Stored stored) {

    /** An entry without a zip member (safetensors, a plain {@code .npy}). */
    Entry(TensorInfo info, ByteOrder order) {
        this(info, order, null, 0, null);
    }

    /**
     * A stored zip member: its whole {@code .npy} bytes (header and data) and their declared CRC-32.
     *
     * @param offset file offset of the member's first byte
     * @param size its length
     * @param crc the CRC-32 the central directory declares
     */
    record Stored(long offset, long size, int crc) {
    }

    /**
     * A deflated zip member.
     *
     * @param compressedOffset file offset of the compressed bytes
     * @param compressedSize their length
     * @param size the inflated length declared by the central directory
     * @param crc the declared CRC-32 of the inflated bytes
     */
    record Deflated(long compressedOffset, long compressedSize, long size, int crc) {
    }

    static String quote(String name) {
        StringBuilder b = new StringBuilder(name.length() + 2).append('\'');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('\'').toString();
    }
}
