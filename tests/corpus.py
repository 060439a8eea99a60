#!/usr/bin/env python3
"""corpus.py - every real email in tests/corpus through the binary.

tests/corpus is a verbatim copy of the project's shared corpus
(../shared/corpus: real messages collected by other mail projects, each
folder with its licence); the first test point checks every file against
MANIFEST.jsonl (git blob hash, or size for the few the manifest marks as
transcribed), so the copy cannot drift or be edited.

TAP output, one test point per message, plus points for the corpus folders
that carry answers:
  - every message: no crash (no signal, no sanitizer exit), an exit code of
    0, 65 or 67, at most one stderr line that is not a warning (on exit 0:
    none when a request is printed, the "not posted" reason when not), and on exit
    0 either nothing (discarded) or one valid JSON request whose body is an
    internal note with string bodies (valid UTF-8, since json.loads of the
    bytes decoded as strict UTF-8 succeeds);
  - sisimai bsd/dos/mac bounces are discarded, sisimai not/ ones are not;
  - discourse auto_* messages are discarded, the others are not;
    "automatic mails posted: N/M" counts those automatic by their folder
    (sisimai bounces, discourse auto_*) that were posted on their header
    alone (also on stderr);
  - thunderbird mailnews-test-data X with X.out: the note's text contains
    the expected text (white space folded);
  - gmime charset samples: a message declaring that charset decodes to
    exactly the *.utf-8.txt text;
  - lost text: every text leaf of a posted message (text/*, or a
    missing or invalid Content-Type read as text/plain, forwards
    included) whose words reach neither body is counted
    ("lost-text parts: N", also on stderr); the count may not grow past
    LOST_TEXT_MAX.  Fair to both sides: valid UTF-8 is read as UTF-8
    whatever its label, richtext commands and HTML entities are no words,
    and the note's own "--- Quoted history ---" line is left out;
  - the reply parsers' answers (tests/history_split.py): the quoted
    history is set apart where they say the reply ends, in at least 95 %
    of the cases ("history split accuracy: N/M (P %)", also on stderr so
    that make check shows it).

Under the sanitizer build (M2N_PASS=asan) the test is another one: every
message through the pipeline (parse, automatic check, ticket, render,
JSON) under ASan and UBSan, in-process in a few processes (asan_check(),
tests/fuzz/fuzz_message.c), leaks checked at their exit; a point per
message and one per process.  The outcomes and figures above are the
plain pass's: the same code gives the same answers, and a sanitizer
build's start-up, once per run, made the pass cost three times the plain
one.

Environment: M2N_TOP, M2N_BIN, M2N_BUILD, M2N_PASS (set by
tests/harness.pl), M2N_CORPUS (default tests/corpus), M2N_JOBS.
"""
import concurrent.futures
import hashlib
import json
import os
import re
import subprocess
import sys

TOP = os.environ.get("M2N_TOP") or os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests"))
from tmpbase import safe_tmpdir  # noqa: E402
BIN = os.environ.get("M2N_BIN") or os.path.join(TOP, "build", "mail2note")
CORPUS = os.environ.get("M2N_CORPUS") or os.path.join(TOP, "tests", "corpus")
JOBS = int(os.environ.get("M2N_JOBS") or os.cpu_count() or 2)
KEY = "ixk_test_rw_4f9c2a7e1b"

n = 0
failed = 0


def tap(ok, name, diag=None):
    global n, failed
    n += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (n, name))
    if not ok:
        failed += 1
        for line in (diag or "").splitlines()[:12]:
            print("#   " + line)
    sys.stdout.flush()


def blob_hash(path):
    """git's blob id of a file, None if it cannot be read."""
    try:
        data = open(path, "rb").read()
    except OSError:
        return None
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def as_manifest(e):
    """A file is as its origin wrote it: its git blob hash matches; files
    the manifest marks as transcribed (not byte-verified), and the answer
    files that are no upstream file (blob null: the reply parsers'
    EXPECTED.json), keep their size; licence texts need only be there."""
    path = os.path.join(CORPUS, e["file"])
    if blob_hash(path) == e["blob"]:
        return True
    if not os.path.isfile(path):
        return False
    if e["kind"] == "license":
        return True
    return (("not byte-verified" in e.get("note", "")
             or e["blob"] is None)
            and os.path.getsize(path) == e["size"])


def setup(tmp):
    keyf = os.path.join(tmp, "api.key")
    with open(keyf, "w") as f:
        f.write(KEY + "\n")
    os.chmod(keyf, 0o600)
    conf = os.path.join(tmp, "mail2note.conf")
    with open(conf, "w") as f:
        f.write("[api]\nbase_url = http://127.0.0.1:9\nkey_file = %s\n"
                "[delivery]\nstate_dir = %s\n"
                % (keyf, os.path.join(tmp, "state")))
    os.chmod(conf, 0o644)  # whatever the umask: o+w is refused
    return conf


# The sanitizer pass (M2N_PASS=asan) is asan_check() alone.
ASAN = os.environ.get("M2N_PASS") == "asan"


def run(conf, data, sender="customer@example.com"):
    """Run the binary on data (bytes); return (rc, stdout, stderr)."""
    p = subprocess.run([BIN, "-c", conf, "--dry-run", "-x", "T1001",
                        "-r", "support+T1001@helpdesk.example",
                        "-f", sender],
                       input=data, capture_output=True,
                       timeout=120)
    return p.returncode, p.stdout, p.stderr


def check_one(conf, path):
    """Returns (ok, diag, outcome, note) for one corpus message."""
    with open(path, "rb") as f:
        data = f.read()
    rc, out, err = run(conf, data)
    errlines = [l for l in err.decode("utf-8", "replace").splitlines()
                if l and not l.startswith("mail2note: warning:")]
    diag = "exit %d\nstderr: %s" % (rc, err.decode("utf-8", "replace")[:600])
    if rc < 0 or rc in (98, 99) or rc >= 128:
        return False, "crashed or sanitizer error\n" + diag, "crash", None
    if rc not in (0, 65, 67):
        return False, "unexpected exit code\n" + diag, "exit%d" % rc, None
    if rc != 0:
        if len(errlines) != 1 or not re.match(r"^5\.\d\.\d ", errlines[0]):
            return False, "want one 5.x.x stderr line\n" + diag, "bad", None
        return True, "", "bounced", None
    if not out.strip():
        # -n says why nothing would be posted, in one line.
        if (len(errlines) != 1 or not errlines[0].startswith(
                "mail2note: not posted: automatic message (")):
            return False, "discarded without its one reason line\n" + \
                diag, "bad", None
        return True, "", "discarded", None
    if errlines:
        return False, "stderr not silent on success\n" + diag, "bad", None
    try:
        req = json.loads(out.decode("utf-8", "strict"))
        body = req["body"]
        assert body["type"] == "internal_note"
        assert isinstance(body["body_text"], str)
        assert isinstance(body["body_html"], str)
    except Exception as e:  # noqa: BLE001 - any failure is the finding
        return False, "bad JSON: %r\n%s" % (e, out[:300]), "bad", None
    return True, "", "posted", body


def fold_words(s):
    """Only the letters and digits of s, lowercase: white space, markup
    rendering and line wrapping do not matter."""
    return re.sub(r"[\W_]+", "", s).lower()


def leaf_text(part):
    """The decoded text of a MIME leaf, markup removed for HTML."""
    try:
        raw = part.get_payload(decode=True) or b""
    except Exception:  # noqa: BLE001 - a broken part is no text
        return ""
    cs = part.get_content_charset() or "us-ascii"
    try:
        # 8-bit bytes that are valid UTF-8 are UTF-8, whatever the label
        # says (mail2note's rule too, see charset.h): a wrong label is no
        # loss.  (7-bit ones keep their label: ISO-2022-JP is 7-bit.)
        if raw.isascii():
            raise UnicodeDecodeError("utf-8", b"", 0, 1, "7-bit")
        text = raw.decode("utf-8", "strict")
    except UnicodeDecodeError:
        try:
            text = raw.decode(cs, "replace")
        except LookupError:
            text = raw.decode("latin-1")
    if part.get_content_type() == "text/html":
        import html as htmlmod
        text = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", " ", text)
        text = htmlmod.unescape(re.sub(r"(?s)<[^>]*>", " ", text))
    elif part.get_content_type() in ("text/enriched", "text/richtext"):
        # RFC 1896 markup: its command names are not words of the text.
        text = re.sub(r"(?s)<[^>]*>", " ", text)
    return text


# A uuencoded block (begin MODE NAME ... end, or begin-base64 ... ====):
# file data, not text; mail2note lists it as an attachment.
UU_BLOCK = re.compile(r"(?ms)^begin(?:-base64)? [0-7]{3,4} [^\n]*\n"
                      r".*?(?:^(?:end|====)[ \t\r]*$|\Z)")


def lost_text(path, body):
    """Text leaves of the message (text/*, by type or by the RFC 2045
    default for a missing or invalid Content-Type), forwards included,
    whose text reached neither body: a run of six words of the leaf is
    looked for in both bodies, compared by letters and digits only.
    Uuencoded blocks in a leaf are not text (UU_BLOCK)."""
    import email
    import email.policy  # noqa: F401
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f)
    import html as htmlmod
    sep = "--- Quoted history ---"  # a line of our own, not the sender's
    got = fold_words(body["body_text"].replace(sep, " ")) + "\0" + \
        fold_words(htmlmod.unescape(re.sub(r"(?s)<[^>]*>", " ",
                                           body["body_html"]))
                   .replace(sep, " "))
    lost = 0
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        words = re.findall(r"\w+", UU_BLOCK.sub(" ", leaf_text(part)))
        if len(words) < 6:
            continue
        # A run from the middle: the first words may be a greeting
        # that a history split or a signature rule set apart.
        mid = max(0, len(words) // 2 - 3)
        if fold_words("".join(words[mid:mid + 6])) not in got:
            lost += 1
    return lost


# The lost-text figure may only fall; raise it only with a reason.
LOST_TEXT_MAX = 11  # 378 before the inline text rules (issue 8), 29
# before message/news forwards, a text prologue under a second
# Content-Type and the fairer count above: tests/lost-text.md has each


def asan_check(paths):
    """The sanitizer pass: every message through parse, automatic check,
    ticket, render and JSON (tests/fuzz/fuzz_message.c: the pipeline
    without the network, under ASan and UBSan) in JOBS processes, leaks
    checked at their exit.  One point per message (the first message a
    process did not finish is the one a report belongs to) and one per
    process (exit status, leaks)."""
    drv = os.path.join(os.environ.get("M2N_BUILD") or
                       os.path.dirname(BIN), "fuzz_message")
    if not os.access(drv, os.X_OK):
        tap(False, "sanitizer pass: no %s" % drv)
        return
    chunks = [paths[i::JOBS] for i in range(JOBS)]

    def one(chunk):
        return subprocess.run([drv, "-v"] + chunk, capture_output=True,
                              timeout=900)
    with concurrent.futures.ThreadPoolExecutor(JOBS) as ex:
        runs = list(ex.map(one, chunks))
    rel = lambda p: os.path.relpath(p, CORPUS)  # noqa: E731
    for chunk, p in zip(chunks, runs):
        done = set(re.findall(rb"^done (.*)$", p.stdout, re.M))
        culprit = None
        for path in chunk:
            if path.encode() in done:
                tap(True, "%s: parsed and rendered, no sanitizer report"
                    % rel(path))
            elif culprit is None:
                culprit = path
                tap(False, "%s: parsed and rendered, no sanitizer report"
                    % rel(path), "exit %d: %s" % (p.returncode, p.stderr.decode(
                        "utf-8", "replace")[-1500:]))
            else:
                tap(False, "%s: not reached (the process stopped at %s)"
                    % (rel(path), rel(culprit)))
        tap(p.returncode == 0 and b"replayed %d inputs" % len(chunk)
            in p.stdout, "sanitizer pass: %d messages in one process, "
            "no leak or sanitizer report at its exit" % len(chunk),
            "exit %d: %s" % (p.returncode, p.stderr.decode(
                "utf-8", "replace")[-1500:]))


def main():
    manifest = os.path.join(CORPUS, "MANIFEST.jsonl")
    if not os.path.exists(manifest):
        print("Bail out! no corpus at %s" % CORPUS)
        return 1
    if not os.access(BIN, os.X_OK):
        print("Bail out! no binary %s" % BIN)
        return 1
    entries = [json.loads(l) for l in open(manifest) if l.strip()]
    bad = [e["file"] for e in entries if not as_manifest(e)]
    tap(not bad, "corpus: %d files match MANIFEST.jsonl" % len(entries),
        "differ or missing:\n" + "\n".join(bad))
    messages = [e["file"] for e in entries if e["kind"] == "message"]
    if ASAN:
        # What the plain pass asserts of each outcome and figure is the
        # same code's answer; this pass looks for memory errors,
        # undefined behaviour and leaks, in-process: a sanitizer
        # build's start-up, once per message, was this test's whole cost.
        asan_check([os.path.join(CORPUS, m) for m in sorted(messages)])
        print("1..%d" % n)
        return 1 if failed else 0
    expected = {e["file"][:-4]: e["file"] for e in entries
                if e["kind"] == "expected" and e["file"].endswith(".out")}

    tmp = safe_tmpdir("m2n-corpus.")
    conf = setup(tmp)
    results = {}
    with concurrent.futures.ThreadPoolExecutor(JOBS) as ex:
        futs = {ex.submit(check_one, conf, os.path.join(CORPUS, m)): m
                for m in messages}
        for fut in concurrent.futures.as_completed(futs):
            results[futs[fut]] = fut.result()

    counts = {}
    for m in sorted(messages):
        ok, diag, outcome, _ = results[m]
        counts[outcome] = counts.get(outcome, 0) + 1
        tap(ok, "%s (%s)" % (m, outcome), diag)
    print("# outcomes: " + ", ".join("%s=%d" % kv for kv in
                                     sorted(counts.items())))

    # Text that neither body carries is text the ticket never shows.
    lost, lost_in = 0, []
    for m in sorted(messages):
        if results[m][2] == "posted":
            k = lost_text(os.path.join(CORPUS, m), results[m][3])
            lost += k
            if k:
                lost_in.append("%s (%d)" % (m, k))
    for m in lost_in:
        print("# lost text: " + m)
    line = "lost-text parts: %d" % lost
    if LOST_TEXT_MAX is not None:
        tap(lost <= LOST_TEXT_MAX, "%s, at most %d" % (line, LOST_TEXT_MAX))
    print("# " + line)
    sys.stderr.write(line + "\n")

    # Bounces and auto-replies are recognised; real mail is not dropped.
    # Under a real MTA every bounce has the null envelope sender, which
    # alone must make us discard it; by headers alone (no envelope) most
    # must still be recognised.
    by_headers = []
    auto_posted = []
    for m in sorted(messages):
        outcome = results[m][2]
        if m.startswith("sisimai-set-of-emails/not/"):
            raw = open(os.path.join(CORPUS, m), "rb").read()
            autosub = re.search(rb"(?im)^auto-submitted:\s*auto-", raw)
            tap(outcome == ("discarded" if autosub else "posted"),
                "%s is not a bounce (posted unless Auto-Submitted)" % m,
                "outcome %s" % outcome)
        elif m.startswith("sisimai-set-of-emails/"):
            by_headers.append((m, outcome))
            # mac/ has CR-only line ends: read as LF (spool_cr_only()).
            rc, out, err = run(conf, open(os.path.join(CORPUS, m),
                                          "rb").read(), sender="")
            tap(rc == 0 and not out.strip(),
                "%s from the null sender is discarded" % m,
                "exit %d out %r" % (rc, out[:100]))
        elif m.startswith("discourse/emails/auto_"):
            auto_posted.append((m, outcome))
            tap(outcome == "discarded", "%s is automatic: discarded" % m,
                "outcome %s" % outcome)
        elif m.startswith("discourse/"):
            tap(outcome == "posted", "%s is posted" % m,
                "outcome %s" % outcome)
    if by_headers:
        missed = [m for m, o in by_headers if o != "discarded"]
        rate = 1 - len(missed) / len(by_headers)
        tap(rate >= 0.90, "sisimai bounces recognised by headers alone: "
            "%d/%d (%.0f%%, floor 90%%)" % (len(by_headers) - len(missed),
                                           len(by_headers), rate * 100),
            "missed: " + ", ".join(missed))
        for m in missed:
            print("# not recognised by headers alone: " + m)
    # The summary: of the mails that are automatic by their folder (the
    # sisimai bounces, discourse's auto_* mails), how many became a note
    # when only the message could tell (no null envelope sender).
    auto = by_headers + auto_posted
    posted = [m for m, o in auto if o == "posted"]
    line = "automatic mails posted: %d/%d" % (len(posted), len(auto))
    for m in posted:
        print("# automatic mail posted: " + m)
    print("# " + line)
    sys.stderr.write(line + "\n")

    # The right part is chosen: Thunderbird's expected texts (markup
    # stripped) appear in the note's text or its HTML.  basic4 and basic5
    # have no header at all: refused (5.6.0), as a real MTA never hands
    # us such a thing.
    headerless = {"thunderbird/mailnews-test-data/basic4",
                  "thunderbird/mailnews-test-data/basic5"}
    fold = lambda s: " ".join(s.split())  # noqa: E731
    strip = lambda s: re.sub(r"<[^>]*>", " ", s)  # noqa: E731
    for m, exp in sorted(expected.items()):
        if m not in results:
            continue
        outcome, note = results[m][2], results[m][3]
        if m in headerless:
            tap(outcome == "bounced", "%s: headerless input refused" % m,
                "outcome %s" % outcome)
            continue
        want = fold(strip(open(os.path.join(CORPUS, exp), "rb").read()
                          .decode("utf-8", "replace")))
        got_t = fold(note["body_text"]) if note else ""
        got_h = fold(strip(note["body_html"])) if note else ""
        tap(want in got_t or want in got_h,
            "%s: note has the expected text" % m,
            "want: %r\ngot: %r" % (want[:200], got_t[:400]))

    # Charsets: the same text in several encodings decodes to the UTF-8.
    cdir = os.path.join(CORPUS, "gmime", "charset-samples")
    if os.path.isdir(cdir):
        for name in sorted(os.listdir(cdir)):
            base, cs, _ = name.rsplit(".", 2)
            if cs == "utf-8":
                continue
            if not os.path.exists(os.path.join(cdir, base + ".utf-8.txt")):
                continue
            raw = open(os.path.join(cdir, name), "rb").read()
            want = open(os.path.join(cdir, base + ".utf-8.txt"),
                        "rb").read().decode("utf-8")
            msg = (b"From: a@example.com\nTo: b@example.com\n"
                   b"Subject: charset " + cs.encode() + b"\n"
                   b"Message-ID: <cs-" + cs.encode() + b"@example.com>\n"
                   b"MIME-Version: 1.0\n"
                   b"Content-Type: text/plain; charset=" + cs.encode() +
                   b"\nContent-Transfer-Encoding: 8bit\n\n" + raw)
            rc, out, err = run(conf, msg)
            got = ""
            if rc == 0 and out.strip():
                got = json.loads(out)["body"]["body_text"]
            if base == "chinese":
                # chinese.utf-8.txt is another text than chinese.big5.txt:
                # only require a clean decoding.
                ok = bool(got) and "\ufffd" not in got
            else:
                ok = fold(want) in fold(got)
            tap(ok, "charset %s decodes to UTF-8" % cs,
                "exit %d %s\nwant: %r\ngot: %r" % (
                    rc, err[:200], fold(want)[:120], fold(got)[:300]))

    # The quoted history is set apart where the reply parsers say.
    import history_split  # noqa: E402 - beside this file
    hp, ht, hbad = history_split.score(run, conf, CORPUS)
    line = "history split accuracy: %d/%d (%.1f %%)" % (
        hp, ht, 100.0 * hp / max(ht, 1))
    tap(ht > 0 and hp / ht >= 0.95, line + ", floor 95 %",
        "\n".join(hbad))
    for b in hbad:
        print("# history not split as expected: " + b)
    print("# " + line)
    sys.stderr.write(line + "\n")

    print("1..%d" % n)
    subprocess.run(["rm", "-rf", tmp])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
