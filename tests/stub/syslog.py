#!/usr/bin/env python3
"""syslog.py - a minimal syslog socket for the tests: binds an AF_UNIX
datagram socket at PATH (what syslog(3) writes to, /dev/log) and appends
every datagram it receives to OUT as one line (a datagram holding a newline
would show as two lines, which the tests catch).  OUT.pid gets the same
datagrams as JSON lines [sender pid, text], so that a test can tell its
own processes' lines from those of anything else on the machine that logs
to a /dev/log this stub created.  It writes READY next to
OUT once bound, and stops after --lifetime seconds or on SIGTERM; it
removes the socket it created.

usage: syslog.py --socket PATH --out FILE [--lifetime SECONDS]
"""
import argparse
import json
import os
import signal
import socket
import struct
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--lifetime", type=float, default=120)
    a = ap.parse_args()

    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    s.bind(a.socket)
    os.chmod(a.socket, 0o666)

    def stop(*_):
        try:
            os.unlink(a.socket)
        except OSError:
            pass
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with open(a.out + ".ready", "w") as f:
        f.write("%d\n" % os.getpid())
    end = time.monotonic() + a.lifetime
    with open(a.out, "ab", buffering=0) as out, \
            open(a.out + ".pid", "a", buffering=1) as bypid:
        while True:
            left = end - time.monotonic()
            if left <= 0:
                stop()
            s.settimeout(min(left, 1.0))
            try:
                data, anc, _, _ = s.recvmsg(
                    65536, socket.CMSG_SPACE(struct.calcsize("3i")))
            except socket.timeout:
                continue
            pid = 0
            for level, kind, cdata in anc:
                if level == socket.SOL_SOCKET and \
                        kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("3i", cdata[:12])[0]
            data = data.rstrip(b"\0")
            out.write(data + b"\n")
            bypid.write(json.dumps([pid, data.decode("utf-8", "replace")])
                        + "\n")


if __name__ == "__main__":
    main()
