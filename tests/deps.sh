#!/bin/sh
# deps.sh - install the Debian packages mail2note needs, or say how.
#
# usage: deps.sh build|test PACKAGE...
# As root: apt-get installs what is missing (non-interactively; a
# temporary policy-rc.d keeps opendkim and any other daemon from
# starting).  Otherwise: prints the exact command and fails.
# In test mode it first prints what the run will install and create, and
# then unpacks (never installs) Postfix and Exim into the test cache
# (tests/mta/deps-postfix.sh, deps-exim.sh): no MTA package is installed
# or removed on the host.  tests/mta/cleanup.sh, at the end of make check,
# removes the accounts and the cache this run created unless M2N_KEEP=1.
set -eu
mode=$1
shift
. "$(dirname "$0")/mta/cache.sh"
missing=
for p in "$@"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $st in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
if [ "$mode" = test ]; then
	accounts=
	for u in m2ntest Debian-exim postfix; do
		getent passwd "$u" >/dev/null || accounts="$accounts user:$u"
	done
	getent group postdrop >/dev/null || accounts="$accounts group:postdrop"
	echo "make check will:"
	echo "  apt-get install (build and test):${missing:- nothing, all installed}"
	echo "  unpack, not install, Debian's postfix, exim4-daemon-light and"
	echo "    exim4-config .debs (and install their missing lib* packages)"
	echo "    into $M2N_CACHE"
	echo "  create accounts:${accounts:- none, all exist}"
	echo "  run MTA instances on 127.0.0.1 only, in the tests' temporary directories"
	if [ "${M2N_KEEP:-}" = 1 ]; then
		echo "  M2N_KEEP=1: keep the accounts it creates and $M2N_CACHE"
	else
		echo "  remove at the end the accounts it creates and $M2N_CACHE"
		echo "    (M2N_KEEP=1 keeps them: no download next time)"
	fi
	echo "  take about 10 minutes on 2 idle CPUs (more on a loaded machine)"
fi
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "mail2note: missing Debian packages:$missing" >&2
		echo "run: sudo apt-get install -y$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# No package starts a system daemon meanwhile (opendkim's would; the
	# tests run their own instances): policy-rc.d(8) answers 101 "action
	# forbidden" to invoke-rc.d and deb-systemd-invoke, unless the machine
	# has a policy of its own (Docker images do).
	prc=/usr/sbin/policy-rc.d
	if [ ! -e "$prc" ]; then
		printf '#!/bin/sh\n# tests/deps.sh, removed after apt-get\nexit 101\n' >"$prc"
		chmod 0755 "$prc"
		trap 'rm -f "$prc"' EXIT
	fi
	echo "deps: installing$missing"
	apt-get update -qq >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ "$mode" = test ] && [ "$(id -u)" -eq 0 ]; then
	# The pipe user of the MTA tests (tests/mta/common.sh: MTA_USER).
	m2n_system_user "${M2N_MTA_USER:-m2ntest}" /nonexistent
fi
if [ "$mode" = test ]; then
	sh tests/mta/deps-postfix.sh
	sh tests/mta/deps-exim.sh
fi
exit 0
