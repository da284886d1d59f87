package dev.kure.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpecialFunctionsTest {
    /** x, erf(x), erfc(x): reference values computed with mpmath at 40 digits. */
    private static final double[][] ERF = {
        {1e-300, 1.1283791670955125739e-300, 1.0},
        {1e-10, 1.1283791670955125739e-10, 0.99999999988716208329},
        {0.001, 0.0011283787909692363799, 0.99887162120903076362},
        {0.1, 0.1124629160182848922, 0.8875370839817151078},
        {0.3, 0.32862675945912742764, 0.67137324054087257236},
        {0.5, 0.52049987781304653768, 0.47950012218695346232},
        {0.75, 0.7111556336535151316, 0.2888443663464848684},
        {1.0, 0.84270079294971486934, 0.15729920705028513066},
        {1.5, 0.96610514647531072707, 0.033894853524689272933},
        {2.0, 0.99532226501895273416, 0.0046777349810472658379},
        {2.5, 0.99959304798255504106, 0.00040695201744495893956},
        {3.0, 0.99997790950300141456, 0.000022090496998585441373},
        {4.0, 0.99999998458274209972, 1.5417257900280018852e-8},
        {5.0, 0.99999999999846254021, 1.5374597944280348502e-12},
        {6.0, 0.99999999999999997848, 2.1519736712498913117e-17},
        {8.0, 1.0, 1.122429717298292708e-29},
        {10.0, 1.0, 2.088487583762544757e-45},
        {15.0, 1.0, 7.2129941724512066666e-100},
        {26.0, 1.0, 5.6631924088561428465e-296},
    };

    /** z, Φ(z), φ(z) (mpmath). */
    private static final double[][] NORMAL = {
        {-10, 7.619853024160526066e-24, 7.6945986267064193463e-23},
        {-5, 2.8665157187919391167e-7, 1.4867195147342977079e-6},
        {-2, 0.0227501319481792072, 0.053990966513188051951},
        {-1, 0.15865525393145705141, 0.2419707245191433498},
        {0, 0.5, 0.39894228040143267794},
        {1, 0.84134474606854294859, 0.2419707245191433498},
        {3, 0.99865010196836990547, 0.0044318484119380071756},
    };

    private static void assertRelative(double expected, double actual, double rel, String what) {
        double err = Math.abs(actual - expected) / Math.abs(expected);
        assertTrue(err <= rel, what + ": expected " + expected + ", got " + actual + " (rel err " + err + ")");
    }

    @Test
    void erfAndErfcMatchReferenceToAboutOneUlp() {
        for (double[] row : ERF) {
            assertRelative(row[1], SpecialFunctions.erf(row[0]), 2e-15, "erf(" + row[0] + ")");
            assertRelative(-row[1], SpecialFunctions.erf(-row[0]), 2e-15, "erf(-" + row[0] + ")");
            assertRelative(row[2], SpecialFunctions.erfc(row[0]), 3e-15, "erfc(" + row[0] + ")");
            assertRelative(2.0 - row[2], SpecialFunctions.erfc(-row[0]), 2e-15, "erfc(-" + row[0] + ")");
        }
    }

    @Test
    void specialValues() {
        assertEquals(0.0, SpecialFunctions.erf(0.0));
        assertEquals(1.0, SpecialFunctions.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, SpecialFunctions.erf(Double.NEGATIVE_INFINITY));
        assertEquals(0.0, SpecialFunctions.erfc(Double.POSITIVE_INFINITY));
        assertEquals(2.0, SpecialFunctions.erfc(Double.NEGATIVE_INFINITY));
        assertEquals(0.0, SpecialFunctions.erfc(40.0));
        assertTrue(Double.isNaN(SpecialFunctions.erf(Double.NaN)));
        assertTrue(Double.isNaN(SpecialFunctions.erfc(Double.NaN)));
        assertTrue(Double.isNaN(SpecialFunctions.normalPdf(Double.NaN)));
        assertTrue(Double.isNaN(SpecialFunctions.normalCdf(Double.NaN)));
        assertEquals(0.0, SpecialFunctions.normalPdf(Double.NEGATIVE_INFINITY));
        assertEquals(0.0, SpecialFunctions.normalCdf(Double.NEGATIVE_INFINITY));
        assertEquals(1.0, SpecialFunctions.normalCdf(Double.POSITIVE_INFINITY));
    }

    @Test
    void normalPdfCdfAndSurvival() {
        for (double[] row : NORMAL) {
            assertRelative(row[1], SpecialFunctions.normalCdf(row[0]), 5e-14, "Phi(" + row[0] + ")");
            assertRelative(row[1], SpecialFunctions.normalSf(-row[0]), 5e-14, "Q(" + -row[0] + ")");
            assertRelative(row[2], SpecialFunctions.normalPdf(row[0]), 2e-15, "phi(" + row[0] + ")");
        }
    }

    @Test
    void erfIsMonotoneAcrossTheMethodSwitch() {
        double previous = SpecialFunctions.erf(0.99);
        for (double x = 0.99 + 1e-4; x < 1.01; x += 1e-4) {
            double v = SpecialFunctions.erf(x);
            assertTrue(v > previous, "erf not increasing at " + x);
            previous = v;
        }
        assertRelative(SpecialFunctions.erf(Math.nextDown(1.0)), SpecialFunctions.erf(1.0), 1e-15, "erf at 1");
    }
}
