package dev.headroom.it;

import java.util.List;

/** Where a test runs a process: a cgroup (v1 or v2) that the command is moved into before it starts. */
interface CgroupPlace {

    /** The command, wrapped so that it runs inside this cgroup from its first page. */
    List<String> wrap(List<String> command);
}
