package dev.headroom.forecast;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RobustSlopeTest {

    @Test
    void medianAgreesWithSortingForOddAndEvenLengths() {
        Random random = new Random(42);
        for (int round = 0; round < 500; round++) {
            int n = 1 + random.nextInt(60);
            double[] a = new double[n];
            for (int i = 0; i < n; i++) {
                a[i] = random.nextInt(20) - 10; // many ties, as flat series give
            }
            double[] sorted = a.clone();
            Arrays.sort(sorted);
            double expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            assertEquals(expected, RobustSlope.median(a, n), "round " + round);
        }
    }

    @Test
    void theilSenIgnoresASpikeThatLeastSquaresWouldFollow() {
        double[] t = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        double[] y = new double[10];
        for (int i = 0; i < 10; i++) {
            y[i] = 100 + 3 * i;
        }
        y[8] = 500;
        assertEquals(3, RobustSlope.theilSen(t, y, 10, new double[45]), 1e-9);
    }

    @Test
    void kendallTauIsOneForSteadyGrowthAndZeroForAFlatLine() {
        double[] t = {0, 1, 2, 3};
        assertEquals(1, RobustSlope.kendallTau(t, new double[] {1, 2, 3, 4}, 4));
        assertEquals(0, RobustSlope.kendallTau(t, new double[] {5, 5, 5, 5}, 4));
    }

    @Test
    void aLoneJumpIsOneRiseSteadyGrowthIsMany() {
        double[] t = {0, 1, 2, 3, 4};
        assertEquals(1, RobustSlope.rises(t, new double[] {10, 10.2, 10.1, 10.3, 60}, 5, 0.25 * 5));
        assertEquals(4, RobustSlope.rises(t, new double[] {10, 15, 20, 25, 30}, 5, 0.25 * 5));
    }
}
