package dev.kure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kure.spi.Philox;
import org.junit.jupiter.api.Test;

/** Philox4x32-10 against the Random123 known-answer vectors, and the element mapping. */
class PhiloxTest {
    @Test
    void knownAnswers() {
        int[] c = {0, 0, 0, 0};
        Philox.block(c, 0, 0);
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, c);
        int[] d = {-1, -1, -1, -1};
        Philox.block(d, -1, -1);
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, d);
        int[] e = {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344};
        Philox.block(e, 0xa4093822, 0x299f31d0);
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}, e);
    }

    @Test
    void elementMappingUsesWordEAnd3OfBlockEOver4() {
        long seed = 0x1234_5678_9abc_def0L;
        for (long e : new long[] {0, 1, 2, 3, 4, 5, 1L << 34, (1L << 36) + 7}) {
            int[] c = {(int) (e >>> 2), (int) (e >>> 34), 0, 0};
            Philox.block(c, (int) seed, (int) (seed >>> 32));
            assertEquals(c[(int) (e & 3)], Philox.bits(seed, e), "element " + e);
        }
        assertEquals(0x6627e8d5 >>> 8, (int) (Philox.uniform(0, 0) * (1 << 24)));
    }
}
