#!/bin/bash
# 0250-syslog.t - what a mail administrator reads in the mail log: one
# LOG_MAIL line per message (queue id, message-id, ticket, HTTP status,
# outcome, milliseconds; for a bounce or deferral also the DSN and the
# reason the MTA was given, at LOG_ERR), warnings only when something was
# odd, hostile text kept to one line, and never the API key.
#
# syslog(3) writes to /dev/log.  As root the test puts its own datagram
# socket there (tests/stub/syslog.py): bind-mounted over the real one in a
# private mount namespace when a syslog daemon has one, or created at
# /dev/log (and removed) when there is none.  Otherwise it skips.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

shopt -s lastpipe	# `msg | logged` sets RC and LINES here

[ "$(id -u)" = 0 ] || skip_all "needs root to own /dev/log"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

LOG=$T/syslog.out
if [ -e /dev/log ]; then
	command -v unshare >/dev/null 2>&1 || skip_all "no unshare(1)"
	unshare -m true 2>/dev/null || skip_all "no mount namespaces here"
	SOCK=$T/log.sock
	WRAP="unshare -m"
else
	# /dev/log is the machine's: one test run at a time owns it (the
	# harness may run this file's plain and asan passes together).
	exec 9>"${TMPDIR:-/tmp}/mail2note-test-devlog.lock"
	flock 9
	SOCK=/dev/log
	WRAP=
fi
python3 "$M2N_TOP/tests/stub/syslog.py" --socket "$SOCK" --out "$LOG" \
    --lifetime 300 2>"$T/syslog.err" &
LOG_PID=$!
at_exit "kill $LOG_PID 2>/dev/null; wait $LOG_PID 2>/dev/null"
_i=0
while [ ! -s "$LOG.ready" ] && [ "$_i" -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
[ -s "$LOG.ready" ] || { echo "Bail out! syslog stub did not start"; cat "$T/syslog.err"; exit 1; }

fake_start
mk_conf

# logged QID ARGS... < message - run the binary with queue id QID (made
# unique to this test run) and its syslog going to $LOG; sets RC, ERR and
# LINES (what this run logged: other mail2note processes on the machine
# may log to a /dev/log the stub created, so lines are told apart by the
# queue id).
logged() {
	QID=$1$$
	shift
	set -- -q "$QID" "$@"
	: >"$LOG.mark"
	_before=$(wc -l <"$LOG")
	# The pid of each run (exec keeps it) goes to $T/pids.
	if [ -n "$WRAP" ]; then
		$WRAP sh -c 'mount --bind "$1" /dev/log && echo $$ >>"$2" &&
		    shift 2 && exec "$@"' \
		    sh "$SOCK" "$T/pids" "$M2N_BIN" -c "$M2N_CONF" "$@" \
		    >"$T/out" 2>"$T/err"
	else
		sh -c 'echo $$ >>"$1" && shift && exec "$@"' sh "$T/pids" \
		    "$M2N_BIN" -c "$M2N_CONF" "$@" >"$T/out" 2>"$T/err"
	fi
	RC=$?
	ERR=$(cat "$T/err")
	# Let the stub write what it received: the summary line is the last
	# one a run logs (up to 5 s on a busy machine).
	_i=0
	while [ "$_i" -lt 50 ]; do
		LINES=$(tail -n +"$((_before + 1))" "$LOG" | grep "\]: $QID: ")
		case $LINES in *" outcome="*) break ;; esac
		sleep 0.1
		_i=$((_i + 1))
	done
	sleep 0.1		# anything logged after it would be a bug: catch it
	LINES=$(tail -n +"$((_before + 1))" "$LOG" | grep "\]: $QID: ")
}

# ours CHECK - run the python expression CHECK (over d, the text of one
# datagram) on every datagram our runs sent; prints those it fails for.
# A /dev/log this test created receives other programs' lines too.
ours() {
	python3 - "$LOG.pid" "$T/pids" "$1" <<'PY'
import json, sys
pids = {int(l) for l in open(sys.argv[2]) if l.strip()}
for line in open(sys.argv[1]):
    pid, d = json.loads(line)
    if pid in pids and not eval(sys.argv[3]):
        print(repr(d))
PY
}

# field NAME - the NAME=value of the summary line in LINES
field() { printf '%s\n' "$LINES" | grep ' outcome=' | tr ' ' '\n' | sed -n "s/^$1=//p"; }

msg() {
	printf 'From: Ana <ana@example.com>\nTo: support@example.com\n'
	printf 'Subject: %s\nMessage-ID: <%s@example.com>\n' "$1" "$2"
	printf 'Date: Mon, 30 Nov 2026 10:00:00 +0000\n\nThe printer is out of toner.\n'
}

# --- a posted note ------------------------------------------------------
msg "Printer" "posted-1" | logged 4F2A1B3C -x T1001
is "$RC" 0 "posted: exit 0"
is "$(printf '%s\n' "$LINES" | grep -c .)" 1 "posted: exactly one line logged"
like "$(printf '%s\n' "$LINES" | grep ' outcome=')" \
    "<22>* mail2note\\[[0-9]*\\]: $QID: message-id=<posted-1@example.com> *" \
    "posted: LOG_MAIL|LOG_INFO, ident with pid, queue id first"
is "$(field ticket)" T1001 "posted: ticket logged"
is "$(field http)" 201 "posted: HTTP status logged"
is "$(field outcome)" delivered "posted: outcome logged"
like "$(field ms)" '[0-9]*' "posted: milliseconds logged"
[ -n "$(field ms)" ] && [ -z "$(field ms | tr -d 0-9)" ]
ok $? "posted: ms is a number"
is "$ERR" "" "posted: nothing on stderr"

# --- no ticket: one error line with the DSN and the reason --------------
msg "No tag here" "noticket-1" | logged 5A5A5A5A -r support@example.com
is "$RC" 67 "no ticket: exit 67"
is "$(printf '%s\n' "$LINES" | grep -c .)" 1 "no ticket: exactly one line logged"
like "$LINES" "<19>* $QID: error: message-id=<noticket-1@example.com> ticket=- *" \
    "no ticket: LOG_MAIL|LOG_ERR, queue id and message-id"
is "$(field outcome)" bounced "no ticket: outcome=bounced"
is "$(field dsn)" 5.1.1 "no ticket: dsn=5.1.1"
like "$LINES" '* reason="no ticket ID *"' "no ticket: the reason the sender is told"
like "$ERR" '5.1.1 *no ticket ID*' "no ticket: the same reason on stderr for the MTA"

# --- API 500: deferred, HTTP status in the log --------------------------
fake_ctl /_fake/mode '{"mode":"status:500","count":1}' >/dev/null
msg "Printer" "defer-1" | logged 6B6B6B6B -x T1001
is "$RC" 75 "API 500: exit 75"
is "$(field http)" 500 "API 500: http=500 logged"
is "$(field outcome)" deferred "API 500: outcome=deferred"
like "$(field dsn)" '4.*' "API 500: a 4.x.x DSN"
like "$LINES" '* reason="*500*"' "API 500: the reason names the status"

# --- discarded auto-reply: logged, not posted ---------------------------
n_before=$(wc -l <"$FAKE_DIR/notes.jsonl")
{ printf 'Auto-Submitted: auto-replied\n'; msg "Out of office" "auto-1"; } |
    logged 7C7C7C7C -x T1001
is "$RC" 0 "auto-reply: exit 0"
is "$(printf '%s\n' "$LINES" | grep -c .)" 1 "auto-reply: exactly one line logged"
is "$(field outcome)" discarded "auto-reply: outcome=discarded"
like "$LINES" '<22>* reason="automatic message (Auto-Submitted: auto-replied)"' \
    "auto-reply: the reason, at LOG_INFO"
is "$(wc -l <"$FAKE_DIR/notes.jsonl")" "$n_before" "auto-reply: nothing posted"

# --- sender policy: a refusal is logged, never bounced (discard) --------
mk_conf "$KEY_RW" "[sender]" "allow = *@example.com" \
    "authserv_id = mx.m2n.test" "require = dkim"
n_before=$(wc -l <"$FAKE_DIR/notes.jsonl")
msg "Printer" "refused-1" | logged 1A1A1A1A -x T1001
is "$RC" 0 "refused sender: exit 0"
is "$(printf '%s\n' "$LINES" | grep -c .)" 1 "refused sender: exactly one line logged"
is "$(field outcome)" refused "refused sender: outcome=refused"
like "$LINES" '<22>* reason="sender policy: *ana@example.com*"' \
    "refused sender: the policy's reason, at LOG_INFO"
is "$(wc -l <"$FAKE_DIR/notes.jsonl")" "$n_before" "refused sender: nothing posted"
mk_conf "$KEY_RW" "[sender]" "allow = *@example.com" \
    "authserv_id = mx.m2n.test" "require = dkim" "refused = bounce"
msg "Printer" "refused-2" | logged 2B2B2B2B -x T1001
is "$RC" 77 "refused = bounce: exit 77"
is "$(field outcome)" bounced "refused = bounce: outcome=bounced"
is "$(field dsn)" 5.7.1 "refused = bounce: dsn=5.7.1"
like "$LINES" '<19>* reason="sender not allowed to add notes to tickets: *ana@example.com*"' \
    "refused = bounce: the log says why, at LOG_ERR"
is "$ERR" "5.7.1 sender not allowed to add notes to tickets" \
    "refused = bounce: the DSN line holds no detail"
mk_conf

# --- hostile text stays on one line; the key never shows ----------------
# A Message-ID with an encoded CR/LF cannot split the log line.
{
	printf 'From: Ana <ana@example.com>\nTo: support@example.com\n'
	printf 'Subject: =?utf-8?q?x=0D=0Afake: line?=\n'
	printf 'Message-ID: <a\033[31mred@example.com>\n'
	printf 'Date: Mon, 30 Nov 2026 10:00:00 +0000\n\nbody\n'
} | logged 8D8D8D8D -v -x T1001
is "$RC" 0 "hostile headers: exit 0"
printf '%s\n' "$LINES" | grep -q "$(printf '\033')"
ok $((! $?)) "hostile headers: no escape character reaches the log"
is "$(ours '"\n" not in d and "\r" not in d and d.startswith("<")')" "" \
    "hostile headers: every datagram we logged is one line"

# Every run above, and a verbose one, with the key nowhere in the log.
msg "Printer" "verbose-1" | logged 9E9E9E9E -v -v -x T1001
is "$RC" 0 "-v -v: exit 0"
is "$(ours '"'"$KEY_RW"'" not in d')" "" "the API key is in no syslog line"
grep -q "$KEY_RW" "$T/err"
ok $((! $?)) "the API key is not on stderr"
is "$(ours '"ixk_" not in d')" "" "no ixk_ key prefix in the log at all"
[ "$(wc -l <"$T/pids")" -eq 8 ] && [ "$(python3 -c 'import json,sys
pids = {int(l) for l in open(sys.argv[2]) if l.strip()}
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)[0] in pids))' \
    "$LOG.pid" "$T/pids")" -ge 8 ]
ok $? "each of the 8 runs was seen by its pid (the checks above saw them)"

[ "$_tap_fail" -eq 0 ] || { diag "what was logged:"; diag "$(cat "$LOG")"; }
done_testing
