package dev.kure.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MinimizerTest {
    @Test
    void brentFindsTheMinimumOfAQuartic() {
        Minimum m = Minimizer.brent(x -> Math.pow(x - 1.234567, 2) * (1 + x * x) + 3.0, -5, 7, 1e-10);
        assertEquals(1.234567, m.x(), 1e-7);
        assertEquals(3.0, m.value(), 1e-13);
    }

    @Test
    void brentFindsANonSmoothMinimum() {
        Minimum m = Minimizer.brent(x -> Math.abs(x - 0.3), 0, 1, 1e-12);
        assertEquals(0.3, m.x(), 1e-10);
    }

    @Test
    void scanFindsTheGlobalOfSeveralMinima() {
        // local minima near 1 and 3; the global one near 3 (the -0.1x tilt)
        Minimum m = Minimizer.scanThenBrent(x -> Math.cos(Math.PI * x) - 0.1 * x, 0, 4, 41, 1e-10);
        double expected = 3.0 + Math.asin(0.1 / Math.PI) / Math.PI;
        assertEquals(expected, m.x(), 1e-6);
        assertEquals(-1.0 - 0.1 * 3.0, m.value(), 0.01);
    }

    @Test
    void badArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Minimizer.brent(x -> x, 1, 1, 1e-8));
        assertTrue(e.getMessage().contains("hi") && e.getMessage().contains("1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Minimizer.brent(x -> x, 0, 1, 0));
        assertTrue(e.getMessage().contains("relTol") && e.getMessage().contains("0.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Minimizer.scanThenBrent(x -> x, 0, 1, 2, 1e-8));
        assertTrue(e.getMessage().contains("points") && e.getMessage().contains("2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Minimizer.brent(x -> x, Double.NaN, 1, 1e-8));
        assertTrue(e.getMessage().contains("lo") && e.getMessage().contains("NaN"), e.getMessage());
    }
}
