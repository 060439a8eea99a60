#!/bin/bash
# 0220-discard.t - what decides "discard" and "retry" outside the message
# itself, end to end against the fake helpdesk: the envelope sender the MTA
# passes (-f), the discard_automatic switch, automatic mail told only by
# its own header or shape, and the Idempotency-Key of a
# mail (each mail its own key, with or without a Message-ID, shared or not;
# a retry the same key).
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

[ -x "$M2N_BIN" ] || skip_all "$M2N_BIN not built"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

fake_start
mk_conf

# nnotes - notes.jsonl's lines, counted by bash (no wc, tr processes)
nnotes() { local -a _l; mapfile -t _l <"$FAKE_DIR/notes.jsonl"; echo "${#_l[@]}"; }

# msg [HEADER...] - a small message to ticket T1001, with extra headers
msg() {
	printf 'From: Ana <ana@example.com>\nTo: support+T1001@example.com\n'
	printf 'Subject: Printer\nDate: Mon, 30 Nov 2026 10:00:00 +0000\n'
	for _h in "$@"; do printf '%s\n' "$_h"; done
	printf '\nThe printer is out of toner.\n'
}

# --- the envelope sender: bounces and null senders are not posted ------
n0=$(nnotes)
msg 'Message-ID: <env-1@example.com>' >"$T/m"
run_gw -f '' -x T1001 <"$T/m"
is "$RC" 0 "null envelope sender (-f ''): exit 0"
is "$ERR" "" "null envelope sender: nothing on stderr"
is "$(nnotes)" "$n0" "null envelope sender: nothing posted"
run_gw -f '<>' -x T1001 <"$T/m"
is "$RC" 0 "envelope sender <>: exit 0"
is "$(nnotes)" "$n0" "envelope sender <>: nothing posted"
run_gw -f MAILER-DAEMON@mx.example.com -x T1001 <"$T/m"
is "$RC" 0 "envelope sender MAILER-DAEMON: exit 0"
is "$(nnotes)" "$n0" "envelope sender MAILER-DAEMON: nothing posted"
run_gw -n -f '' -x T1001 <"$T/m"
like "$ERR" "mail2note: not posted: automatic message (null envelope sender)" \
    "-n says why nothing was posted"
is "$OUT" "" "-n prints no request for a discarded mail"
# The same mail from a person is posted: the sender made the difference.
run_gw -f ana@example.com -x T1001 <"$T/m"
is "$RC" 0 "a person's envelope sender: exit 0"
is "$(nnotes)" "$((n0 + 1))" "a person's envelope sender: posted"

# --- discard_automatic = false: an auto-reply is posted -----------------
msg 'Message-ID: <auto-1@example.com>' 'Auto-Submitted: auto-replied' >"$T/a"
n0=$(nnotes)
run_gw -f ana@example.com -x T1001 <"$T/a"
is "$RC" 0 "auto-reply, default config: exit 0"
is "$(nnotes)" "$n0" "auto-reply, default config: discarded"
mk_conf "$KEY_RW" "[message]" "discard_automatic = false"
run_gw -f ana@example.com -x T1001 <"$T/a"
is "$RC" 0 "auto-reply, discard_automatic = false: exit 0"
is "$(nnotes)" "$((n0 + 1))" "auto-reply, discard_automatic = false: posted"
mk_conf

# --- automatic mail without Auto-Submitted (issue 8): not posted ---------
# Each sample comes from a person's envelope sender, so only the message
# itself can tell: an abuse complaint enclosing the mail (Outlook.com), an
# iCloud vacation reply, an Outlook out-of-office in German, a delivery
# report with CR line ends only.  A person's "Fwd: Out of office" is posted.
S=$M2N_TOP/samples
for s in abuse-complaint-outlook:abuse \
    vacation-icloud:X-Apple-Action \
    out-of-office-german:out-of-office \
    dsn-cr-only:multipart/report; do
	f=${s%%:*} why=${s#*:}
	n0=$(nnotes)
	run_gw -f ana@example.com -x T1001 <"$S/$f.eml"
	is "$RC" 0 "$f: exit 0"
	is "$(nnotes)" "$n0" "$f: nothing posted"
	run_gw -n -f ana@example.com -x T1001 <"$S/$f.eml"
	like "$ERR" "*not posted: automatic message (*$why*" "$f: -n says why"
done
n0=$(nnotes)
run_gw -f lena.fischer@example.com -x T1001 <"$S/fwd-out-of-office.eml"
is "$RC" 0 "a person's Fwd: Out of office: exit 0"
is "$(nnotes)" "$((n0 + 1))" "a person's Fwd: Out of office: posted"
# The same out-of-office with the subject of a person: posted.
sed 's/^Subject: Abwesenheitsnotiz: /Subject: /' \
    "$S/out-of-office-german.eml" >"$T/ooo"
n0=$(nnotes)
run_gw -f ana@example.com -x T1001 <"$T/ooo"
is "$(nnotes)" "$((n0 + 1))" "X-Auto-Response-Suppress without an out-of-office subject: posted"
# A person's mail with CR line ends only is read, not bounced.
msg 'Message-ID: <cr-1@example.com>' | tr '\n' '\r' >"$T/cr"
n0=$(nnotes)
run_gw -f ana@example.com -x T1001 <"$T/cr"
is "$RC" 0 "a person's CR-only mail: exit 0"
is "$(nnotes)" "$((n0 + 1))" "a person's CR-only mail: posted"
run_gw -n -f ana@example.com -x T1001 <"$T/cr"
like "$OUT" "*The printer is out of toner.*" "a person's CR-only mail: its text"

# --- Idempotency-Key: one per mail, the same on a retry ------------------
# idem FILE - the Idempotency-Key a dry run of FILE would send
idem() {
	run_gw -n -f ana@example.com -x T1001 <"$1"
	printf '%s' "$OUT" | python3 -c 'import json,sys
print(json.load(sys.stdin)["headers"].get("Idempotency-Key", ""))'
}
# two_mails WHAT FILE1 FILE2 - two different mails get two keys, a retry of
# the first its key again; sets K1 and K2
two_mails() {
	K1=$(idem "$2")
	K2=$(idem "$3")
	_again=$(idem "$2")
	like "$K1" '????????????????????????????????????????????????????????????????' \
	    "$1: an Idempotency-Key"
	[ -n "$K1" ] && [ "$K1" != "$K2" ]
	ok $? "$1: two different mails, two different keys"
	is "$_again" "$K1" "$1: the same mail again (a retry), the same key"
}
printf 'From: a@example.com\nSubject: one\n\nfirst mail\n' >"$T/n1"
printf 'From: a@example.com\nSubject: two\n\nsecond mail\n' >"$T/n2"
two_mails "no Message-ID" "$T/n1" "$T/n2"
k1=$K1
# Broken clients, list software and edited resends reuse a Message-ID: an
# API that honours the key would keep the first mail and drop the others.
printf 'From: a@example.com\nSubject: one\nMessage-ID: <same@example.com>\n\nfirst mail\n' >"$T/s1"
printf 'From: a@example.com\nSubject: two\nMessage-ID: <same@example.com>\n\nsecond mail\n' >"$T/s2"
two_mails "shared Message-ID" "$T/s1" "$T/s2"
s1=$K1 s2=$K2
[ "$s1" != "$k1" ]
ok $? "a Message-ID goes into the key"
# The API key is no part of it: rotating the key keeps retries recognisable.
mk_conf "$KEY_RO"
is "$(idem "$T/s1")" "$s1" "another API key: the same Idempotency-Key"
mk_conf
# End to end: the two mails arrive as two notes with their two keys, and a
# retry of the first is found in the delivery journal under the first key
# (no request: see 0240-delivery-state.t).
n0=$(nnotes)
run_gw -f a@example.com -x T1001 <"$T/s1"
is "$RC" 0 "shared Message-ID, first mail: exit 0"
run_gw -f a@example.com -x T1001 <"$T/s2"
is "$RC" 0 "shared Message-ID, second mail: exit 0"
run_gw -f a@example.com -x T1001 <"$T/s1"
is "$RC" 0 "shared Message-ID, first mail again: exit 0"
is "$(nnotes)" "$((n0 + 2))" "shared Message-ID: two posts recorded, the retry a journal hit"
is "$(tail -n 2 "$FAKE_DIR/notes.jsonl" | python3 -c 'import json,sys
print(" ".join(json.loads(l)["idempotency_key"] for l in sys.stdin))')" \
    "$s1 $s2" "shared Message-ID: the keys sent are the dry runs' keys"

done_testing
