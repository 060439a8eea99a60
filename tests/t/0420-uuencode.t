#!/bin/bash
# 0420-uuencode.t - mails with uuencoded files in their text, delivered to
# the fake helpdesk: the note that arrived lists each file under
# Attachments, keeps the text around the blocks in order, and holds no
# line of uuencode ("M" lines) in body_text or body_html.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

[ -x "$M2N_BIN" ] || skip_all "$M2N_BIN not built"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

fake_start --tickets T1001,T1002,T1003,T1005
mk_conf "$KEY_RW"

# check_note N WANT - the Nth note the fake recorded against WANT, JSON:
# {"files": [names listed], "text": [strings found in this order]}; the
# HTML is compared as text (tags removed); prints one "ok" or "fail: why"
# line per body
check_note() {
	python3 - "$FAKE_DIR/note-$1.json" "$2" <<'PY'
import html, json, re, sys
note = json.load(open(sys.argv[1]))
want = json.loads(sys.argv[2])
for key in ("body_text", "body_html"):
    body = note.get(key, "")
    plain = html.unescape(re.sub(r"<[^>]*>", "", body))
    why = []
    # A full uuencode line: "M" and 60 characters between space and "`".
    if re.search(r"(?m)^M[ -`]{60}\s*$", plain):
        why.append("an M line of uuencode")
    if "begin 644" in body:
        why.append("a begin line")
    at = 0
    for t in want["text"]:
        i = plain.find(t, at)
        if i < 0:
            why.append("missing or out of order: %r" % t)
        else:
            at = i + len(t)
    for f in want["files"]:
        if not re.search(r"(?m)^(- |<li>)" + re.escape(f) + r" \(", body):
            why.append("file not listed: %r" % f)
    print(key + (": ok" if not why else ": fail: " + "; ".join(why)))
PY
}

# deliver NAME SAMPLE TICKET JSON - deliver samples/SAMPLE.eml and check
deliver() {
	n=$(($(wc -l <"$FAKE_DIR/notes.jsonl" 2>/dev/null || echo 0) + 1))
	run_gw -r "support+$3@helpdesk.example" -f a@example.org \
	    <"$M2N_TOP/samples/$2.eml"
	is "$RC" 0 "$1: delivered"
	res=$(check_note "$n" "$4")
	is "$(printf '%s\n' "$res" | grep -c ': ok$')" 2 "$1: both bodies"
	printf '%s\n' "$res" | grep -v ': ok$' | while read -r l; do
		diag "$l"
	done
}

deliver "Outlook Express, one image" uuencode-outlook-express T1001 \
    '{"files": ["fehler.gif"],
      "text": ["Hallo,", "angehängt.", "[uuencoded file: fehler.gif]",
               "Viele Grüße", "Hans Meier", "Attachments"]}'
deliver "Pine, two blocks in quoted-printable" uuencode-pine-two-blocks T1002 \
    '{"files": ["syslog.txt", "router.cfg"],
      "text": ["the router dropped", "[uuencoded file: syslog.txt]",
               "and the config:", "[uuencoded file: router.cfg]",
               "Thanks", "Attachments"]}'
deliver "truncated block" uuencode-truncated T1003 \
    '{"files": ["scan.pdf"],
      "text": ["The scan of the signed contract follows.",
               "[uuencoded file: scan.pdf (incomplete)]", "Attachments",
               "incomplete)"]}'

# The real Lotus Notes mail of the corpus, when the corpus is there.
rt=$M2N_TOP/tests/corpus/request-tracker/emails/notes-uuencoded
if [ -f "$rt" ]; then
	n=$(($(wc -l <"$FAKE_DIR/notes.jsonl") + 1))
	run_gw -r support+T1005@helpdesk.example -f a@example.org <"$rt"
	is "$RC" 0 "corpus notes-uuencoded: delivered"
	res=$(check_note "$n" '{"files": ["Naz_Head.jpg"],
	    "text": ["Thanks in advance", "(Its format is: JPEG",
	    "[uuencoded file: Naz_Head.jpg]", "Naz_Head.jpg (application/octet-stream, 102.4 KB)"]}')
	is "$(printf '%s\n' "$res" | grep -c ': ok$')" 2 \
	    "corpus notes-uuencoded: both bodies"
	printf '%s\n' "$res" | grep -v ': ok$' | while read -r l; do
		diag "$l"
	done
	like "$(wc -c <"$FAKE_DIR/note-$n.json")" "[0-9]*" "note size measured"
	diag "notes-uuencoded note: $(wc -c <"$FAKE_DIR/note-$n.json") bytes"
else
	skip 3 "no tests/corpus"
fi

done_testing
