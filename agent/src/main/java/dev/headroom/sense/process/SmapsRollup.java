package dev.headroom.sense.process;

/**
 * Parser of {@code /proc/<pid>/smaps_rollup} (Linux 4.14+): the sums of {@code smaps} over all mappings.
 * Pure: give it the file's text.
 *
 * <p>Used only when {@code status} lacks {@code RssAnon}. {@code Anonymous} counts the same pages as
 * {@code RssAnon}. Shared memory has no {@code Rss} line here, only {@code Pss_Shmem} (Linux 5.8+), which is
 * at most the resident shmem (shared pages are divided among their sharers); it stands in for {@code RssShmem},
 * and the file part is what is left of {@code Rss}. Without {@code Pss_Shmem}, shmem stays unknown and is
 * counted in the file part, as the kernel itself counts tmpfs pages as file pages.
 */
public final class SmapsRollup {

    private SmapsRollup() {
    }

    /**
     * The resident memory of a smaps_rollup text; {@code vmSizeBytes} and {@code threads} are not in this file and
     * are {@code -1}. Malformed lines are skipped (the first line, the {@code [rollup]} mapping header, is not a
     * key-value line and is skipped as well).
     */
    public static ProcessMemory parse(CharSequence rollupText) {
        CharSequence text = rollupText;
        long rss = -1;
        long anonymous = -1;
        long pssShmem = -1;
        long swap = -1;
        int n = text.length();
        int pos = 0;
        while (pos < n) {
            int eol = ProcLines.lineEnd(text, pos);
            int colon = ProcLines.colon(text, pos, eol);
            if (colon > pos) {
                if (ProcLines.keyIs(text, pos, colon, "Rss")) {
                    rss = ProcLines.kibibytes(text, colon + 1, eol);
                } else if (ProcLines.keyIs(text, pos, colon, "Anonymous")) {
                    anonymous = ProcLines.kibibytes(text, colon + 1, eol);
                } else if (ProcLines.keyIs(text, pos, colon, "Pss_Shmem")) {
                    pssShmem = ProcLines.kibibytes(text, colon + 1, eol);
                } else if (ProcLines.keyIs(text, pos, colon, "Swap")) {
                    swap = ProcLines.kibibytes(text, colon + 1, eol);
                }
            }
            pos = eol + 1;
        }
        long file = -1;
        if (rss >= 0 && anonymous >= 0) {
            file = Math.max(0, rss - anonymous - Math.max(0, pssShmem));
        }
        return new ProcessMemory(rss, anonymous, file, pssShmem, swap, -1, -1);
    }
}
