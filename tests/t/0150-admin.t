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

# --- values written as other formats allow: named, not "invalid URL" -----
printf '[api]\nbase_url = "%s"\nkey_file = %s\n' http://127.0.0.1:9 "$T/api.key" \
    >"$T/quoted.conf"
"$M2N_BIN" -c "$T/quoted.conf" --check-config >"$T/out" 2>"$T/err"
is "$?" 75 "quoted base_url: exit 75"
is "$(cat "$T/err")" "4.3.5 config $T/quoted.conf: [api] base_url: the value is in quotes, but values are written without them (remove the quotes)" \
    "quoted base_url: says to remove the quotes"
printf '[api]\nbase_url = http://127.0.0.1:9   # staging\nkey_file = %s\n' \
    "$T/api.key" >"$T/comment.conf"
"$M2N_BIN" -c "$T/comment.conf" --check-config >"$T/out" 2>"$T/err"
is "$?" 75 "inline comment: exit 75"
is "$(cat "$T/err")" "4.3.5 config $T/comment.conf: [api] base_url: the value ends in a '# ...' comment, but a comment must be on a line of its own (move it to the line above)" \
    "inline comment: says where comments go"
mk_conf "$KEY_RW" "timeout = 20 # seconds"
run_gw --check-config
like "$ERR" "4.3.5 config *: [[]api] timeout: the value ends in a '# ...' comment*" \
    "inline comment after a number: named too"
mk_conf "$KEY_RW"

# --- as root: how to run it as the pipe user ------------------------------
if [ "$(id -u)" = 0 ]; then
	env -u MAIL2NOTE_ALLOW_ROOT "$M2N_BIN" -c "$M2N_CONF" --check-config \
	    >"$T/out" 2>"$T/err"
	is "$?" 75 "--check-config as root: exit 75"
	like "$(cat "$T/err")" "4.3.5 refusing to run as root: *; by hand: runuser -u mail2note -- mail2note --check-config" \
	    "--check-config as root: suggests runuser -u mail2note"
	env -u MAIL2NOTE_ALLOW_ROOT "$M2N_BIN" -c "$M2N_CONF" -x T1001 \
	    <"$T/msg" >"$T/out" 2>"$T/err"
	is "$(cat "$T/err")" "4.3.5 refusing to run as root: run mail2note as an unprivileged user (Postfix pipe user=, Exim transport user)" \
	    "a delivery as root (the MTA): the line is as short as it was"
else
	skip 3 "not root"
fi

# --- --help and usage errors ------------------------------------------------
LC_ALL=C "$M2N_BIN" --help >"$T/out" 2>"$T/err"
is "$?" 0 "--help: exit 0"
is "$(sed -n 2p "$T/out")" "  mail2note [OPTION...] < message" \
    "--help in the C locale: [OPTION...], not [OPTION?]"
LC_ALL=C grep -q '[^ -~]' "$T/out"
is "$?" 1 "--help: plain ASCII"
like "$(cat "$T/out")" "*mail2note.conf(5)*--check-config*" \
    "--help: names the man pages and the other forms"
is "$(cat "$T/err")" "" "--help: nothing on stderr"
"$M2N_BIN" -h >"$T/out2" 2>/dev/null
cmp -s "$T/out" "$T/out2"
ok $? "-h is --help"
"$M2N_BIN" --bogus </dev/null >"$T/out" 2>"$T/err"
is "$?" 75 "unknown option: exit 75"
is "$(cat "$T/err")" "4.3.5 usage: Unknown option --bogus" \
    "unknown option, not a terminal (the MTA): the DSN line alone"
if command -v script >/dev/null 2>&1; then
	script -qec "$M2N_BIN --bogus" /dev/null </dev/null >"$T/tty" 2>&1
	like "$(tr -d '\r' <"$T/tty")" "4.3.5 usage: Unknown option --bogus (see mail2note --help)*" \
	    "unknown option at a terminal: points to --help"
	script -qec "$M2N_BIN -c $M2N_CONF stray" /dev/null </dev/null \
	    >"$T/tty" 2>&1
	like "$(tr -d '\r' <"$T/tty")" "4.3.5 usage: unexpected argument 'stray' (see mail2note --help)*" \
	    "stray argument at a terminal: points to --help"
else
	skip 2 "no script(1) for a terminal"
fi

# --- max_message_size: the example's advice matches the default ---------
grep -q "Keep it\$" "$M2N_TOP/postfix/mail2note.conf" &&
    grep -q "^# above Postfix's message_size_limit (default 10240000" \
    "$M2N_TOP/postfix/mail2note.conf"
ok $? "example config: keep max_message_size above message_size_limit"
grep -qi "at or below Postfix" "$M2N_TOP/postfix/mail2note.conf" \
    "$M2N_TOP/README.md" "$M2N_TOP/gateway/mail2note.conf.5"
is "$?" 1 "nowhere the old advice (at or below message_size_limit)"
run_gw --check-config
size=$(printf '%s\n' "$OUT" | sed -n 's/^max_message_size = \([0-9]*\)M$/\1/p')
[ -n "$size" ] && [ $((size * 1048576)) -gt 10240000 ]
ok $? "the default max_message_size (${size}M) is above Postfix's 10240000"

# --- [log] file: where the lines go without syslog --------------------------
fake_start
M2N_LOG_FILE=$T/log/m2n.log mk_conf "$KEY_RW"
mkdir -p "$T/log"
run_gw -q LOGQ1 -x T1001 <"$T/msg"
is "$RC" 0 "[log] file: delivered"
like "$(cat "$T/log/m2n.log")" "20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9][0-9][0-9][0-9][+-][0-9][0-9]:[0-9][0-9] mail2note\[[0-9]*\]: LOGQ1: message-id=<> ticket=T1001 source=extension http=201 * outcome=delivered ms=*" \
    "[log] file: the summary line, RFC 3339 time and pid first"
is "$(stat -c %a "$T/log/m2n.log")" 640 "[log] file: created 0640"
is "$OUT$ERR" "" "[log] file: a delivery prints nothing"
{ printf 'Auto-Submitted: auto-replied\n'; cat "$T/msg"; } >"$T/auto"
run_gw -q LOGQ2 -x T1001 <"$T/auto"
is "$RC" 0 "discarded: exit 0"
is "$OUT" "discarded, no note: automatic message (Auto-Submitted: auto-replied)" \
    "discarded: one line on stdout, for Postfix's 'delivered via' entry"
is "$ERR" "" "discarded: stderr stays silent"
is "$(grep -c 'LOGQ2: .*outcome=discarded' "$T/log/m2n.log")" 1 \
    "discarded: the file says outcome=discarded"
is "$(wc -l <"$T/log/m2n.log")" 2 "[log] file: one line per mail"
# Unwritable: the mail is still delivered, nothing on stderr.
rm -f "$T/log/m2n.log"
mkdir "$T/log/m2n.log"
n_before=$(wc -l <"$FAKE_DIR/notes.jsonl")
printf 'From: a@example.org\nSubject: [#T1001] hi\nMessage-ID: <log3@x>\n\nhello\n' |
    run_gw -q LOGQ3 -x T1001
is "$RC" 0 "[log] file not writable: the mail is still delivered"
is "$(wc -l <"$FAKE_DIR/notes.jsonl")" "$((n_before + 1))" \
    "[log] file not writable: ... and posted"
is "$ERR" "" "[log] file not writable: stderr stays clean for the MTA"
run_gw --check-config
is "$RC" 75 "[log] file not writable: --check-config fails"
like "$ERR" "4.3.5 [[]log] file $T/log/m2n.log: Is a directory (mail2note runs as *)" \
    "[log] file not writable: --check-config says why and as whom"
ln -s /dev/null "$T/log/link.log"
M2N_LOG_FILE=$T/log/link.log mk_conf "$KEY_RW"
run_gw --check-config
like "$ERR" "4.3.5 [[]log] file $T/log/link.log: it is a symbolic link*" \
    "[log] file: a symbolic link is refused"
# No file, no /dev/log: -v and --check-config warn, once; the MTA's run not.
# 0250-syslog.t may create /dev/log while it runs: hold its lock.
exec 9>"${TMPDIR:-/tmp}/mail2note-test-devlog.lock"
flock -w 300 9
M2N_LOG_FILE= mk_conf "$KEY_RW" "[sender]" "allow = *@example.com" \
    "authserv_id = mx.example.com" "require = dmarc"
run_gw --check-config
if [ -S /dev/log ] && python3 -c 'import socket,sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.connect("/dev/log")' \
    2>/dev/null; then
	is "$ERR" "" "syslog reachable: --check-config does not warn"
	skip 2 "/dev/log is there"
else
	is "$ERR" "mail2note: warning: syslog is unreachable (/dev/log: $(python3 -c 'import os,errno
print(os.strerror(errno.ENOENT) if not os.path.exists("/dev/log") else os.strerror(errno.ECONNREFUSED))')), so log lines are lost: run a syslog daemon (rsyslog) or set [log] file" \
	    "no /dev/log, no [log] file: --check-config warns"
	run_gw -v -n -x T1001 <"$T/msg"
	is "$(printf '%s\n' "$ERR" | grep -c 'syslog is unreachable')" 1 \
	    "no /dev/log, no [log] file: -v warns once"
	run_gw -n -x T1001 <"$T/msg"
	is "$(printf '%s\n' "$ERR" | grep -c 'syslog is unreachable')" 0 \
	    "no /dev/log: a plain run does not warn"
fi
exec 9>&-
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
