# reliability.sh - the reliability run of issue 6, shared by the benchmark
# (tests/reliability.sh, `make reliability`) and its short form in
# `make check` (tests/t/0520-mta-reliability.t).  Sourced after
# tests/t/lib.sh and tests/mta/common.sh; bash.
#
# Mail goes through a real Postfix instance (mta_postfix_setup: the
# snippets of postfix/, the helpdesk pipe running mail2note as MTA_USER)
# to the fake helpdesk, once per mode:
#   honour  the fake honours Idempotency-Key (--idempotent)
#   ignore  it stores every accepted request as a new note
# Each mode has its own fake, state_dir and maillog/syslog range; the
# Postfix instance is shared.
#
# Phase 1, faults: REL_MAILS mails to 20 tickets, the fake failing a random
# REL_RATE of the API requests (helpdesk.py --fault-rate, seeded): 500,
# 502, 503, reset, a short stall, 429 with retryAfter 1, and "commit then
# fail" (commit-reset, commit-stall, commit-headers-stall: the note is
# stored, the answer lost).  Every 10th mail has the Message-ID of the
# mail before it, same ticket, other text: a Message-ID collision, which
# must still give one note per mail.  Postfix retries fast (1 s backoff,
# and the run flushes the queue every 2 s) until the queue is empty.
#
# Phase 2, a 429 window (the issue's "62 POSTs in 150 s for 21 queued
# mails"): random faults off, the fake answers every request 429 with
# retryAfter REL_WINDOW.  One mail alone meets the 429 first; then
# REL_WINDOW_MAILS more are sent and the queue is flushed every second for
# at least REL_WINDOW_SECS seconds and until every mail of the window was
# tried at least twice.  Every request the fake receives after the first
# 429 answer (by arrival time) counts as a POST during the window: it must
# be 0, since mail2note records the pause in state_dir and defers without
# a request.  The window then ends as if retryAfter had passed: the run
# removes state_dir/pause and turns the fake back to normal (faults on);
# the window's mails must then be delivered like the rest.
#
# The figures (rel_mode sets REL_<NAME>):
#   sent       mails Postfix accepted (both phases)
#   notes      notes the fake stored
#   lost       mails whose unique token (in the body) is in no note of
#              their ticket
#   duplicated copies beyond one per mail, by token
#   bounced    maillog "status=bounced" lines for the helpdesk domain
#   queued     mails still in the queue at the end
#   ambiguous  attempts mail2note itself judged ambiguous (sent, no
#              answer): its one syslog summary line per run says
#              "ambiguous=yes".  The instance runs in a private mount
#              namespace whose /dev/log is a test socket
#              (mta_syslog_start), so each pipe's own line is counted,
#              not a guess from the fake's side.  A commit-then-fail
#              fault is ambiguous to mail2note, and so are a reset or a
#              stall after the request was sent (the fake has no note
#              then); each can become at most one duplicate with an API
#              that ignores the key, so duplicated <= ambiguous.
#   posts429   POSTs the fake received during the 429 window after the
#              first 429
# plus requests (API requests in all), faults (random ones injected),
# commitfail (of which commit-then-fail), window_tries (deliveries of the
# window's mails Postfix logged as deferred with mail2note's "rate-limited
# until" while the window was open), collisions (mails sharing a
# Message-ID) and collision_bad (of those, lost or duplicated), seconds.
#
# Settings (environment, with defaults for the full run):
#   REL_MAILS=500 REL_RATE=0.3 REL_SEED=6 REL_STALL=2 REL_WINDOW=3600
#   REL_WINDOW_MAILS=21 REL_WINDOW_SECS=150 REL_DRAIN=600 (seconds a
#   phase may take to empty the queue before the run gives up on it)

REL_MAILS=${REL_MAILS:-500}
REL_RATE=${REL_RATE:-0.3}
REL_SEED=${REL_SEED:-6}
REL_STALL=${REL_STALL:-2}
REL_WINDOW=${REL_WINDOW:-3600}
REL_WINDOW_MAILS=${REL_WINDOW_MAILS:-21}
REL_WINDOW_SECS=${REL_WINDOW_SECS:-150}
REL_DRAIN=${REL_DRAIN:-600}
REL_TICKETS=$(seq -s, -f 'T2%03g' 1 20)
# The run's own scripts (standard library only) start many times a
# minute: Debian's interpreter when there is one, no version-manager shim.
REL_PY=/usr/bin/python3
[ -x "$REL_PY" ] || REL_PY=python3

# rel_setup - the pipe user, the syslog socket, the first gateway config
# and the Postfix instance (fast retries) running in the syslog namespace
rel_setup() {
	mta_user
	mta_syslog_start || mta_abort "a syslog socket in a private mount namespace"
	rel_fake honour
	MTA_PF_TIMING="queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s"
	mta_postfix_setup
	mta_postfix_start "${MTA_SYSLOG_WRAP[@]}"
}

# rel_fake MODE - a fresh fake helpdesk (with --idempotent for honour),
# a fresh state_dir and the gateway config pointing at the fake
rel_fake() {
	if [ -n "${FAKE_PID:-}" ]; then
		mta_kill_pid "$FAKE_PID"
		wait "$FAKE_PID" 2>/dev/null
	fi
	rm -rf "$T/fake" "$T/state"
	REL_FAKE_MODE=$1
	_rf_idem=
	[ "$1" = honour ] && _rf_idem=--idempotent
	fake_start --tickets "$REL_TICKETS" --lifetime 3600 \
	    --fault-rate "$REL_RATE" --fault-seed "$REL_SEED" \
	    --stall-seconds "$REL_STALL" $_rf_idem
	# 5 s: a stall or a cut answer is an ambiguous attempt soon enough.
	M2N_TIMEOUT=5 mta_setup_gateway
}

# rel_send PREFIX FIRST COUNT MANIFEST - send COUNT mails (numbers FIRST..)
# over one SMTP session; each body carries the token <PREFIX-number>,
# every 10th mail reuses the Message-ID of the one before (same ticket,
# other text).  Appends one JSON line per accepted mail to MANIFEST.
rel_send() {
	"$REL_PY" - "$PORT" "$1" "$2" "$3" "$4" <<'PY'
import json, smtplib, sys, time, email.utils
port, prefix, first, count, manifest = sys.argv[1], sys.argv[2], \
    int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
s = smtplib.SMTP("127.0.0.1", int(port), "client.m2n.test", timeout=60)
mid = None
with open(manifest, "a") as out:
    for i in range(first, first + count):
        collide = i % 10 == 9 and mid is not None
        if not collide:
            ticket = "T2%03d" % (i % 20 + 1)
            mid = "<%s-%d.%d@sender.test>" % (prefix, i, time.time_ns())
        tok = "<%s-%05d>" % (prefix, i)
        msg = ("From: Alice <alice@sender.test>\r\n"
               "To: support+%s@helpdesk.test\r\n"
               "Subject: reliability %s %d\r\n"
               "Date: %s\r\nMessage-ID: %s\r\n\r\n"
               "Mail %d of the reliability run.\r\nToken: %s\r\n"
               % (ticket, prefix, i, email.utils.formatdate(), mid, i, tok))
        s.sendmail("alice@sender.test", ["support+%s@helpdesk.test" % ticket],
                   msg.encode())
        out.write(json.dumps({"token": tok, "ticket": ticket,
                              "message_id": mid, "collision": collide}) + "\n")
s.quit()
PY
}

# rel_drain SECONDS - flush the queue every 2 s until it is empty and the
# fake has stopped receiving (no new request for 0.5 s); 1 after SECONDS
rel_drain() {
	_rd_end=$(($(date +%s) + $1))
	_rd_last=-1
	_rd_i=0
	while [ "$(date +%s)" -lt "$_rd_end" ]; do
		[ $((_rd_i % 4)) -eq 0 ] && mta_pf postqueue -c "$D" -f 2>/dev/null
		_rd_i=$((_rd_i + 1))
		sleep 0.5
		_rd_n=$(wc -l <"$FAKE_DIR/requests.jsonl")
		[ "$(mta_postfix_queued)" -eq 0 ] && [ "$_rd_n" = "$_rd_last" ] &&
		    return 0
		_rd_last=$_rd_n
	done
	return 1
}

# rel_lines FILE FROM - the lines of FILE after line FROM
rel_lines() { tail -n +"$(($2 + 1))" "$1" 2>/dev/null; }

# rel_window_tries - how many times the window's mails were deferred with
# mail2note's "rate-limited until" since the window opened
rel_window_tries() {
	rel_lines "$P/maillog" "$_rm_log0" |
	    grep -E 'to=<support\+T2[0-9]+@helpdesk\.test>.*status=deferred.*rate-limited until' |
	    grep -cF -f "$T/window.qids"
}

# rel_window_each_tried N - every mail of the window was deferred as
# rate-limited at least N times
rel_window_each_tried() {
	[ -s "$T/window.qids" ] || return 1
	while read -r _wq; do
		[ "$(rel_lines "$P/maillog" "$_rm_log0" | grep -F " $_wq: " |
		    grep -c 'status=deferred.*rate-limited until')" -ge "$1" ] ||
		    return 1
	done <"$T/window.qids"
}

# rel_window_deferred - the window's first mail was deferred
rel_window_deferred() {
	rel_window_qids "<$_rm_mode-w-" >"$T/window.qids"
	[ -s "$T/window.qids" ] &&
	    rel_lines "$P/maillog" "$_rm_log0" | grep -F -f "$T/window.qids" |
	    grep -q 'status=deferred'
}

# rel_window_qids PREFIX - the Postfix queue ids of the mails whose body
# token starts with PREFIX (from the maillog's message-id lines)
rel_window_qids() {
	"$REL_PY" - "$T/manifest-$_rm_mode.jsonl" "$P/maillog" "$1" <<'PY'
import json, re, sys
mids = {json.loads(l)["message_id"] for l in open(sys.argv[1])
        if json.loads(l)["token"].startswith(sys.argv[3])}
for line in open(sys.argv[2], errors="replace"):
    m = re.search(r" ([0-9A-F]{6,}): message-id=(<[^>]*>)", line)
    if m and m.group(2) in mids:
        print(m.group(1))
PY
}

# rel_first_429 - "TIME N" of the first request the fake answered 429
# since the window opened (requests after number _rm_req0)
rel_first_429() {
	"$REL_PY" - "$FAKE_DIR/requests.jsonl" "$_rm_req0" <<'PY'
import json, sys
for r in (json.loads(l) for l in open(sys.argv[1]) if l.strip()):
    if r["n"] > int(sys.argv[2]) and r["status"] == 429:
        print(r["time"], r["n"])
        break
PY
}
rel_have_429() { [ -n "$(rel_first_429)" ]; }

# rel_mode MODE - both phases for MODE (honour or ignore); sets the
# REL_<NAME> figures (see the top of this file).  Test points for the
# steps; the expectations are rel_check's.
rel_mode() {
	_rm_mode=$1
	_rm_t0=$(date +%s)
	[ "${REL_FAKE_MODE:-}" = "$_rm_mode" ] || rel_fake "$_rm_mode"
	REL_FAKE_MODE=used
	_rm_log0=$(wc -l <"$P/maillog")
	_rm_sys0=$(wc -l <"$MTA_SYSLOG")
	: >"$T/manifest-$_rm_mode.jsonl"

	# --- phase 1: random faults -------------------------------------
	rel_send "$_rm_mode" 0 "$REL_MAILS" "$T/manifest-$_rm_mode.jsonl" \
	    2>"$T/send.err"
	_rm_rc=$?
	[ "$_rm_rc" -eq 0 ] || diag "$(tail -n 5 "$T/send.err")"
	ok $_rm_rc "$_rm_mode: Postfix accepted $REL_MAILS mails"
	rel_drain "$REL_DRAIN"
	ok $? "$_rm_mode: the queue drained under $REL_RATE faults (within ${REL_DRAIN}s)"
	REL_PHASE1=$(($(date +%s) - _rm_t0))

	# --- phase 2: the 429 window ------------------------------------
	_rm_req0=$(wc -l <"$FAKE_DIR/requests.jsonl")
	fake_ctl /_fake/mode "{\"mode\": \"status:429\", \"retry_after\": $REL_WINDOW, \"fault_rate\": 0}" >/dev/null
	: >"$T/window.qids"
	rel_send "$_rm_mode-w" 0 1 "$T/manifest-$_rm_mode.jsonl" 2>>"$T/send.err"
	# The breaker may still be open from phase 1: flush until the 429.
	_rm_end=$(($(date +%s) + 120))
	until rel_have_429 || [ "$(date +%s)" -ge "$_rm_end" ]; do
		mta_pf postqueue -c "$D" -f 2>/dev/null
		sleep 1
	done
	_rm_first=$(rel_first_429)
	[ -n "$_rm_first" ]
	ok $? "$_rm_mode: the fake answered 429 (retryAfter $REL_WINDOW)"
	_rm_tfirst=${_rm_first% *}
	# Let the pipe that got the 429 end (its deferral is logged).
	mta_wait 30 rel_window_deferred
	rel_send "$_rm_mode-w" 1 "$REL_WINDOW_MAILS" \
	    "$T/manifest-$_rm_mode.jsonl" 2>>"$T/send.err"
	ok $? "$_rm_mode: Postfix accepted $REL_WINDOW_MAILS more mails in the window"
	_rm_ws=$(date +%s)
	_rm_end=$((_rm_ws + 3 * REL_WINDOW_SECS + 30))
	while :; do
		mta_pf postqueue -c "$D" -f 2>/dev/null
		sleep 1
		[ "$(wc -l <"$T/window.qids")" -gt "$REL_WINDOW_MAILS" ] ||
		    rel_window_qids "<$_rm_mode-w-" >"$T/window.qids"
		_rm_now=$(date +%s)
		[ "$_rm_now" -ge "$_rm_end" ] && break
		[ "$_rm_now" -ge "$((_rm_ws + REL_WINDOW_SECS))" ] &&
		    rel_window_each_tried 2 && break
	done
	rel_window_each_tried 2
	ok $? "$_rm_mode: each mail of the window was deferred at least twice as rate-limited"
	REL_WINDOW_TRIES=$(rel_window_tries)
	REL_WINDOW_SPAN=$(($(date +%s) - _rm_ws))
	REL_POSTS429=$("$REL_PY" - "$FAKE_DIR/requests.jsonl" "$_rm_tfirst" <<'PY'
import json, sys
print(sum(1 for l in open(sys.argv[1]) if l.strip()
          and json.loads(l)["time"] > sys.argv[2]))
PY
)
	# The window ends, as if retryAfter had passed: the fake first (a
	# queue run in between would meet a 429 and pause anew).
	fake_ctl /_fake/mode "{\"mode\": \"normal\", \"fault_rate\": $REL_RATE}" >/dev/null
	rm -f "$T/state/pause"
	rel_drain "$REL_DRAIN"
	ok $? "$_rm_mode: after the window the queue drained"

	# --- the figures ---------------------------------------------------
	REL_QUEUED=$(mta_postfix_queued)
	REL_BOUNCED=$(rel_lines "$P/maillog" "$_rm_log0" |
	    grep -cE 'to=<support[^@]*@helpdesk\.test>.*status=bounced')
	REL_AMBIG=$(rel_lines "$MTA_SYSLOG" "$_rm_sys0" |
	    grep -E ' mail2note\[[0-9]+\]: .* outcome=' | grep -c ' ambiguous=yes')
	REL_RUNS=$(rel_lines "$MTA_SYSLOG" "$_rm_sys0" |
	    grep -cE ' mail2note\[[0-9]+\]: .* outcome=')
	eval "$("$REL_PY" - "$T/manifest-$_rm_mode.jsonl" "$FAKE_DIR" <<'PY'
import collections, json, sys
mails = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
notes = [json.loads(l) for l in open(sys.argv[2] + "/notes.jsonl") if l.strip()]
reqs = [json.loads(l) for l in open(sys.argv[2] + "/requests.jsonl") if l.strip()]
seen = collections.Counter()
for n in notes:
    text = json.loads(n["body"]).get("body_text", "")
    for m in mails:
        if m["ticket"] == n["ticket"] and m["token"] in text:
            seen[m["token"]] += 1
lost = [m for m in mails if seen[m["token"]] == 0]
dup = sum(max(0, seen[m["token"]] - 1) for m in mails)
coll = [m for m in mails if m["collision"]]
collbad = sum(1 for m in coll if seen[m["token"]] != 1)
faults = [r for r in reqs if r.get("fault") == "random"]
print("REL_SENT=%d REL_NOTES=%d REL_LOST=%d REL_DUP=%d REL_REQUESTS=%d "
      "REL_FAULTS=%d REL_COMMITFAIL=%d REL_COLL=%d REL_COLL_BAD=%d"
      % (len(mails), len(notes), len(lost), dup, len(reqs), len(faults),
         sum(1 for r in faults if r["mode"].startswith("commit-")),
         len(coll), collbad))
print("REL_COLL_LOST=%d" % sum(1 for m in coll if seen[m["token"]] == 0))
print("REL_LOST_TOKENS='%s'" % " ".join(m["token"] for m in lost[:10]))
PY
)"
	REL_SECONDS=$(($(date +%s) - _rm_t0))
}

# rel_check MODE - the expectations of issue 6 as test points
rel_check() {
	is "$REL_LOST" 0 "$1: no mail lost"
	[ "$REL_LOST" -eq 0 ] || diag "lost: $REL_LOST_TOKENS"
	is "$REL_BOUNCED" 0 "$1: no mail bounced"
	is "$REL_QUEUED" 0 "$1: nothing left in the queue"
	if [ "$1" = honour ]; then
		is "$REL_DUP" 0 "$1: no duplicate note (the API honours Idempotency-Key)"
	else
		[ "$REL_DUP" -le "$REL_AMBIG" ]
		ok $? "$1: duplicates ($REL_DUP) <= ambiguous attempts ($REL_AMBIG)"
	fi
	[ "$REL_AMBIG" -gt 0 ] && [ "$REL_COMMITFAIL" -gt 0 ]
	ok $? "$1: the faults included commit-then-fail ($REL_COMMITFAIL) and mail2note saw ambiguous attempts ($REL_AMBIG)"
	if [ "$1" = honour ]; then
		is "$REL_COLL_BAD" 0 "$1: Message-ID collisions ($REL_COLL mails): one note per mail"
	else
		# Without the key's help a collision mail may get a duplicate
		# like any other; it must never be lost.
		is "$REL_COLL_LOST" 0 "$1: Message-ID collisions ($REL_COLL mails): none lost"
	fi
	is "$REL_POSTS429" 0 "$1: no POST during the 429 window ($REL_WINDOW_TRIES deferrals in ${REL_WINDOW_SPAN}s)"
}

# rel_table MODE - the figures as a table
rel_table() {
	printf '%-22s %s\n' \
	    "mode" "$1 ($([ "$1" = honour ] && echo honours || echo ignores) Idempotency-Key)" \
	    "sent" "$REL_SENT" \
	    "notes" "$REL_NOTES" \
	    "lost" "$REL_LOST" \
	    "duplicated" "$REL_DUP" \
	    "bounced" "$REL_BOUNCED" \
	    "queued" "$REL_QUEUED" \
	    "ambiguous attempts" "$REL_AMBIG (of $REL_RUNS mail2note runs)" \
	    "POSTs in 429 window" "$REL_POSTS429 ($REL_WINDOW_MAILS+1 mails, $REL_WINDOW_TRIES rate-limited deferrals in ${REL_WINDOW_SPAN}s)" \
	    "API requests" "$REL_REQUESTS ($REL_FAULTS random faults, $REL_COMMITFAIL commit-then-fail)" \
	    "Message-ID collisions" "$REL_COLL mails, $REL_COLL_BAD without exactly one note" \
	    "elapsed" "${REL_SECONDS}s (faults phase ${REL_PHASE1}s)"
}
