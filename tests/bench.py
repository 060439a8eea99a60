#!/usr/bin/env python3
"""bench.py - speed and memory figures for mail2note --dry-run.

Generates messages at test time (nothing large is committed):
  small      a 2 KB plain-text reply
  html-1mb   1 MB of HTML body (sanitiser and HTML->text)
  attach-40mb  a short text body plus a 40 MB base64 attachment

For each it runs the binary RUNS times and prints median wall time and the
peak resident set size.  With --check it also asserts the memory bound
that the design promises: the 40 MB attachment is never held in memory
(peak RSS stays under MAX_RSS_MB), and exits non-zero when it is not.
Output is TAP when --check is given, plain figures otherwise.
"""
import base64
import os
import resource
import statistics
import subprocess
import sys
import time

TOP = os.environ.get("M2N_TOP") or os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests"))
from tmpbase import safe_tmpdir  # noqa: E402
BIN = os.environ.get("M2N_BIN") or os.path.join(TOP, "build", "mail2note")
RUNS = int(os.environ.get("M2N_BENCH_RUNS", "5"))
MAX_RSS_MB = 48

HDR = (b"From: Ana <ana@example.com>\nTo: support+T1001@helpdesk.example\n"
       b"Subject: bench\nDate: Wed, 25 Nov 2026 10:00:00 +0000\n"
       b"Message-ID: <bench@example.com>\nMIME-Version: 1.0\n")


def gen(tmp):
    msgs = {}
    msgs["small"] = HDR + b"Content-Type: text/plain; charset=utf-8\n\n" + \
        b"Hello,\n\nthe printer on floor 3 is out of toner again.\n" * 40
    para = b"<p>Line with <b>bold</b> and <a href='https://x.example/'>a link</a>.</p>\n"
    msgs["html-1mb"] = HDR + b"Content-Type: text/html; charset=utf-8\n\n" + \
        b"<html><body>" + para * (1024 * 1024 // len(para)) + b"</body></html>\n"
    path = os.path.join(tmp, "attach-40mb.eml")
    with open(path, "wb") as f:
        f.write(HDR + b"Content-Type: multipart/mixed; boundary=BOUND\n\n"
                b"--BOUND\nContent-Type: text/plain; charset=utf-8\n\n"
                b"See the attached disk image.\n--BOUND\n"
                b"Content-Type: application/octet-stream; name=disk.img\n"
                b"Content-Disposition: attachment; filename=disk.img\n"
                b"Content-Transfer-Encoding: base64\n\n")
        chunk = os.urandom(57 * 1024)
        for _ in range(40 * 1024 * 1024 // len(chunk)):
            enc = base64.encodebytes(chunk)
            f.write(enc)
        f.write(b"--BOUND--\n")
    out = {}
    for name, data in msgs.items():
        p = os.path.join(tmp, name + ".eml")
        with open(p, "wb") as f:
            f.write(data)
        out[name] = p
    out["attach-40mb"] = path
    return out


def conf(tmp):
    key = os.path.join(tmp, "api.key")
    with open(key, "w") as f:
        f.write("ixk_test_rw_4f9c2a7e1b\n")
    os.chmod(key, 0o600)
    c = os.path.join(tmp, "m.conf")
    with open(c, "w") as f:
        f.write("[api]\nbase_url = http://127.0.0.1:9\nkey_file = %s\n"
                "[message]\nmax_message_size = 100M\n"
                "[delivery]\nstate_dir = %s\n"
                % (key, os.path.join(tmp, "state")))
    os.chmod(c, 0o644)
    return c


def measure(cfg, path):
    """Median seconds and peak RSS (KiB) over RUNS runs, one child each."""
    times, rss = [], 0
    for _ in range(RUNS):
        with open(path, "rb") as f:
            t0 = time.monotonic()
            pid = os.fork()
            if pid == 0:
                os.dup2(f.fileno(), 0)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.execv(BIN, [BIN, "-c", cfg, "-n", "-x", "T1001"])
            _, status, ru = os.wait4(pid, 0)
            times.append(time.monotonic() - t0)
            rss = max(rss, ru.ru_maxrss)
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit("%s: exit %d" % (path, status))
    return statistics.median(times), rss


def main():
    check = "--check" in sys.argv
    # Through a pipe, as the MTA gives it: spooling must not keep it all.
    tmp = safe_tmpdir("m2n-bench.")
    try:
        msgs = gen(tmp)
        cfg = conf(tmp)
        n = 0
        ok_all = True
        for name in ("small", "html-1mb", "attach-40mb"):
            med, rss = measure(cfg, msgs[name])
            size = os.path.getsize(msgs[name])
            line = "%-12s %9d bytes  median %7.1f ms  peak RSS %6.1f MB" % (
                name, size, med * 1000, rss / 1024)
            if check:
                n += 1
                ok = rss / 1024 < MAX_RSS_MB or name != "attach-40mb"
                ok_all &= ok
                print("%s %d - %s: peak RSS under %d MB # %s" % (
                    "ok" if ok else "not ok", n, name, MAX_RSS_MB, line))
            else:
                print(line)
        if check:
            print("1..%d" % n)
        return 0 if ok_all else 1
    finally:
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    sys.exit(main())
