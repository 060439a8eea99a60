#!/bin/bash
# 0300-golden.t - every samples/X.eml through `mail2note --dry-run`
# (tests/golden.sh --run) compared with tests/expected/X.{json,exit,err}:
# one test point per sample and kind.  Then the goldens themselves: each
# non-empty .json is one valid UTF-8 JSON object whose body is an
# internal_note with both bodies, no active HTML and no API key.
# Regenerate with `make golden` and review every change by hand.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

[ -x "$M2N_BIN" ] || skip_all "no binary at $M2N_BIN"
command -v python3 >/dev/null || skip_all "python3 needed"

cd "$M2N_TOP" || exit 1
samples=()
for f in samples/*.eml; do
	n=${f##*/}
	samples+=("${n%.eml}")
done

is "$([ ${#samples[@]} -ge 20 ] && echo yes)" yes \
    "at least 20 samples (${#samples[@]})"

mkdir -p "$T/got"
sh tests/golden.sh --run "$T/got" "${samples[@]}"
for n in "${samples[@]}"; do
	for kind in json exit err; do
		want=tests/expected/$n.$kind
		got=$T/got/$n.$kind
		if [ ! -f "$want" ]; then
			ok 1 "$n.$kind matches its golden"
			diag "no $want: run make golden and review it"
		elif cmp -s "$want" "$got"; then
			ok 0 "$n.$kind matches its golden"
		else
			ok 1 "$n.$kind matches its golden"
			diag "$(diff -u "$want" "$got" | head -40)"
		fi
	done
done

# The goldens themselves, whatever the binary did today: one python for
# all of them, a line "NAME<TAB>why" for each (why empty when it is good).
goldens=()
for n in "${samples[@]}"; do
	[ -s "tests/expected/$n.json" ] && goldens+=("$n")
done
python3 - "$KEY_RW" "${goldens[@]}" >"$T/goldens.chk" 2>&1 <<'PY'
import json, re, sys
from html.parser import HTMLParser

class Bad(Exception):
    pass

def check(path, key):
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Bad("not UTF-8: %s" % e)
    if key in text:
        raise Bad("the API key is in the output")
    lines = text.splitlines()
    if len(lines) != 1:
        raise Bad("%d lines, want one JSON object" % len(lines))
    d = json.loads(lines[0])
    b = d.get("body")
    if not isinstance(b, dict) or b.get("type") != "internal_note":
        raise Bad("body.type is not internal_note")
    if list(b) != ["type", "body_html", "body_text"]:
        raise Bad("body keys %s" % list(b))
    for k in ("body_html", "body_text"):
        if not isinstance(b[k], str) or not b[k].strip():
            raise Bad("%s is empty" % k)
    class Check(HTMLParser):
        BAD = {"script", "style", "iframe", "frame", "frameset", "object",
               "embed", "applet", "form", "input", "button", "textarea",
               "select", "base", "meta", "link", "svg", "math", "template",
               "img"}
        URLS = {"href", "src", "action", "formaction", "background", "cite",
                "poster", "srcset", "xlink:href"}
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.bad = []
        def handle_starttag(self, tag, attrs):
            if tag in self.BAD:
                self.bad.append("<%s>" % tag)
            for k, v in attrs:
                if k.startswith("on"):
                    self.bad.append("%s on <%s>" % (k, tag))
                if k in self.URLS and v is not None:
                    u = re.sub(r"[\x00-\x20]", "", v).lower()
                    m = re.match(r"([a-z][a-z0-9+.-]*):", u)
                    if m and m.group(1) not in ("http", "https", "mailto"):
                        self.bad.append("%s=%s: on <%s>" % (k, m.group(1), tag))
                if k == "style" and v and re.search(r"url\(|expression", v, re.I):
                    self.bad.append("style url on <%s>" % tag)
        handle_startendtag = handle_starttag
        def handle_comment(self, data):
            self.bad.append("comment")
    c = Check()
    c.feed(b["body_html"])
    c.close()
    if c.bad:
        raise Bad("active HTML in body_html: %s" % ", ".join(sorted(set(c.bad))))
    if d.get("headers", {}).get("Authorization") != "Bearer [redacted]":
        raise Bad("Authorization not redacted")

key = sys.argv[1]
for name in sys.argv[2:]:
    try:
        check("tests/expected/%s.json" % name, key)
        why = ""
    except Bad as e:
        why = str(e.args[0])
    except Exception as e:
        why = "%s: %s" % (type(e).__name__, e)
    print("%s\t%s" % (name, why.replace("\n", " ")))
PY
ok $? "golden checker ran"
checked=0
while IFS=$'\t' read -r n msg; do
	[ -z "$msg" ]
	ok $? "$n.json golden: UTF-8 JSON internal_note, safe HTML${msg:+ ($msg)}"
	checked=$((checked + 1))
done <"$T/goldens.chk"
is "$checked" "${#goldens[@]}" "every non-empty golden checked"

# A note over max_note_size, generated here rather than shipped: 300 KB of
# two- and three-byte characters in both parts, cut to 16 KiB.
python3 - >"$T/long.eml" <<'PY'
import sys
line = "Ligne n\u00b0 %d : \u00e9l\u00e9ment \u2014 <d\u00e9tail> & \u00abcitation\u00bb\n"
text = "".join(line % i for i in range(6000))
html = "<div><table>" + "".join(
    "<tr><td>%d</td><td>\u00e9l\u00e9ment \u2014 <b>gras</b> &amp; "
    "<a href=\"https://example.com/%d\">lien</a></td></tr>\n" % (i, i)
    for i in range(6000)) + "</table></div>"
b = "b-long-7f3e"
out = ("From: Long Writer <long@example.com>\nTo: support+T2000@helpdesk.example\n"
       "Subject: a very long message\nDate: Thu, 13 Mar 2025 09:00:00 +0100\n"
       "Message-ID: <long-1@example.com>\nMIME-Version: 1.0\n"
       "Content-Type: multipart/alternative; boundary=\"%s\"\n\n"
       "--%s\nContent-Type: text/plain; charset=utf-8\n"
       "Content-Transfer-Encoding: 8bit\n\n%s\n"
       "--%s\nContent-Type: text/html; charset=utf-8\n"
       "Content-Transfer-Encoding: 8bit\n\n%s\n--%s--\n"
       % (b, b, text, b, html, b))
sys.stdout.buffer.write(out.encode("utf-8"))
PY
mk_conf "$KEY_RW" "[message]" "max_note_size = 16K"
run_gw --dry-run -r support+T2000@helpdesk.example -f long@example.com \
    <"$T/long.eml"
is "$RC" 0 "long message: exit 0"
msg=$(python3 - "$T/out" 2>&1 <<'PY'
import json, sys
from html.parser import HTMLParser
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
b = d["body"]
size = len(b["body_text"].encode()) + len(b["body_html"].encode())
if size > 16384:
    sys.exit("bodies are %d bytes, over 16384" % size)
if size < 12000:
    sys.exit("bodies are only %d bytes: too much was cut" % size)
for k in ("body_text", "body_html"):
    if "[Note truncated" not in b[k]:
        sys.exit("%s does not say it was truncated" % k)
if "Ligne n\u00b0 0 :" not in b["body_text"] or "Ligne n\u00b0 5999" in b["body_text"]:
    sys.exit("body_text does not keep the start and drop the end")
class Depth(HTMLParser):
    VOID = {"br", "hr", "img", "wbr"}
    def __init__(self):
        super().__init__()
        self.stack = []
    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            raise SystemExit("body_html: unbalanced </%s>" % tag)
p = Depth()
p.feed(b["body_html"])
if p.stack:
    sys.exit("body_html: unclosed %s" % p.stack)
PY
)
ok $? "long message: cut within max_note_size, both bodies say so, HTML balanced${msg:+ ($msg)}"

done_testing
