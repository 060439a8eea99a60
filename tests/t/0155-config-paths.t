#!/bin/bash
# 0155-config-paths.t - the path rule through the real binary: a config,
# ca_file, key file or address key file that someone else could replace
# (group- or world-writable, owned by another user, in or through such a
# directory, /tmp included) makes --check-config exit 75 with one line
# naming the path, its mode or owner, and the fix.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

[ -x "$M2N_BIN" ] || skip_all "$M2N_BIN not built"

mk_conf "$KEY_RW"	# $T/api.key, 0600

# conf_in DIR [EXTRA-LINES...] - DIR/mail2note.conf, 0644; sets C
conf_in() {
	_d=$1
	shift
	mkdir -p "$_d"
	{
		echo "[api]"
		echo "base_url = http://127.0.0.1:9"
		echo "key_file = $T/api.key"
		echo "timeout = 10"
		echo "connect_timeout = 5"
		for _l in "$@"; do echo "$_l"; done
		echo "[delivery]"
		echo "state_dir = $T/state"
	} >"$_d/mail2note.conf"
	chmod 644 "$_d/mail2note.conf"
	C=$_d/mail2note.conf
}

# check CONF - --check-config; sets RC and ERR
check() {
	"$M2N_BIN" -c "$1" --check-config >"$T/out" 2>"$T/err"
	RC=$?
	ERR=$(cat "$T/err")
}

# refused NAME GLOB - exit 75 and one stderr line like GLOB
refused() {
	_want=$2
	# A long temporary path makes the line hit the 200-byte cap (the
	# part the MTA keeps): then judge the part before the first '*'
	# that is left, cut where the line was cut.
	if [ "${#ERR}" -ge 195 ]; then
		_want=${_want%%\**}
		[ "${#_want}" -gt "${#ERR}" ] && _want=${_want:0:${#ERR}}
		_want="$_want*"
	fi
	is "$RC" 75 "$1: exit 75"
	like "$ERR" "$_want" "$1: says what and how to fix it"
	is "$(wc -l <"$T/err")" 1 "$1: one line"
}

# --- a safe tree ----------------------------------------------------------------
conf_in "$T/safe"
check "$C"
is "$RC" 0 "a safe tree: --check-config passes"
[ "$RC" = 0 ] || diag "$ERR"

# --- the file itself --------------------------------------------------------------
conf_in "$T/ww-file"
chmod 666 "$C"
check "$C"
refused "world-writable config" \
    "4.3.5 config $C is writable by group or others (mode 0666); run chmod go-w ${C%/*}/*"

conf_in "$T/gw-file"
chmod 664 "$C"
chgrp "$(id -g)" "$C"
check "$C"
refused "group-writable config, our own group" \
    "4.3.5 config $C is writable by group or others (mode 0664); run chmod go-w ${C%/*}/*"

# --- a directory above it -----------------------------------------------------------
conf_in "$T/ww/etc"
chmod 777 "$T/ww"
check "$C"
refused "config in a world-writable directory's subdirectory" \
    "4.3.5 config $C: directory $T/ww is writable by group or others (mode 0777); run chmod go-w *"
chmod 755 "$T/ww"

conf_in "$T/sticky"
chmod 1777 "$T/sticky"
check "$C"
refused "config in a sticky world-writable directory (as /tmp)" \
    "4.3.5 config $C: directory $T/sticky is writable by group or others (mode 1777)*"

tmpd=$(mktemp -d /tmp/m2n-paths.XXXXXX)
at_exit "rm -rf '$tmpd'"
conf_in "$tmpd"
check "$C"
refused "config under /tmp" \
    "4.3.5 config $C: directory /tmp is writable by group or others (mode 1777)*"

# --- symbolic links --------------------------------------------------------------
mkdir -p "$T/unsafe" "$T/links"
chmod 777 "$T/unsafe"
conf_in "$T/unsafe"
ln -s ../unsafe/mail2note.conf "$T/links/into-unsafe.conf"
check "$T/links/into-unsafe.conf"
refused "a link from a safe directory into an unsafe one" \
    "4.3.5 config $T/links/into-unsafe.conf: directory $T/unsafe is writable by group or others (mode 0777)*"
ln -s "$T/safe/mail2note.conf" "$T/unsafe/to-safe.conf"
check "$T/unsafe/to-safe.conf"
refused "a link in an unsafe directory to a safe file" \
    "4.3.5 config $T/unsafe/to-safe.conf: directory $T/unsafe is writable*"
ln -s "$T/safe/mail2note.conf" "$T/links/to-safe.conf"
check "$T/links/to-safe.conf"
is "$RC" 0 "a link in a safe directory to a safe file: passes"

# --- ca_file, key_file, address_key_file --------------------------------------------
printf 'pem\n' >"$T/safe/ca.pem"
chmod 666 "$T/safe/ca.pem"
conf_in "$T/ca" "ca_file = $T/safe/ca.pem"
check "$C"
refused "world-writable ca_file" \
    "4.3.5 ca_file $T/safe/ca.pem is writable by group or others (mode 0666)*"
chmod 644 "$T/safe/ca.pem"
check "$C"
is "$RC" 0 "ca_file 0644: passes"

mkdir -p "$T/wwkey"
chmod 777 "$T/wwkey"
cp "$T/api.key" "$T/wwkey/api.key"
chmod 600 "$T/wwkey/api.key"
conf_in "$T/key"
sed -i "s|^key_file = .*|key_file = $T/wwkey/api.key|" "$C"
check "$C"
refused "key file in a world-writable directory" \
    "4.3.5 key file $T/wwkey/api.key: directory $T/wwkey is writable by group or others (mode 0777)*"

"$M2N_BIN" --new-address-key >"$T/wwkey/address.key" 2>/dev/null ||
    printf '%064d\n' 0 >"$T/wwkey/address.key"
chmod 600 "$T/wwkey/address.key"
conf_in "$T/akey" "[ticket]" "address_key_file = $T/wwkey/address.key"
check "$C"
refused "address key file in a world-writable directory" \
    "4.3.5 address key file $T/wwkey/address.key: directory $T/wwkey is writable*"
mkdir -p "$T/safekeys"
cp "$T/wwkey/address.key" "$T/safekeys/address.key"
chmod 600 "$T/safekeys/address.key"
conf_in "$T/akey" "[ticket]" "address_key_file = $T/safekeys/address.key"
check "$C"
is "$RC" 0 "address key file in a safe directory: passes"

# --- other owners and shared groups (root only: chown) -----------------------------
if [ "$(id -u)" = 0 ]; then
	conf_in "$T/gw"
	chmod 664 "$C"
	chgrp 65534 "$C"
	check "$C"
	refused "group-writable config, a shared group" \
	    "4.3.5 config $C is writable by group or others (mode 0664); run chmod go-w $C*"
	conf_in "$T/owner"
	chown 65534 "$C"
	check "$C"
	refused "config owned by another user" \
	    "4.3.5 config $C is owned by *uid 65534, not root; run chown root $C*"
	conf_in "$T/odir/etc"
	chown 65534 "$T/odir"
	check "$C"
	refused "a directory above owned by another user" \
	    "4.3.5 config $C: directory $T/odir is owned by *uid 65534, not root*"
else
	skip 9 "not root: cannot chown"
fi

# --- who is who: files named with their users (root only: setpriv) --------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
    nobody=$(getent passwd 65534 | cut -d: -f1) && [ -n "$nobody" ]; then
	# as_nobody ARGS... - the binary as uid 65534; sets RC and ERR
	as_nobody() {
		setpriv --reuid 65534 --regid 65534 --clear-groups \
		    "$M2N_BIN" "$@" >"$T/out" 2>"$T/err" </dev/null
		RC=$?
		ERR=$(cat "$T/err")
	}
	chmod 755 "$T"
	conf_in "$T/users" "key_file = $T/users/api.key"
	cp "$T/api.key" "$T/users/api.key"
	chmod 600 "$T/users/api.key"
	as_nobody -c "$C" --check-config
	refused "a key file of root's (0600), run as the pipe user" \
	    "4.3.5 cannot open key file $T/users/api.key: it is owned by root (uid 0), but mail2note runs as $nobody (uid 65534); if that is the pipe's user=, chown $nobody $T/users/api.key"
	chmod 644 "$T/users/api.key"
	as_nobody -c "$C" --check-config
	refused "a key file of root's (0644), run as the pipe user" \
	    "4.3.5 key file $T/users/api.key is owned by root (uid 0), but mail2note runs as $nobody (uid 65534); if that is the pipe's user=, chown $nobody $T/users/api.key"
	chmod 600 "$T/users/api.key"
	chown 65534 "$T/users/api.key"
	check "$C"
	refused "the pipe user's key file, checked as root" \
	    "4.3.5 key file $T/users/api.key is owned by $nobody (uid 65534), but mail2note runs as root (uid 0); check as the pipe's user=: runuser -u $nobody -- mail2note --check-config"
	chmod 600 "$C"
	as_nobody -c "$C" --check-config
	refused "a config the pipe user cannot read" \
	    "4.3.5 cannot read config $C: Permission denied (mail2note runs as $nobody (uid 65534), who must be able to read it and search its directories)"
else
	skip 12 "not root, no setpriv or no uid 65534"
fi

# --- [delivery] spool_dir ------------------------------------------------------
conf_in "$T/spool" "[delivery]" "spool_dir = $T/no/such/dir"
check "$C"
refused "spool_dir that does not exist" \
    "4.3.5 cannot create a spool file in $T/no/such/dir ([[]delivery] spool_dir): No such file or directory"
printf 'From: a@example.org\nSubject: [#T1001] hi\n\nhello\n' |
    "$M2N_BIN" -c "$C" -n >"$T/out" 2>"$T/err"
is "$?" 75 "spool_dir that does not exist: a piped mail is deferred"
is "$(cat "$T/err")" "4.3.0 cannot create a spool file in $T/no/such/dir: No such file or directory" \
    "... naming the directory"
mkdir -p "$T/spooldir"
conf_in "$T/spool" "[delivery]" "spool_dir = $T/spooldir"
check "$C"
is "$RC" 0 "spool_dir that exists: --check-config passes"
printf 'From: a@example.org\nSubject: [#T1001] hi\n\nhello\n' |
    "$M2N_BIN" -c "$C" -n >"$T/out" 2>"$T/err"
is "$?" 0 "spool_dir: a piped mail is read through it"
is "$(ls -A "$T/spooldir")" "" "spool_dir: nothing left behind (unlinked at once)"

done_testing
