#!/bin/bash
# 0260-sender-policy.t - the [sender] policy end to end against the fake
# helpdesk: who may write notes (allow patterns on the From address),
# which Authentication-Results are believed (only the configured
# authserv-id's), require dkim/dmarc, refused = discard or bounce (77,
# 5.7.1), and no bounce ever for a sender that did not pass the policy.
# The Authentication-Results fields are written exactly as opendkim 2.11
# and opendmarc 1.4 write them (tests/t/0500 has a real opendkim).
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

[ -x "$M2N_BIN" ] || skip_all "$M2N_BIN not built"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

fake_start
AUTHSERV=mx.m2n.test
POLICY_DKIM="[sender]
allow = *@example.com; *@*.example.com; ops@partner.example
authserv_id = $AUTHSERV
require = dkim"
# policy [REQUIRE] [REFUSED] [ALLOW] - write the config with a policy
policy() {
	mk_conf "$KEY_RW" "[sender]" \
	    "allow = ${3:-*@example.com; *@*.example.com; ops@partner.example}" \
	    "authserv_id = $AUTHSERV" "require = ${1:-dkim}" \
	    "refused = ${2:-discard}"
}

nnotes() { wc -l <"$FAKE_DIR/notes.jsonl" 2>/dev/null | tr -d ' '; }
: >"$FAKE_DIR/notes.jsonl"

# msg FROM [HEADER...] - a small message; headers go on top, as an MTA's
# milter puts Authentication-Results
msg() {
	_from=$1
	shift
	for _h in "$@"; do printf '%s\n' "$_h"; done
	printf 'From: %s\nTo: support+T1001@helpdesk.test\n' "$_from"
	printf 'Subject: Printer\nMessage-ID: <%s@example.com>\n' "$RANDOM$RANDOM"
	printf 'Date: Mon, 30 Nov 2026 10:00:00 +0000\n\nThe printer is out of toner.\n'
}
dkim_ar() {	# dkim_ar AUTHSERV DOMAIN [RESULT]
	printf 'Authentication-Results: %s;\n\tdkim=%s (2048-bit key; unprotected) header.d=%s header.i=@%s header.a=rsa-sha256 header.s=sel1 header.b=AbCdEf12' \
	    "$1" "${3:-pass}" "$2" "$2"
}
dmarc_ar() {	# dmarc_ar AUTHSERV DOMAIN [RESULT]
	printf 'Authentication-Results: %s; dmarc=%s (p=reject dis=none) header.from=%s' \
	    "$1" "${3:-pass}" "$2"
}

# delivered DESC - exit 0, stderr silent, exactly one more note
n0=0
delivered() {
	is "$RC" 0 "$1: exit 0"
	is "$ERR" "" "$1: nothing on stderr"
	is "$(nnotes)" "$((n0 + 1))" "$1: posted"
	n0=$(nnotes)
}
# refused DESC - exit 0 (discarded), stderr silent, no note
refused() {
	is "$RC" 0 "$1: exit 0 (discarded)"
	is "$ERR" "" "$1: nothing on stderr (no bounce)"
	is "$(nnotes)" "$n0" "$1: not posted"
}

policy dkim discard

# --- require = dkim ---------------------------------------------------------
msg "Ana <ana@example.com>" "$(dkim_ar $AUTHSERV example.com)" >"$T/m"
run_gw -f ana@example.com -x T1001 <"$T/m"
delivered "allowed From, trusted dkim=pass header.d=From domain"
msg "ana@Example.COM" "$(dkim_ar MX.M2N.TEST EXAMPLE.com)" >"$T/m"
run_gw -f ana@example.com -x T1001 <"$T/m"
delivered "case does not matter (address, authserv-id, header.d)"
msg "ana@mail.example.com" "$(dkim_ar $AUTHSERV example.com)" >"$T/m"
run_gw -f ana@mail.example.com -x T1001 <"$T/m"
delivered "header.d is a parent of the From domain"
msg "ops@partner.example" "$(dkim_ar $AUTHSERV partner.example)" >"$T/m"
run_gw -x T1001 <"$T/m"
delivered "an exact allow pattern"

msg "ana@example.com" >"$T/m"
run_gw -f ana@example.com -x T1001 <"$T/m"
refused "allowed From, no Authentication-Results"
msg "ana@example.com" "$(dkim_ar evil.test example.com)" >"$T/m"
run_gw -x T1001 <"$T/m"
refused "dkim=pass from another authserv-id (forged)"
msg "ana@example.com" "$(dkim_ar mx.m2n.test.evil.test example.com)" >"$T/m"
run_gw -x T1001 <"$T/m"
refused "an authserv-id that only starts like ours"
msg "ana@example.com" "$(dkim_ar $AUTHSERV example.com fail)" >"$T/m"
run_gw -x T1001 <"$T/m"
refused "trusted dkim=fail"
msg "ana@example.com" "$(dkim_ar $AUTHSERV ample.com)" >"$T/m"
run_gw -x T1001 <"$T/m"
refused "header.d=ample.com is not a parent of example.com"
msg "ana@example.com" "$(dkim_ar $AUTHSERV evil.test)" >"$T/m"
run_gw -x T1001 <"$T/m"
refused "dkim=pass for another domain (not aligned with From)"
msg "bob@evil.test" "$(dkim_ar $AUTHSERV evil.test)" >"$T/m"
run_gw -x T1001 <"$T/m"
refused "a From that matches no allow pattern"
msg "ana@example.com.evil.test" "$(dkim_ar $AUTHSERV example.com.evil.test)" >"$T/m"
run_gw -x T1001 <"$T/m"
refused "a From that only ends like an allowed one"
msg "ana@example.com, bob@evil.test" "$(dkim_ar $AUTHSERV example.com)" >"$T/m"
run_gw -x T1001 <"$T/m"
refused "a From with two addresses"
{ printf 'From: bob@evil.test\n'; msg "ana@example.com" "$(dkim_ar $AUTHSERV example.com)"; } >"$T/m"
run_gw -x T1001 <"$T/m"
refused "two From fields"
msg "Ana only, no address" "$(dkim_ar $AUTHSERV example.com)" >"$T/m"
run_gw -x T1001 <"$T/m"
refused "a From without an address"

# -n shows the verdict, and why nothing would be posted.
msg "bob@evil.test" >"$T/m"
run_gw -n -x T1001 <"$T/m"
is "$RC" 0 "-n, refused: exit 0"
like "$ERR" "*sender policy: refused: *bob@evil.test*" "-n shows the refusal and the From"
like "$ERR" "*not posted: sender policy: *" "-n says it would not be posted"
is "$OUT" "" "-n prints no request for a refused sender"
msg "ana@example.com" "$(dkim_ar $AUTHSERV example.com)" >"$T/m"
run_gw -n -x T1001 <"$T/m"
like "$ERR" "*sender policy: allowed: *dkim=pass*" "-n shows what allowed the sender"
like "$OUT" '{"method":"POST"*' "-n prints the request for an allowed sender"

# --- no backscatter -----------------------------------------------------------
msg "ana@example.com" "$(dkim_ar $AUTHSERV example.com)" >"$T/m"
run_gw -r support@helpdesk.test <"$T/m"
is "$RC" 67 "no ticket, authenticated sender: bounced (67)"
like "$ERR" "5.1.1 *" "no ticket, authenticated sender: 5.1.1 for the DSN"
msg "bob@evil.test" >"$T/m"
run_gw -r support@helpdesk.test <"$T/m"
refused "no ticket, refused sender"
mk_conf "$KEY_RW" "$POLICY_DKIM" "[message]" "max_message_size = 1k"
{ msg "ana@example.com"; head -c 3000 /dev/zero | tr '\0' 'x'; echo; } >"$T/big"
run_gw -x T1001 <"$T/big"
refused "a message over max_message_size from an unauthenticated sender"
mk_conf "$KEY_RW" "[message]" "max_message_size = 1k"
run_gw -x T1001 <"$T/big"
is "$RC" 65 "without a policy, the same message bounces (65) as before"
like "$ERR" "5.3.4 *" "without a policy: 5.3.4 as before"

# --- refused = bounce ---------------------------------------------------------
policy dkim bounce
msg "bob@evil.test" >"$T/m"
run_gw -x T1001 <"$T/m"
is "$RC" 77 "refused = bounce: exit 77 (EX_NOPERM)"
is "$ERR" "5.7.1 sender not allowed to add notes to tickets" \
    "refused = bounce: the one DSN line"
is "$(nnotes)" "$n0" "refused = bounce: not posted"
msg "ana@example.com" "$(dkim_ar $AUTHSERV example.com)" >"$T/m"
run_gw -x T1001 <"$T/m"
delivered "refused = bounce: an authenticated sender still gets a note"

# --- require = dmarc ------------------------------------------------------------
policy dmarc discard
msg "ana@example.com" "$(dmarc_ar $AUTHSERV example.com)" >"$T/m"
run_gw -x T1001 <"$T/m"
delivered "require = dmarc: trusted dmarc=pass header.from=From domain"
msg "ana@mail.example.com" "$(dmarc_ar $AUTHSERV example.com)" >"$T/m"
run_gw -x T1001 <"$T/m"
refused "require = dmarc: header.from must be the From domain itself"
msg "ana@example.com" "$(dkim_ar $AUTHSERV example.com)" >"$T/m"
run_gw -x T1001 <"$T/m"
refused "require = dmarc: a dkim=pass is not enough"
msg "ana@example.com" "$(dmarc_ar $AUTHSERV example.com fail)" >"$T/m"
run_gw -x T1001 <"$T/m"
refused "require = dmarc: dmarc=fail"

# --- require = none: allow patterns alone ---------------------------------------
mk_conf "$KEY_RW" "[sender]" "allow = *@example.com"
msg "ana@example.com" >"$T/m"
run_gw -x T1001 <"$T/m"
delivered "require = none: an allowed From needs no Authentication-Results"
msg "bob@evil.test" >"$T/m"
run_gw -x T1001 <"$T/m"
refused "require = none: a From outside allow"

# --- configuration -------------------------------------------------------------
mk_conf
run_gw --check-config
is "$RC" 0 "no [sender]: --check-config passes"
like "$ERR" "*anyone who can send mail to this domain can write notes*" \
    "no [sender]: --check-config warns"
policy dkim discard
run_gw --check-config
is "$RC" 0 "a policy: --check-config passes"
like "$OUT" "*\[sender\]*authserv_id = $AUTHSERV*require = dkim*refused = discard*" \
    "--check-config prints the effective sender policy"
case $ERR in *"anyone who can send"*) r=1 ;; *) r=0 ;; esac
ok $r "a policy: no 'anyone can write notes' warning"
mk_conf "$KEY_RW" "[sender]" "allow = *@example.com" "require = dkim"
run_gw --check-config
is "$RC" 75 "require = dkim without authserv_id: config error (75)"
like "$ERR" "4.3.5 *authserv_id*" "require without authserv_id: says which key"
mk_conf "$KEY_RW" "[sender]" "allow = example.com"
run_gw --check-config
is "$RC" 75 "an allow pattern without '@': config error (75)"
mk_conf "$KEY_RW" "[sender]" "require = spf" "authserv_id = $AUTHSERV"
run_gw --check-config
is "$RC" 75 "require = spf: config error (75)"
mk_conf "$KEY_RW" "[sender]" "refused = reject"
run_gw --check-config
is "$RC" 75 "refused = reject: config error (75)"

done_testing
