package dev.headroom.report;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BytesTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void sizesUseTheLargestBinaryUnitWithOneDecimal() {
        assertEquals("512 B", Bytes.human(512));
        assertEquals("0 B", Bytes.human(0));
        assertEquals("1.5 KiB", Bytes.human(1536));
        assertEquals("300.0 MiB", Bytes.human(300 * MIB));
        assertEquals("443.5 MiB", Bytes.human(465_055_744L));
        assertEquals("1.2 GiB", Bytes.human(1_288_490_189L)); // 1.2 x 2^30
        assertEquals("2.0 TiB", Bytes.human(2L * 1024 * 1024 * MIB));
    }

    @Test
    void minusOneIsUnknownButOtherNegativesAreCorrections() {
        assertEquals("unknown", Bytes.human(-1));
        assertEquals("-21.5 MiB", Bytes.human(-22_544_384L));
    }

    @Test
    void mibColumnHasOneDecimalAndNoUnit() {
        assertEquals("300.0", Bytes.mib(300 * MIB));
        assertEquals("19.5", Bytes.mib(20_447_232L));
        assertEquals("-21.5", Bytes.mib(-22_544_384L));
        assertEquals("0.0", Bytes.mib(12 * 1024));
        assertEquals("-0.0", Bytes.mib(-1));
    }
}
