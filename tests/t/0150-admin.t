#!/bin/bash
# 0150-admin.t - what the mail administrator sees: error texts that never
# echo a key, log lines without control characters, and docs that name
# every config key and show the snippets as they are in postfix/.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

[ -x "$M2N_BIN" ] || skip_all "$M2N_BIN not built"

SECRET=ixk_pasted_by_mistake_5e1f
printf 'From: a@example.org\nSubject: [#T1001] hi\n\nhello\n' >"$T/msg"

# --- a key pasted into the config file is not echoed ----------------------
mk_conf "$KEY_RW" "$SECRET"
run_gw --check-config
is "$RC" 75 "config syntax error: exit 75"
like "$ERR" "4.3.5 config $M2N_CONF: line 6 is not 'key = value'*" \
    "config syntax error: names the line"
case $ERR in *"$SECRET"*) ok 1 "config syntax error: line not echoed" ;;
*) ok 0 "config syntax error: line not echoed" ;; esac

# --- -v log lines: one line each, no control characters -----------------
mk_conf "$KEY_RW"
bad_conf=$(printf '%s/no\nsuch\033[1m.conf' "$T")
"$M2N_BIN" -v -c "$bad_conf" -q Q1 <"$T/msg" >"$T/out" 2>"$T/err"
RC=$?
is "$RC" 75 "missing config: exit 75"
is "$(grep -c 'cannot read config' "$T/err")" 2 \
    "missing config: the log line and the DSN line, each on one line"
LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$T/err"
is $? 1 "missing config: no control characters on stderr"

# --- root is refused unless the test escape hatch is set ---------------
if [ "$(id -u)" = 0 ]; then
	env -u MAIL2NOTE_ALLOW_ROOT "$M2N_BIN" -c "$M2N_CONF" -x T1001 \
	    <"$T/msg" >"$T/out" 2>"$T/err"
	is "$?" 75 "as root: exit 75 (deferred, not bounced)"
	like "$(cat "$T/err")" "4.3.5 refusing to run as root: *user=*" \
	    "as root: one line that says which setting to fix"
	MAIL2NOTE_ALLOW_ROOT=yes "$M2N_BIN" -c "$M2N_CONF" --check-config \
	    >"$T/out" 2>"$T/err"
	is "$?" 75 "as root: only the exact value 1 lets it run"
else
	skip 3 "not root"
fi

# --- what we print on stdout is checked: a full disk is not success -----
if [ -w /dev/full ]; then
	"$M2N_BIN" --version >/dev/full 2>"$T/err"
	is "$?" 75 "--version to a full disk: exit 75"
	"$M2N_BIN" -c "$M2N_CONF" --check-config >/dev/full 2>"$T/err"
	is "$?" 75 "--check-config to a full disk: exit 75"
	"$M2N_BIN" -c "$M2N_CONF" -n -x T1001 <"$T/msg" >/dev/full 2>"$T/err"
	is "$?" 75 "-n to a full disk: exit 75"
	like "$(cat "$T/err")" "4.3.0 cannot write to standard output" \
	    "-n to a full disk: says so"
else
	skip 4 "no writable /dev/full"
fi

# --- --check-config: a summary that describes the key, never shows it ---
mk_conf "$KEY_RW"
run_gw --check-config
is "$RC" 0 "--check-config: exit 0"
is "$ERR" "mail2note: warning: [sender] is not configured: anyone who can send mail to this domain can write notes" \
    "--check-config, an ixk_ key, no [sender]: only the policy warning"
like "$OUT" "*# key: ixk_…(${#KEY_RW} chars) loaded from $T/api.key*" \
    "--check-config: the key described by prefix and length"
case $OUT in *"$KEY_RW"*) ok 1 "--check-config: the key not shown" ;;
*) ok 0 "--check-config: the key not shown" ;; esac
mk_conf "$KEY_RW" "[sender]" "allow = *@example.com"
run_gw --check-config
is "$RC" 0 "--check-config, allow without require: exit 0"
is "$ERR" "mail2note: warning: [sender] require = none: From can be forged: allow without require trusts the From header alone" \
    "--check-config, allow without require: warns that From can be forged"
like "$OUT" "*
[[]sender]
allow = \*@example.com
# authserv_id is not set (default)
require = none
refused = discard
*" "--check-config, allow without require: the effective [sender] group"
mk_conf "$KEY_RW" "[sender]" "allow = *@example.com" \
    "authserv_id = mx.example.com" "require = dmarc"
run_gw --check-config
is "$ERR" "" "--check-config, allow and require: no warning"
mk_conf tok_0123456789abcdef
run_gw --check-config
is "$RC" 0 "--check-config, a key without ixk_: exit 0 (only a warning)"
like "$ERR" '*warning: the key in * does not start with "ixk_"*' \
    "--check-config, a key without ixk_: warns"
# A base_url that already holds the API's path: every POST would go to
# .../api/v1/api/v1/tickets/...; a warning, since only the API can tell.
for p in /api/v1 /api/v1/ /api /helpdesk/api/; do
	M2N_BASE_URL=http://127.0.0.1:9$p mk_conf "$KEY_RW" "[sender]" \
	    "allow = *@example.com" "authserv_id = mx.example.com" \
	    "require = dmarc"
	run_gw --check-config
	is "$RC" 0 "--check-config, base_url ending in $p: exit 0"
	s=${p%/}; s=/api${s#*/api}
	is "$ERR" "mail2note: warning: base_url ends in $s; mail2note adds /api/v1 itself" \
	    "--check-config, base_url ending in $p: warns"
done
for p in "" /helpdesk /apis /api/v2; do
	M2N_BASE_URL=http://127.0.0.1:9$p mk_conf "$KEY_RW" "[sender]" \
	    "allow = *@example.com" "authserv_id = mx.example.com" \
	    "require = dmarc"
	run_gw --check-config
	is "$ERR" "" "--check-config, base_url path '$p': no warning"
done
mk_conf "$KEY_RW"

# --- docs: every key, every snippet line ---------------------------------
"$M2N_BIN" -c "$M2N_CONF" --check-config >"$T/summary" 2>&1
keys=$(sed -n 's/^\(# \)\{0,1\}\([a-z_]*\) \(=\|is not set\).*/\2/p' \
    "$T/summary")
[ -n "$keys" ]
ok $? "--check-config lists the keys"
for k in $keys; do
	grep -q "| \`$k\` |" "$M2N_TOP/README.md"
	ok $? "README config reference has $k"
	grep -q "^#$k =" "$M2N_TOP/postfix/mail2note.conf"
	ok $? "postfix/mail2note.conf shows $k"
done
# Every row of the key table in gateway/conf.c, in mail2note.conf(5)
# under its group's heading, and in the example config under its group.
rows=$(sed -n 's/^[[:space:]]*{ "\([a-z]*\)", "\([a-z_]*\)",.*/\1 \2/p' \
    "$M2N_TOP/gateway/conf.c")
[ "$(printf '%s\n' "$rows" | grep -c .)" -ge 30 ]
ok $? "conf.c: the key table parsed ($(printf '%s\n' "$rows" | grep -c .) keys)"
# group_of FILE HEADING-SED KEY-REGEX - the group each matching key is in
man_groups=$(awk '/^\.Ss "The \[[a-z]*\] group"/ {
	g = $0; sub(/^\.Ss "The \[/, "", g); sub(/\].*/, "", g) }
    /^\.It Cm [a-z_]+/ { print g, $3 }' "$M2N_TOP/gateway/mail2note.conf.5")
ex_groups=$(awk '/^#?\[[a-z]*\]$/ { g = $0; gsub(/[#\[\]]/, "", g) }
    /^#[a-z_]+ =/ { k = $1; sub(/^#/, "", k); print g, k }' \
    "$M2N_TOP/postfix/mail2note.conf")
printf '%s\n' "$rows" | while read -r g k; do
	printf '%s\n' "$man_groups" | grep -qx "$g $k" ||
	    { echo "# mail2note.conf(5) lacks [$g] $k"; exit 1; }
done
ok $? "mail2note.conf(5) documents every key of conf.c under its group"
printf '%s\n' "$rows" | while read -r g k; do
	printf '%s\n' "$ex_groups" | grep -qx "$g $k" ||
	    { echo "# postfix/mail2note.conf lacks [$g] $k"; exit 1; }
done
ok $? "postfix/mail2note.conf shows every key of conf.c under its group"
printf '%s\n' "$man_groups" | while read -r g k; do
	printf '%s\n' "$rows" | grep -qx "$g $k" ||
	    { echo "# mail2note.conf(5) has [$g] $k, which conf.c does not"; exit 1; }
done
ok $? "mail2note.conf(5) documents no key that does not exist"
# Its defaults are the table's (the patterns are abbreviated there).
printf '%s\n' "$rows" | while read -r g k; do
	d=$(sed -n "s/^[[:space:]]*{ \"$g\", \"$k\", [A-Z_]*, \"\([^\"]*\)\".*/\1/p" \
	    "$M2N_TOP/gateway/conf.c")
	[ -n "$d" ] || continue
	grep -q "^\.It Cm $k No (default \(Li \|Pa \)\{0,1\}$d[ ,)]" \
	    "$M2N_TOP/gateway/mail2note.conf.5" ||
	    { echo "# mail2note.conf(5): $k's default is not $d"; exit 1; }
done
ok $? "mail2note.conf(5) gives each key the default conf.c has"

for f in master.cf.snippet main.cf.snippet transport.example \
    exim4-mail2note.conf recipients.regexp virtual.example \
    opendkim.conf.snippet; do
	grep -v '^ *#' "$M2N_TOP/postfix/$f" | grep -v '^$' | sed 's/^ *//' |
	    while IFS= read -r l; do
		grep -qF -- "$l" "$M2N_TOP/README.md" ||
		    { echo "# $f: $l"; exit 1; }
	done
	ok $? "README shows postfix/$f as it is"
done

done_testing
