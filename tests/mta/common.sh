# common.sh - shared helpers for the real-MTA tests (tests/t/05*-mta-*.t).
# Sourced after tests/t/lib.sh; bash.
#
# The MTA tests run their own Postfix or Exim instance on 127.0.0.1 with
# every file under $T, generated from the snippets in postfix/ by sed, so
# that the README's set-up and the tests cannot drift apart.

# mta_abort MESSAGE - end the test now with one failing test point (not
# "Bail out!", which would stop the rest of the suite too)
mta_abort() {
	ok 1 "$*"
	done_testing
}

. "$M2N_TOP/tests/mta/cache.sh" || exit 1

# The unprivileged account the pipe transports run mail2note as.  It owns
# the key file (mail2note refuses one owned by anybody else).
MTA_USER=${M2N_MTA_USER:-m2ntest}

# mta_need_root - skip the whole file unless we are root
mta_need_root() {
	[ "$(id -u)" -eq 0 ] ||
	    skip_all "needs root to run its own MTA instance (CI runs as root)"
}

# mta_user - make sure MTA_USER exists (idempotent); sets MTA_UID MTA_GID
mta_user() {
	# (recorded for tests/mta/cleanup.sh when made here)
	m2n_system_user "$MTA_USER" /nonexistent ||
	    mta_abort "cannot create the user $MTA_USER"
	MTA_UID=$(id -u "$MTA_USER")
	MTA_GID=$(id -g "$MTA_USER")
}

# mta_free_port - print a TCP port on 127.0.0.1 that is free right now
mta_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# mta_setup_gateway - the files the pipe runs with, readable by MTA_USER:
# MTA_BIN (the binary under test, copied when MTA_USER cannot reach it
# where it is), MTA_CONF and its key file from lib.sh's mk_conf (needs
# FAKE_URL, so call fake_start first).
mta_setup_gateway() {
	# Directories the daemons and MTA_USER walk through.
	chmod 0711 "$T"
	mk_conf
	# The pipe user owns its state_dir; $T (root's) is not its to mkdir in.
	mkdir -p -m 0700 "$T/state"
	chown "$MTA_USER:" "$T/api.key" "$M2N_CONF" "$T/state"
	# mk_conf's [log] file: the pipe user appends to it (as an
	# administrator creates /var/log/mail2note.log once, README).
	if [ -n "${M2N_LOG_FILE-$T/mail2note.log}" ]; then
		: >>"${M2N_LOG_FILE-$T/mail2note.log}"
		chown "$MTA_USER:" "${M2N_LOG_FILE-$T/mail2note.log}"
	fi
	chmod 0600 "$T/api.key"
	chmod 0644 "$M2N_CONF"
	MTA_CONF=$M2N_CONF
	MTA_BIN=$M2N_BIN
	if ! runuser -u "$MTA_USER" -- test -x "$MTA_BIN"; then
		mkdir -p "$T/bin"
		chmod 0755 "$T/bin"
		install -m 0755 "$M2N_BIN" "$T/bin/mail2note"
		MTA_BIN=$T/bin/mail2note
	fi
	# The gateway as the pipe will run it: the config must check out.
	runuser -u "$MTA_USER" -- "$MTA_BIN" -c "$MTA_CONF" \
	    --check-config >"$T/check-config.out" 2>&1
	_mg_rc=$?
	[ "$_mg_rc" -eq 0 ] || diag "$(cat "$T/check-config.out")"
	ok $_mg_rc "mail2note --check-config passes as the pipe user $MTA_USER"
}

# mta_hostile_sender CANARY - an envelope sender whose quoted local part
# would create the file CANARY if any shell ever evaluated it
mta_hostile_sender() {
	printf '"x;touch %s;`touch %s`$(touch %s)"@sender.test' "$1" "$1" "$1"
}

# mta_wait SECONDS CMD... - poll CMD every 0.2 s until it succeeds or
# SECONDS pass; returns CMD's last status
mta_wait() {
	_mw_end=$(($(date +%s) + $1))
	shift
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -ge "$_mw_end" ] && { "$@"; return $?; }
		sleep 0.2
	done
}

# mta_notes_for TICKET - how many notes the fake accepted for TICKET ('*':
# for any ticket)
mta_notes_for() {
	fake_ctl /_fake/notes | python3 -c 'import json, sys
t = sys.argv[1]
print(sum(1 for n in json.load(sys.stdin) if t in ("*", n.get("ticket"))))' "$1"
}

# mta_note_has TICKET TEXT - true when a note for TICKET has TEXT in body_text
mta_note_has() {
	fake_ctl /_fake/notes | python3 -c 'import json, sys
for n in json.load(sys.stdin):
    if n.get("ticket") != sys.argv[1]:
        continue
    b = n.get("body")
    b = json.loads(b) if isinstance(b, str) else (b or {})
    if sys.argv[2] in b.get("body_text", ""):
        sys.exit(0)
sys.exit(1)' "$1" "$2"
}

# mta_grep_count FILE EXTENDED-REGEX - number of matching lines (0 if none)
mta_grep_count() {
	grep -cE "$2" "$1" 2>/dev/null || true
}

# mta_snippet_sed FILE SED-SCRIPT... - FILE with the substitutions applied;
# fails (status 1, a message on stderr) when one of them matched nothing:
# the snippet changed under the test, which must then be updated with it.
# A substitution that matched but changed nothing (the packaged paths and
# user of 0530-mta-deb.t are the snippet's own) is fine: sed's p flag
# prints the lines it substituted.
mta_snippet_sed() {
	_ms_file=$1
	shift
	_ms_text=$(cat "$_ms_file")
	for _ms_s in "$@"; do
		_ms_new=$(printf '%s\n' "$_ms_text" | sed "$_ms_s")
		if [ "$_ms_new" = "$_ms_text" ] &&
		    [ -z "$(printf '%s\n' "$_ms_text" | sed -n "${_ms_s}p" 2>/dev/null)" ]; then
			echo "$_ms_file: '$_ms_s' changed nothing; update the test" >&2
			return 1
		fi
		_ms_text=$_ms_new
	done
	printf '%s\n' "$_ms_text"
}

# mta_dsn_field MBOX FIELD - FIELD (Status, Diagnostic-Code, Action) of the
# first recipient block of the first delivery-status report in MBOX, with
# folded lines joined
mta_dsn_field() {
	python3 - "$1" "$2" <<'PY'
import mailbox, sys
for msg in mailbox.mbox(sys.argv[1]):
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        for b in blocks[1:] if len(blocks) > 1 else blocks:
            v = b.get(sys.argv[2])
            if v is not None:
                print(" ".join(str(v).split()))
                sys.exit(0)
sys.exit(1)
PY
}

# mta_reason RECIPIENT EXTENSION - the reason text (first line, without its
# RFC 3463 code, whitespace squeezed) mail2note gives, as MTA_USER, for a
# mail without a ticket: what the MTA's bounce must carry
mta_reason() {
	printf 'From: x@sender.test\nTo: %s\nSubject: no ticket\n\nhello\n' "$1" |
	    runuser -u "$MTA_USER" -- "$MTA_BIN" -c "$MTA_CONF" \
	    -f x@sender.test -r "$1" -x "$2" 2>&1 | head -n 1 |
	    sed 's/^[245]\.[0-9]*\.[0-9]* *//' | tr -s ' \t' '  ' |
	    cut -c1-60
}

# mta_kill_pid PID - TERM the process, wait up to 5 s for it to go, then KILL
mta_kill_pid() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || return 0
	_mk_i=0
	while kill -0 "$1" 2>/dev/null && [ "$_mk_i" -lt 50 ]; do
		sleep 0.1
		_mk_i=$((_mk_i + 1))
	done
	kill -KILL "$1" 2>/dev/null
	return 0
}

# --- issue 5: sender policy, signed ticket addresses, a real DKIM milter ----

# The authserv-id the test MTA host's milter writes and mail2note trusts.
MTA_AUTHSERV_ID=mta.m2n.test

# mta_address_key FILE - a fresh address-signing key (64 hex characters, one
# line) in FILE, owned by MTA_USER with mode 0600, as [ticket]
# address_key_file requires; the test makes its own so that it can compute
# the TAGs itself (mta_sign_id) as well as through mail2note --sign
mta_address_key() {
	install -m 0600 -o "$MTA_USER" -g "$MTA_GID" /dev/null "$1" &&
	    od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$1" &&
	    echo >>"$1"
}

# mta_sign_id KEYFILE ID - ID.TAG as the issue defines it (the first 8 bytes
# of HMAC-SHA-256 keyed with the first key line over ID, base32 lowercase
# without padding), computed independently of mail2note
mta_sign_id() {
	python3 - "$1" "$2" <<'PY'
import base64, hashlib, hmac, sys
key = bytes.fromhex(open(sys.argv[1]).readline().strip())
mac = hmac.new(key, sys.argv[2].encode(), hashlib.sha256).digest()[:8]
print(sys.argv[2] + "." + base64.b32encode(mac).decode().rstrip("=").lower())
PY
}

# mta_dkim_key DIR - an RSA-2048 key pair made now: DIR/dkim.pem
# (private) and DIR/dkim.txt (the TXT record "v=DKIM1; k=rsa; p=...")
mta_dkim_key() {
	openssl genrsa -out "$1/dkim.pem" 2048 2>/dev/null &&
	    printf 'v=DKIM1; k=rsa; p=%s\n' "$(openssl rsa -in "$1/dkim.pem" \
	    -pubout -outform DER 2>/dev/null | base64 -w0)" >"$1/dkim.txt"
}

# mta_dns_start DIR NAME TXTFILE - dnsmasq on 127.0.0.1 and a free port,
# answering NAME's TXT record with the contents of TXTFILE (split into
# strings of 200 characters) and nothing else: no upstream, no hosts file.
# Stops itself after 300 s, and by PID when the test ends.  Sets DNS_PORT
# DNS_PID.
mta_dns_start() {
	DNS_PORT=$(mta_free_port)
	_md_txt=$(python3 -c 'import sys
s = open(sys.argv[1]).read().strip()
print(",".join(s[i:i + 200] for i in range(0, len(s), 200)))' "$3")
	timeout 300 dnsmasq --keep-in-foreground --conf-file=/dev/null \
	    --no-resolv --no-hosts --bind-interfaces \
	    --listen-address=127.0.0.1 --port="$DNS_PORT" --pid-file= \
	    --log-queries --log-facility=- "--txt-record=$2,$_md_txt" \
	    >"$1/dns.log" 2>&1 &
	DNS_PID=$!
	at_exit "mta_kill_pid $DNS_PID"
	# A TXT query on the wire, so that "ready" means answering.
	_md_i=0
	while [ "$_md_i" -lt 50 ]; do
		python3 - "$DNS_PORT" "$2" <<'PY' 2>/dev/null && return 0
import socket, struct, sys
name = b"".join(bytes([len(l)]) + l for l in sys.argv[2].encode().split(b".")) + b"\0"
q = struct.pack(">HHHHHH", 0x4d32, 0x0100, 1, 0, 0, 0) + name + struct.pack(">HH", 16, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
r = s.recv(4096)
sys.exit(0 if r[:2] == q[:2] and struct.unpack(">H", r[6:8])[0] > 0 else 1)
PY
		sleep 0.1
		_md_i=$((_md_i + 1))
	done
	return 1
}

# mta_unbound_conf FILE PORT - a libunbound configuration (OpenDKIM's
# ResolverConfiguration) that sends every query to 127.0.0.1@PORT.  Unbound
# refuses to query localhost and answers NXDOMAIN for the RFC 6761 "test."
# zone by default; both are turned off.
mta_unbound_conf() {
	cat >"$1" <<UB
server:
  do-not-query-localhost: no
  local-zone: "test." nodefault
forward-zone:
  name: "."
  forward-addr: 127.0.0.1@$2
UB
}

# mta_dkim_sign KEY DOMAIN SELECTOR OUT [HEADER...] - a message read from
# stdin (LF line ends, headers then body), signed with dkimpy (Debian's
# python3-dkim; relaxed/relaxed, the usual headers), written to OUT with
# CRLF line ends for swaks --data.  Each HEADER ("Name: value") is put on
# top AFTER signing: what a forger adds on the way.
mta_dkim_sign() {
	# (-c: stdin is the message)
	/usr/bin/python3 -c '
import sys, dkim
key, domain, selector, out = sys.argv[1:5]
extra = sys.argv[5:]
msg = sys.stdin.buffer.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
sig = dkim.sign(msg, selector.encode(), domain.encode(), open(key, "rb").read(),
                canonicalize=(b"relaxed", b"relaxed"),
                include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
top = b"".join(h.encode() + b"\r\n" for h in extra)
open(out, "wb").write(top + sig + msg)
' "$@"
}

# mta_header_values FILE NAME - the values of every NAME header of the first
# message in FILE (an mbox or a message), unfolded, one a line
mta_header_values() {
	python3 - "$1" "$2" <<'PY'
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
if raw.startswith(b"From "):
    raw = raw.split(b"\n", 1)[1]
msg = email.message_from_bytes(raw, policy=email.policy.compat32)
for v in msg.get_all(sys.argv[2]) or []:
    print(" ".join(str(v).split()))
PY
}

# mta_role_accounts MBOX TAG - send one mail each to postmaster@ and abuse@
# helpdesk.test (with send(), which the test defines) and wait until both
# reached the person's mailbox MBOX; two test points.  TAG marks the
# bodies ("TAG-6)" and "TAG-6b)").
mta_role_accounts() {
	send bob@sender.test postmaster@helpdesk.test "For the postmaster" \
	    "Hello postmaster ($2-6)."
	ok $? "swaks: mail to postmaster@helpdesk.test accepted"
	send bob@sender.test abuse@helpdesk.test "For abuse" "Hello abuse ($2-6b)."
	ok $? "swaks: mail to abuse@helpdesk.test accepted"
	# shellcheck disable=SC2317
	_ra_there() { grep -q "$2-6b" "$1" 2>/dev/null && grep -q "$2-6)" "$1"; }
	mta_wait 30 _ra_there "$1" "$2"
}

# mta_rcpt_refused TAG - send to nobody@helpdesk.test (port $PORT) and
# check that the RCPT is refused with 550 5.1.1; two test points
mta_rcpt_refused() {
	swaks --server 127.0.0.1 --port "$PORT" --helo client.m2n.test \
	    --from bob@sender.test --to nobody@helpdesk.test \
	    --header "Subject: unknown" --body "nobody ($1-5)" \
	    >"$T/swaks-nobody.out" 2>&1
	[ $? -ne 0 ]
	ok $? "swaks: mail to nobody@helpdesk.test is refused"
	_rr_line=$(grep -E '^<\*\* ' "$T/swaks-nobody.out" | head -n 1)
	diag "$_rr_line"
	like "$_rr_line" "<\*\* 550 5.1.1 *" \
	    "RCPT TO:<nobody@helpdesk.test> answered 550 5.1.1"
}

# --- a private Postfix instance (0500-mta-postfix.t, the reliability run) ---

# Debian's postfix package unpacked, not installed, by
# tests/mta/deps-postfix.sh: the host's Postfix (/etc/postfix, port 25,
# postfix on PATH) is never used.
MTA_PF_ROOT=${M2N_POSTFIX_ROOT:-$M2N_CACHE/postfix/root}

# mta_pf COMMAND ARG... - run the unpacked Postfix's COMMAND (postfix,
# postmap, postqueue, postconf...) with its own shared libraries
mta_pf() {
	_pf_cmd=$1
	shift
	LD_LIBRARY_PATH=$MTA_PF_ROOT/usr/lib/postfix \
	    "$MTA_PF_ROOT/usr/sbin/$_pf_cmd" "$@"
}

# mta_pf_need - skip the whole file unless the unpacked Postfix runs
mta_pf_need() {
	mta_pf postconf -d mail_version >/dev/null 2>&1 ||
	    skip_all "no unpacked Postfix in $MTA_PF_ROOT (make deps-test, or sh tests/mta/deps-postfix.sh)"
}

# mta_pf_paths - main.cf lines that make an instance run the unpacked
# Postfix: its programs, libraries and meta files; the master passes
# LD_LIBRARY_PATH on to its daemons (pipe's children do not get it:
# export_environment is left alone)
mta_pf_paths() {
	cat <<PFEOF
daemon_directory = $MTA_PF_ROOT/usr/lib/postfix/sbin
command_directory = $MTA_PF_ROOT/usr/sbin
shlib_directory = $MTA_PF_ROOT/usr/lib/postfix
meta_directory = $MTA_PF_ROOT/etc/postfix
sendmail_path = $MTA_PF_ROOT/usr/sbin/sendmail
newaliases_path = $MTA_PF_ROOT/usr/bin/newaliases
mailq_path = $MTA_PF_ROOT/usr/bin/mailq
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME LD_LIBRARY_PATH=$MTA_PF_ROOT/usr/lib/postfix
PFEOF
}

# mta_port_up PORT - true when something accepts TCP on 127.0.0.1:PORT
mta_port_up() {
	python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
	    "$1" 2>/dev/null
}

# Queue timing of the instance (main.cf lines): retries only when a test
# flushes, unless it sets MTA_PF_TIMING before mta_postfix_setup.
MTA_PF_TIMING=${MTA_PF_TIMING:-"queue_run_delay = 300s
minimal_backoff_time = 300s
maximal_backoff_time = 600s"}

# mta_postfix_setup [MILTER_PORT] - the configuration of a private Postfix
# instance under $T/postfix on 127.0.0.1 and a free port, made from the
# snippets in postfix/ by sed (nothing in /etc is touched): main.cf with
# MTA_PF_TIMING (and, given MILTER_PORT, the snippet's smtpd_milters
# there), master.cf with the helpdesk pipe running MTA_BIN as MTA_USER and
# a capture transport (support+capture@: what a pipe receives, in
# $P/capture/capture.mbox), the transport, recipients and virtual maps.
# Needs mta_user and mta_setup_gateway first.  Two test points (postmap).
# Sets P (the instance), D (its config directory), PORT.
mta_postfix_setup() {
	_ps_snip=$M2N_TOP/postfix
	_ps_milter=()
	[ -n "${1:-}" ] && _ps_milter=(
	    "s|^#smtpd_milters = inet:127.0.0.1:8891|smtpd_milters = inet:127.0.0.1:$1|"
	    's|^#milter_default_action|milter_default_action|')
	PORT=$(mta_free_port)
	# Separate trees, as postfix-script checks ownership per directory:
	# config (root), queue (created by "postfix check"), data (postfix)
	# and the sender's mailbox (the virtual delivery user).
	P=$T/postfix
	D=$P/etc
	mkdir -p "$D" "$P/queue" "$P/data" "$P/mail" "$P/capture"
	chmod 0755 "$P" "$D" "$P/queue" "$P/mail"
	chown postfix: "$P/data"
	chown "$MTA_USER:" "$P/mail" "$P/capture"
	_ps_main=$(mta_snippet_sed "$_ps_snip/main.cf.snippet" \
	    's/helpdesk\.example\.com/helpdesk.test/g' \
	    "s|hash:/etc/postfix/transport|hash:$D/transport|" \
	    "s|regexp:/etc/postfix/mail2note-recipients.regexp|regexp:$D/recipients.regexp|" \
	    "s|hash:/etc/postfix/virtual|hash:$D/virtual|" \
	    "${_ps_milter[@]}") &&
	_ps_recipients=$(mta_snippet_sed "$_ps_snip/recipients.regexp" \
	    's/helpdesk\\\.example\\\.com/helpdesk\\.test/') &&
	_ps_virtual=$(mta_snippet_sed "$_ps_snip/virtual.example" \
	    's/helpdesk\.example\.com/helpdesk.test/g' \
	    's/helpdesk-admin@example\.com/admin@sender.test/g') &&
	_ps_master=$(mta_snippet_sed "$_ps_snip/master.cf.snippet" \
	    "s|user=mail2note|user=$MTA_USER|" \
	    "s|/usr/local/libexec/mail2note|$MTA_BIN|" \
	    "s|/etc/mail2note/mail2note.conf|$MTA_CONF|") &&
	_ps_transport=$(mta_snippet_sed "$_ps_snip/transport.example" \
	    's/helpdesk\.example\.com/helpdesk.test/g') ||
	    mta_abort "the snippets in postfix/ fit the test"
	{
		cat <<PFEOF
# generated by $0: a private test instance
compatibility_level = 3.6
$(mta_pf_paths)
queue_directory = $P/queue
data_directory = $P/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mta.m2n.test
mydomain = m2n.test
myorigin = \$myhostname
mydestination =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
local_transport = error:5.1.1 no local delivery in this test
default_transport = error:5.7.1 no outbound mail from this test
relay_transport = error:5.7.1 not routed by the transport map
smtpd_peername_lookup = no
smtputf8_enable = no
biff = no
maillog_file_prefixes = $P
maillog_file = $P/maillog
delay_warning_time = 0
$MTA_PF_TIMING
# The sender's domain is delivered here, so that bounces can be read.
virtual_mailbox_domains = sender.test
virtual_mailbox_base = $P/mail
virtual_mailbox_maps = static:sender.mbox
virtual_uid_maps = static:$MTA_UID
virtual_gid_maps = static:$MTA_GID
virtual_minimum_uid = $MTA_UID

# --- postfix/main.cf.snippet ---
PFEOF
		printf '%s\n' "$_ps_main"
	} >"$D/main.cf"
	{
		cat <<PFEOF
# generated by $0: the services a test instance needs, none chrooted
127.0.0.1:$PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
# What reaches a pipe, as it reaches it (support+capture@, see transport).
capture   unix  -       n       n       -       -       pipe
  flags=FR user=$MTA_USER argv=/usr/bin/tee -a $P/capture/capture.mbox
# --- postfix/master.cf.snippet ---
PFEOF
		printf '%s\n' "$_ps_master"
	} >"$D/master.cf"
	{
		printf '%s\n' "$_ps_transport"
		echo "# the test's capture transport: a copy of what a pipe receives"
		echo "support+capture@helpdesk.test capture:"
	} >"$D/transport"
	mta_pf postmap -c "$D" "hash:$D/transport" 2>"$T/postmap.err"
	_ps_rc=$?
	[ "$_ps_rc" -eq 0 ] || diag "$(cat "$T/postmap.err")"
	ok $_ps_rc "postmap of the transport map (postfix/transport.example)"
	printf '%s\n' "$_ps_recipients" >"$D/recipients.regexp"
	printf '%s\n' "$_ps_virtual" >"$D/virtual"
	mta_pf postmap -c "$D" "hash:$D/virtual" 2>"$T/postmap.err"
	_ps_rc=$?
	[ "$_ps_rc" -eq 0 ] || diag "$(cat "$T/postmap.err")"
	ok $_ps_rc "postmap of the virtual alias map (postfix/virtual.example)"
}

# mta_postfix_start [WRAPPER...] - "postfix check" and "postfix start" of
# the instance of mta_postfix_setup (WRAPPER, e.g. mta_syslog_wrap's,
# runs "postfix start"); stopped when the test ends.  Two test points;
# ends the test when it does not answer.  M2N_MTA_KEEP=DIR keeps a copy
# of the instance (logs, mailbox) for a look.
mta_postfix_start() {
	at_exit mta_postfix_stop
	[ -n "${M2N_MTA_KEEP:-}" ] &&
	    at_exit "rm -rf '$M2N_MTA_KEEP'; cp -a '$P' '$M2N_MTA_KEEP'"
	mta_pf postfix -c "$D" check >"$T/check.out" 2>&1
	"$@" env LD_LIBRARY_PATH="$MTA_PF_ROOT/usr/lib/postfix" \
	    "$MTA_PF_ROOT/usr/sbin/postfix" -c "$D" start >"$T/start.out" 2>&1
	_pst_rc=$?
	[ "$_pst_rc" -eq 0 ] ||
	    diag "$(cat "$T/check.out" "$T/start.out" "$P/maillog" 2>&1)"
	ok $_pst_rc "postfix instance starts on 127.0.0.1:$PORT"
	[ "$_pst_rc" -eq 0 ] || mta_abort "postfix did not start"
	mta_wait 30 mta_port_up "$PORT"
	_pst_rc=$?
	ok $_pst_rc "smtpd answers"
	[ "$_pst_rc" -eq 0 ] || { diag "$(cat "$P/maillog" 2>/dev/null)"; done_testing; }
}

# mta_postfix_stop - stop the instance, its master by PID if need be
mta_postfix_stop() {
	_pf_p=$(head -n 1 "$P/queue/pid/master.pid" 2>/dev/null | tr -dc 0-9)
	mta_pf postfix -c "$D" stop >/dev/null 2>&1
	mta_kill_pid "$_pf_p"
}

# mta_postfix_queued - the number of mails in the instance's queue
mta_postfix_queued() {
	mta_pf postqueue -c "$D" -j 2>/dev/null | grep -c '"queue_id"'
}

# mta_syslog_start - a syslog socket (tests/stub/syslog.py) at $T/log.sock
# writing what it receives to MTA_SYSLOG ($T/syslog.out), and in
# MTA_SYSLOG_WRAP (an array) a command prefix that runs a command in a
# private mount namespace whose /dev/log is that socket: given to
# mta_postfix_start, it makes every pipe the instance runs log there,
# while the machine's /dev/log (or its absence) stays as it is for
# everyone else.  When the machine has no /dev/log there is nothing to
# bind over: the namespace gets a /dev of its own (a tmpfs holding bind
# mounts of every entry of the real one, and a symlink log).  Returns 1
# when the socket does not come up or namespaces are not available.
mta_syslog_start() {
	MTA_SYSLOG=$T/syslog.out
	command -v unshare >/dev/null 2>&1 && unshare -m true 2>/dev/null ||
	    return 1
	python3 "$M2N_TOP/tests/stub/syslog.py" --socket "$T/log.sock" \
	    --out "$MTA_SYSLOG" --lifetime 3600 2>"$T/syslog.err" &
	MTA_SYSLOG_PID=$!
	at_exit "mta_kill_pid $MTA_SYSLOG_PID"
	mta_wait 10 test -s "$MTA_SYSLOG.ready" || return 1
	mkdir -p "$T/realdev"
	# shellcheck disable=SC2016
	MTA_SYSLOG_WRAP=(unshare -m --propagation private sh -c '
set -e
sock=$1 realdev=$2
shift 2
if [ -e /dev/log ]; then
	mount --bind "$sock" /dev/log
else
	mount --rbind /dev "$realdev"
	mount -t tmpfs -o mode=0755,size=64k m2n-dev /dev
	for e in "$realdev"/* "$realdev"/.[!.]*; do
		[ -e "$e" ] || [ -L "$e" ] || continue
		n=${e##*/}
		if [ -L "$e" ]; then
			cp -P "$e" "/dev/$n"
		elif [ -d "$e" ]; then
			mkdir "/dev/$n"
			mount --rbind "$e" "/dev/$n"
		else
			: >"/dev/$n"
			mount --bind "$e" "/dev/$n"
		fi
	done
	ln -s "$sock" /dev/log
fi
exec "$@"' sh "$T/log.sock" "$T/realdev")
}
