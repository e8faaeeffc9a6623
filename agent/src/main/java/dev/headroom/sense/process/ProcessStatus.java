package dev.headroom.sense.process;

/**
 * Parser of {@code /proc/<pid>/status} (proc(5)). Pure: give it the file's text.
 *
 * <p>{@code RssAnon}, {@code RssFile} and {@code RssShmem} appeared in Linux 4.5; on older kernels (and some
 * {@code /proc} emulations) they are absent and stay {@code -1}: {@link ProcessReader} then asks
 * {@code smaps_rollup} for the split.
 */
public final class ProcessStatus {

    private ProcessStatus() {
    }

    /** The memory lines of a status text; lines that are malformed or not about memory are skipped. */
    public static ProcessMemory parse(CharSequence statusText) {
        CharSequence text = statusText;
        long rss = -1;
        long rssAnon = -1;
        long rssFile = -1;
        long rssShmem = -1;
        long swap = -1;
        long vmSize = -1;
        int threads = -1;
        int n = text.length();
        int pos = 0;
        while (pos < n) {
            int eol = ProcLines.lineEnd(text, pos);
            int colon = ProcLines.colon(text, pos, eol);
            // Every memory key starts with 'V', 'R' or 'T': a cheap filter for the forty other lines.
            if (colon > pos) {
                char first = text.charAt(pos);
                if (first == 'V') {
                    if (ProcLines.keyIs(text, pos, colon, "VmRSS")) {
                        rss = ProcLines.kibibytes(text, colon + 1, eol);
                    } else if (ProcLines.keyIs(text, pos, colon, "VmSwap")) {
                        swap = ProcLines.kibibytes(text, colon + 1, eol);
                    } else if (ProcLines.keyIs(text, pos, colon, "VmSize")) {
                        vmSize = ProcLines.kibibytes(text, colon + 1, eol);
                    }
                } else if (first == 'R') {
                    if (ProcLines.keyIs(text, pos, colon, "RssAnon")) {
                        rssAnon = ProcLines.kibibytes(text, colon + 1, eol);
                    } else if (ProcLines.keyIs(text, pos, colon, "RssFile")) {
                        rssFile = ProcLines.kibibytes(text, colon + 1, eol);
                    } else if (ProcLines.keyIs(text, pos, colon, "RssShmem")) {
                        rssShmem = ProcLines.kibibytes(text, colon + 1, eol);
                    }
                } else if (first == 'T' && ProcLines.keyIs(text, pos, colon, "Threads")) {
                    long count = ProcLines.count(text, colon + 1, eol);
                    threads = count > Integer.MAX_VALUE ? -1 : (int) count;
                }
            }
            pos = eol + 1;
        }
        return new ProcessMemory(rss, rssAnon, rssFile, rssShmem, swap, vmSize, threads);
    }
}
