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
#     /var/cache/mail2note-test/exim) and dpkg-deb -x it to $M2N_EXIM_DIR/root,
#     dropping the set-uid bit of the unpacked copy;
#   - apt-get installs the shared libraries the package depends on (they
#     do not conflict with anything; exim4-base and debconf are not needed);
#   - creates the system user Debian-exim: the binary looks up that
#     compiled-in user name before it reads any configuration.
set -eu
dir=${M2N_EXIM_DIR:-/var/cache/mail2note-test/exim}
exim=$dir/root/usr/sbin/exim4

if [ "$(id -u)" -ne 0 ]; then
	if [ ! -x "$exim" ]; then
		echo "deps-exim: the Exim test needs root to fetch Exim; run:" >&2
		echo "  sudo sh tests/mta/deps-exim.sh" >&2
	fi
	exit 0
fi

if ! getent passwd Debian-exim >/dev/null; then
	useradd --system --user-group --no-create-home \
	    --home-dir /var/spool/exim4 --shell /usr/sbin/nologin Debian-exim
fi

# Works already? (-bV with an empty config: version and build only)
if [ -x "$exim" ] && "$exim" -C /dev/null -bV >/dev/null 2>&1; then
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
mkdir -p "$dir/deb"
cd "$dir/deb"
rm -f exim4-daemon-light_*.deb
if ! apt-get download exim4-daemon-light >/dev/null 2>&1; then
	apt-get update -qq >/dev/null
	apt-get download exim4-daemon-light >/dev/null 2>&1 || {
		echo "deps-exim: apt-get download exim4-daemon-light failed" >&2
		exit 1
	}
fi
deb=$(ls exim4-daemon-light_*.deb)

# The libraries: the first alternative of each Depends entry, less the
# packages that only make sense for an installed system MTA.
libs=
for d in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' |
    sed 's/|.*//; s/(.*)//; s/[[:space:]]//g'); do
	case $d in
	exim4-base | exim4-config* | debconf* | "") continue ;;
	esac
	st=$(dpkg-query -W -f='${Status}' "$d" 2>/dev/null || true)
	case $st in
	*" installed") ;;
	*) libs="$libs $d" ;;
	esac
done
if [ -n "$libs" ]; then
	echo "deps-exim: installing$libs"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $libs >/dev/null 2>&1 || {
		apt-get update -qq >/dev/null
		apt-get install -y -qq --no-install-recommends $libs >/dev/null
	}
fi

rm -rf "$dir/root.new"
dpkg-deb -x "$deb" "$dir/root.new"
chmod u-s "$dir/root.new/usr/sbin/exim4"
rm -rf "$dir/root"
mv "$dir/root.new" "$dir/root"
if ! "$exim" -C /dev/null -bV >/dev/null 2>&1; then
	echo "deps-exim: the unpacked $exim does not run:" >&2
	"$exim" -C /dev/null -bV >&2 || true
	exit 1
fi
echo "deps-exim: $("$exim" -C /dev/null -bV 2>/dev/null | head -n 1) in $dir/root"
