package dev.headroom.sense.cgroup;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/**
 * Hears the kernel's modification notice for a v2 cgroup's {@code memory.events}: the kernel raises one
 * whenever a count changes (mm/memcontrol.c memcg_memory_event, through cgroup_file_notify, at most one
 * per 20 ms per file), which reaches inotify as IN_MODIFY on the file and on its directory. The JDK's
 * WatchService on Linux is inotify on the directory, so an OOM kill, a hit of memory.max or memory.high
 * becomes news before the next tick. Measured in the v2 guest; see docs/how-it-works.md.
 *
 * <p>One daemon thread, blocked in the WatchService; it only calls {@code onChange}, which must be cheap
 * (the agent unparks its own thread). Closing ends the thread.
 */
public final class EventsNotice implements AutoCloseable {

    private final WatchService watch;
    private final Thread thread;

    private EventsNotice(WatchService watch, Path directory, Runnable onChange) {
        this.watch = watch;
        this.thread = new Thread(() -> listen(onChange), "headroom-memory-events");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @return the listener, or {@code null} when the file system offers no notices (the caller then
     *         only ticks); never throws
     */
    public static EventsNotice watch(Path cgroupDirectory, Runnable onChange) {
        WatchService watch = null;
        try {
            watch = FileSystems.getDefault().newWatchService();
            cgroupDirectory.register(watch, StandardWatchEventKinds.ENTRY_MODIFY);
            return new EventsNotice(watch, cgroupDirectory, onChange);
        } catch (IOException | RuntimeException e) {
            if (watch != null) {
                try {
                    watch.close();
                } catch (IOException ignored) {
                    // nothing was watched
                }
            }
            return null;
        }
    }

    private void listen(Runnable onChange) {
        try {
            while (true) {
                WatchKey key = watch.take();
                boolean events = false;
                for (WatchEvent<?> e : key.pollEvents()) {
                    // OVERFLOW has no context: the queue lost notices, so something may have changed.
                    events |= e.context() == null || e.context().toString().equals("memory.events");
                }
                if (events) {
                    onChange.run();
                }
                if (!key.reset()) {
                    return;
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed: the agent stops listening
        } catch (RuntimeException e) {
            // A failure here only costs the early notice; the ticks go on.
        }
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException ignored) {
            // the thread ends on the closed service either way
        }
    }
}
