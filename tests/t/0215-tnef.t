#!/bin/bash
# 0215-tnef.t - winmail.dat end to end: what reaches the fake helpdesk
# names the files inside a TNEF container, carries its body when the mail
# has no other, and a broken container is listed as it is, the mail kept.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

# unlike GOT GLOB DESCRIPTION - GOT does not match GLOB
unlike() {
	# shellcheck disable=SC2254
	case $1 in
	$2) ok 1 "$3"; diag "got:  '$1'" "want unlike: '$2'" ;;
	*) ok 0 "$3" ;;
	esac
}

fake_start
mk_conf

# deliver SAMPLE - run a sample through mail2note to the fake; sets NOTE
# to the note's body_text ("" when none was posted)
n=0
deliver() {
	rcpt=support+T1001@helpdesk.example	# a ticket the fake knows
	run_gw -r "$rcpt" -f sender@contoso.example -q "Q$1" \
	    <"$M2N_TOP/samples/$1.eml"
	NOTE=
	if [ "$RC" -eq 0 ] && [ -s "$FAKE_DIR/note-$((n + 1)).json" ]; then
		n=$((n + 1))
		NOTE=$(json_get "$FAKE_DIR/note-$n.json" '["body_text"]')
		HTML=$(json_get "$FAKE_DIR/note-$n.json" '["body_html"]')
	fi
}

deliver tnef-attachments
is "$RC" 0 "attachments: delivered"
is "$OUT" "" "attachments: nothing on stdout"
like "$NOTE" "*- Quarterly report 2025.pdf (application/pdf, 65 bytes)*" \
    "attachments: the long name of a file"
like "$NOTE" "*- Überweisung März.xlsx (application/vnd.openxmlformats*" \
    "attachments: a Unicode long name"
like "$NOTE" "*- NOTES.TXT (text/plain, 12 bytes)*" \
    "attachments: the 8.3 name when there is no other"
unlike "$NOTE" "*winmail.dat*" "attachments: winmail.dat itself not listed"
like "$NOTE" "*Please find the reports attached.
*" "attachments: the mail's own body"
is "$(printf '%s\n' "$NOTE" | grep -c 'Please find the reports')" 1 \
    "attachments: the TNEF copy of the body not added"

deliver tnef-rtf-body
is "$RC" 0 "rtf body: delivered"
like "$NOTE" "*The café next door has the same model – theirs works.
Cost so far: 120 €*" "rtf body: the RTF text is the body"
like "$NOTE" "*- error log E-502.pdf (application/pdf, 65 bytes)*" \
    "rtf body: its file listed"

deliver tnef-html-in-rtf
is "$RC" 0 "html in rtf: delivered"
like "$HTML" "*<b>Urgent</b>: café € 40 per hour*" \
    "html in rtf: the encapsulated HTML, sanitised"

deliver tnef-body-html
like "$HTML" "*Grüße aus Köln: the <b>HTML</b> body*" \
    "PR_BODY_HTML: the body"
unlike "$NOTE" "*Plain body, not used*" "PR_BODY_HTML: preferred to PR_BODY"

deliver tnef-truncated
is "$RC" 0 "truncated: delivered, not bounced"
like "$NOTE" "*- winmail.dat (application/ms-tnef, 519 bytes)*" \
    "truncated: listed as it is"

deliver tnef-garbage
is "$RC" 0 "garbage: delivered"
is "$OUT" "" "garbage: libytnef's diagnostics not on stdout"
like "$NOTE" "*- winmail.dat (application/ms-tnef, 79 bytes)
- WINMAIL.DAT (application/octet-stream, 262 bytes)*" \
    "garbage: both containers listed as they are"

# More attachments than max_parts: not decoded (libytnef walks its list
# once per attribute), listed as it is, and quickly.
python3 - "$T/many.eml" <<'PY'
import sys
sys.path.insert(0, __import__("os").environ["M2N_TOP"] + "/tests")
import mktnef as M
files = [(b"F%d.TXT" % i, None, b"x", False) for i in range(1200)]
head = M.HEAD.format(sender="a@contoso.example", name="A", ticket=2007,
                     subject="many", minute=7, mid="MANY")
open(sys.argv[1], "w").write(M.mixed(head, [M.text_part("many\n"),
                             M.winmail_part(M.tnef([], files))], ""))
PY
start=$(date +%s)
run_gw -r support+T1001@helpdesk.example -f a@contoso.example <"$T/many.eml"
is "$RC" 0 "1200 files: delivered"
[ $(($(date +%s) - start)) -lt 60 ]
ok $? "1200 files: within 60 s (a heavily loaded machine)"
n=$((n + 1))
like "$(json_get "$FAKE_DIR/note-$n.json" '["body_text"]')" \
    "*- winmail.dat (application/ms-tnef,*" "1200 files: listed as it is"

done_testing
