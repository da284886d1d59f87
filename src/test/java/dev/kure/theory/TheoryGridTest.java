package dev.kure.theory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TheoryGridTest {
    @Test
    void levelSetsAtTwoBits() {
        assertArrayEquals(new double[] {-1.0, -0.5, 0.0, 0.5, 1.0}, TheoryGrid.PAPER.levels(2, 0.5));
        assertArrayEquals(new double[] {-0.5, 0.0, 0.5}, TheoryGrid.SIGNED_NARROW.levels(2, 0.5));
        assertArrayEquals(new double[] {-0.75, -0.25, 0.25, 0.75}, TheoryGrid.MIDRISE.levels(2, 0.5));
    }

    @Test
    void levelCounts() {
        for (int b = 1; b <= 16; b++) {
            assertEquals((1 << b) + 1, TheoryGrid.PAPER.levelCount(b));
            assertEquals((1 << b) - 1, TheoryGrid.SIGNED_NARROW.levelCount(b));
            assertEquals(1 << b, TheoryGrid.MIDRISE.levelCount(b));
            for (TheoryGrid g : TheoryGrid.values()) {
                assertEquals(g.levelCount(b), g.levels(b, 0.1).length);
            }
        }
        assertEquals(8 * 0.25, TheoryGrid.PAPER.outermostLevel(4, 0.25));
        assertEquals(7 * 0.25, TheoryGrid.SIGNED_NARROW.outermostLevel(4, 0.25));
        assertEquals(7.5 * 0.25, TheoryGrid.MIDRISE.outermostLevel(4, 0.25));
    }

    @Test
    void quantizeIsNearestLevelWithSaturation() {
        for (TheoryGrid g : TheoryGrid.values()) {
            double[] levels = g.levels(3, 0.3);
            for (double x = -2.0; x <= 2.0; x += 0.0137) {
                double q = g.quantize(x, 3, 0.3);
                double best = Double.POSITIVE_INFINITY;
                for (double l : levels) {
                    best = Math.min(best, Math.abs(x - l));
                }
                assertEquals(best, Math.abs(x - q), 1e-12, g + " at " + x);
            }
        }
        assertEquals(1.0, TheoryGrid.PAPER.quantize(1e9, 2, 0.5));
        assertEquals(-0.75, TheoryGrid.MIDRISE.quantize(Double.NEGATIVE_INFINITY, 2, 0.5));
        assertEquals(0.5, TheoryGrid.SIGNED_NARROW.quantize(Double.POSITIVE_INFINITY, 2, 0.5));
        assertTrue(Double.isNaN(TheoryGrid.PAPER.quantize(Double.NaN, 2, 0.5)));
        assertEquals(0.0, TheoryGrid.PAPER.quantize(0.25, 2, 0.5));     // tie to the even multiple
        assertEquals(0.25, TheoryGrid.MIDRISE.quantize(0.0, 2, 0.5));   // tie upward on MIDRISE
    }
}
