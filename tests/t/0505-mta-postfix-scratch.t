#!/bin/bash
# 0505-mta-postfix-scratch.t - README's "Postfix from scratch": from an
# empty config directory (Debian's "No configuration" install: no
# main.cf) to a working gateway with exactly the README's commands
# (each checked to be there verbatim; /etc/postfix, /usr/share/postfix and
# the snippets' path replaced by the test's, postfix/postmap given -c):
# postfix/main.cf.minimal plus the snippets, postmap, postfix check,
# postfix start; then support+T1001@ becomes a note, nobody@ is refused at
# RCPT with 550 5.1.1, and postfix reload works.  What only a test needs
# is set with postconf -e/-F after the README's steps: the unpacked
# Postfix's directories, a private queue, 127.0.0.1 and a free port, no
# chroot (Debian's init script prepares the chroot; postfix start alone
# does not).  Postfix is Debian's package unpacked by
# tests/mta/deps-postfix.sh, never the host's.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh" || exit 1
. "$M2N_TOP/tests/mta/common.sh" || exit 1
[ -n "${T:-}" ] && [ -d "$T" ] || { echo "no temporary directory" >&2; exit 1; }

mta_need_root
mta_pf_need
command -v swaks >/dev/null || skip_all "swaks not installed (make deps-test)"
[ -x "$M2N_BIN" ] || mta_abort "no binary $M2N_BIN (make)"
README=$M2N_TOP/README.md

mta_user
fake_start --tickets T1001
mta_setup_gateway
P=$T/postfix
D=$P/etc
mkdir -p "$P/queue" "$P/data"
chmod 0755 "$P" "$P/queue"
chown postfix: "$P/data"
[ ! -e "$D" ]
ok $? "the config directory does not exist yet (no main.cf, no master.cf)"

# The snippets as an administrator edits them: the domain, the account,
# the binary and its config.
SN=$T/snip/postfix
mkdir -p "$SN"
for f in main.cf.minimal main.cf.snippet master.cf.snippet transport.example \
    recipients.regexp virtual.example; do
	mta_snippet_sed "$M2N_TOP/postfix/$f" 's/helpdesk\.example\.com/helpdesk.test/g' \
	    >"$SN/$f" 2>/dev/null || cp "$M2N_TOP/postfix/$f" "$SN/$f"
done
sed -i 's/helpdesk\\\.example\\\.com/helpdesk\\.test/' "$SN/recipients.regexp"
sed -i 's/helpdesk-admin@example\.com/admin@sender.test/' "$SN/virtual.example"
# (the maps' paths: the test's config directory stands for /etc/postfix)
sed -i "s|/etc/postfix|$D|g" "$SN/main.cf.snippet"
sed -i -e "s|user=mail2note|user=$MTA_USER|" \
    -e "s|/usr/local/libexec/mail2note|$MTA_BIN|" \
    -e "s|/etc/mail2note/mail2note.conf|$MTA_CONF|" "$SN/master.cf.snippet"
grep -q "user=$MTA_USER argv=$MTA_BIN -c $MTA_CONF" "$SN/master.cf.snippet"
ok $? "postfix/master.cf.snippet edited for the test"

# The README's commands, in order (the section "Postfix from scratch").
CMDS=(
"install -d -m 0755 /etc/postfix"
"[ -e /etc/postfix/master.cf ] || cp /usr/share/postfix/master.cf.dist /etc/postfix/master.cf"
"cp postfix/main.cf.minimal /etc/postfix/main.cf"
"cat postfix/main.cf.snippet >>/etc/postfix/main.cf"
"cat postfix/master.cf.snippet >>/etc/postfix/master.cf"
"cp postfix/transport.example /etc/postfix/transport"
"cp postfix/recipients.regexp /etc/postfix/mail2note-recipients.regexp"
"cp postfix/virtual.example /etc/postfix/virtual"
"postmap /etc/postfix/transport /etc/postfix/virtual"
)
START=(
"postfix check"
"postfix start"
)
# readme_cmd CMD - CMD with the test's paths
readme_cmd() {
	_rc=${1//\/etc\/postfix/$D}
	_rc=${_rc//\/usr\/share\/postfix/$MTA_PF_ROOT/usr/share/postfix}
	_rc=${_rc// postfix\// $SN/}
	case $_rc in
	postmap\ *) _rc="mta_pf postmap -c $D ${_rc#postmap }" ;;
	postfix\ *) _rc="mta_pf postfix -c $D ${_rc#postfix }" ;;
	esac
	# Never the host's configuration.
	case $_rc in
	*" /etc/postfix"* | *">/etc/postfix"* | *" /usr/share/postfix"*)
		echo "readme_cmd left a host path: $_rc" >&2
		return 1 ;;
	esac
	printf '%s\n' "$_rc"
}
missing=0
for c in "${CMDS[@]}" "${START[@]}"; do
	grep -qF -- "    $c" "$README" || { diag "not in README: $c"; missing=1; }
done
ok $missing "every command is in README.md's Postfix from scratch, verbatim"
rc=0
for c in "${CMDS[@]}"; do
	cmd=$(readme_cmd "$c") || exit 1
	eval "$cmd" 2>>"$T/steps.err" ||
	    { diag "failed: $c" "$(cat "$T/steps.err")"; rc=1; }
done
ok $rc "the README's steps from an empty config directory"

# What only the test needs (the README leaves these at their defaults).
PORT=$(mta_free_port)
while IFS= read -r line; do
	mta_pf postconf -c "$D" -e "$line" || rc=1
done <<EOF
$(mta_pf_paths)
queue_directory = $P/queue
data_directory = $P/data
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
myhostname = mta.m2n.test
default_transport = error:5.7.1 no outbound mail from this test
maillog_file_prefixes = $P
maillog_file = $P/maillog
smtputf8_enable = no
smtpd_peername_lookup = no
EOF
mta_pf postconf -c "$D" -F '*/*/chroot = n' &&
    mta_pf postconf -c "$D" -M# smtp/inet &&
    printf '127.0.0.1:%s inet n - n - - smtpd\n' "$PORT" >>"$D/master.cf"
ok $? "the test's own settings (postconf -e, -F, -M#)"

at_exit mta_postfix_stop
for c in "${START[@]}"; do
	cmd=$(readme_cmd "$c") || exit 1
	eval "$cmd" >"$T/start.out" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] || diag "$(cat "$T/start.out" "$P/maillog" 2>&1)"
	ok $rc "$c"
done
mta_wait 30 mta_port_up "$PORT"
rc=$?
ok $rc "smtpd answers on 127.0.0.1:$PORT"
[ "$rc" -eq 0 ] || { diag "$(cat "$P/maillog" 2>/dev/null)"; done_testing; }

send() {
	swaks --silent 2 --server 127.0.0.1 --port "$PORT" \
	    --helo client.m2n.test --from "$1" --to "$2" \
	    --header "Subject: $3" --body "$4" >>"$T/swaks.out" 2>&1
}
has_lines() { [ "$(mta_grep_count "$P/maillog" "$2")" -ge "$1" ]; }
send alice@sender.test support+T1001@helpdesk.test "From scratch" \
    "A gateway from an empty config directory (pf-scratch-1)."
ok $? "swaks: mail to support+T1001@helpdesk.test accepted"
mta_wait 30 has_lines 1 'to=<support\+T1001@helpdesk\.test>.*status='
has_lines 1 'to=<support\+T1001@helpdesk\.test>.*relay=helpdesk.*status=sent'
rc=$?
[ "$rc" -eq 0 ] || diag "$(cat "$P/maillog")"
ok $rc "maillog: status=sent via the helpdesk transport"
is "$(mta_notes_for T1001)" 1 "exactly one note for T1001"
mta_note_has T1001 "pf-scratch-1"
ok $? "the note carries the mail's text"
PORT=$PORT mta_rcpt_refused pf-scratch
mta_pf postfix -c "$D" reload >"$T/reload.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || diag "$(cat "$T/reload.out")"
ok $rc "postfix reload"

done_testing
