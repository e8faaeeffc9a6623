#!/usr/bin/env python3
"""A FUSE file system that stops answering, like an NFS server gone away under a hard mount.

Usage: hung-fuse.py MOUNTPOINT

Mounts MOUNTPOINT (root only: mount(2) with fd=) and answers the kernel's INIT and the attributes
of the mount's root (a directory 0700 of uid 0, cached for an hour), so that the directory itself
can be looked at. Then it stops reading: every call under the mount (a look-up, a create, an open)
waits in the kernel.

A request is left unread, never read and left unanswered: the kernel lets a fatal signal end the
wait for a request still queued, but waits out one that the server has read (fs/fuse/dev.c,
request_wait_answer), and a process with a thread in such a wait cannot even exit. An NFS hard
mount's waits are killable too (TASK_KILLABLE), so this is the same hang, seen from the client.
When this process ends, the connection is aborted and every waiting call fails (ENOTCONN).
Protocol: linux/include/uapi/linux/fuse.h. HUNG_FUSE_TRACE=1 prints each request read to stderr.
"""
import os
import signal
import struct
import subprocess
import sys

FUSE_GETATTR, FUSE_INIT, FUSE_STATX = 3, 26, 52
ENOENT, ENOSYS = 2, 38
IN_HEADER = struct.Struct("<IIQQIIIHH")  # len, opcode, unique, nodeid, uid, gid, pid, total_extlen, padding
OUT_HEADER = struct.Struct("<IiQ")       # len, error, unique


def reply(fd, unique, body=b"", error=0):
    os.write(fd, OUT_HEADER.pack(OUT_HEADER.size + len(body), -error, unique) + body)


def main():
    mountpoint = sys.argv[1]
    trace = os.environ.get("HUNG_FUSE_TRACE")
    fd = os.open("/dev/fuse", os.O_RDWR)
    subprocess.run(["mount", "-t", "fuse", "-o", "fd=%d,rootmode=40000,user_id=0,group_id=0" % fd,
                    "headroom-hung", mountpoint], pass_fds=[fd], check=True)
    while True:
        request = os.read(fd, 1 << 20)
        _, opcode, unique, nodeid, _, _, pid, _, _ = IN_HEADER.unpack_from(request)
        if trace:
            print("op %d node %d pid %d" % (opcode, nodeid, pid), file=sys.stderr, flush=True)
        if opcode == FUSE_INIT:
            # The 7.22 reply (24 bytes): major, minor, max_readahead, flags, max_background,
            # congestion_threshold, max_write. No flags: nothing asked for.
            reply(fd, unique, struct.pack("<IIIIHHI", 7, 22, 0, 0, 16, 12, 65536))
            print("mounted", flush=True)
        elif opcode == FUSE_STATX:
            # Newer kernels ask statx first; "not implemented" makes them ask GETATTR from then on.
            reply(fd, unique, error=ENOSYS)
        elif opcode == FUSE_GETATTR and nodeid == 1:
            # fuse_attr_out: attr_valid (s), attr_valid_nsec, dummy, then fuse_attr (88 bytes).
            attr = struct.pack("<QQQQQQIIIIIIIIII", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0o40700, 2, 0, 0, 0, 4096, 0)
            reply(fd, unique, struct.pack("<QII", 3600, 0, 0) + attr)
            # The directory is known (and cached); from now on nothing is read.
            print("stopped answering", flush=True)
            while True:
                signal.pause()
        else:
            # Nothing else comes before the root's attributes; should it, "no such file" (a read
            # request must be answered) and go on.
            reply(fd, unique, error=ENOENT)


if __name__ == "__main__":
    main()
