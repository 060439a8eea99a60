#!/bin/bash
# 0530-mta-deb.t - the Debian package, end to end, as an admin would use it:
#   1. make deb builds build/mail2note_VERSION_ARCH.deb (dpkg-buildpackage
#      in a copy of the tree; reused when no source changed), and lintian
#      finds no error and no warning (each override explained);
#   2. apt-get install: the binary, the man pages, the conffiles (the
#      example config with base_url commented out, the logrotate snippet),
#      the examples, the system user and group mail2note, /var/lib/mail2note
#      (0700) and an empty key file (0600), both owned by mail2note;
#   3. --check-config of the fresh install defers (75) naming base_url;
#   4. with base_url set to the fake helpdesk and the key in the packaged
#      key file, a real Postfix (a private instance, as in
#      0500-mta-postfix.t) delivers one mail through the packaged binary,
#      as the packaged user, with the packaged config: one note;
#   5. apt-get remove keeps the config, the key, the state and the user;
#   6. apt-get purge leaves nothing: no file of the package, no
#      /etc/mail2note, /var/lib/mail2note, user, group or logrotate
#      snippet, and dpkg knows no file of it.
# Needs root; skipped when mail2note is already on the host (a package, a
# make install, or the user): an admin's install is never touched.  The
# package is purged when the test ends, whatever happened.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh" || exit 1
. "$M2N_TOP/tests/mta/common.sh" || exit 1
[ -n "${T:-}" ] && [ -d "$T" ] || { echo "no temporary directory" >&2; exit 1; }

mta_need_root
for c in dpkg-buildpackage dh lintian apt-get swaks; do
	command -v "$c" >/dev/null || skip_all "$c not installed (make deps-test)"
done
mta_pf_need
# Never touch an admin's install.
st=$(dpkg-query -W -f='${Status}' mail2note 2>/dev/null)
case $st in
"" | *" not-installed") ;;
*) skip_all "the host has a mail2note package ($st): not touching it" ;;
esac
for f in /usr/libexec/mail2note /etc/mail2note /var/lib/mail2note \
    /etc/logrotate.d/mail2note /var/log/mail2note.log; do
	[ -e "$f" ] && skip_all "$f exists on the host: not touching it"
done
getent passwd mail2note >/dev/null &&
    skip_all "the host has a user mail2note: not touching it"
getent group mail2note >/dev/null &&
    skip_all "the host has a group mail2note: not touching it"

export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -y -q -o DPkg::Lock::Timeout=120)

# --- 1. build and lint ------------------------------------------------------
# Not as a sub-make of the harness's make: its jobserver is not ours.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$M2N_TOP" \
    --no-print-directory deb DEB_BUILD_OPTIONS="parallel=2 nocheck noddebs" \
    >"$T/make-deb.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] || diag "$(tail -n 30 "$T/make-deb.log")"
ok $rc "make deb"
DEB=$M2N_TOP/build/mail2note_$(dpkg-parsechangelog -l "$M2N_TOP/debian/changelog" \
    -S Version)_$(dpkg --print-architecture).deb
[ -f "$DEB" ] || mta_abort "no package $DEB"
diag "package: $DEB ($(stat -c %s "$DEB") bytes)"
# lintian takes a while: in the background while the package is used.
lintian --fail-on error,warning "$DEB" >"$T/lintian.out" 2>&1 &
LINTIAN_PID=$!
at_exit "mta_kill_pid $LINTIAN_PID"

# Every override says why, in a comment just above it.
bad=$(awk 'FNR == 1 { prev = "" }
    !/^#/ && NF && prev !~ /^#/ { print FILENAME ": " $0 }
    { prev = $0 }' "$M2N_TOP"/debian/*lintian-overrides 2>/dev/null)
is "$bad" "" "each lintian override is explained by a comment"

# --- 2. install --------------------------------------------------------------
# Purged at the end, whatever happens (registered first: runs last).
# shellcheck disable=SC2317
deb_cleanup() {
	st=$(dpkg-query -W -f='${Status}' mail2note 2>/dev/null)
	case $st in
	"" | *" not-installed") ;;
	*) "${APT[@]}" purge mail2note >/dev/null 2>&1 ;;
	esac
}
at_exit deb_cleanup
"${APT[@]}" install --no-install-recommends "$DEB" >"$T/apt-install.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] || diag "$(tail -n 20 "$T/apt-install.log")"
ok $rc "apt-get install ./$(basename "$DEB")"
[ "$rc" -eq 0 ] || done_testing
is "$(dpkg-query -W -f='${Status}' mail2note)" "install ok installed" \
    "dpkg: mail2note installed"

# mode_of PATH - "MODE USER GROUP" of PATH
mode_of() { stat -c '%a %U %G' "$1" 2>&1; }
BIN=/usr/libexec/mail2note
CONF=/etc/mail2note/mail2note.conf
is "$(mode_of $BIN)" "755 root root" "$BIN, 0755 root"
like "$("$BIN" --version 2>&1)" "*0.1.0*" "the packaged binary runs"
[ -f /usr/share/man/man8/mail2note.8.gz ]
ok $? "mail2note(8) installed"
if [ -e "$M2N_TOP/gateway/mail2note.conf.5" ]; then
	[ -f /usr/share/man/man5/mail2note.conf.5.gz ]
	ok $? "mail2note.conf(5) installed"
fi
is "$(mode_of $CONF)" "644 root root" "$CONF, 0644 root"
grep -q '^[[:space:]]*base_url' $CONF
[ $? -ne 0 ]
ok $? "base_url is commented out in the packaged config"
conffiles=$(dpkg-query -W -f='${Conffiles}' mail2note)
like "$conffiles" "*$CONF *" "$CONF is a conffile"
like "$conffiles" "*/etc/logrotate.d/mail2note *" \
    "/etc/logrotate.d/mail2note is a conffile"
grep -q '^[[:space:]]*create 0640 mail2note adm' /etc/logrotate.d/mail2note &&
    grep -q missingok /etc/logrotate.d/mail2note &&
    grep -q notifempty /etc/logrotate.d/mail2note
ok $? "the logrotate snippet: missingok, notifempty, create 0640 mail2note adm"
if command -v logrotate >/dev/null; then
	logrotate -d -s "$T/logrotate.state" /etc/logrotate.d/mail2note \
	    >"$T/logrotate.out" 2>&1
	rc=$?
	grep -q '^error' "$T/logrotate.out" && rc=1
	[ "$rc" -eq 0 ] || diag "$(cat "$T/logrotate.out")"
	ok $rc "logrotate -d reads the snippet without error"
fi
for f in master.cf.snippet main.cf.snippet transport.example \
    recipients.regexp virtual.example exim4-mail2note.conf; do
	[ -f "/usr/share/doc/mail2note/examples/$f" ] || break
done
ok $? "the Postfix and Exim snippets are in /usr/share/doc/mail2note/examples"
grep -q 'argv=/usr/libexec/mail2note ' \
    /usr/share/doc/mail2note/examples/master.cf.snippet &&
    grep -q "exec /usr/libexec/mail2note " \
    /usr/share/doc/mail2note/examples/exim4-mail2note.conf
ok $? "the examples name the packaged binary /usr/libexec/mail2note"
pw=$(getent passwd mail2note)
ok $? "the user mail2note exists"
IFS=: read -r _ _ uid gid _ home shell <<<"$pw"
[ "$uid" -lt 1000 ] && [ "$uid" -gt 0 ]
ok $? "mail2note is a system user (uid $uid)"
is "$home:$shell" "/nonexistent:/usr/sbin/nologin" "no home, no login shell"
is "$(getent group mail2note | cut -d: -f3)" "$gid" \
    "the group mail2note is its primary group"
is "$(mode_of /var/lib/mail2note)" "700 mail2note mail2note" \
    "/var/lib/mail2note, 0700 mail2note"
is "$(mode_of /etc/mail2note/api.key)" "600 mail2note mail2note" \
    "/etc/mail2note/api.key, 0600 mail2note"
is "$(stat -c %s /etc/mail2note/api.key)" 0 "the key file is empty"

# --- 3. the fresh install defers, naming base_url -------------------------------
runuser -u mail2note -- $BIN --check-config >"$T/cc.out" 2>"$T/cc.err"
is $? 75 "--check-config of the fresh install: exit 75 (the MTA would defer)"
like "$(cat "$T/cc.err")" "4.3.5 *base_url is required*" \
    "it says base_url is required"
diag "$(cat "$T/cc.err")"

# --- 4. configured: one mail through a real Postfix ----------------------------
fake_start --tickets T1001
sed -i "s|^#base_url = .*|base_url = $FAKE_URL|" $CONF
printf '%s\n' "$KEY_RW" >/etc/mail2note/api.key
is "$(mode_of /etc/mail2note/api.key)" "600 mail2note mail2note" \
    "the key written in place keeps its owner and mode"
runuser -u mail2note -- $BIN --check-config >"$T/cc.out" 2>"$T/cc.err"
rc=$?
[ "$rc" -eq 0 ] || diag "$(cat "$T/cc.err")"
ok $rc "--check-config passes once base_url and the key are set"

MTA_USER=mail2note
mta_user
MTA_BIN=$BIN
MTA_CONF=$CONF
chmod 0711 "$T"
mta_postfix_setup
mta_postfix_start
swaks --silent 2 --server 127.0.0.1 --port "$PORT" --helo client.m2n.test \
    --from alice@sender.test --to support+T1001@helpdesk.test \
    --header "Subject: From the package" \
    --body "Delivered by the packaged binary (deb-case-1)." \
    >>"$T/swaks.out" 2>&1
ok $? "swaks: mail to support+T1001@helpdesk.test accepted"
# shellcheck disable=SC2317
sent() { grep -qE 'to=<support\+T1001@helpdesk\.test>.*status=' "$P/maillog"; }
mta_wait 30 sent
grep -qE 'to=<support\+T1001@helpdesk\.test>.*relay=helpdesk.*status=sent' \
    "$P/maillog"
rc=$?
[ "$rc" -eq 0 ] || diag "$(grep -E 'helpdesk|mail2note' "$P/maillog" | tail -n 5)"
ok $rc "maillog: status=sent via the helpdesk transport"
is "$(mta_notes_for T1001)" 1 "exactly one note for T1001"
mta_note_has T1001 "deb-case-1"
ok $? "the note carries the mail's text"
[ -n "$(ls -A /var/lib/mail2note)" ]
ok $? "the delivery state is in /var/lib/mail2note"
mta_postfix_stop

# --- 5. remove keeps config, key, state and user ---------------------------------
"${APT[@]}" remove mail2note >"$T/apt-remove.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] || diag "$(tail -n 20 "$T/apt-remove.log")"
ok $rc "apt-get remove mail2note"
is "$(dpkg-query -W -f='${Status}' mail2note)" "deinstall ok config-files" \
    "dpkg: config-files left"
[ ! -e $BIN ] && [ ! -e /usr/share/man/man8/mail2note.8.gz ]
ok $? "the binary and the man page are gone"
grep -q "^base_url = $FAKE_URL" $CONF
ok $? "the config (with its base_url) is kept"
is "$(cat /etc/mail2note/api.key)" "$KEY_RW" "the key is kept"
[ -n "$(ls -A /var/lib/mail2note)" ]
ok $? "the state is kept"
getent passwd mail2note >/dev/null
ok $? "the user is kept"

# --- 6. purge leaves nothing ----------------------------------------------------
"${APT[@]}" purge mail2note >"$T/apt-purge.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] || diag "$(tail -n 20 "$T/apt-purge.log")"
ok $rc "apt-get purge mail2note"
left=
for f in /etc/mail2note /var/lib/mail2note /etc/logrotate.d/mail2note \
    /usr/share/doc/mail2note /var/log/mail2note.log; do
	[ -e "$f" ] && left="$left $f"
done
is "$left" "" "no /etc/mail2note, /var/lib/mail2note, logrotate snippet, docs"
# Every file and every directory of our own that the package holds.
left=
while read -r path; do
	path=${path#.}
	[ -e "$path" ] && left="$left $path"
done < <(dpkg-deb --fsys-tarfile "$DEB" | tar -tf - |
    grep -E '[^/]$|mail2note/$')
is "$left" "" "none of the package's paths is left"
getent passwd mail2note >/dev/null
[ $? -ne 0 ]
ok $? "the user mail2note is gone"
getent group mail2note >/dev/null
[ $? -ne 0 ]
ok $? "the group mail2note is gone"
st=$(dpkg-query -W -f='${Status}' mail2note 2>/dev/null)
case $st in "" | *" not-installed") rc=0 ;; *) rc=1 ;; esac
ok $rc "dpkg -l: mail2note unknown (status '${st:-none}')"
dpkg -S $BIN /etc/mail2note >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "dpkg -S: no file belongs to mail2note"

# --- lintian (started in step 1) ---------------------------------------------------
wait "$LINTIAN_PID"
rc=$?
grep -E '^[EW]: ' "$T/lintian.out" >"$T/lintian.ew"
[ -s "$T/lintian.ew" ] && rc=1
[ "$rc" -eq 0 ] || diag "$(cat "$T/lintian.out")"
ok $rc "lintian: no error, no warning"

done_testing
