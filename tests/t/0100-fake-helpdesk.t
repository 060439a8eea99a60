#!/bin/bash
# 0100-fake-helpdesk.t - the fake helpdesk (tests/stub/helpdesk.py) is
# faithful to the API contract, not a yes-machine: every rule it enforces
# is driven here with curl(1), and what it records is checked.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl(1) not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

fake_start --rate-limit 1000 --max-body 4096 --stall-seconds 3

API=/api/v1/tickets
NOTE='{"type":"internal_note","body_html":"<p>caf\u00e9 \u2603</p>","body_text":"café ☃ \"q\" /"}'

# req METHOD PATH [KEY] [CONTENT-TYPE] [BODY] - one request with curl;
# sets CODE (HTTP status, 000 when none), BODY (answer), HDRS (headers).
req() {
	_m=$1 _p=$2 _k=${3:-} _ct=${4:-} _b=${5:-}
	set -- -s -S --max-time 10 -o "$T/rbody" -D "$T/rhdrs" \
	    -w '%{http_code}' -X "$_m" -H 'Expect:'
	[ -n "$_k" ] && set -- "$@" -H "Authorization: Bearer $_k"
	[ -n "$_ct" ] && set -- "$@" -H "Content-Type: $_ct"
	if [ -n "$_b" ]; then
		printf '%s' "$_b" >"$T/rreq"
		set -- "$@" --data-binary "@$T/rreq"
	fi
	CODE=$(curl "$@" "$FAKE_URL$_p" 2>"$T/rerr")
	BODY= HDRS=
	[ -e "$T/rbody" ] && BODY=$(<"$T/rbody")
	[ -e "$T/rhdrs" ] && HDRS=$(<"$T/rhdrs") && HDRS=${HDRS//$'\r'/}
	_req=$((_req + 1))
}
_req=0

# jfield NAME - a top-level field of the last answer body ("None" when
# it has none; nothing when the body is not JSON).  The first jfield of
# an answer has one python3 write all its fields to $T/jf.N, as a kind
# (dict, other, invalid) and then NAME NUL VALUE NUL pairs; the others
# read them there.
jfield() {
	local _kind _k _v
	[ -e "$T/jf.$_req" ] || printf '%s' "$BODY" | python3 -c '
import json, sys
out = sys.stdout.buffer
try:
    d = json.load(sys.stdin)
except ValueError:
    out.write(b"invalid\0")
    sys.exit(0)
if not isinstance(d, dict):
    out.write(b"other\0")
    sys.exit(0)
out.write(b"dict\0")
for k, v in d.items():
    v = json.dumps(v) if isinstance(v, (list, dict)) else str(v)
    out.write(("%s\0%s\0" % (k.replace("\0", ""), v.replace("\0", "")))
              .encode("utf-8", "surrogateescape"))' >"$T/jf.$_req" 2>/dev/null
	{
		IFS= read -r -d '' _kind
		case $_kind in
		dict|other) ;;
		*) return ;;
		esac
		while IFS= read -r -d '' _k && IFS= read -r -d '' _v; do
			if [ "$_k" = "$1" ]; then
				printf '%s\n' "$_v"
				return
			fi
		done
		echo None
	} <"$T/jf.$_req"
}

# nlines FILE - how many lines FILE has (wc -l without its process)
nlines() { local -a _l; mapfile -t _l <"$1"; echo "${#_l[@]}"; }

nnotes() { nlines "$FAKE_DIR/notes.jsonl"; }

# --- a valid note is accepted and recorded byte for byte ---------------
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
is "$CODE" 201 "valid note: 201"
is "$(jfield type)" internal_note "201 body is the created message"
is "$(jfield ticket_id)" T1001 "201 body names the ticket"
like "$(jfield id)" "msg_*" "201 body has a message id"
cmp -s "$T/rreq" "$FAKE_DIR/note-1.json"
ok $? "note-1.json is the exact request body"
is "$(nnotes)" 1 "one note recorded"
got=$(python3 -c 'import json,sys
r=json.loads(open(sys.argv[1]).readline())
sys.stdout.buffer.write(r["body"].encode())' "$FAKE_DIR/notes.jsonl")
is "$got" "$NOTE" "notes.jsonl body equals the request body"

# charset parameter, Idempotency-Key recorded, other ticket-id shapes
curl -s -o /dev/null -w '%{http_code}' -H 'Expect:' \
    -H "Authorization: Bearer $KEY_RW" \
    -H 'Content-Type: application/json; charset=utf-8' \
    -H 'Idempotency-Key: 0123abcd' -A 'mail2note/test' \
    --data-binary "$NOTE" "$FAKE_URL$API/abc_DEF-9/messages" >"$T/code"
is "$(<"$T/code")" 201 "charset parameter allowed; id abc_DEF-9 exists"
last=$(tail -n 1 "$FAKE_DIR/requests.jsonl")
like "$last" '*"idempotency_key": "0123abcd"*' "Idempotency-Key recorded"
like "$last" '*"user_agent": "mail2note/test"*' "User-Agent recorded"
like "$last" '*"auth": "KEY_RW"*' "matched key recorded by name"
if grep -q -e "$KEY_RW" -e "$KEY_RO" "$FAKE_DIR/requests.jsonl"; then
	ok 1 "keys never written to the records"
else
	ok 0 "keys never written to the records"
fi
req POST "$API/4242/messages" "$KEY_RW" "application/json" "$NOTE"
is "$CODE" 201 "numeric ticket id 4242 exists"

# --- keys ---------------------------------------------------------------
req POST "$API/T1001/messages" "" "application/json" "$NOTE"
is "$CODE" 401 "no Authorization: 401"
is "$(jfield message)" "Authentication required. Please provide a valid API token" "401 message as in the contract"
is "$(jfield problem)" unauthorized "401 problem unauthorized"
is "$(jfield code)" 401 "401 code field"
req POST "$API/T1001/messages" "ixk_not_a_key" "application/json" "$NOTE"
is "$CODE" 401 "unknown key: 401"
req POST "$API/T1001/messages" "$KEY_REVOKED" "application/json" "$NOTE"
is "$CODE" 401 "revoked key: 401"
is "$(jfield problem)" unauthorized "revoked key: problem unauthorized"
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H 'Expect:' \
    -H "Authorization: Basic $KEY_RW" -H 'Content-Type: application/json' \
    --data-binary "$NOTE" "$FAKE_URL$API/T1001/messages")
is "$CODE" 401 "Basic instead of Bearer: 401"
req POST "$API/T1001/messages" "$KEY_RO" "application/json" "$NOTE"
is "$CODE" 403 "read-only key: 403"
is "$(jfield problem)" insufficient_scope "read-only key: problem insufficient_scope"
is "$(jfield message)" "You don't have permission to access this resource" "403 message as in the contract"
req POST "$API/T1001/messages" "$KEY_NOENT" "application/json" "$NOTE"
is "$CODE" 403 "no API entitlement: 403"
is "$(jfield problem)" forbidden "no entitlement: problem forbidden"

# --- request shape --------------------------------------------------------
req POST "$API/T1001/messages" "$KEY_RW" "text/plain" "$NOTE"
is "$CODE" 400 "text/plain: 400"
like "$(jfield details)" '*"field": "Content-Type"*' "wrong content type: details name Content-Type"
req POST "$API/T1001/messages" "$KEY_RW" "" "$NOTE"
is "$CODE" 400 "form content type (curl default): 400"
req POST "$API/T1001/messages" "$KEY_RW" "application/json" '{"type":"internal_note",'
is "$CODE" 400 "truncated JSON: 400"
like "$(jfield details)" '*invalid JSON*' "bad JSON: details say so"
req POST "$API/T1001/messages" "$KEY_RW" "application/json" '["internal_note"]'
is "$CODE" 400 "JSON array: 400"
req POST "$API/T1001/messages" "$KEY_RW" "application/json" '{"type":"reply","body_html":"x","body_text":"x"}'
is "$CODE" 400 "type reply: 400"
is "$(jfield message)" "Must use type: internal_note only" "type reply: contract message"
req POST "$API/T1001/messages" "$KEY_RW" "application/json" '{"body_html":"x","body_text":"x"}'
is "$CODE" 400 "type missing: 400"
req POST "$API/T1001/messages" "$KEY_RW" "application/json" '{"type":"internal_note","body_html":1,"body_text":"x"}'
is "$CODE" 400 "body_html not a string: 400"
like "$(jfield details)" '*"field": "body_html"*' "details name body_html"
req POST "$API/T1001/messages" "$KEY_RW" "application/json" '{"type":"internal_note","body_html":"x"}'
is "$CODE" 400 "body_text missing: 400"
like "$(jfield details)" '*"field": "body_text"*' "details name body_text"
req POST "$API/T1001/messages" "$KEY_RW" "application/json" '{"type":"internal_note","type":"internal_note","body_html":"x","body_text":"x"}'
is "$CODE" 400 "duplicate key: 400"
printf '{"type":"internal_note","body_html":"\377","body_text":"x"}' >"$T/bad8"
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H 'Expect:' \
    -H "Authorization: Bearer $KEY_RW" -H 'Content-Type: application/json' \
    --data-binary "@$T/bad8" "$FAKE_URL$API/T1001/messages")
is "$CODE" 400 "invalid UTF-8 body: 400"
printf -v big '%5000s' ''	# 5000 a's, over --max-body 4096
big="{\"type\":\"internal_note\",\"body_html\":\"${big// /a}\",\"body_text\":\"x\"}"
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$big"
is "$CODE" 413 "body over --max-body: 413"
is "$(nnotes)" 3 "none of the refused requests became a note"

# --- tickets and routes ------------------------------------------------
req POST "$API/T9999/messages" "$KEY_RW" "application/json" "$NOTE"
is "$CODE" 404 "unknown ticket: 404"
is "$(jfield message)" "Ticket not found" "404 message"
is "$(jfield error)" "Not Found" "404 error"
for p in "$API/..%2Fadmin/messages" "$API/T1001%2F..%2F..%2Fadmin/messages" \
    "$API/%2E%2E/messages" "$API/T1001/messages/extra" "/api/v1/tickets//messages" \
    "/api/v1/admin" "/"; do
	req POST "$p" "$KEY_RW" "application/json" "$NOTE"
	is "$CODE" 404 "path $p: 404"
done
curl -s -o /dev/null --path-as-is -w '%{http_code}' -H 'Expect:' \
    -H "Authorization: Bearer $KEY_RW" -H 'Content-Type: application/json' \
    --data-binary "$NOTE" "$FAKE_URL$API/../admin/messages" >"$T/code"
is "$(<"$T/code")" 404 "raw ../ path: 404"
req GET "$API/T1001/messages" "$KEY_RW"
is "$CODE" 405 "GET on the note route: 405"
like "$HDRS" "*Allow: POST*" "405 says Allow: POST"
req DELETE "$API/T1001/messages" "$KEY_RW"
is "$CODE" 405 "DELETE: 405"
is "$(nnotes)" 3 "still three notes"

# --- rate limit (a second fake with a small limit) ---------------------
FAKE1_URL=$FAKE_URL FAKE1_DIR=$FAKE_DIR FAKE1_PID=$FAKE_PID
T0=$T; T=$T/rl; mkdir -p "$T"
fake_start --rate-limit 2 --rate-window 600
T=$T0
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
is "$CODE" 201 "rate limit: first request passes"
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
is "$CODE" 201 "rate limit: second request passes"
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
is "$CODE" 429 "rate limit: third request 429"
ra=$(jfield retryAfter)
[ -n "$ra" ] && [ "$ra" -ge 590 ] && [ "$ra" -le 600 ]
ok $? "429 retryAfter is the rest of the window ($ra)"
is "$(jfield message)" "Rate limit exceeded. Please try again later" "429 message as in the contract"
like "$HDRS" "*Retry-After: $ra*" "429 has a matching Retry-After header"
is "$(nnotes)" 2 "the 429 request was not recorded as a note"
req POST "$API/T1001/messages" "$KEY_RO" "application/json" "$NOTE"
is "$CODE" 403 "auth is checked before the rate limit"
fake_ctl /_fake/reset-ratelimit '{}' >/dev/null
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
is "$CODE" 201 "after reset-ratelimit: 201"
FAKE_URL=$FAKE1_URL FAKE_DIR=$FAKE1_DIR FAKE_PID=$FAKE1_PID

# --- fault modes -----------------------------------------------------------
for c in 400 404 413 422 500 502 503; do
	fake_ctl /_fake/mode "{\"mode\":\"status:$c\",\"count\":1}" >/dev/null
	req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
	is "$CODE" "$c" "mode status:$c answers $c"
	is "$(jfield code)" "$c" "mode status:$c: JSON body with code"
done
fake_ctl /_fake/mode '{"mode":"status:422","count":1}' >/dev/null
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
like "$(jfield details)" '*"field": "body_html"*' "status:422 has details"
fake_ctl /_fake/mode '{"mode":"status:429","count":1}' >/dev/null
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
is "$(jfield retryAfter)" 3600 "status:429 has retryAfter 3600"
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
is "$CODE" 201 "count 1: back to normal afterwards"
fake_ctl /_fake/mode '{"mode":"status:500","count":2}' >/dev/null
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
c1=$CODE
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
c2=$CODE
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
is "$c1 $c2 $CODE" "500 500 201" "count 2 applies to exactly two requests"

fake_ctl /_fake/mode '{"mode":"empty-2xx","count":1}' >/dev/null
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
is "$CODE:$BODY" "201:" "empty-2xx: 201 with an empty body"
fake_ctl /_fake/mode '{"mode":"html-2xx","count":1}' >/dev/null
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
is "$CODE" 201 "html-2xx: 201"
like "$HDRS" "*Content-Type: text/html*" "html-2xx: text/html"
fake_ctl /_fake/mode '{"mode":"html-500","count":1}' >/dev/null
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
is "$CODE" 500 "html-500: 500"
like "$BODY" "*<html>*" "html-500: an HTML page"
fake_ctl /_fake/mode '{"mode":"retry-after-header","count":1}' >/dev/null
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
is "$CODE:$BODY" "429:" "retry-after-header: 429, no body"
like "$HDRS" "*Retry-After: 120*" "retry-after-header: the header"

fake_ctl /_fake/mode '{"mode":"reset","count":1}' >/dev/null
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
is "$CODE" 000 "reset: no HTTP answer"
like "$(<"$T/rerr")" "*reset*" "reset: connection reset by peer"
fake_ctl /_fake/mode '{"mode":"garbage","count":1}' >/dev/null
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
is "$CODE" 000 "garbage: no HTTP answer"
fake_ctl /_fake/mode '{"mode":"stall","count":1}' >/dev/null
s=$EPOCHSECONDS
CODE=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 -H 'Expect:' \
    -H "Authorization: Bearer $KEY_RW" -H 'Content-Type: application/json' \
    --data-binary "$NOTE" "$FAKE_URL$API/T1001/messages")
rc=$?
e=$(( EPOCHSECONDS - s ))
is "$rc" 28 "stall: client times out (curl exit 28)"
[ "$e" -le 3 ]
ok $? "stall: the client timeout was honoured (${e}s)"
req POST "$API/T1001/messages" "$KEY_RW" "application/json" "$NOTE"
is "$CODE" 201 "after the faults: normal again"
fake_ctl /_fake/mode '{"mode":"bogus"}' >/dev/null 2>&1
ok $((! $?)) "unknown mode refused by the control endpoint"

# --- records -----------------------------------------------------------
n=$(nnotes)
fake_ctl /_fake/notes >"$T/fnotes"
fake_ctl /_fake/requests >"$T/freqs"
# How many notes, and how many real 201s: one python3 for both.
{ read -r got; read -r got201; } < <(python3 -c 'import json,sys
print(len(json.load(open(sys.argv[1]))))
r=json.load(open(sys.argv[2])); print(sum(1 for x in r if x["status"] == 201 and not x["mode"]))' "$T/fnotes" "$T/freqs")
is "$got" "$n" "GET /_fake/notes returns every note ($n)"
is "$got201" "$n" "requests.jsonl has one real 201 per note"
for i in $(seq 1 "$n"); do
	[ -s "$FAKE_DIR/note-$i.json" ] || break
done
is "$i" "$n" "note-1..note-$n.json exist"

# --- TLS -----------------------------------------------------------------
if fake_start_tls; then
	curl -s -o /dev/null --max-time 5 "https://127.0.0.1:$FAKE_PORT/_fake/health"
	is "$?" 60 "TLS: an untrusted certificate is refused by curl"
	CODE=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/tls.crt" \
	    -H "Authorization: Bearer $KEY_RW" -H 'Content-Type: application/json' \
	    --data-binary "$NOTE" "https://127.0.0.1:$FAKE_PORT$API/T1001/messages")
	is "$CODE" 201 "TLS: with the CA, the note is accepted"
else
	skip 2 "openssl cannot make a certificate"
fi

# --- lifetime ------------------------------------------------------------
mkdir -p "$T/life"
python3 "$M2N_TOP/tests/stub/helpdesk.py" --port-file "$T/life/port" \
    --record "$T/life" --lifetime 1 2>/dev/null &
lp=$!
# Lifetime 1 s: gone well within 10 s, however busy the machine.
_i=0
while kill -0 "$lp" 2>/dev/null && [ "$_i" -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
if kill -0 "$lp" 2>/dev/null; then
	kill "$lp"
	ok 1 "the fake exits by itself after --lifetime"
else
	ok 0 "the fake exits by itself after --lifetime"
fi
ss -ltn 2>/dev/null | grep -q "0.0.0.0:$FAKE_PORT\|\*:$FAKE_PORT"
ok $((! $?)) "the fake does not listen on all addresses"

# The fakes never crashed on what they were sent.
if grep -l Traceback $(find "$T" -name stderr -path '*fake*') >/dev/null 2>&1; then
	ok 1 "no Python traceback in the fakes' stderr"
	diag "$(grep -h -A3 Traceback $(find "$T" -name stderr -path '*fake*') | head -20)"
else
	ok 0 "no Python traceback in the fakes' stderr"
fi

done_testing
