#!/bin/sh
# deps.sh - install the Debian packages mail2note needs, or say how.
#
# usage: deps.sh build|test PACKAGE...
# As root: apt-get installs what is missing (non-interactively; Postfix is
# preseeded to "No configuration" so that the package does not start a
# system MTA on port 25, and a temporary policy-rc.d keeps opendkim and
# any other daemon from starting).  Otherwise: prints the exact command and
# fails.
set -eu
mode=$1
shift
missing=
for p in "$@"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $st in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "mail2note: missing Debian packages:$missing" >&2
		echo "run: sudo apt-get install -y$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	echo "postfix postfix/main_mailer_type select No configuration" |
	    debconf-set-selections 2>/dev/null || true
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
if [ "$mode" = test ] && [ -x tests/mta/deps-exim.sh ]; then
	sh tests/mta/deps-exim.sh
fi
exit 0
