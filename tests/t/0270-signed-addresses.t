#!/bin/bash
# 0270-signed-addresses.t - signed ticket addresses end to end: the key
# file (--new-address-key), --sign, the published TAG vectors, delivery to
# support+ID.TAG@ (any case), a wrong TAG never posted to the bare ID,
# require_signature for every source, key rotation, and the key file's
# permission rules.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

[ -x "$M2N_BIN" ] || skip_all "$M2N_BIN not built"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

fake_start
: >"$FAKE_DIR/notes.jsonl"
nnotes() { wc -l <"$FAKE_DIR/notes.jsonl" | tr -d ' '; }
last_ticket() { tail -n 1 "$FAKE_DIR/notes.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ticket"])'; }

# --- --new-address-key ----------------------------------------------------------
"$M2N_BIN" --new-address-key >"$T/k1" 2>"$T/err"
is "$?" 0 "--new-address-key: exit 0"
like "$(cat "$T/k1")" '????????????????????????????????????????????????????????????????' \
    "--new-address-key: 64 characters"
is "$(tr -d '0-9a-f\n' <"$T/k1")" "" "--new-address-key: lowercase hex only"
is "$(wc -l <"$T/k1" | tr -d ' ')" 1 "--new-address-key: one line"
"$M2N_BIN" --new-address-key >"$T/k2"
[ "$(cat "$T/k1")" != "$(cat "$T/k2")" ]
ok $? "--new-address-key: a new key each time"

install -m 0600 "$T/k1" "$T/address.key"
# conf [LINES...] - config with the address key file and extra lines
conf() { mk_conf "$KEY_RW" "[ticket]" "address_key_file = $T/address.key" "$@"; }
conf

# --- --sign ----------------------------------------------------------------------
run_gw --sign T1001
is "$RC" 0 "--sign T1001: exit 0"
like "$OUT" 'T1001.?????????????' "--sign T1001: ID.TAG"
is "$(printf '%s' "${OUT#T1001.}" | tr -d 'a-z2-7')" "" "--sign: TAG is lowercase base32"
TAG=${OUT#T1001.}
is "${#TAG}" 13 "--sign: TAG is 13 characters"
run_gw --sign T1001 --address support@helpdesk.test
is "$OUT" "support+T1001.$TAG@helpdesk.test" "--sign --address: the whole address"
run_gw --sign ../admin
is "$RC" 75 "--sign with an invalid ID: refused"
run_gw --address support@helpdesk.test
is "$RC" 75 "--address without --sign: usage error"
mk_conf
run_gw --sign T1001
is "$RC" 75 "--sign without address_key_file: refused"
like "$ERR" "*address_key_file*" "--sign without address_key_file: says what is missing"
conf

# The published vectors (README): other tools must make the same TAGs.
vectors=$M2N_TOP/tests/unit/address-tag-vectors.txt
if [ -s "$vectors" ]; then
	while read -r vkey vid vtag; do
		case $vkey in ''|'#'*) continue ;; esac
		printf '%s\n' "$vkey" >"$T/vec.key"
		chmod 600 "$T/vec.key"
		mk_conf "$KEY_RW" "[ticket]" "address_key_file = $T/vec.key"
		run_gw --sign "$vid"
		is "$OUT" "$vid.$vtag" "vector: --sign $vid"
	done <"$vectors"
	conf
else
	ok 1 "the TAG vectors file $vectors exists"
fi

# An independent implementation (Python's hmac) agrees on our key.
want=$(python3 -c 'import base64,hashlib,hmac,sys
k = bytes.fromhex(open(sys.argv[1]).read().strip())
m = hmac.new(k, b"T1001", hashlib.sha256).digest()[:8]
print(base64.b32encode(m).decode().rstrip("=").lower())' "$T/address.key")
is "$TAG" "$want" "the TAG is HMAC-SHA-256, 8 bytes, base32 (checked with Python)"

# --- delivery ----------------------------------------------------------------------
msg() {
	printf 'From: ana@example.com\nTo: %s\nSubject: %s\n' "$1" "${2:-Printer}"
	[ -n "${3:-}" ] && printf 'References: %s\n' "$3"
	printf 'Message-ID: <%s@example.com>\n\nThe printer is out of toner.\n' "$RANDOM$RANDOM"
}
n0=$(nnotes)
msg "support+T1001.$TAG@helpdesk.test" >"$T/m"
run_gw -r "support+T1001.$TAG@helpdesk.test" <"$T/m"
is "$RC" 0 "signed extension: delivered"
is "$(nnotes)" "$((n0 + 1))" "signed extension: one note"
is "$(last_ticket)" T1001 "signed extension: posted to T1001, the TAG is not in the path"
n0=$(nnotes)
UPPER=$(printf '%s' "$TAG" | tr a-z A-Z)
run_gw -r "SUPPORT+T1001.$UPPER@HELPDESK.TEST" <"$T/m"
is "$RC" 0 "an uppercased TAG (an MTA that uppercases local parts): delivered"
is "$(last_ticket)" T1001 "uppercased TAG: posted to T1001"
n0=$(nnotes)
run_gw -x "T1001.$TAG" <"$T/m"
is "$RC" 0 "signed extension via -x: delivered"
n0=$(nnotes)

# A wrong TAG is never posted to the bare ID.
BAD=aaaaaaaaaaaaa
[ "$BAD" = "$TAG" ] && BAD=bbbbbbbbbbbbb
run_gw -r "support+T1001.$BAD@helpdesk.test" <"$T/m"
is "$RC" 67 "a wrong TAG: no ticket (67)"
like "$ERR" "5.1.1 ticket address signature missing or invalid*" "a wrong TAG: the reason"
is "$(nnotes)" "$n0" "a wrong TAG: nothing posted"
# One character off.
ONE=$(printf '%s' "$TAG" | sed 's/^./\n/' | tr -d '\n')
case ${TAG%"${TAG#?}"} in a) ONE=b$ONE ;; *) ONE=a$ONE ;; esac
run_gw -r "support+T1001.$ONE@helpdesk.test" <"$T/m"
is "$RC" 67 "a TAG one character off: no ticket (67)"
is "$(nnotes)" "$n0" "a TAG one character off: nothing posted"
# The TAG of another ticket.
run_gw --sign T1002
T2=${OUT#T1002.}
run_gw -r "support+T1001.$T2@helpdesk.test" <"$T/m"
is "$RC" 67 "T1002's TAG on T1001: no ticket (67)"
# Unsigned addresses still work while require_signature is false.
run_gw -r "support+T1001@helpdesk.test" <"$T/m"
is "$RC" 0 "require_signature = false: an unsigned address is delivered"
n0=$(nnotes)

# --- require_signature -------------------------------------------------------------
conf "require_signature = true" "sources = extension;subject;references"
run_gw -r "support+T1001@helpdesk.test" <"$T/m"
is "$RC" 67 "require_signature: an unsigned extension is no ticket (67)"
like "$ERR" "5.1.1 ticket address signature missing or invalid*" \
    "require_signature: the reason"
msg support@helpdesk.test "Re: [#T1001] printer" >"$T/s"
run_gw -r support@helpdesk.test <"$T/s"
is "$RC" 67 "require_signature: an unsigned subject ID is no ticket"
msg support@helpdesk.test "Re: [#T1001.$TAG] printer" >"$T/s"
run_gw -r support@helpdesk.test <"$T/s"
is "$RC" 0 "require_signature: a signed subject [#ID.TAG] is delivered"
is "$(last_ticket)" T1001 "signed subject: posted to T1001"
msg support@helpdesk.test "Re: printer" "<ticket-T1001.$TAG@helpdesk.test>" >"$T/s"
run_gw -r support@helpdesk.test <"$T/s"
is "$RC" 0 "require_signature: a signed References <ticket-ID.TAG@...> is delivered"
is "$(nnotes)" "$((n0 + 2))" "require_signature: two notes for the two signed mails"
n0=$(nnotes)
run_gw -r "support+T1001.$TAG@helpdesk.test" <"$T/m"
is "$RC" 0 "require_signature: the signed extension is delivered"
n0=$(nnotes)

# --- rotation: the new key signs, the old one still verifies -----------------------
"$M2N_BIN" --new-address-key >"$T/k3"
cat "$T/k3" "$T/k1" >"$T/address.key"
run_gw --sign T1001
NEW=${OUT#T1001.}
[ "$NEW" != "$TAG" ]
ok $? "rotation: --sign uses the new (first) key"
run_gw -r "support+T1001.$TAG@helpdesk.test" <"$T/m"
is "$RC" 0 "rotation: an address signed with the old key still delivers"
run_gw -r "support+T1001.$NEW@helpdesk.test" <"$T/m"
is "$RC" 0 "rotation: an address signed with the new key delivers"
cat "$T/k3" >"$T/address.key"
run_gw -r "support+T1001.$TAG@helpdesk.test" <"$T/m"
is "$RC" 67 "rotation: once the old key is dropped its addresses are refused"

# --- the key file's rules ----------------------------------------------------------
chmod 640 "$T/address.key"
run_gw --check-config
is "$RC" 75 "address key file readable by group: config error (75)"
chmod 600 "$T/address.key"
run_gw --check-config
is "$RC" 0 "--check-config with address keys: exit 0"
like "$OUT" "*# address keys: 1 loaded from $T/address.key*" "--check-config counts the address keys"
grep -qi "$(cat "$T/k3")" "$T/out" "$T/err"
ok $((! $?)) "--check-config never prints an address key"
printf 'not a key\n' >"$T/address.key"
run_gw --check-config
is "$RC" 75 "a malformed address key file: config error (75)"
grep -q 'not a key' "$T/err"
ok $((! $?)) "the malformed line is not echoed"
mk_conf "$KEY_RW" "[ticket]" "require_signature = true"
run_gw --check-config
is "$RC" 75 "require_signature without address_key_file: config error (75)"

done_testing
