#!/bin/bash
# 0200-api-faults.t - the fault table, end to end: the real binary against
# the fake helpdesk (tests/stub/helpdesk.py).  Every outcome has its exit
# code and one stderr line starting with its RFC 3463 code; the key never
# shows; nothing sleeps past the budget.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

[ -x "$M2N_BIN" ] || skip_all "$M2N_BIN not built"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

fake_start --stall-seconds 6
MAIN_URL=$FAKE_URL MAIN_DIR=$FAKE_DIR

# mk_msg TICKET - a small inline message to support+TICKET@
mk_msg() {
	cat >"$T/msg" <<EOF
From: Alice Example <alice@example.org>
To: support+$1@helpdesk.example
Subject: Printer on fire
Message-ID: <fault-$1@example.org>
Date: Mon, 02 Mar 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Hello,

the printer on floor 3 is on fire again. Café closed, naïve ☃.
<script>alert(1)</script> & "quotes" / slashes

Alice
EOF
	RCPT=support+$1@helpdesk.example
}

# gw [ARGS] - run the binary on $T/msg for $RCPT; sets RC OUT ERR MS
gw() {
	# Each case stands alone: no journal hit, pause or open circuit
	# from the one before (0240-delivery-state.t tests those).
	rm -rf "$T/state"
	_s=$(now_us)
	run_gw -f alice@example.org -r "$RCPT" -q FAULT1 "$@" <"$T/msg"
	MS=$(( ($(now_us) - _s) / 1000 ))
}

# now_us - microseconds since the epoch (bash's clock: no date(1) process)
now_us() { echo "${EPOCHREALTIME/[.,]/}"; }

# nlines FILE - how many lines FILE has (wc -l without its process)
nlines() { local -a _l; mapfile -t _l <"$1"; echo "${#_l[@]}"; }

nnotes() { nlines "$FAKE_DIR/notes.jsonl"; }

# no_key TEXT WHAT - none of the four keys (nor a bogus one) in TEXT
no_key() {
	case $1 in
	*ixk_test_*|*"$KEY_RW"*|*ixk_bogus*) ok 1 "$2: no key"; diag "$1" ;;
	*) ok 0 "$2: no key" ;;
	esac
}

# one_line WHAT - stderr is exactly one line of at most 200 bytes
one_line() {
	local LC_ALL=C _nl=${ERR//[!$'\n']/}	# C: ${#ERR} counts bytes
	_n=$(( ${#_nl} + 1 )) _b=${#ERR}
	[ "$_n" -eq 1 ] && [ "$_b" -le 200 ] && [ "$_b" -gt 0 ]
	ok $? "$1: one stderr line <= 200 bytes ($_n lines, $_b bytes)"
}

# fault NAME MODE RC DSN GLOB [JSON-FIELDS] - one API fault for the next
# request; JSON-FIELDS (e.g. '"body":"..."') go into the mode request.
fault() {
	_name=$1 _mode=$2 _rc=$3 _dsn=$4 _glob=${5:?fault: say what stderr must say} _extra=${6:+,$6}
	_before=$(nnotes)
	fake_ctl /_fake/mode "{\"mode\":\"$_mode\",\"count\":1$_extra}" >/dev/null
	gw
	is "$RC" "$_rc" "$_name: exit $_rc"
	like "$ERR" "$_dsn*" "$_name: stderr starts with $_dsn"
	like "$ERR" "$_glob" "$_name: stderr says why"
	one_line "$_name"
	no_key "$ERR" "$_name"
	is "$(nnotes)" "$_before" "$_name: no note recorded"
	fake_ctl /_fake/mode '{"mode":"normal"}' >/dev/null
}

mk_msg T1001
mk_conf "$KEY_RW"

# --- 201: delivered, silent, exactly the --dry-run body ------------------
gw --dry-run
is "$RC" 0 "dry run: exit 0"
no_key "$OUT$ERR" "dry run output"
is "$(nnotes)" 0 "dry run: nothing posted"
printf '%s' "$OUT" >"$T/dry.json"
python3 - "$T/dry.json" "$T/dry-body" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read().rstrip(b"\n")
d = json.loads(raw)
assert d["method"] == "POST"
# The body is the last member; its bytes are what the API will receive.
i = raw.index(b',"body":')
open(sys.argv[2], "wb").write(raw[i + len(b',"body":'):-1])
PY
[ -s "$T/dry-body" ]
ok $? "dry run prints the request as one JSON object"
# url, Authorization and Idempotency-Key: one line each, from one python3
{ read -r dry_url; read -r dry_auth; read -r dry_idem; } < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["url"])
print(d["headers"]["Authorization"])
print(d["headers"].get("Idempotency-Key", ""))' "$T/dry.json")
is "$dry_url" "$FAKE_URL/api/v1/tickets/T1001/messages" "dry run: url"
is "$dry_auth" "Bearer [redacted]" "dry run: Authorization redacted"

gw
is "$RC" 0 "201: exit 0"
is "$ERR" "" "201: nothing on stderr"
is "$OUT" "" "201: nothing on stdout"
is "$(nnotes)" 1 "201: exactly one note recorded"
cmp -s "$T/dry-body" "$FAKE_DIR/note-1.json"
ok $? "201: the note is byte for byte the --dry-run body"
last=$(tail -n 1 "$FAKE_DIR/requests.jsonl")
like "$last" '*"auth": "KEY_RW"*' "201: sent with the configured key"
like "$last" '*"content_type": "application/json"*' "201: Content-Type application/json"
like "$last" '*"expect": null*' "201: no Expect: 100-continue"
like "$last" '*"user_agent": "mail2note/*' "201: User-Agent mail2note/VERSION"
like "$last" "*\"idempotency_key\": \"$dry_idem\"*" "201: the dry run's Idempotency-Key"
[ -n "$dry_idem" ]
ok $? "an Idempotency-Key is sent"
python3 - "$FAKE_DIR/note-1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["type"] == "internal_note"
assert "printer on floor 3" in d["body_text"]
assert "printer on floor 3" in d["body_html"]
assert "<script" not in d["body_html"]
PY
ok $? "201: the note has the text, and no <script> in its HTML"

gw -v
is "$RC" 0 "201 with -v: exit 0"
no_key "$ERR" "201 with -v stderr"
is "$(nnotes)" 2 "201 with -v: posted again (the fake does not de-duplicate)"

# --- permanent failures ------------------------------------------------------
mk_msg T9999
fault "unknown ticket" normal 67 "5.1.1 " "*T9999*"
mk_msg T1001
# (A 400/422 naming body_html is retried with plain HTML: see below.)
fault "API 400" status:400 65 "5.6.0 " "*type: Must use type*" \
    '"body":{"error":"Bad Request","message":"Invalid","code":400,"details":[{"field":"type","message":"Must use type: internal_note only"}]}'
fault "API 422" status:422 65 "5.6.0 " "*Validation failed*body_text: too long*" \
    '"body":{"error":"Unprocessable Entity","message":"Validation failed","code":422,"details":[{"field":"body_text","message":"too long"}]}'
last=$(tail -n 2 "$FAKE_DIR/requests.jsonl" | python3 -c 'import json,sys
print(" ".join(str(json.loads(l)["status"]) for l in sys.stdin))')
is "$last" "400 422" "400/422 about another field: one POST each, no retry"
fault "API 413" status:413 65 "5.3.4 " "*too large (413)*"
fault "API 404" status:404 67 "5.1.1 " "*T1001*"

# --- 400/422 about the markup: once more at once, with plain HTML -----------
# posts_since N - "status status ..." of the API requests after the Nth
posts_since() {
	tail -n +$(($1 + 1)) "$FAKE_DIR/requests.jsonl" | python3 -c 'import json,sys
print(" ".join(str(json.loads(l)["status"]) for l in sys.stdin))'
}
nreq() { nlines "$FAKE_DIR/requests.jsonl"; }
for code in 422 400; do
	r0=$(nreq) n0=$(nnotes)
	fake_ctl /_fake/mode "{\"mode\":\"refuse-html:$code\",\"count\":1}" >/dev/null
	gw
	is "$RC" 0 "body_html refused once ($code): exit 0"
	is "$ERR" "" "body_html refused once ($code): nothing on stderr"
	is "$(posts_since "$r0")" "$code 201" "body_html refused once ($code): exactly two POSTs"
	is "$(nnotes)" $((n0 + 1)) "body_html refused once ($code): one note"
done
python3 - "$FAKE_DIR/notes.jsonl" "$FAKE_DIR/requests.jsonl" <<'PY'
import json, re, sys
note = json.loads(json.loads(open(sys.argv[1]).readlines()[-1])["body"])
html = note["body_html"]
tags = set(re.findall(r"</?([a-zA-Z0-9]+)", html))
assert tags <= {"p", "br"}, tags
assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, html
assert "Subject: Printer on fire" in html and "Caf\u00e9 closed" in html, html
assert "printer on floor 3" in note["body_text"]
r = [json.loads(l) for l in open(sys.argv[2])][-2:]
assert r[0]["idempotency_key"] and r[1]["idempotency_key"], r
assert r[0]["idempotency_key"] != r[1]["idempotency_key"], r
PY
ok $? "body_html refused: the second POST is the plain HTML (<p>/<br> only, escaped), with its own key"
fake_ctl /_fake/mode '{"mode":"refuse-html","count":1}' >/dev/null
gw -v
is "$RC" 0 "body_html refused once, -v: exit 0"
like "$ERR" "*warning: the note API refused body_html (422); posting again with HTML made from the text*" \
    "body_html refused: logged as a warning"
r0=$(nreq) n0=$(nnotes)
fake_ctl /_fake/mode '{"mode":"refuse-html"}' >/dev/null
gw
is "$RC" 65 "body_html refused always: exit 65 (the second answer decides)"
like "$ERR" "5.6.0 *Validation failed*body_html: unsupported markup*" \
    "body_html refused always: 5.6.0 with the API's details"
one_line "body_html refused always"
is "$(posts_since "$r0")" "422 422" "body_html refused always: exactly two POSTs"
is "$(nnotes)" "$n0" "body_html refused always: no note"
fake_ctl /_fake/mode '{"mode":"normal"}' >/dev/null

# --- deferrals ---------------------------------------------------------------
# A web server's 404 page (wrong base_url path) is not the API saying the
# ticket is unknown: defer, or every mail would bounce.
fault "404 page, not the API's" status:404 75 "4." "*404*base_url*" \
    '"body":"<html><body><h1>Not Found</h1></body></html>"'
# The API's own JSON 404 for a route it does not know is not about the
# ticket either: defer with the API's message.
fault "JSON 404, not about the ticket" status:404 75 "4.3.0 " \
    "*404: No such route*base_url may be wrong*" \
    '"body":{"error":"Not Found","message":"No such route","code":404}'

# base_url ending in /api/v1 (a natural mistake): the path is doubled, the
# fake answers its JSON "Resource not found", and the mail defers instead
# of bouncing 5.1.1 "ticket not found".
M2N_BASE_URL=$FAKE_URL/api/v1 mk_conf "$KEY_RW"
before=$(nnotes)
gw
is "$RC" 75 "base_url ending in /api/v1: exit 75, not a bounce"
like "$ERR" "4.3.0 *" "base_url ending in /api/v1: 4.3.0"
like "$ERR" "*Resource not found*" "base_url ending in /api/v1: the API's message"
like "$ERR" "*base_url may be wrong*" "base_url ending in /api/v1: the hint"
one_line "base_url ending in /api/v1"
is "$(nnotes)" "$before" "base_url ending in /api/v1: no note"
last=$(tail -n 1 "$FAKE_DIR/requests.jsonl")
like "$last" '*"path": "/api/v1/api/v1/tickets/T1001/messages"*' \
    "base_url ending in /api/v1: the doubled path was asked"
mk_conf "$KEY_RW"
fault "API 429" status:429 75 "4." "*3600*"
[ "$MS" -lt 5000 ]
ok $? "API 429: no sleeping ($MS ms)"
fault "429 Retry-After header only" retry-after-header 75 "4." "*120*"
fault "API 500" status:500 75 "4." "*server error (500)*"
fault "API 502" status:502 75 "4." "*server error (502)*"
fault "API 503" status:503 75 "4." "*server error (503)*"
fault "HTML 500 page" html-500 75 "4." "*server error (500)*"
fault "API 408" status:408 75 "4.4.2 " "*timeout (408)*"
fault "unexpected 409" status:409 75 "4." "*unexpected API answer (409)*"
fault "redirect 302" status:302 75 "4." "*redirect (302)*base_url*"
fault "connection reset" reset 75 "4.4.1 " "*connection reset*"
fault "garbage answer" garbage 75 "4." "*garbled answer*"
fault "API 401" status:401 75 "4.7.0 " "*401*invalid or revoked*"
fault "API 403" status:403 75 "4.7.0 " "*403*"

# A server that echoes the token in an error text we quote: the key is
# still never shown.
fake_ctl /_fake/mode "{\"mode\":\"status:422\",\"count\":1,\"body\":{\"error\":\"Unprocessable\",\"message\":\"token $KEY_RW may not post here\",\"code\":422}}" >/dev/null
gw
is "$RC" 65 "422 echoing the key: exit 65"
like "$ERR" "5.6.0 *token \[key\] may not post here*" "422 echoing the key: redacted"
no_key "$ERR" "422 echoing the key"
fake_ctl /_fake/mode '{"mode":"normal"}' >/dev/null

# Retry after a 500: same Idempotency-Key, then exactly one note.
before=$(nnotes)
fake_ctl /_fake/mode '{"mode":"status:500","count":1}' >/dev/null
gw
r1=$RC
gw
is "$r1 $RC" "75 0" "500 then recovery: deferred, then delivered"
is "$(nnotes)" $((before + 1)) "500 then recovery: one note"
python3 - "$FAKE_DIR/requests.jsonl" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][-2:]
assert r[0]["status"] == 500 and r[1]["status"] == 201, r
assert r[0]["idempotency_key"] == r[1]["idempotency_key"] != None
PY
ok $? "500 then recovery: the retry carries the same Idempotency-Key"

# --- 2xx without JSON: delivered ---------------------------------------------
for m in empty-2xx html-2xx; do
	fake_ctl /_fake/mode "{\"mode\":\"$m\",\"count\":1}" >/dev/null
	gw
	is "$RC" 0 "$m: exit 0 (the server said Created)"
	is "$ERR" "" "$m: nothing on stderr"
done

# --- stall: bounded by timeout; argv checked while it waits ------------------
M2N_TIMEOUT=2 mk_conf "$KEY_RW"
# lib.sh writes connect_timeout = 5, which conf refuses above timeout.
sed -i 's/^connect_timeout = .*/connect_timeout = 1/' "$M2N_CONF"
before=$(nnotes)
rm -rf "$T/state"
fake_ctl /_fake/mode '{"mode":"stall","count":1}' >/dev/null
_s=$(now_us)
"$M2N_BIN" -c "$M2N_CONF" -f alice@example.org -r "$RCPT" -q FAULT1 \
    <"$T/msg" >"$T/out" 2>"$T/err" &
gwpid=$!
sleep 0.5
args=$(tr '\0' ' ' <"/proc/$gwpid/cmdline" 2>/dev/null)
like "$args" "*mail2note*-c*" "stall: the running process's argv is readable"
no_key "$args" "argv"
envs=$(tr '\0' ' ' <"/proc/$gwpid/environ" 2>/dev/null)
no_key "$envs" "environment"
wait "$gwpid"
RC=$?
MS=$(( ($(now_us) - _s) / 1000 ))
ERR=$(<"$T/err")
is "$RC" 75 "stall, timeout 2: exit 75"
like "$ERR" "4.4.2 *" "stall: 4.4.2"
# The stall lasts 6 s: ending well before that, the timeout (2 s) ended
# it.  2.5 s of slack for a sanitizer build's start on a loaded machine
# (3.5 s failed under load: 3 files at once on 2 CPUs beside the builds).
[ "$MS" -lt 4500 ]
ok $? "stall: gave up within ~4s, long before the 6 s stall ends ($MS ms)"
one_line "stall"
no_key "$ERR" "stall"
is "$(nnotes)" "$before" "stall: no note recorded"
mk_conf "$KEY_RW"

# --- refused connection ----------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
M2N_BASE_URL=http://127.0.0.1:$port mk_conf "$KEY_RW"
gw
is "$RC" 75 "refused: exit 75"
like "$ERR" "4.4.1 *" "refused: 4.4.1"
like "$ERR" "*refused*" "refused: says so"
one_line "refused"
mk_conf "$KEY_RW"

# --- key classes ----------------------------------------------------------------
for k in RO NOENT REVOKED BOGUS; do
	case $k in
	RO) key=$KEY_RO; why="*read-only*" ;;
	NOENT) key=$KEY_NOENT; why="*entitlement*" ;;
	REVOKED) key=$KEY_REVOKED; why="*invalid or revoked*" ;;
	BOGUS) key=ixk_bogus_0000000000; why="*invalid or revoked*" ;;
	esac
	mk_conf "$key"
	fault "key $k" normal 75 "4.7.0 " "$why"
	gw -v
	no_key "$ERR" "key $k with -v"
	gw --dry-run
	no_key "$OUT$ERR" "key $k --dry-run"
done
mk_conf "$KEY_RW"

# --- rate limit and size limit enforced by the fake itself --------------------
T0=$T; T=$T/rl; mkdir -p "$T"
fake_start --rate-limit 1 --rate-window 900 --max-body 300
T=$T0
mk_conf "$KEY_RW"
gw
is "$RC" 65 "real 413 (body over the fake's limit): exit 65"
like "$ERR" "5.3.4 *" "real 413: 5.3.4"
gw
is "$RC" 75 "real rate limit: exit 75"
like "$ERR" "4.4.5 *" "real rate limit: 4.4.5"
# The fake's window is 900 s, counted from the first request: what is
# left of it when the second comes, whatever the load in between.
_ra=
[[ $ERR =~ retry\ after\ ([0-9]+)s ]] && _ra=${BASH_REMATCH[1]}
[ -n "$_ra" ] && [ "$_ra" -ge 800 ] && [ "$_ra" -le 900 ]
ok $? "real rate limit: says when, what is left of 900 s ($ERR)"
[ "$MS" -lt 5000 ]
ok $? "real rate limit: no sleeping ($MS ms)"
FAKE_URL=$MAIN_URL FAKE_DIR=$MAIN_DIR
mk_conf "$KEY_RW"

# --- TLS -------------------------------------------------------------------------
if fake_start_tls; then
	M2N_BASE_URL=https://127.0.0.1:$FAKE_PORT mk_conf "$KEY_RW"
	gw
	is "$RC" 75 "TLS, untrusted self-signed certificate: exit 75"
	like "$ERR" "4.4.1 *" "TLS untrusted: 4.4.1"
	like "$ERR" "*not trusted*" "TLS untrusted: says so"
	one_line "TLS untrusted"
	is "$(nnotes)" 0 "TLS untrusted: nothing posted"
	M2N_BASE_URL=https://127.0.0.1:$FAKE_PORT mk_conf "$KEY_RW" \
	    "ca_file = $T/tls.crt"
	gw
	is "$RC" 0 "TLS with ca_file: exit 0"
	is "$ERR" "" "TLS with ca_file: silent"
	is "$(nnotes)" 1 "TLS with ca_file: one note"
	M2N_BASE_URL=https://localhost:$FAKE_PORT mk_conf "$KEY_RW" \
	    "ca_file = $T/tls.crt"
	gw
	is "$RC" 0 "TLS via localhost (SAN DNS:localhost): exit 0"
	FAKE_URL=$MAIN_URL FAKE_DIR=$MAIN_DIR
else
	skip 10 "openssl cannot make a certificate"
fi

# The fakes never crashed on what they were sent.
if grep -l Traceback $(find "$T" -name stderr -path '*fake*') >/dev/null 2>&1; then
	ok 1 "no Python traceback in the fakes' stderr"
	diag "$(grep -h -A3 Traceback $(find "$T" -name stderr -path '*fake*') | head -20)"
else
	ok 0 "no Python traceback in the fakes' stderr"
fi

done_testing
