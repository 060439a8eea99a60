#!/usr/bin/env python3
"""history_split.py - how often the note sets the quoted history apart
where the reply parsers' own tests say the reply ends.

The cases are the corpus' reply-parser folders with their upstream answers
(tests/corpus/*/EXPECTED.json, see tests/corpus/README.md) and the discourse
messages whose MANIFEST note gives the text Discourse expects.  Each
fixture (a body fragment) is wrapped in a text/plain UTF-8 message with a
"Re:" subject, run through the binary with --dry-run, and the note's
body_text, minus its header block, is cut at the "--- Quoted history ---"
line: the new text above, the history below (no line: all new text).

A case passes when every fact its answer gives holds:
  - reply (exact or trimmed): the new text equals it, compared line by
    line without trailing white space and without blank lines at either
    end (the note never keeps trailing white space);
  - fragment_count 1: no separator;
  - per fragment, when the answer says whether it is hidden (fragment 0
    is visible unless it says so): the text, starts_with,
    line_starts_with, contains and regex facts are found in the new text
    (visible) or in the history (hidden);
  - quoted_text_contains: in the history; any_fragment_signature: split;
  - max_seconds: the binary took no more CPU time (user + system; the
    runs are sequential, so RUSAGE_CHILDREN's growth is that run's);
    the corpus test scores the history in its plain pass only (the
    sanitizer build, several times slower by design, runs the corpus
    in-process there);
  - discourse: the expected text equals the new text; an inline forward
    is not split and keeps the forwarded text.
Fixtures listed in _no_assertion, and answers with no fact to check, are
not cases.  The accuracy is passed/cases.

Used by tests/corpus.py (one TAP point, floor 95 %); run alone it prints
every case: python3 tests/history_split.py [-v].
Environment: M2N_TOP, M2N_BIN, M2N_CORPUS.
"""
import json
import os
import re
import resource
import subprocess
import sys

TOP = os.environ.get("M2N_TOP") or os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))
SEP = "--- Quoted history ---"
FOLDERS = {"crisp-email-reply-parser": "fixtures",
           "github-email_reply_parser": "emails"}


def wrap(body):
    """A fixture body as a whole reply message (bytes)."""
    head = (b"From: Customer <customer@example.com>\n"
            b"To: support+T1001@helpdesk.example\n"
            b"Subject: Re: [#T1001] reply parser fixture\n"
            b"Date: Mon, 1 Dec 2025 10:00:00 +0000\n"
            b"Message-ID: <fixture@example.com>\n"
            b"MIME-Version: 1.0\n"
            b"Content-Type: text/plain; charset=utf-8\n"
            b"Content-Transfer-Encoding: 8bit\n\n")
    return head + body


def note_split(run, conf, data):
    """(new text, history or None, seconds) of the note for data."""
    # CPU seconds of the child, not wall time: on a loaded machine the
    # wall clock says more about the other processes than about us.
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    rc, out, err = run(conf, data)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    secs = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if rc != 0 or not out.strip():
        return None, None, secs
    text = json.loads(out)["body"]["body_text"]
    # The header block ends at the first blank line.
    _, _, body = text.partition("\n\n")
    lines = body.split("\n")
    if SEP in lines:
        i = lines.index(SEP)
        return "\n".join(lines[:i]), "\n".join(lines[i + 1:]), secs
    return body, None, secs


def norm(s):
    """Lines without trailing white space, no blank lines at the ends."""
    lines = [l.rstrip() for l in s.replace("\r\n", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def has_fact(part, f):
    """Every text fact of fragment f found in part; None: no fact."""
    if part is None:
        return False
    part = part.replace("\r\n", "\n")
    checks = []
    txt = f.get("text") or f.get("text_trimmed")
    if txt and txt.strip():
        checks.append(norm(txt) in norm(part))
    if f.get("starts_with"):
        checks.append(norm(f["starts_with"]) in norm(part))
    if f.get("line_starts_with"):
        w = f["line_starts_with"].strip("\n")
        checks.append(any(l.strip().startswith(w.split("\n")[0].strip())
                          for l in part.split("\n")))
    for c in f.get("contains") or []:
        checks.append(c in part)
    if f.get("regex"):
        try:
            checks.append(re.search(f["regex"], part, re.M) is not None)
        except re.error:
            pass
    return all(checks) if checks else None


def judge(ans, new, hist, secs):
    """(ok, why) for one fixture's answer; ok None: nothing to check."""
    facts = []
    if new is None:
        return False, "no note"
    if "reply" in ans:
        facts.append((norm(new) == norm(ans["reply"]), "reply differs"))
    if ans.get("fragment_count") == 1:
        facts.append((hist is None, "split, want one fragment"))
    for f in ans.get("fragments") or []:
        hidden = f.get("hidden")
        if hidden is None and f.get("index") == 0:
            hidden = False
        if hidden is None:
            continue
        r = has_fact(hist if hidden else new, f)
        if r is not None:
            facts.append((r, "fragment %d not in the %s" % (
                f["index"], "history" if hidden else "new text")))
    for c in ans.get("quoted_text_contains") or []:
        facts.append((hist is not None and c in hist,
                      "quoted text lacks %r" % c))
    if ans.get("any_fragment_signature"):
        facts.append((hist is not None, "signature not set apart"))
    if ans.get("max_seconds"):
        facts.append((secs <= ans["max_seconds"], "took %.2fs" % secs))
    if not facts:
        return None, ""
    bad = [why for ok, why in facts if not ok]
    return not bad, "; ".join(bad)


def cases(corpus):
    """(name, path, answer) for every case with an answer."""
    out = []
    for folder, sub in sorted(FOLDERS.items()):
        exp = os.path.join(corpus, folder, "EXPECTED.json")
        if not os.path.exists(exp):
            continue
        d = json.load(open(exp, encoding="utf-8"))
        skip = set(d.get("_no_assertion") or [])
        for name, ans in sorted(d.items()):
            if name.startswith("_") or name in skip:
                continue
            out.append(("%s/%s" % (folder, name),
                        os.path.join(corpus, folder, sub, name), ans, True))
    manifest = os.path.join(corpus, "MANIFEST.jsonl")
    for line in open(manifest, encoding="utf-8"):
        e = json.loads(line)
        if not e["file"].startswith("discourse/emails/"):
            continue
        note = e.get("note", "")
        m = re.search(r"expects (?:trimmed text |post text )?'([^']*)'",
                      note)
        ans = None
        if m:
            ans = {"reply": m.group(1)}
        elif "forward" in note.lower():
            ans = {"forward": True}
        if ans:
            out.append((e["file"], os.path.join(corpus, e["file"]), ans,
                        False))
    return out


def score(run, conf, corpus, verbose=False, emit=print):
    """(passed, total, failures) over every case."""
    passed = total = 0
    failures = []
    for name, path, ans, fragment in cases(corpus):
        raw = open(path, "rb").read()
        new, hist, secs = note_split(run, conf, wrap(raw) if fragment
                                     else raw)
        if ans.get("forward"):
            ok = new is not None and hist is None
            why = "an inline forward was split"
        else:
            ok, why = judge(ans, new, hist, secs)
            if ok is None:
                continue
        total += 1
        passed += bool(ok)
        if not ok:
            failures.append("%s: %s" % (name, why))
        if verbose:
            emit("%s %s %s" % ("ok " if ok else "BAD", name, why))
    return passed, total, failures


def main():
    sys.path.insert(0, os.path.join(TOP, "tests"))
    import corpus  # noqa: E402 - the binary runner and its config
    from tmpbase import safe_tmpdir  # noqa: E402
    tmp = safe_tmpdir("m2n-history.")
    conf = corpus.setup(tmp)
    p, t, bad = score(corpus.run, conf, corpus.CORPUS,
                      verbose="-v" in sys.argv)
    for b in bad:
        print("# " + b)
    print("history split accuracy: %d/%d (%.1f %%)" % (p, t, 100.0 * p /
                                                       max(t, 1)))
    subprocess.run(["rm", "-rf", tmp])
    return 0 if t and p / t >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())
