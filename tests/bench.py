#!/usr/bin/env python3
"""bench.py - mail2note beside the physical floor: time and peak memory.

Generates the mails at run time (nothing large is committed):
  reply-9kb      a reply, text and HTML with the quoted history (~8.8 KB)
  pdf-2mb        a short text and a 1.4 MB PDF (~1.95 MB)
  attach-30mb    a short text and three base64 attachments (30 MB)
  html-1mb-nest  1 MB of HTML, tables and divs nested as mailers nest them
  html-1mb-flat  1 MB of HTML, flat paragraphs
  text-1mb       1 MB of plain text
  text-10mb      10 MB of plain text            (peak RSS mostly)
  attach-100mb   three attachments, 100 MB      (peak RSS mostly)

A fake note API (a minimal http.server on 127.0.0.1, its own process,
stopped by PID, exiting by itself after M2N_BENCH_LIFETIME seconds)
answers every POST with 201.  For each mail, in paired runs:
  floor      curl posting the same note JSON (what mail2note -n prints)
             with the same headers to the same API: process start-up,
             connection, request and answer, nothing else
  mail2note  the real delivery (posting, not --dry-run), the mail on
             standard input as a regular file (as Postfix's pipe(8) gives
             a pipe, the spool copy is not counted here)
Each pair runs curl then mail2note, or the other way round (alternating);
the state directory is emptied before each mail2note run (its journal
would skip the second post).  Printed: median wall of each, the ratio of
the medians, mail2note's own time = the median of (mail2note - floor)
over the pairs (wall), mail2note's median CPU time (user + system, from
wait4()), its own CPU time = the median of (mail2note - curl) CPU time
over the pairs (steadier than wall on a busy machine), and its peak RSS
(the larger of two more runs under /usr/bin/time: see peak_rss()).
These are figures, not timed tests: nothing fails on speed.

M2N_BENCH_RUNS=N scales the pairs per mail (default 1: 21 pairs for the
reply, fewer for the large mails); M2N_BENCH_ONLY=NAME,... runs only
those mails; M2N_BIN=PATH benchmarks another binary (an older build).  --check (tests/t/0700-memory.t) runs
each mail once with -n and prints TAP: each exits 0, and the mails with
attachments peak under MAX_RSS_MB (attachments are never held in memory).
"""
import base64
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time

TOP = os.environ.get("M2N_TOP") or os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests"))
from tmpbase import safe_tmpdir  # noqa: E402
BIN = os.environ.get("M2N_BIN") or os.path.join(TOP, "build", "mail2note")
SCALE = float(os.environ.get("M2N_BENCH_RUNS", "1"))
LIFETIME = int(os.environ.get("M2N_BENCH_LIFETIME", "1800"))
MAX_RSS_MB = 24
TIME = "/usr/bin/time"
KEY = "ixk_test_rw_4f9c2a7e1b"
# As under make bench (the Makefile exports it): runs as root in CI.
os.environ.setdefault("MAIL2NOTE_ALLOW_ROOT", "1")

HDR = (b"From: Ana Lopez <ana@example.com>\n"
       b"To: support+T1001@helpdesk.example\n"
       b"Subject: Re: printer on floor 3\n"
       b"Date: Wed, 25 Nov 2026 10:00:00 +0000\n"
       b"Message-ID: <bench@example.com>\n"
       b"In-Reply-To: <t1001@helpdesk.example>\nMIME-Version: 1.0\n")

# name: (pairs at M2N_BENCH_RUNS=1, in the speed table)
CASES = [
    ("reply-9kb", 21, True), ("pdf-2mb", 11, True),
    ("attach-30mb", 7, True), ("html-1mb-nest", 5, True),
    ("html-1mb-flat", 5, True), ("text-1mb", 5, True),
    ("text-10mb", 2, False), ("attach-100mb", 2, False),
]

SERVER = r"""
import http.server, signal, sys
signal.alarm(int(sys.argv[1]))
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        while n > 0:
            n -= len(self.rfile.read(min(n, 1 << 20)) or b"x" * n)
        body = (b'{"id":"msg_1","ticket_id":"T1001",'
                b'"type":"internal_note","created_at":"2026-11-25T10:00:00Z"}')
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"""


def mime_attach(f, rnd, name, ctype, size):
    f.write(b"--BOUND\nContent-Type: %s; name=%s\n"
            b"Content-Disposition: attachment; filename=%s\n"
            b"Content-Transfer-Encoding: base64\n\n" % (ctype, name, name))
    left = size
    while left > 0:
        n = min(left, 57 * 4096)
        f.write(base64.encodebytes(rnd.randbytes(n)))
        left -= n


def gen_attach(path, rnd, sizes, text):
    with open(path, "wb") as f:
        f.write(HDR + b"Content-Type: multipart/mixed; boundary=BOUND\n\n"
                b"--BOUND\nContent-Type: text/plain; charset=utf-8\n\n"
                + text + b"\n")
        for i, size in enumerate(sizes):
            mime_attach(f, rnd, b"file%d.pdf" % i, b"application/pdf", size)
        f.write(b"--BOUND--\n")


def gen(tmp):
    """Write every mail; {name: path}."""
    rnd = random.Random(10)
    out = {}

    def put(name, data):
        out[name] = os.path.join(tmp, name + ".eml")
        with open(out[name], "wb") as f:
            f.write(data)

    new = (b"Hello,\n\nthe toner arrived, thank you. The printer on floor 3 "
           b"works again, but it still jams on double-sided jobs.\n\nAna\n")
    quoted = b"".join(b"> line %d of the earlier message in this thread, "
                      b"quoted by the mailer.\n" % i for i in range(52))
    text = new + b"\nOn Tue, 24 Nov 2026, Helpdesk wrote:\n" + quoted
    hq = b"".join(b"<p>line %d of the earlier message in this thread, "
                  b"quoted by the mailer.</p>\n" % i for i in range(52))
    html = (b"<html><head><style>p{margin:0}</style></head><body>"
            b"<div dir='ltr'><p>Hello,</p><p>the toner arrived, thank you. "
            b"The printer on floor 3 works again, but it still jams on "
            b"<b>double-sided</b> jobs.</p><p>Ana</p></div>"
            b"<div class='gmail_quote'><div dir='ltr' class='gmail_attr'>"
            b"On Tue, 24 Nov 2026, Helpdesk wrote:<br></div>"
            b"<blockquote class='gmail_quote' style='margin:0 0 0 .8ex;"
            b"border-left:1px #ccc solid;padding-left:1ex'>" + hq +
            b"</blockquote></div></body></html>\n")
    put("reply-9kb", HDR + b"Content-Type: multipart/alternative; "
        b"boundary=ALT\n\n--ALT\nContent-Type: text/plain; charset=utf-8\n\n"
        + text + b"\n--ALT\nContent-Type: text/html; charset=utf-8\n\n" +
        html + b"\n--ALT--\n")

    out["pdf-2mb"] = os.path.join(tmp, "pdf-2mb.eml")
    gen_attach(out["pdf-2mb"], rnd, [1420 * 1024], new)
    out["attach-30mb"] = os.path.join(tmp, "attach-30mb.eml")
    gen_attach(out["attach-30mb"], rnd, [7 * 1024 * 1024, 8 * 1024 * 1024,
                                         7 * 1024 * 1024 + 1001], new)
    out["attach-100mb"] = os.path.join(tmp, "attach-100mb.eml")
    gen_attach(out["attach-100mb"], rnd, [25 * 1024 * 1024] * 3, new)

    cell = (b"<tr><td style='padding:4px'><div><span><font face='Arial'>"
            b"Item <b>%d</b> of the order, see <a href='https://x.example/"
            b"%d'>the invoice</a></font></span></div></td></tr>\n")
    block, rows = [], 0
    while sum(map(len, block)) < 1024 * 1024:
        inner = b"".join(cell % (rows + i, rows + i) for i in range(8))
        rows += 8
        block.append(b"<div class='section'><table><tbody>" + inner +
                     b"</tbody></table><blockquote><div><p>Note "
                     b"%d</p></div></blockquote></div>\n" % rows)
    put("html-1mb-nest", HDR + b"Content-Type: text/html; charset=utf-8\n\n"
        b"<html><body><div><table><tr><td>" + b"".join(block) +
        b"</td></tr></table></div></body></html>\n")
    para = (b"<p>Line with <b>bold</b> and <a href='https://x.example/'>"
            b"a link</a>.</p>\n")
    put("html-1mb-flat", HDR + b"Content-Type: text/html; charset=utf-8\n\n"
        b"<html><body>" + para * (1024 * 1024 // len(para)) +
        b"</body></html>\n")
    line = b"The printer on floor 3 jams on double-sided jobs, again.\n"
    put("text-1mb", HDR + b"Content-Type: text/plain; charset=utf-8\n\n" +
        line * (1024 * 1024 // len(line)))
    put("text-10mb", HDR + b"Content-Type: text/plain; charset=utf-8\n\n" +
        line * (10 * 1024 * 1024 // len(line)))
    return out


def conf(tmp, port):
    key = os.path.join(tmp, "api.key")
    with open(key, "w") as f:
        f.write(KEY + "\n")
    os.chmod(key, 0o600)
    c = os.path.join(tmp, "m.conf")
    with open(c, "w") as f:
        f.write("[api]\nbase_url = http://127.0.0.1:%d\nkey_file = %s\n"
                "[message]\nmax_message_size = 200M\n"
                "[delivery]\nstate_dir = %s\n"
                % (port, key, os.path.join(tmp, "state")))
    os.chmod(c, 0o644)
    return c


def run(argv, stdin_path=None):
    """Wall seconds, CPU seconds, peak RSS KiB and exit code of argv."""
    f = open(stdin_path, "rb") if stdin_path else None
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            if f is not None:
                os.dup2(f.fileno(), 0)
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    if f is not None:
        f.close()
    return (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss,
            os.waitstatus_to_exitcode(status))


def peak_rss(argv, stdin_path, tmp):
    """Peak RSS KiB of argv alone, or None when /usr/bin/time is missing.

    A process exec()ed from a fork of this Python keeps in its ru_maxrss
    the high-water mark of the memory it was forked with (the kernel
    records the old mm's at exec), so run()'s figure is never below this
    script's own size.  /usr/bin/time forks from a small process and
    reports its child's."""
    if not os.path.exists(TIME):
        return None
    out = os.path.join(tmp, "rss.out")
    wall, _, _, code = run([TIME, "-f", "%M %x", "-o", out] + argv,
                           stdin_path)
    with open(out) as f:
        kib, xcode = f.read().split()[-2:]
    if code != 0 or xcode != "0":
        raise SystemExit("%s: exit %s" % (argv[0], xcode))
    return int(kib)


def note_request(cfg, path, tmp, name):
    """mail2note -n's request: (url, header list, body file)."""
    out = subprocess.run([BIN, "-c", cfg, "-n", "-x", "T1001"],
                         stdin=open(path, "rb"), capture_output=True,
                         check=True).stdout
    req = json.loads(out)
    body = os.path.join(tmp, name + ".json")
    with open(body, "w", encoding="utf-8") as f:
        json.dump(req["body"], f, ensure_ascii=False, separators=(",", ":"))
    # As mail2note sends them; no "Expect: 100-continue" wait either.
    heads = ["-H", "Expect:"]
    for k, v in req["headers"].items():
        if k.lower() == "authorization":
            v = "Bearer " + KEY
        heads += ["-H", "%s: %s" % (k, v)]
    return req["url"], heads, body


def bench_one(cfg, tmp, name, path, pairs, curl):
    url, heads, body = note_request(cfg, path, tmp, name)
    floor_argv = [curl, "-sS", "-o", "/dev/null", "-X", "POST"] + heads + \
        ["--data-binary", "@" + body, url]
    m2n_argv = [BIN, "-c", cfg, "-x", "T1001"]
    state = os.path.join(tmp, "state")
    fl, mn, cpu, own, owncpu, rss = [], [], [], [], [], 0
    for i in range(pairs):
        shutil.rmtree(state, ignore_errors=True)
        order = (0, 1) if i % 2 == 0 else (1, 0)
        got = {}
        for which in order:
            if which == 0:
                got[0] = run(floor_argv)
            else:
                got[1] = run(m2n_argv, path)
        if got[0][3] != 0 or got[1][3] != 0:
            raise SystemExit("%s: curl exit %d, mail2note exit %d" % (
                name, got[0][3], got[1][3]))
        fl.append(got[0][0])
        mn.append(got[1][0])
        cpu.append(got[1][1])
        own.append(got[1][0] - got[0][0])
        owncpu.append(got[1][1] - got[0][1])
        rss = max(rss, got[1][2])
    # Peak RSS from runs of their own (see peak_rss()); the run()
    # figure, an upper bound, only when /usr/bin/time is missing.
    alone = []
    for i in range(2):
        shutil.rmtree(state, ignore_errors=True)
        alone.append(peak_rss(m2n_argv, path, tmp))
    if None not in alone:
        rss = max(alone)
    f, m = statistics.median(fl), statistics.median(mn)
    return (f, m, statistics.median(own), statistics.median(cpu),
            statistics.median(owncpu), rss)


def start_server():
    p = subprocess.Popen([sys.executable, "-c", SERVER, str(LIFETIME)],
                         stdout=subprocess.PIPE)
    port = int(p.stdout.readline())
    return p, port


def check(tmp, msgs):
    """TAP: each mail's peak RSS with -n under MAX_RSS_MB."""
    cfg = conf(tmp, 9)
    n, ok_all = 0, True
    for name, _, _ in CASES:
        argv = [BIN, "-c", cfg, "-n", "-x", "T1001"]
        _, _, rss, code = run(argv, msgs[name])
        if code == 0:
            rss = peak_rss(argv, msgs[name], tmp) or rss
        n += 1
        # The promise: attachments are never held in memory.
        bound = name.startswith("attach-")
        ok = code == 0 and (rss / 1024 < MAX_RSS_MB or not bound)
        ok_all &= ok
        print("%s %d - %s: exit %d, peak RSS %.1f MiB%s" % (
            "ok" if ok else "not ok", n, name, code, rss / 1024,
            " under %d MiB" % MAX_RSS_MB if bound else ""))
    print("1..%d" % n)
    return 0 if ok_all else 1


def main():
    tmp = safe_tmpdir("m2n-bench.")
    server = None
    try:
        msgs = gen(tmp)
        if "--check" in sys.argv:
            return check(tmp, msgs)
        curl = shutil.which("curl")
        if curl is None:
            raise SystemExit("bench: curl is needed for the floor")
        server, port = start_server()
        cfg = conf(tmp, port)
        print("%-14s %9s %9s %9s %6s %8s %8s %8s %9s" % (
            "mail", "bytes", "floor", "mail2note", "ratio", "own",
            "cpu", "own cpu", "peak RSS"))
        only = os.environ.get("M2N_BENCH_ONLY", "").split(",")
        for name, pairs, _ in CASES:
            if only != [""] and name not in only:
                continue
            pairs = max(1, int(pairs * SCALE))
            f, m, own, cpu, owncpu, rss = bench_one(cfg, tmp, name,
                                                    msgs[name], pairs, curl)
            print("%-14s %9d %7.1fms %7.1fms %5.2fx %6.1fms %6.1fms "
                  "%6.1fms %5.1f MiB" % (
                      name, os.path.getsize(msgs[name]), f * 1000,
                      m * 1000, m / f, own * 1000, cpu * 1000,
                      owncpu * 1000, rss / 1024), flush=True)
        print("floor: curl posting the same JSON; ratio: median wall "
              "mail2note / median floor;\nown: median of (mail2note - "
              "floor) wall over paired runs; cpu: mail2note user+system;"
              "\nown cpu: median of (mail2note - curl) user+system; "
              "peak RSS: max of two runs under %s" % (
                  TIME if os.path.exists(TIME) else
                  "this script (an upper bound: %s is missing)" % TIME))
        return 0
    finally:
        if server is not None:
            os.kill(server.pid, signal.SIGTERM)
            server.wait()
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    sys.exit(main())
