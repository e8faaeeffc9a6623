package dev.headroom.act;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassHistogramTest {

    @TempDir
    Path tmp;

    static String fixture(String name) throws IOException {
        try (InputStream in = ClassHistogramTest.class.getResourceAsStream("/act/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void parsesTheTopRowsWithModulesAndTheTotal() throws IOException {
        ClassHistogram.Parsed p = ClassHistogram.parse(fixture("class_histogram_jdk17.txt"), 20);

        assertEquals(20, p.rows().size());
        assertEquals(new ClassHistogram.Row(1, 9670, 446800, "[B", "java.base@17.0.15"), p.rows().get(0));
        assertEquals(new ClassHistogram.Row(5, 5000, 80000, "Leak", ""), p.rows().get(4));
        assertEquals(new ClassHistogram.Row(20, p.rows().get(19).instances(), p.rows().get(19).bytes(),
                p.rows().get(19).className(), "java.base@17.0.15"), p.rows().get(19));
        assertEquals(45332, p.totalInstances());
        assertEquals(1857296, p.totalBytes());
    }

    @Test
    void skipsLinesThatAreNotRows() {
        ClassHistogram.Parsed p = ClassHistogram.parse("""
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:            10            160  a.B (app@1)
                   x:            10            160  not.A.Row
                   2:           ten            160  not.A.Row
                   3:            
                   4:             2             32  c.D$$Lambda$14/0x0000000800c0b2b0 (app@1)
                Total            12            192
                """, 20);

        assertEquals(List.of(new ClassHistogram.Row(1, 10, 160, "a.B", "app@1"),
                new ClassHistogram.Row(4, 2, 32, "c.D$$Lambda$14/0x0000000800c0b2b0", "app@1")), p.rows());
        assertEquals(192, p.totalBytes());
    }

    @Test
    void takesTheRealHistogramIntoAPrivateFile() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        ClassHistogram histogram = new ClassHistogram(new EvidenceDirectory(tmp), 3);

        ClassHistogram.Result r = histogram.take(ClassHistogram.DEFAULT_LIVE);

        assertEquals(EvidenceStatus.DONE, r.status(), r.reason());
        assertEquals(tmp.resolve(EvidenceDirectory.PRIVATE_SUBDIRECTORY), r.path().getParent());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.path())));
        assertTrue(Files.readString(r.path()).startsWith(" num     #instances         #bytes  class name"));
        assertEquals(ClassHistogram.TOP_ROWS, r.top().size());
        assertEquals(1, r.top().get(0).rank());
        assertTrue(r.top().get(0).bytes() >= r.top().get(1).bytes());
        assertTrue(r.totalBytes() >= r.top().get(0).bytes());
        assertTrue(r.totalInstances() > 0);
    }

    @Test
    void aFailingCommandIsAResultNotAnException() {
        DiagnosticCommands broken = new DiagnosticCommands() {
            @Override
            public boolean has(String operation) {
                return true;
            }

            @Override
            public String run(String operation, String... arguments) throws Exception {
                throw new javax.management.MBeanException(new Exception("boom"));
            }
        };
        ClassHistogram histogram = new ClassHistogram(new EvidenceDirectory(tmp), 3, broken, () -> 0, 1, () -> "abcdef");

        ClassHistogram.Result r = histogram.take(true);

        assertEquals(EvidenceStatus.FAILED, r.status());
        assertTrue(r.reason().startsWith("GC.class_histogram failed"), r.reason());
        assertFalse(r.top().iterator().hasNext());
    }
}
