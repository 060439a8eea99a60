#!/bin/bash
# 0240-delivery-state.t - the state directory against the fake helpdesk:
# the delivery journal (no second POST for a posted mail, ambiguous
# attempts recorded and logged, kill -9 after the 201, 20 concurrent
# twins), the shared 429 pause and the circuit breaker.
. "$M2N_TOP/tests/t/lib.sh"

STATE=$T/state

# mk_msg ID - $T/msg, a plain mail to ticket T1001 with Message-ID <ID>
mk_msg() {
	printf '%s\n' "From: Alice <alice@example.org>" \
	    "To: support+T1001@helpdesk.example" "Subject: state test $1" \
	    "Message-ID: <$1@example.org>" \
	    "Date: Tue, 01 Dec 2026 10:00:00 +0000" "" "Hello $1." >"$T/msg"
}

# gw - run on $T/msg with -v (the summary line goes to stderr too)
gw() {
	run_gw -v -f alice@example.org -r support+T1001@helpdesk.example \
	    -q STATE1 <"$T/msg"
}

# The helpers count and read with bash builtins: a wc, tr, ls, cat or awk
# process each, as they were, cost more than the rest of the test.
# nlines FILE - how many lines FILE has (wc -l)
nlines() { local -a _l; mapfile -t _l <"$1"; echo "${#_l[@]}"; }
# nentries DIR - how many entries DIR has, dot files aside (ls | wc -l)
nentries() {
	local -a _e=("$1"/*)
	[ -e "${_e[0]}" ] || [ -L "${_e[0]}" ] || _e=()
	echo "${#_e[@]}"
}
nreq() { nlines "$FAKE_DIR/requests.jsonl"; }
nnotes() { nlines "$FAKE_DIR/notes.jsonl"; }
mode() { fake_ctl /_fake/mode "$1" >/dev/null; }
# records - the journal's records (not the tmp/ or inflight/ files)
records() { nentries "$STATE/journal"; }
# record_word - the first word of each line of the records
record_word() {
	local _f _w _r
	for _f in "$STATE"/journal/*; do
		[ -f "$_f" ] || continue
		while read -r _w _r || [ -n "$_w$_r" ]; do
			echo "$_w"
		done <"$_f"
	done
}
fresh() { rm -rf "$STATE"; fake_ctl /_fake/clear '{}' >/dev/null; }
# settle - let the fake finish a stalled request: it records a request
# when it is done with it, which must not land in the next case's count.
settle() { sleep 3.5; }
short_conf() {
	M2N_TIMEOUT=2 mk_conf "$KEY_RW" "$@"
	sed -i 's/^connect_timeout = .*/connect_timeout = 1/' "$M2N_CONF"
}

fake_start --stall-seconds 3
short_conf

# --- state_dir: created 0700; refused when not ours or open -------------------
mk_msg first
gw
is "$RC" 0 "delivered"
is "$(stat -c %a "$STATE")" 700 "state_dir created 0700"
is "$(records)" 1 "one journal record"
is "$(record_word)" posted "the record says posted"
"$M2N_BIN" -c "$M2N_CONF" --check-config >"$T/cc" 2>&1
grep -q "^state_dir = $STATE\$" "$T/cc"
ok $? "--check-config prints [delivery] state_dir"
chmod 750 "$STATE"
gw
is "$RC" 75 "state_dir mode 0750: deferred"
like "$ERR" "*4.3.5 state_dir $STATE must be owned by uid * mode 0700*" \
    "state_dir mode 0750: says how to fix it"
chmod 700 "$STATE"

# --- a posted mail is never posted again ---------------------------------
before=$(nreq)
gw
is "$RC" 0 "retry of a posted mail: exit 0"
is "$(nreq)" "$before" "retry of a posted mail: no request"
like "$ERR" "*outcome=delivered journal=hit*" "logged journal=hit"
is "$(nnotes)" 1 "one note"

# --- commit then fail: ambiguous -----------------------------------------
fresh
mk_msg commit-reset
mode '{"mode":"commit-reset","count":1}'
gw
is "$RC" 75 "commit-reset: deferred"
like "$ERR" "*outcome=deferred ambiguous=yes*" "commit-reset: ambiguous=yes"
is "$(record_word)" ambiguous "commit-reset: journal says ambiguous"
is "$(nnotes)" 1 "commit-reset: the fake stored the note"
gw
is "$RC" 0 "commit-reset retry: delivered"
is "$(nnotes)" 2 "commit-reset retry: a duplicate at an API that ignores Idempotency-Key"
is "$(record_word)" posted "commit-reset retry: journal says posted"
gw
is "$(nreq)" 2 "after that: no further request"

fresh
mk_msg commit-stall
mode '{"mode":"commit-stall","count":1}'
gw
is "$RC" 75 "commit-stall: deferred (timeout)"
like "$ERR" "*outcome=deferred ambiguous=yes*" "commit-stall: ambiguous=yes"
is "$(record_word)" ambiguous "commit-stall: journal says ambiguous"
settle

# --- a definite failure leaves no record ----------------------------------
fresh
mk_msg five-hundred
mode '{"mode":"status:500","count":1}'
gw
is "$RC" 75 "500: deferred"
case $ERR in *ambiguous=yes*) ok 1 "500: not ambiguous" ;; *) ok 0 "500: not ambiguous" ;; esac
is "$(records)" 0 "500: no journal record"

# --- kill -9 after the 201 went out, before the journal says posted -------
# The fake stores the note and sends the 201 headers, then stalls; the
# process is killed while it waits for the body.  The "attempt" record,
# written before the POST, is what the retry finds.
fresh
mk_msg killed
# A timeout well past the kill, so that it surely comes first.
M2N_TIMEOUT=10 mk_conf "$KEY_RW"
mode '{"mode":"commit-headers-stall","count":1}'
"$M2N_BIN" -c "$M2N_CONF" -v -f alice@example.org \
    -r support+T1001@helpdesk.example <"$T/msg" >/dev/null 2>&1 &
pid=$!
i=0
while [ "$(nnotes)" = 0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.2
kill -9 $pid
wait $pid 2>/dev/null
is "$(record_word)" attempt "kill -9 after the 201: journal says attempt"
gw
is "$RC" 0 "kill -9 retry: delivered"
like "$ERR" "*interrupted*" "kill -9 retry: says an attempt was interrupted"
like "$ERR" "*outcome=delivered ambiguous=yes*" "kill -9 retry: counted as ambiguous=yes"
is "$(nnotes)" 2 "kill -9 retry: the non-idempotent fake has a duplicate"
keys=$(python3 -c 'import json,sys; print(len({json.loads(l)["idempotency_key"] for l in open(sys.argv[1])}))' "$FAKE_DIR/notes.jsonl")
is "$keys" 1 "kill -9 retry: the same Idempotency-Key both times"
short_conf
settle

# --- 429: a long retryAfter pauses every process -------------------------
fresh
mk_msg rate
mode '{"mode":"status:429","count":1,"retry_after":3600}'
gw
is "$RC" 75 "429 3600: deferred"
like "$ERR" "*4.4.5 *" "429 3600: 4.4.5"
n=$(nreq)
for i in 1 2 3 4 5; do
	mk_msg "rate-$i"
	gw
	[ "$RC" = 75 ] && case $ERR in
	*"4.4.5 API rate-limited until "??:??:??" UTC"*) true ;; *) false ;; esac
	ok $? "paused run $i: deferred 4.4.5 API rate-limited until HH:MM:SS UTC"
done
is "$(nreq)" "$n" "paused: no request in 5 runs"

# --- 429 with retryAfter 2 <= max_wait: waited out, delivered ------------
fresh
M2N_TIMEOUT=10 mk_conf "$KEY_RW" "[delivery]" "max_wait = 5"
mk_msg short-wait
mode '{"mode":"status:429","count":1,"retry_after":2}'
s=$EPOCHSECONDS
gw
e=$(( EPOCHSECONDS - s ))
is "$RC" 0 "429 retryAfter 2: delivered in one run"
[ "$e" -ge 2 ]
ok $? "429 retryAfter 2: waited ($e s)"
is "$(nreq)" 2 "429 retryAfter 2: two requests"
[ ! -e "$STATE/pause" ]
ok $? "429 retryAfter 2: no pause recorded"
short_conf

# --- circuit breaker ----------------------------------------------------
fresh
mode '{"mode":"status:500","count":5}'
for i in 1 2 3 4 5; do
	mk_msg "cb-$i"
	gw
done
is "$RC" 75 "5 x 500: deferred"
n=$(nreq)
is "$n" 5 "5 x 500: five requests"
mk_msg cb-6
gw
is "$RC" 75 "circuit open: deferred"
like "$ERR" "*4.4.1 API unavailable, circuit open until ??:??:?? UTC*" \
    "circuit open: 4.4.1 ... circuit open until HH:MM:SS UTC"
is "$(nreq)" "$n" "circuit open: no request"
# Let the 30 s pause pass by moving it into the past.
read -r f u b <"$STATE/breaker"
is "$f $b" "5 30" "breaker file: 5 failures, 30 s"
echo "$f $(( EPOCHSECONDS - 1 )) $b" >"$STATE/breaker"
gw
is "$RC" 0 "after the pause: the probe delivers"
is "$(<"$STATE/breaker")" "0 0 0" "the success closed the circuit"

# A failure that is not consecutive never counts: 4, success, 4.
fresh
for round in a b; do
	mode '{"mode":"status:500","count":4}'
	for i in 1 2 3 4; do mk_msg "nc-$round-$i"; gw; done
	mk_msg "nc-$round-ok"
	gw
	is "$RC" 0 "round $round: the success after 4 failures goes through"
done
mk_msg nc-last
gw
is "$RC" 0 "4 + 4 failures with a success between: circuit still closed"

# --- 20 concurrent twins: one note ------------------------------------------
kill "$FAKE_PID" 2>/dev/null
wait "$FAKE_PID" 2>/dev/null
rm -f "$FAKE_DIR/port"	# else fake_start reads the old fake's port
fake_start --idempotent
M2N_TIMEOUT=10 mk_conf "$KEY_RW"
rm -rf "$STATE"
mk_msg twins
pids=
for i in $(seq 1 20); do
	"$M2N_BIN" -c "$M2N_CONF" -f alice@example.org \
	    -r support+T1001@helpdesk.example <"$T/msg" \
	    >"$T/twin.$i.out" 2>"$T/twin.$i.err" &
	pids="$pids $!"
done
bad=0
for p in $pids; do wait "$p" || bad=$((bad + 1)); done
is "$bad" 0 "20 concurrent twins: all exit 0"
is "$(nnotes)" 1 "20 concurrent twins: one note"
is "$(nreq)" 1 "20 concurrent twins: one request (the others hit the journal)"
is "$(records)" 1 "20 concurrent twins: one journal record"
is "$(nentries "$STATE/tmp")" 0 "no tmp debris"

done_testing
