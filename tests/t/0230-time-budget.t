#!/bin/bash
# 0230-time-budget.t - the SIGALRM backstop: whatever hangs (here: a
# message that never ends), mail2note gives up after timeout + 30 s with
# exit 75 and one 4.4.2 line, before the MTA's own limit (Postfix bounces
# a pipe command that runs out of time).  Takes about 31 s (plain pass).
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

[ -x "$M2N_BIN" ] || skip_all "$M2N_BIN not built"

# Budget: 1 + 30 s.  (Nothing listens at the URL; it is never reached.)
M2N_TIMEOUT=1 mk_conf "$KEY_RW" "connect_timeout = 1"

# A message that never ends: the writer sleeps, holding the pipe open.
# It waits the real 31 s, so once (plain pass): the handler's memory is
# what the sanitizer pass checks, below, and that takes a second.
if [ "$M2N_PASS" = plain ]; then
	mkfifo "$T/in"
	sleep 60 >"$T/in" &
	W1=$!
	at_exit "kill $W1 2>/dev/null"
	s=$(date +%s)
	"$M2N_BIN" -c "$M2N_CONF" -x T1001 <"$T/in" >"$T/out" 2>"$T/err" &
	P1=$!
	at_exit "kill $P1 2>/dev/null"
fi

# The handler itself, at once: a second stalled run sent SIGALRM.
mkfifo "$T/in2"
sleep 60 >"$T/in2" &
W2=$!
at_exit "kill $W2 2>/dev/null"
"$M2N_BIN" -c "$M2N_CONF" -x T1001 <"$T/in2" >"$T/out2" 2>"$T/err2" &
P2=$!
sleep 1
kill -ALRM "$P2"
wait "$P2"
is "$?" 75 "SIGALRM: exit 75 (deferred)"
is "$(cat "$T/err2")" "4.4.2 mail2note: time budget exceeded, will retry" \
    "SIGALRM: one 4.4.2 line"
kill "$W2" 2>/dev/null

if [ "$M2N_PASS" = plain ]; then
	wait "$P1"
	rc=$?
	el=$(( $(date +%s) - s ))
	is "$rc" 75 "stalled input: exit 75 (deferred), not a hang"
	like "$(cat "$T/err")" "4.4.2 *time budget*" \
	    "stalled input: the 4.4.2 line"
	[ "$el" -ge 29 ] && [ "$el" -le 40 ]
	ok $? "stalled input: gave up after timeout + 30 s (${el}s)"
fi

done_testing
