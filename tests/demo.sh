#!/bin/bash
# demo.sh - mail2note's main job, shown end to end on this machine:
# real emails go through the built binary to a local fake helpdesk
# (tests/stub/helpdesk.py, 127.0.0.1 only), and we print what arrived.
set -u
M2N_TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$M2N_TOP/tests/t/lib.sh"
BIN=$M2N_TOP/build/mail2note
[ -x "$BIN" ] || { echo "demo: build first (make)"; exit 1; }
M2N_BIN=$BIN

fake_start --tickets T1001,T1002,T1017
mk_conf "$KEY_RW"
if [ -t 1 ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi
show_last_note() {
	python3 - "$FAKE_DIR/notes.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
rec = json.loads(lines[-1])
body = json.loads(rec["body"])
print("ticket %s received an internal note (%d notes so far)" % (rec["ticket"], len(lines)))
print("--- body_text ---")
print(body["body_text"].rstrip())
print("--- body_html (first 600 bytes) ---")
print(body["body_html"][:600])
PY
}

say "1. An agent forwards a customer's email to support+T1017@helpdesk.example"
echo "\$ mail2note -f sam.lee@example.com -r support+T1017@helpdesk.example < samples/forward-inline-gmail.eml"
run_gw -f sam.lee@example.com -r support+T1017@helpdesk.example < "$M2N_TOP/samples/forward-inline-gmail.eml"
echo "exit $RC"
show_last_note

say "2. An agent answers a notification: 'Re: [#T1002] ...' (ticket from the Subject)"
echo "\$ mail2note -f tom@example.com -r support@helpdesk.example < samples/gmail-alternative.eml"
run_gw -f tom@example.com -r support@helpdesk.example < "$M2N_TOP/samples/gmail-alternative.eml"
echo "exit $RC"
show_last_note

say "3. No ticket anywhere: the MTA bounces it with our reason (exit 67)"
run_gw -f someone@example.com -r support@helpdesk.example < "$M2N_TOP/samples/no-ticket.eml"
echo "exit $RC; stderr: $ERR"

say "4. The helpdesk answers 500: the MTA keeps the mail and retries (exit 75)"
fake_ctl /_fake/mode '{"mode":"status:500","count":1}' >/dev/null
run_gw -f someone@example.com -r support+T1001@helpdesk.example < "$M2N_TOP/samples/plain.eml"
echo "exit $RC; stderr: $ERR"
echo "retry after the API recovers:"
run_gw -f someone@example.com -r support+T1001@helpdesk.example < "$M2N_TOP/samples/plain.eml"
echo "exit $RC"
show_last_note | head -1

say "5. An auto-reply is discarded, nothing posted (exit 0)"
run_gw -f someone@example.com -r support+T1001@helpdesk.example < "$M2N_TOP/samples/auto-reply.eml"
echo "exit $RC; notes at the helpdesk: $(wc -l < "$FAKE_DIR/notes.jsonl")"

say "Dry run: the exact request, key redacted (mail2note -n)"
run_gw -n -r support+T1001@helpdesk.example < "$M2N_TOP/samples/plain.eml"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["body"]={k:(v[:80]+"..." if len(v)>80 else v) for k,v in d["body"].items()}; print(json.dumps(d, indent=2))' "$OUT"
echo
echo "demo: done (every test: make check)"
