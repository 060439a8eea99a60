#!/bin/sh
# deps-postfix.sh - make Postfix available to the Postfix tests
# (tests/t/0500-mta-postfix.t, 0505-mta-postfix-scratch.t,
# 0520-mta-reliability.t, make reliability) without installing it: the
# postfix package is the system MTA (on an Exim host apt would remove
# exim4 for it), so its .deb is downloaded and unpacked into a cache
# directory and run from there (tests/mta/common.sh: mta_pf) with a
# config directory of the test's own whose daemon_directory,
# command_directory, shlib_directory and meta_directory point into the
# unpacked tree.  The host's own Postfix, if any, is never used.
#
# usage: sh tests/mta/deps-postfix.sh      (as root; idempotent)
# Called by tests/deps.sh in "make deps-test".  Not root: says what to run
# and exits 0 (the Postfix tests then skip).
#
# What it does, each step only when needed:
#   - apt-get download postfix into $M2N_CACHE/postfix/deb and dpkg-deb -x
#     it to $M2N_CACHE/postfix/root (no set-gid bits: the dynamic loader
#     would ignore LD_LIBRARY_PATH for a set-gid postqueue);
#   - apt-get installs the shared libraries the package depends on;
#   - creates the user postfix and the group postdrop (mail_owner and
#     setgid_group), recorded in $M2N_CACHE/created when made here.
set -eu
. "$(dirname "$0")/cache.sh"
dir=$M2N_CACHE/postfix
root=$dir/root

# pf_runs - the unpacked postconf runs with its own libraries
pf_runs() {
	LD_LIBRARY_PATH=$root/usr/lib/postfix "$root/usr/sbin/postconf" \
	    -d mail_version >/dev/null 2>&1
}

if [ "$(id -u)" -ne 0 ]; then
	if ! pf_runs; then
		echo "deps-postfix: the Postfix tests need root to fetch Postfix; run:" >&2
		echo "  sudo sh tests/mta/deps-postfix.sh" >&2
	fi
	exit 0
fi

m2n_system_user postfix /var/spool/postfix
m2n_system_group postdrop

pf_runs && exit 0
m2n_deb_unpack postfix "$dir"
m2n_deb_libs "$dir"/deb/postfix_*.deb
if ! pf_runs; then
	echo "deps-postfix: the unpacked $root/usr/sbin/postconf does not run" >&2
	exit 1
fi
echo "deps-postfix: Postfix $(LD_LIBRARY_PATH=$root/usr/lib/postfix \
    "$root/usr/sbin/postconf" -dh mail_version) in $root"
