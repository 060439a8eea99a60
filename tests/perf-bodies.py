#!/usr/bin/env python3
"""perf-bodies.py - time and peak RSS of mail2note --dry-run on big bodies.

usage: tests/perf-bodies.py [BIN] [RUNS]   (default build/mail2note, 5)

Writes four mails under $M2N_PERF_DIR (default /run/m2n-perf-bodies): a
1 MB HTML body of flat paragraphs, 1 MB of deeply nested markup, 1 MB and
10 MB of plain text; runs each RUNS times under /usr/bin/time and prints
the medians of wall, user+sys seconds and peak RSS (MiB), and the sha256
of the output so that two builds can be compared.  Not a timed test.
"""
import hashlib, os, statistics, subprocess, sys

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binp = sys.argv[1] if len(sys.argv) > 1 else os.path.join(top, "build/mail2note")
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
d = os.environ.get("M2N_PERF_DIR", "/run/m2n-perf-bodies")
os.makedirs(d, mode=0o755, exist_ok=True)
os.chmod(d, 0o755)

head = ("From: Perf <perf@example.com>\nTo: support+T1@helpdesk.example\n"
        "Subject: big body\nDate: Thu, 13 Mar 2025 09:00:00 +0100\n"
        "Message-ID: <perf-%s@example.com>\nMIME-Version: 1.0\n"
        "Content-Type: %s; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n")

def flat_html(size):
    p = ("<p>Paragraph %d: the quick brown fox jumps over the lazy dog, "
         "<b>bold</b> and <a href=\"https://example.com/%d\">a link</a> "
         "&amp; \u00e9l\u00e9ment.</p>\n")
    out, i = [], 0
    n = 0
    while n < size:
        s = p % (i, i)
        out.append(s)
        n += len(s.encode())
        i += 1
    return "<html><body>" + "".join(out) + "</body></html>"

def nested_html(size):
    out, n, i = [], 0, 0
    while n < size:
        s = ("<div><blockquote><table><tr><td><span><b><i>cell %d "
             "\u00e9</i></b></span>" % i) * 40 + \
            "</td></tr></table></blockquote></div>" * 40 + "\n"
        out.append(s)
        n += len(s.encode())
        i += 1
    return "<html><body>" + "".join(out) + "</body></html>"

def text(size):
    line = "Line %d: plain text \u00e9l\u00e9ment \u2014 https://example.com/%d and more words here.\n"
    out, n, i = [], 0, 0
    while n < size:
        s = line % (i, i)
        out.append(s)
        n += len(s.encode())
        i += 1
    return "".join(out)

cases = [
    ("html-flat-1M", "text/html", lambda: flat_html(1 << 20)),
    ("html-nested-1M", "text/html", lambda: nested_html(1 << 20)),
    ("text-1M", "text/plain", lambda: text(1 << 20)),
    ("text-10M", "text/plain", lambda: text(10 << 20)),
]

key = open(os.path.join(top, "tests/t/lib.sh")).read().split("KEY_RW=")[1].split("\n")[0].strip().strip("'\"")
kf = os.path.join(d, "api.key")
with open(kf, "w") as f:
    f.write(key + "\n")
os.chmod(kf, 0o600)
cf = os.path.join(d, "mail2note.conf")
with open(cf, "w") as f:
    f.write("[api]\nbase_url = http://127.0.0.1:9\nkey_file = %s\n"
            "[delivery]\nstate_dir = %s/state\n" % (kf, d))
os.chmod(cf, 0o644)
env = dict(os.environ, MAIL2NOTE_ALLOW_ROOT="1")

print("%-16s %8s %8s %8s  %s" % ("case", "wall s", "cpu s", "RSS MiB", "output sha256"))
for name, ctype, gen in cases:
    path = os.path.join(d, name + ".eml")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write((head % (name, ctype) + gen()).encode())
    walls, cpus, rss, digest = [], [], [], None
    for _ in range(runs):
        with open(path, "rb") as inp:
            r = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", binp,
                                "-c", cf, "--dry-run", "-r",
                                "support+T1@helpdesk.example", "-f",
                                "perf@example.com"], stdin=inp,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env)
        e, u, s, m = r.stderr.decode().strip().split("\n")[-1].split()
        walls.append(float(e)); cpus.append(float(u) + float(s))
        rss.append(int(m) / 1024.0)
        digest = hashlib.sha256(r.stdout).hexdigest()[:16]
    print("%-16s %8.3f %8.3f %8.1f  %s rc=%d" % (name, statistics.median(walls),
          statistics.median(cpus), statistics.median(rss), digest, r.returncode))
