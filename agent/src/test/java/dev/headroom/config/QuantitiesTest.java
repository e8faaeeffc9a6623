package dev.headroom.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class QuantitiesTest {

    @Test
    void durationsTakeTheirUnits() {
        assertEquals(500, Quantities.parseDurationMillis("500ms"));
        assertEquals(1000, Quantities.parseDurationMillis("1s"));
        assertEquals(1500, Quantities.parseDurationMillis("1.5s"));
        assertEquals(300_000, Quantities.parseDurationMillis("5m"));
        assertEquals(7_200_000, Quantities.parseDurationMillis("2h"));
        assertEquals(86_400_000, Quantities.parseDurationMillis("1d"));
        assertEquals(1000, Quantities.parseDurationMillis(" 1S "));
    }

    @Test
    void durationsWithoutOrWithUnknownUnitsAreRefused() {
        assertThrows(NumberFormatException.class, () -> Quantities.parseDurationMillis("10"));
        assertThrows(NumberFormatException.class, () -> Quantities.parseDurationMillis("10y"));
        assertThrows(NumberFormatException.class, () -> Quantities.parseDurationMillis("s"));
        assertThrows(NumberFormatException.class, () -> Quantities.parseDurationMillis(""));
        assertThrows(NumberFormatException.class, () -> Quantities.parseDurationMillis("1.2.3s"));
    }

    @Test
    void sizesUseBinaryUnits() {
        assertEquals(314_572_800L, Quantities.parseBytes("300m"));
        assertEquals(314_572_800L, Quantities.parseBytes("300MiB"));
        assertEquals(314_572_800L, Quantities.parseBytes("300MB"));
        assertEquals(2L << 30, Quantities.parseBytes("2g"));
        assertEquals(1024, Quantities.parseBytes("1k"));
        assertEquals(12345, Quantities.parseBytes("12345"));
        assertEquals(1L << 40, Quantities.parseBytes("1t"));
    }

    @Test
    void malformedSizesAreRefused() {
        assertThrows(NumberFormatException.class, () -> Quantities.parseBytes("m"));
        assertThrows(NumberFormatException.class, () -> Quantities.parseBytes("12q"));
        assertThrows(NumberFormatException.class, () -> Quantities.parseBytes("-5m"));
        assertThrows(NumberFormatException.class, () -> Quantities.parseBytes("99999999999t"));
    }
}
