package dev.headroom.act;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Names, creation and retention of evidence files. Every file is named
 * {@code headroom-<pid>-<yyyyMMdd'T'HHmmssSSS'Z'>-<random>.<kind>}: the pid and time say whose and
 * when, and sort; the random part makes the name unguessable, so nobody can have pre-placed a file
 * or a link there even in a directory they could write to.
 */
final class EvidenceFiles {

    static final String PREFIX = "headroom-";

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private EvidenceFiles() {
    }

    /** A fresh random part: six hex digits. */
    static String randomPart() {
        return String.format("%06x", RANDOM.nextInt(1 << 24));
    }

    /** The name for a file of this kind (e.g. {@code .hprof}) taken at this time. */
    static String name(long pid, long epochMillis, String random, String suffix) {
        return PREFIX + pid + '-' + STAMP.format(Instant.ofEpochMilli(epochMillis)) + '-' + random + suffix;
    }

    /**
     * Whether the name is one of ours with this suffix: {@code headroom-<digits>-<stamp>...<suffix>}.
     * Other files in the directory are never touched.
     */
    static boolean ours(String name, String suffix) {
        if (!name.startsWith(PREFIX) || !name.endsWith(suffix) || name.length() <= PREFIX.length() + suffix.length()) {
            return false;
        }
        int i = PREFIX.length();
        int digits = 0;
        while (i < name.length() && Character.isDigit(name.charAt(i))) {
            i++;
            digits++;
        }
        return digits > 0 && i < name.length() && name.charAt(i) == '-';
    }

    /** The stamp (and what follows) of one of our names: sorts by time across pids. */
    static String sortKey(String name) {
        int dash = name.indexOf('-', PREFIX.length());
        return dash < 0 ? name : name.substring(dash + 1);
    }

    /**
     * Writes a new file, created exclusively ({@code O_CREAT|O_EXCL}: fails on any existing file
     * or link, never follows one) with mode 0600 from the start.
     */
    static void writeNew(Path file, byte[] content) throws IOException {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(content);
        }
        // CREATE_NEW above used the umask's mode; nobody but us can reach the private
        // directory in between, and this narrows the file to its final mode.
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    /**
     * Our regular files with this suffix that must go so that {@code keep} remain, oldest first.
     * Links and other files are left alone.
     */
    static List<Path> oldestBeyond(Path dir, String suffix, int keep) throws IOException {
        return oldestBeyond(dir, List.of(suffix), keep);
    }

    /** The same, counting files of any of these suffixes as one kind (a dump, plain or compressed). */
    static List<Path> oldestBeyond(Path dir, List<String> suffixes, int keep) throws IOException {
        List<Path> ours = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (suffixes.stream().anyMatch(suffix -> ours(name, suffix))
                        && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    ours.add(p);
                }
            }
        }
        if (ours.size() <= keep) {
            return List.of();
        }
        ours.sort((a, b) -> sortKey(a.getFileName().toString()).compareTo(sortKey(b.getFileName().toString())));
        return ours.subList(0, ours.size() - Math.max(keep, 0));
    }

    /** Deletes these files; returns how many went. A file that cannot be deleted is left. */
    static int delete(List<Path> files) {
        int n = 0;
        for (Path p : files) {
            try {
                if (Files.deleteIfExists(p)) {
                    n++;
                }
            } catch (IOException e) {
                // Left for the next attempt; retention is best effort.
            }
        }
        return n;
    }

    static long sizeOf(List<Path> files) {
        long total = 0;
        for (Path p : files) {
            try {
                total += Files.size(p);
            } catch (IOException e) {
                // gone already
            }
        }
        return total;
    }
}
