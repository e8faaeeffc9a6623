package dev.headroom.sense.host;

import static dev.headroom.fuzz.Mutations.mutate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headroom.fuzz.Fuzz;
import dev.headroom.fuzz.Mutations;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Mutated and generated {@code /proc/meminfo}: MemTotal is {@code -1} or whole KiB, and parses back when well formed. */
class MemInfoFuzzTest {

    private static final Fuzz.Tally TALLY = new Fuzz.Tally("meminfo");
    private static final String MEMINFO = Mutations.resource("/process/host/meminfo");

    @AfterAll
    static void summary() {
        TALLY.print();
    }

    @Test
    void mutatedMeminfoGivesMinusOneOrWholeKibibytes() {
        Fuzz.run(TALLY, "meminfo mutated", 100_000, r -> r.nextInt(5) == 0
                ? Mutations.randomKeyValues(r, List.of("MemTotal", "MemFree", "SwapTotal"), ":   ", " kB")
                : mutate(MEMINFO, r), text -> {
                    long total = MemInfo.memTotalBytes(text);
                    assertTrue(total == -1 || (total >= 0 && total % 1024 == 0), "MemTotal " + total);
                });
    }

    @Test
    void wellFormedMemTotalParsesBack() {
        Fuzz.run(TALLY, "meminfo generated", 50_000, r -> r.nextBoolean() ? r.nextLong(1L << 36) : r.nextLong(1L << 49),
                kib -> "MemTotal: " + kib + " kB", kib -> {
                    String text = MEMINFO.replaceFirst("MemTotal: +[0-9]+ kB", "MemTotal:       " + kib + " kB");
                    assertEquals(kib * 1024, MemInfo.memTotalBytes(text));
                });
    }
}
