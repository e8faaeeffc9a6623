package dev.headroom.config;

import java.util.Locale;

/**
 * The option key a mistyped one most likely meant: the same letters in another case
 * ({@code eventlog} for {@code eventLog}), else the key at the smallest edit distance, when that
 * distance is small enough to be a typo (a letter doubled, dropped, swapped or changed) and no
 * other key is as near. Called only on the error path, never per tick.
 */
final class NearestKey {

    /** Two edits: {@code intervall}, {@code evenLog}, {@code dumpdri}; a third is another word. */
    private static final int MAX_EDITS = 2;

    private NearestKey() {
    }

    /** The key meant, or {@code null} when none is near enough (or two are equally near). */
    static Key to(String typed) {
        String folded = typed.toLowerCase(Locale.ROOT);
        Key best = null;
        int bestDistance = MAX_EDITS + 1;
        boolean tie = false;
        for (Key k : Key.values()) {
            int d = distance(folded, k.optionName().toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
                tie = false;
            } else if (d == bestDistance) {
                tie = true;
            }
        }
        // A typo of one key is worth naming; a word halfway between two keys is not.
        return tie ? null : best;
    }

    /**
     * Optimal string alignment distance (Levenshtein plus the swap of two neighbouring letters, the
     * commonest typo): the number of single-letter edits from {@code a} to {@code b}.
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }
}
