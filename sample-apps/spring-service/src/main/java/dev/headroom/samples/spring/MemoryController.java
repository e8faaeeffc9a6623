package dev.headroom.samples.spring;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.ArrayList;
import java.util.List;

/** Endpoints that move the service's memory, so a test or a person can watch the meters follow. */
@RestController
public class MemoryController {

    private final List<byte[]> retained = new ArrayList<>();

    @GetMapping("/hello")
    public String hello() {
        return "hello\n";
    }

    /** Allocates {@code mib} MiB on the heap and keeps it (touching every page, so it is resident). */
    @PostMapping("/allocate")
    public synchronized String allocate(@RequestParam(defaultValue = "16") int mib) {
        for (int i = 0; i < mib; i++) {
            byte[] chunk = new byte[1024 * 1024];
            for (int p = 0; p < chunk.length; p += 4096) {
                chunk[p] = 1;
            }
            retained.add(chunk);
        }
        return "retained " + retained.size() + " MiB\n";
    }

    /** Lets go of everything {@link #allocate} kept. */
    @PostMapping("/release")
    public synchronized String release() {
        int mib = retained.size();
        retained.clear();
        return "released " + mib + " MiB\n";
    }
}
