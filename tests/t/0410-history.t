#!/bin/bash
# 0410-history.t - the [message] split_history switch end to end (dry
# run, no helpdesk): on by default the quoted history of a reply is set
# apart in both bodies, off the body is as it came; a mail with no history
# and an inline forward get no separator, a closing signature goes below
# one.  (The detector itself: tests/unit/test_history.c; its accuracy on
# the reply parsers' answers: tests/corpus.py.)
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

[ -x "$M2N_BIN" ] || skip_all "$M2N_BIN not built"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

SEP='--- Quoted history ---'
NL='
'

# body KEY - body_text or body_html of the request the dry run printed
body() { json_get "$T/out" "[\"body\"][\"$1\"]"; }

# has TEXT - does TEXT hold the separator line? (exit status)
has() { case $1 in *"$NL$SEP$NL"*) return 0 ;; esac; return 1; }

mail() {
	printf 'From: Ana <ana@example.com>\nTo: support+T1001@example.com\n'
	printf 'Subject: %s\nDate: Mon, 30 Nov 2026 10:00:00 +0000\n\n' "$1"
	printf '%b' "$2"
}

mail 'Re: Printer' 'Still broken.\n\nOn Mon, 30 Nov 2026 at 09:00, Support <support@example.com> wrote:\n> Please restart it.\n' >"$T/reply"

mk_conf
run_gw -n -x T1001 <"$T/reply"
is "$RC" 0 "default: exit 0"
like "$(body body_text)" "*${NL}Still broken.$NL$NL$SEP${NL}On Mon, 30 Nov 2026*> Please restart it." \
    "default: body_text is the new text, the separator line, the history"
like "$(body body_html)" "*<p>Still broken.</p>$NL<p>$SEP</p>$NL<blockquote>*Please restart it.*</blockquote>" \
    "default: body_html has the separator paragraph, then the history in a blockquote"

mk_conf "$KEY_RW" "[message]" "split_history = false"
run_gw -n -x T1001 <"$T/reply"
is "$RC" 0 "split_history = false: exit 0"
has "$(body body_text)"
ok $((! $?)) "split_history = false: no separator"
like "$(body body_text)" "*Still broken.$NL${NL}On Mon, 30 Nov 2026*" \
    "split_history = false: the body as it came"

mk_conf
mail 'Printer' 'It is out of toner.\n' >"$T/m"
run_gw -n -x T1001 <"$T/m"
has "$(body body_text)"
ok $((! $?)) "no history: no separator"

mail 'Printer' 'It is out of toner.\n\n-- \nAna\n' >"$T/m"
run_gw -n -x T1001 <"$T/m"
like "$(body body_text)" "*out of toner.$NL$NL$SEP$NL-- ${NL}Ana" \
    "a closing signature goes below the separator, as the trimmers cut"

mail 'Fwd: Printer' 'FYI\n\n---------- Forwarded message ---------\nFrom: Bo <bo@example.com>\nDate: Mon, 30 Nov 2026\nSubject: Printer\n\nOn Sun, 29 Nov 2026, Cy <c@example.com> wrote:\n> old\n' >"$T/m"
run_gw -n -x T1001 <"$T/m"
has "$(body body_text)"
ok $((! $?)) "an inline forward is content: no separator"

mail 'FW: Printer' 'See below.\n\nFrom: Bo <bo@example.com>\nSent: Monday, 30 November 2026 08:00\nTo: Ana\nSubject: Printer\n\nold\n' >"$T/m"
run_gw -n -x T1001 <"$T/m"
has "$(body body_text)"
ok $((! $?)) "a forward by its subject (FW:): no separator"
done_testing
