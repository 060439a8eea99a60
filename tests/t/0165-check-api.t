#!/bin/bash
# 0165-check-api.t - mail2note --check-api [TICKET] against the fake
# helpdesk (tests/stub/helpdesk.py): one line per finding on stdout, exit 0
# when every line is "ok:" or "info:", 75 on a "problem:"; the probe is a
# note the API must refuse, so no note is ever created; the key never shows.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

[ -x "$M2N_BIN" ] || skip_all "$M2N_BIN not built"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

fake_start
MAIN_URL=$FAKE_URL MAIN_DIR=$FAKE_DIR

# nnotes - notes.jsonl's lines, counted by bash (no wc, tr processes)
nnotes() { local -a _l; mapfile -t _l <"$FAKE_DIR/notes.jsonl"; echo "${#_l[@]}"; }

# no_key TEXT WHAT - none of the fake's keys in TEXT
no_key() {
	case $1 in
	*ixk_test_*) ok 1 "$2: no key"; diag "$1" ;;
	*) ok 0 "$2: no key" ;;
	esac
}

# check NAME RC [ARGS] - run --check-api; the exit code, no key anywhere,
# every stdout line a finding
check() {
	_name=$1 _rc=$2
	shift 2
	run_gw --check-api "$@" </dev/null
	is "$RC" "$_rc" "$_name: exit $_rc"
	no_key "$OUT$ERR" "$_name"
	printf '%s\n' "$OUT" | grep -qvE '^(ok|info|problem): '
	ok $((!$?)) "$_name: every line is ok:, info: or problem:"
	if [ "$_rc" -eq 0 ]; then
		is "$ERR" "" "$_name: nothing on stderr"
		case $OUT in *problem:*) ok 1 "$_name: no problem line" ;;
		*) ok 0 "$_name: no problem line" ;; esac
	else
		like "$ERR" "4.*" "$_name: one deferral line on stderr"
	fi
}

# --- a good key: everything ok, nothing created ---------------------------
mk_conf "$KEY_RW"
check "good key" 0
like "$OUT" "ok: reachable 127.0.0.1:$FAKE_PORT (HTTP, * ms)*" "good key: reachable"
like "$OUT" "*ok: key accepted, write scope*" "good key: key and scope"
like "$OUT" "*ok: route /api/v1/tickets/mail2note-check/messages*" "good key: route"
like "$OUT" "*ok: the API refused the probe as expected (400: Must use type: internal_note only)*" \
    "good key: the probe refused as the contract says"
is "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 4 "good key: four findings"
is "$(nnotes)" 0 "good key: the fake recorded no note"
last=$(tail -n 1 "$FAKE_DIR/requests.jsonl")
like "$last" '*"auth": "KEY_RW"*' "good key: sent with the configured key"
like "$last" '*"method": "POST"*' "good key: a POST"
like "$last" '*"ticket": "mail2note-check"*' "good key: to the probe id"
like "$last" '*"status": 400*' "good key: the fake answered 400"

# -v copies log lines to stderr; still no key, still no note.
run_gw --check-api -v </dev/null
is "$RC" 0 "good key -v: exit 0"
no_key "$OUT$ERR" "good key -v"

# --- a TICKET: the fake validates the note first, so it stays unverified ---
check "unknown TICKET" 0 T9999
like "$OUT" "*ok: route /api/v1/tickets/T9999/messages*" "unknown TICKET: probed that ticket"
like "$OUT" "*info: ticket T9999 not verified*" "unknown TICKET: says it is not verified"
check "known TICKET" 0 T1001
is "$(nnotes)" 0 "TICKET probes: no note recorded"

# An API that looks the ticket up first: a 404 about the ticket.
fake_ctl /_fake/mode '{"mode":"status:404","count":1}' >/dev/null
check "ticket-first API, unknown TICKET" 75 T9999
like "$OUT" "*ok: route /api/v1/tickets/T9999/messages*" "ticket 404: route ok"
like "$OUT" "*problem: ticket T9999 not found (API 404: Ticket not found)*" \
    "ticket 404 with a TICKET: a problem"
fake_ctl /_fake/mode '{"mode":"status:404","count":1}' >/dev/null
check "ticket-first API, probe id" 0
like "$OUT" "*ok: the API does not know the probe ticket mail2note-check*" \
    "ticket 404 for the probe id: as expected"

run_gw --check-api 'T 1' </dev/null
is "$RC" 75 "malformed TICKET: exit 75"
like "$ERR" "4.3.5 usage: --check-api: *not a ticket ID*" "malformed TICKET: usage line"
run_gw --check-api T1 T2 </dev/null
is "$RC" 75 "two TICKETs: exit 75"
like "$ERR" "4.3.5 usage: unexpected argument*" "two TICKETs: usage line"

# --- keys the API refuses --------------------------------------------------
mk_conf "$KEY_RO"
check "read-only key" 75
like "$OUT" "ok: reachable *" "read-only key: reachable"
like "$OUT" "*problem: *403 insufficient_scope*read-only*" "read-only key: names the scope"
like "$ERR" "4.7.0 *insufficient_scope*" "read-only key: 4.7.0"
mk_conf "$KEY_NOENT"
check "no-entitlement key" 75
like "$OUT" "*problem: *403 forbidden*entitlement*" "no-entitlement key: says so"
mk_conf "$KEY_REVOKED"
check "revoked key" 75
like "$OUT" "*problem: *401 unauthorized*invalid or revoked*" "revoked key: says so"
mk_conf ixk_test_bogus_000000
check "unknown key" 75
like "$OUT" "*problem: *401*" "unknown key: 401"

# --- the rest of the answers -------------------------------------------------
mk_conf "$KEY_RW"
fake_ctl /_fake/mode '{"mode":"status:429","count":1,"retry_after":120}' >/dev/null
check "rate limited" 75
like "$OUT" "*problem: API rate limit (429); retry after 120s*" "429: says when"
fake_ctl /_fake/mode '{"mode":"status:201","count":1}' >/dev/null
check "API accepts an invalid note" 75
like "$OUT" "*problem: the API accepted an invalid note (HTTP 201)*" "2xx: reported loudly"
fake_ctl /_fake/mode '{"mode":"status:503","count":1}' >/dev/null
check "API down" 75
like "$OUT" "*problem: API server error (503)*" "503: a problem"
fake_ctl /_fake/mode '{"mode":"html-500","count":1}' >/dev/null
check "HTML 500" 75
fake_ctl /_fake/mode '{"mode":"status:404","count":1,"body":"<html>Not Found</html>"}' >/dev/null
check "bare 404" 75
like "$OUT" "*problem: route: the API answered 404 (not its JSON error body)*" \
    "bare 404: the route, not the ticket"
fake_ctl /_fake/mode '{"mode":"reset","count":1}' >/dev/null
check "reset" 75
fake_ctl /_fake/mode '{"mode":"status:401","count":1,"body":{"message":"bad key ixk_test_rw_4f9c2a7e1b"}}' >/dev/null
check "401 echoing the key" 75
fake_ctl /_fake/mode '{"mode":"status:400","count":1,"body":{"message":"no: Bearer ixk_test_rw_4f9c2a7e1b"}}' >/dev/null
check "400 echoing the key" 0
like "$OUT" "*expected (400: no: \\[key\\])*" "400 echoing the key: redacted"
is "$(nnotes)" 0 "no fault mode made a note"

# --- wrong base_url path: /api/v1 twice ------------------------------------
M2N_BASE_URL=$FAKE_URL/api/v1 mk_conf "$KEY_RW"
check "base_url ending in /api/v1" 75
like "$OUT" "*problem: route: the API answered 404 (Resource not found) for /api/v1/api/v1/tickets/mail2note-check/messages; base_url must not end in /api or /api/v1*" \
    "doubled path: a route problem with a hint"
M2N_BASE_URL=$FAKE_URL/helpdesk mk_conf "$KEY_RW"
check "base_url with a wrong prefix" 75
like "$OUT" "*problem: route: *for /helpdesk/api/v1/tickets/*check the path in base_url*" \
    "wrong prefix: check the path"

# --- nothing listening ---------------------------------------------------------
M2N_BASE_URL=http://127.0.0.1:9 mk_conf "$KEY_RW"
check "nothing listening" 75
like "$OUT" "problem: unreachable: *127.0.0.1:9*connection refused*" "port 9: unreachable"
like "$ERR" "4.4.1 *" "port 9: 4.4.1"

# --- TLS -------------------------------------------------------------------------
if fake_start_tls; then
	M2N_BASE_URL=https://127.0.0.1:$FAKE_PORT mk_conf "$KEY_RW"
	check "TLS, untrusted certificate" 75
	like "$OUT" "ok: reachable 127.0.0.1:$FAKE_PORT (TCP, * ms)*" "TLS untrusted: TCP reachable"
	like "$OUT" "*problem: TLS certificate of 127.0.0.1 not trusted*" "TLS untrusted: a TLS problem"
	M2N_BASE_URL=https://localhost:$FAKE_PORT mk_conf "$KEY_RW" \
	    "ca_file = $T/tls.crt"
	check "TLS with ca_file" 0
	like "$OUT" "ok: reachable localhost at 127.0.0.1:$FAKE_PORT (HTTPS, * ms)*" \
	    "TLS with ca_file: reachable over HTTPS"
	like "$OUT" "*ok: TLS verified (certificate and name of localhost, trusted by ca_file;*" \
	    "TLS with ca_file: verified"
	is "$(nnotes)" 0 "TLS: no note recorded"
	FAKE_URL=$MAIN_URL FAKE_DIR=$MAIN_DIR
else
	skip 14 "openssl cannot make a certificate"
fi

done_testing
