#!/bin/sh
# deps-exim.sh - make Exim available to tests/t/0510-mta-exim.t without
# installing it: Debian's exim4-daemon-light conflicts with the postfix
# package (both are the system MTA), so its .deb is downloaded and unpacked
# into a cache directory and run from there with a config of the test's own.
#
# usage: sh tests/mta/deps-exim.sh      (as root; idempotent)
# Called by tests/deps.sh in "make deps-test".  Not root: says what to run
# and exits 0 (the Exim test then skips).
#
# What it does, each step only when needed:
#   - apt-get download exim4-daemon-light into $M2N_EXIM_DIR (default
#     $M2N_CACHE/exim) and dpkg-deb -x it to $M2N_EXIM_DIR/root,
#     dropping the set-uid bit of the unpacked copy;
#   - apt-get installs the shared libraries the package depends on (they
#     do not conflict with anything; exim4-base and debconf are not needed);
#   - creates the system user Debian-exim: the binary looks up that
#     compiled-in user name before it reads any configuration (recorded
#     in $M2N_CACHE/created when made here: tests/mta/cleanup.sh);
#   - exim4-config (Debian's conf.d tree, exim4.conf.template and
#     update-exim4.conf) unpacked into $M2N_CACHE/exim-config/root for
#     tests/t/0515-mta-exim-debian.t.
set -eu
. "$(dirname "$0")/cache.sh"
dir=${M2N_EXIM_DIR:-$M2N_CACHE/exim}
cdir=$M2N_CACHE/exim-config
exim=$dir/root/usr/sbin/exim4

if [ "$(id -u)" -ne 0 ]; then
	if [ ! -x "$exim" ]; then
		echo "deps-exim: the Exim test needs root to fetch Exim; run:" >&2
		echo "  sudo sh tests/mta/deps-exim.sh" >&2
	fi
	exit 0
fi

m2n_system_user Debian-exim /var/spool/exim4

if [ ! -x "$cdir/root/usr/sbin/update-exim4.conf" ]; then
	m2n_deb_unpack exim4-config "$cdir"
fi

# Works already? (-bV with an empty config: version and build only)
if [ -x "$exim" ] && "$exim" -C /dev/null -bV >/dev/null 2>&1; then
	exit 0
fi

m2n_deb_unpack exim4-daemon-light "$dir"
m2n_deb_libs "$dir"/deb/exim4-daemon-light_*.deb
if ! "$exim" -C /dev/null -bV >/dev/null 2>&1; then
	echo "deps-exim: the unpacked $exim does not run:" >&2
	"$exim" -C /dev/null -bV >&2 || true
	exit 1
fi
echo "deps-exim: $("$exim" -C /dev/null -bV 2>/dev/null | head -n 1) in $dir/root"
