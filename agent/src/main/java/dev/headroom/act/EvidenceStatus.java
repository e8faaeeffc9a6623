package dev.headroom.act;

/** How an attempt to capture evidence (heap dump, histogram, NMT) ended. */
public enum EvidenceStatus {
    /** The evidence was written. */
    DONE,
    /** A safety check or setting said no; nothing was written. The reason says which. */
    SKIPPED,
    /** It was tried and failed; the reason says how. Anything partial was removed. */
    FAILED
}
