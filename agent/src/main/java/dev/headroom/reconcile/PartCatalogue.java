package dev.headroom.reconcile;

import java.util.List;

/**
 * The words of the reconciliation, kept in one place: part ids, their groups, labels and the
 * plain-words cause a person reads next to the number. The text table and the HTML report both
 * print what they find in a {@link Part}; a part gets its label and cause from here when the
 * {@link Reconciler} builds it, so no report repeats these sentences.
 */
public final class PartCatalogue {

    // Groups, in the order a report shows them.
    public static final String JVM = "jvm";
    public static final String NATIVE = "native";
    public static final String PAGE_CACHE = "pageCache";
    public static final String KERNEL = "kernel";
    public static final String OTHER = "other";
    public static final List<String> GROUPS = List.of(JVM, NATIVE, PAGE_CACHE, KERNEL, OTHER);

    // Part ids. NMT categories are "nmt." + the category name in lowerCamelCase.
    public static final String HEAP = "heap";
    /** The agent's own retained heap, carved out of the heap part. */
    public static final String AGENT = "agent";
    public static final String METASPACE = "metaspace";
    public static final String CODE_CACHE = "codeCache";
    public static final String THREAD_STACKS = "threadStacks";
    public static final String DIRECT_BUFFERS = "directBuffers";
    /** The committed heap the collector has not written yet (negative): not resident. */
    public static final String HEAP_UNTOUCHED = "heapUntouched";
    public static final String COMMITTED_NOT_RESIDENT = "committedNotResident";
    public static final String NATIVE_UNTRACKED = "nativeUntracked";
    public static final String OTHER_PROCESSES = "otherProcesses";
    public static final String SHMEM = "shmem";
    public static final String UNEVICTABLE = "unevictable";
    public static final String ACTIVE_PAGE_CACHE = "activePageCache";
    public static final String MAPPED_FILES = "mappedFiles";
    public static final String KERNEL_MEMORY = "kernel";
    public static final String UNEXPLAINED = "unexplained";
    public static final String NMT_PREFIX = "nmt.";

    private PartCatalogue() {
    }

    /** A group's title for a person, e.g. {@code "Page cache"}. */
    /**
     * Whether the part corrects committed memory down to what is resident (negative): not memory
     * of its own, and it rises toward zero as committed memory is touched, the growth of another part.
     */
    public static boolean isResidencyCorrection(String id) {
        return COMMITTED_NOT_RESIDENT.equals(id) || HEAP_UNTOUCHED.equals(id);
    }

    public static String groupTitle(String group) {
        return switch (group) {
            case JVM -> "JVM";
            case NATIVE -> "Native";
            case PAGE_CACHE -> "Page cache";
            case KERNEL -> "Kernel";
            case OTHER -> "Other";
            default -> group;
        };
    }

    /** The group of a part id. */
    public static String group(String id) {
        return switch (id) {
            case NATIVE_UNTRACKED -> NATIVE;
            case ACTIVE_PAGE_CACHE, MAPPED_FILES -> PAGE_CACHE;
            case KERNEL_MEMORY -> KERNEL;
            case OTHER_PROCESSES, SHMEM, UNEVICTABLE, UNEXPLAINED -> OTHER;
            // Everything the JVM tracks itself, and the correction for what it committed but never touched.
            default -> JVM;
        };
    }

    /** A short label for a part id; for an NMT category this catalogue does not know, the id itself. */
    public static String label(String id) {
        return switch (id) {
            case HEAP, "nmt.javaHeap" -> "Java heap (committed)";
            case AGENT -> "Headroom agent (itself)";
            case METASPACE -> "Metaspace (committed)";
            case CODE_CACHE -> "JIT code cache (committed)";
            case THREAD_STACKS -> "Thread stacks (at most)";
            case DIRECT_BUFFERS -> "Direct buffers";
            case HEAP_UNTOUCHED -> "Java heap not yet written";
            case COMMITTED_NOT_RESIDENT -> "Committed but not resident";
            case NATIVE_UNTRACKED -> "Native, not tracked by the JVM";
            case OTHER_PROCESSES -> "Other processes";
            case SHMEM -> "Shared memory and tmpfs";
            case UNEVICTABLE -> "Unevictable (mlocked)";
            case ACTIVE_PAGE_CACHE -> "Active page cache";
            case MAPPED_FILES -> "Mapped files";
            case KERNEL_MEMORY -> "Kernel memory";
            case UNEXPLAINED -> "Unexplained";
            case "nmt.class" -> "Class metadata";
            case "nmt.metaspace" -> "Metaspace";
            case "nmt.thread" -> "Threads";
            case "nmt.threadStack" -> "Thread stacks";
            case "nmt.code" -> "JIT code cache";
            case "nmt.gc" -> "GC bookkeeping";
            case "nmt.gcCardSet" -> "G1 remembered sets";
            case "nmt.compiler" -> "JIT compiler";
            case "nmt.jvmci" -> "JVMCI compiler";
            case "nmt.internal" -> "JVM internal";
            case "nmt.other" -> "Other (direct buffers, Unsafe)";
            case "nmt.symbol" -> "Symbols";
            case "nmt.nativeMemoryTracking" -> "NMT's own bookkeeping";
            case "nmt.arenaChunk" -> "Arena chunks";
            case "nmt.logging" -> "Logging";
            case "nmt.arguments" -> "Arguments";
            case "nmt.module" -> "Modules";
            case "nmt.safepoint" -> "Safepoints";
            case "nmt.synchronization", "nmt.synchronizer" -> "Synchronization";
            case "nmt.objectMonitors" -> "Object monitors";
            case "nmt.serviceability" -> "Serviceability";
            case "nmt.stringDeduplication" -> "String deduplication";
            case "nmt.tracing" -> "Tracing (JFR)";
            default -> id;
        };
    }

    /** The likely cause and usual remedy in plain words; empty where the label says it all. */
    public static String cause(String id) {
        return switch (id) {
            case HEAP, "nmt.javaHeap" ->
                    "Memory the JVM has committed for the Java heap: the objects the application holds and the "
                    + "garbage not yet collected, up to -Xmx. If it grows until the limit, lower -Xmx "
                    + "(or MaxRAMPercentage) to leave room for the rest, or find the leak in a heap dump.";
            case AGENT ->
                    "The watcher's own objects in the Java heap: its sample history, the flight file's history "
                    + "and buffers, the latest reading. Bounded by its settings (flightHistory), measured by the "
                    + "agent every 5 minutes; already inside the heap's committed memory, shown apart from it.";
            case METASPACE, "nmt.class", "nmt.metaspace" ->
                    "Loaded classes: grows with frameworks, generated proxies and lambdas; a steady climb "
                    + "is a class-loader leak (redeploys, scripting engines). Cap it with -XX:MaxMetaspaceSize.";
            case CODE_CACHE, "nmt.code" ->
                    "Machine code the JIT compiled; bounded by -XX:ReservedCodeCacheSize (240 MiB by default "
                    + "with tiered compilation, 48 MiB without).";
            case THREAD_STACKS, "nmt.thread", "nmt.threadStack" ->
                    "One stack per thread, resident only as deep as calls went. Many threads means an "
                    + "unbounded pool; a smaller -Xss or fewer threads lowers it.";
            case DIRECT_BUFFERS ->
                    "Direct ByteBuffers (ByteBuffer.allocateDirect: NIO, and Netty where it uses a Cleaner), "
                    + "bounded by -XX:MaxDirectMemorySize (by default as large as the max heap). Raw "
                    + "Unsafe.allocateMemory is neither counted here nor bounded by it: Netty's buffers made "
                    + "without a Cleaner (Netty 4.2 with --add-opens java.base/java.nio=ALL-UNNAMED) show as "
                    + "native memory not tracked by the JVM. A steady climb is a buffer that is never released.";
            case "nmt.other" ->
                    "Memory taken through Unsafe.allocateMemory: direct ByteBuffers (bounded by "
                    + "-XX:MaxDirectMemorySize) and raw Unsafe memory, such as Netty's buffers made without a "
                    + "Cleaner (bounded only by -Dio.netty.maxDirectMemory). A steady climb is a buffer that is "
                    + "never released.";
            case "nmt.gc", "nmt.gcCardSet" ->
                    "The collector's own structures (card table, remembered sets, mark bitmaps); G1 takes "
                    + "a few percent of the heap. A smaller heap, or SerialGC for small heaps, lowers it.";
            case "nmt.compiler", "nmt.arenaChunk" ->
                    "Scratch memory of the JIT compilers; peaks during warm-up and is freed after (glibc may "
                    + "keep the freed pages in its arenas).";
            case "nmt.symbol" ->
                    "Class, method and field names and interned strings; grows with String.intern().";
            case "nmt.nativeMemoryTracking" ->
                    "The price of -XX:NativeMemoryTracking itself; small in summary mode.";
            case HEAP_UNTOUCHED ->
                    "Heap the JVM has committed but the collector has not written yet: each space of Serial "
                    + "and Parallel fills from its bottom, so the pages above its peak use take no memory. "
                    + "They become resident as the heap fills, up to the committed heap: the heap's own "
                    + "growth, bounded by -Xmx, not a leak.";
            case COMMITTED_NOT_RESIDENT ->
                    "Committed by the JVM but not yet touched, so not resident (or swapped out): the heap "
                    + "and stacks occupy memory only once their pages are first written. It becomes real "
                    + "memory as the JVM uses it; -XX:+AlwaysPreTouch makes it resident from the start.";
            case NATIVE_UNTRACKED ->
                    "Native memory the JVM does not track: malloc arenas of JNI libraries (zlib, RocksDB) "
                    + "and glibc's per-thread arenas; try MALLOC_ARENA_MAX=2, jemalloc, or enable "
                    + "NMT (-XX:NativeMemoryTracking=summary) to see more. Without NMT it also holds the "
                    + "JVM's own GC bookkeeping, compiler memory and symbol tables, and raw "
                    + "Unsafe.allocateMemory, which no MXBean counts and -XX:MaxDirectMemorySize does not "
                    + "bound: Netty's buffers made without a Cleaner (Netty 4.2 with --add-opens "
                    + "java.base/java.nio=ALL-UNNAMED) are here; bound them with -Dio.netty.maxDirectMemory.";
            case OTHER_PROCESSES ->
                    "Another process in the container: a sidecar shell, a forked tool, a child process of "
                    + "the application. It shares this limit with the JVM.";
            case SHMEM ->
                    "tmpfs or /dev/shm files, a memory-backed emptyDir: they count against the limit until "
                    + "deleted (watching the process alone: the shared memory it maps).";
            case UNEVICTABLE ->
                    "Pages the kernel may not reclaim: mlock()ed memory and ramfs files.";
            case ACTIVE_PAGE_CACHE ->
                    "Page cache from recent file I/O; the kernel reclaims it under pressure, but the kubelet "
                    + "counts it.";
            case MAPPED_FILES ->
                    "The JDK's libraries, the CDS archive, mapped files (MappedByteBuffer); backed by files, "
                    + "so the kernel can drop and re-read them.";
            case KERNEL_MEMORY ->
                    "Kernel memory: slab (dentries, inodes), socket buffers, page tables, kernel stacks of "
                    + "threads. Many open files or sockets, or many threads, raise it.";
            case UNEXPLAINED ->
                    "What the counters cannot place: they are read a few milliseconds apart, the kernel "
                    + "batches its charges per CPU (memory.usage_in_bytes is a fuzzy value on cgroup v1), "
                    + "and child cgroups, swap cache and huge pages being split are not seen per process. "
                    + "A few MiB either way is normal; a large value that keeps growing points at "
                    + "another process or at memory the readers could not see.";
            default -> "";
        };
    }

    /** A part of a known id with its catalogue words. */
    static Part part(String id, long bytes, String source) {
        return new Part(id, label(id), group(id), bytes, source, cause(id));
    }
}
