package dev.headroom.sense.cgroup;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventsNoticeTest {

    @TempDir
    Path temp;

    @Test
    void aChangedMemoryEventsFileIsHeardWithoutPolling() throws Exception {
        Files.writeString(temp.resolve("memory.events"), OomKillCounterTest.GUEST_EVENTS);
        CountDownLatch heard = new CountDownLatch(1);
        try (EventsNotice notice = EventsNotice.watch(temp, heard::countDown)) {
            assertNotNull(notice);
            Files.writeString(temp.resolve("memory.events"),
                    OomKillCounterTest.GUEST_EVENTS.replace("oom_kill 3", "oom_kill 4"));
            assertTrue(heard.await(30, TimeUnit.SECONDS), "no notice for memory.events");
        }
    }

    @Test
    void aDirectoryThatIsNotThereGivesNoListenerAndNoError() {
        assertNull(EventsNotice.watch(temp.resolve("gone"), () -> { }));
    }
}
