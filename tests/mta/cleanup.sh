#!/bin/sh
# cleanup.sh - the end of make check: remove what the test runs created on
# the machine, the accounts listed in $M2N_CACHE/created (m2ntest,
# Debian-exim, postfix, postdrop when this or an earlier run added them;
# never one that was there before) and the cache itself (the unpacked
# Postfix and Exim), unless M2N_KEEP=1.  Run even when tests failed; exits
# 0.  Not root: nothing to do.
. "$(dirname "$0")/cache.sh"
if [ "${M2N_KEEP:-}" = 1 ]; then
	echo "cleanup: M2N_KEEP=1: keeping $M2N_CACHE and the test accounts"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || exit 0
[ -d "$M2N_CACHE" ] || exit 0
if [ -f "$M2N_CACHE/created" ]; then
	# Users first (userdel also removes a user's own group), then groups.
	for kind in user group; do
		sort -u "$M2N_CACHE/created" | while read -r k name; do
			[ "$k" = "$kind" ] || continue
			case $kind in
			user)
				getent passwd "$name" >/dev/null || continue
				userdel "$name" 2>/dev/null ||
				    echo "cleanup: userdel $name failed" >&2
				;;
			group)
				getent group "$name" >/dev/null || continue
				groupdel "$name" 2>/dev/null ||
				    echo "cleanup: groupdel $name failed" >&2
				;;
			esac
			echo "cleanup: removed $kind $name"
		done
	done
fi
rm -rf "$M2N_CACHE"
echo "cleanup: removed $M2N_CACHE (M2N_KEEP=1 keeps it)"
exit 0
