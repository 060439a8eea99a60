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

done_testing
