package dev.headroom.sense.cgroup;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a process's cgroup sits on a mounted hierarchy.
 *
 * @param cgroupPath the path from {@code /proc/self/cgroup}
 * @param directory  the directory to read (the mount point itself when the path could not be mapped)
 * @param mount      the mount chosen
 * @param levels     {@code directory} and its parents up to the mount point, deepest first
 * @param labels     the cgroup path of each level, for notes and limit sources
 */
record Placement(String cgroupPath, Path directory, Mount mount, List<Path> levels, List<String> labels) {
}
