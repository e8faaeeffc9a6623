package dev.headroom.samples;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Healthy: a busy heap whose live set swings between two levels (objects replaced steadily, plus
 * garbage), with one kind of file work beside it in a second thread. Nothing leaks; each is a way
 * a real service fills its cgroup without being in danger.
 *
 * <p>Arguments: {@code mode fileMiB seconds minLiveMiB maxLiveMiB garbageMiBPerSecond directory
 * [cycleSeconds, default 20]}: the live set climbs for half a cycle and falls for the other half.
 * Modes:
 * <ul>
 *   <li>{@code churn}: the heap alone (no file);</li>
 *   <li>{@code hot}: a file read again and again, small enough to stay in active page cache;</li>
 *   <li>{@code stream}: a file larger than the limit read through from start to end, again and again;</li>
 *   <li>{@code mmap}: a read-only mapping of a file larger than the limit, read at random pages;</li>
 *   <li>{@code write}: a file rewritten in 1 MiB blocks with an fsync every 16 MiB (dirty pages,
 *       writeback).</li>
 * </ul>
 */
public final class HealthyService {

    static volatile Object sink;
    static volatile boolean running = true;

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "churn";
        long fileMib = (long) Rate.arg(args, 1, 256);
        long seconds = (long) Rate.arg(args, 2, 30);
        long minLive = (long) Rate.arg(args, 3, 20);
        long maxLive = (long) Rate.arg(args, 4, 120);
        double garbage = Rate.arg(args, 5, 100);
        Path dir = Path.of(args.length > 6 ? args[6] : System.getProperty("java.io.tmpdir"));
        long cycleSteps = Math.max(2, (long) (Rate.arg(args, 7, 20) * 20));

        Path file = null;
        Thread files = null;
        if (!mode.equals("churn")) {
            file = Files.createTempFile(dir, "headroom-churn-", ".bin");
            fill(file, fileMib);
            Path f = file;
            files = new Thread(() -> fileWork(mode, f, fileMib), "file-work");
            files.setDaemon(true);
            files.start();
        }
        Rate.ready("healthy-service", mode + ", " + fileMib + " MiB file, live " + minLive + ".." + maxLive + " MiB");
        try {
            long swings = heap(seconds, minLive, maxLive, garbage, cycleSteps);
            running = false;
            if (files != null) {
                files.join(5000);
            }
            Rate.done("healthy-service", swings + " swings of the live set");
        } finally {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * The live set climbs from {@code minLive} to {@code maxLive} over half a cycle and falls back
     * over the other half, 1 MiB objects replaced in random order, while garbage is made at the
     * given rate. 20 steps a second.
     */
    private static long heap(long seconds, long minLive, long maxLive, double garbage, long cycleSteps)
            throws InterruptedException {
        List<byte[]> live = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(42);
        Rate pace = new Rate(20, seconds);
        long ticks = 0;
        long swings = 0;
        double owedGarbage = 0;
        for (long n; (n = pace.step()) >= 0; ) {
            ticks++;
            double phase = (ticks % cycleSteps) / (cycleSteps / 2.0);
            long target = (long) (minLive + (maxLive - minLive) * (phase <= 1 ? phase : 2 - phase));
            while (live.size() < target) {
                live.add(touched(1 << 20));
            }
            while (live.size() > target) {
                live.remove(live.size() - 1);
            }
            if (!live.isEmpty()) {
                // Steady replacement: a few live objects die and are made again each step.
                for (int i = 0; i < 2; i++) {
                    live.set(random.nextInt(live.size()), touched(1 << 20));
                }
            }
            owedGarbage += garbage / 20;
            for (; owedGarbage >= 1; owedGarbage--) {
                sink = touched(1 << 20);
            }
            if (ticks % cycleSteps == 0) {
                swings++;
            }
        }
        return swings;
    }

    private static void fileWork(String mode, Path file, long fileMib) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer mib = ByteBuffer.allocateDirect(1 << 20);
            SplittableRandom random = new SplittableRandom(7);
            MappedByteBuffer map = mode.equals("mmap") ? ch.map(FileChannel.MapMode.READ_ONLY, 0, fileMib << 20) : null;
            long sum = 0;
            while (running) {
                switch (mode) {
                    case "hot", "stream" -> {
                        for (long i = 0; i < fileMib && running; i++) {
                            mib.clear();
                            ch.read(mib, i << 20);
                        }
                    }
                    case "mmap" -> {
                        for (int i = 0; i < 4096 && running; i++) {
                            sum += map.get((int) (random.nextLong(fileMib << 20) & ~4095L));
                        }
                        Thread.sleep(1);
                    }
                    case "write" -> {
                        for (long i = 0; i < fileMib && running; i++) {
                            mib.clear();
                            mib.put(0, (byte) i);
                            ch.write(mib, i << 20);
                            if (i % 16 == 15) {
                                ch.force(false);
                            }
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown mode " + mode);
                }
            }
            sink = sum;
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("file work stopped: " + e);
        }
    }

    /** Writes the file once, so reads find data and mappings have pages. */
    private static void fill(Path file, long fileMib) throws IOException {
        ByteBuffer mib = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (long i = 0; i < fileMib; i++) {
                mib.clear();
                mib.put(0, (byte) i);
                ch.write(mib, i << 20);
            }
            ch.force(false);
        }
    }

    private static byte[] touched(int bytes) {
        byte[] b = new byte[bytes];
        for (int p = 0; p < bytes; p += 4096) {
            b[p] = 1;
        }
        return b;
    }
}
