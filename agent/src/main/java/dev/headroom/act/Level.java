package dev.headroom.act;

/** How close the container is to its OOM kill, as the policy judges it. */
public enum Level {
    /** Nothing forecast within the horizon; working set below the warning share. */
    OK,
    /** The limit is forecast within the horizon, or the working set is above the warning share. */
    WARNING,
    /** The kill is forecast sooner than evidence can be written with margin, or the working set is very close. */
    CRITICAL
}
