#!/bin/sh
# tmpbase.sh - print a directory for the tests' temporary files that passes
# mail2note's path rule (safefile_check_path() in gateway/safefile.c): it
# and every directory above it owned by root or by us, and writable by
# nobody else.
# /tmp (mode 1777) fails that rule on purpose, so the tests cannot use it.
#
# The first of these that is safe (created 0755 if missing; the MTA tests'
# pipe user must be able to traverse it):
#   $M2N_TOP/build/tmp            the build tree, when the checkout is safe
#   /run/mail2note-tests          as root (CI: a fresh clone anywhere)
#   $HOME/.cache/mail2note-tests
# $M2N_TMP_BASE, when set and safe, wins (lib.sh exports what it chose).
# Exit 1, with a reason on stderr, when none is safe.
#
# build/tmp and /run/mail2note-tests must also be searchable by others,
# since the MTA tests run mail2note as an unprivileged pipe user; a
# checkout under a 0700 home directory therefore falls back to /run.
#
# Group-writable directories are refused, as mail2note refuses them.
set -u
top=${M2N_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
me=$(id -u)

# safe_node PATH - owned by root or us, not writable by group or others;
# with $traverse, also searchable by others (the MTA tests' pipe user)
safe_node() {
	set -- "$1" $(stat -L -c '%u %a' "$1" 2>/dev/null) || return 1
	[ $# -eq 3 ] || return 1
	[ "$2" = 0 ] || [ "$2" = "$me" ] || return 1
	# %a is octal without leading zeros; group-write is 020, other 002.
	[ $(( 0$3 & 022 )) -eq 0 ] || return 1
	[ -z "$traverse" ] || [ $(( 0$3 & 001 )) -ne 0 ]
}

# safe_dir DIR - DIR and each ancestor, as written and as resolved
safe_dir() {
	for _p in "$1" "$(cd "$1" 2>/dev/null && pwd -P)"; do
		[ -n "$_p" ] || return 1
		while :; do
			safe_node "$_p" || return 1
			[ "$_p" = / ] && break
			_p=$(dirname "$_p")
		done
	done
	return 0
}

# try DIR - create DIR 0755 if needed; print it if it is safe
try() {
	[ -n "$1" ] || return 1
	case $1 in /*) ;; *) return 1 ;; esac
	if [ ! -d "$1" ]; then
		# Never create anything in an unsafe place.
		safe_dir "$(dirname "$1")" || return 1
		mkdir -m 0755 "$1" 2>/dev/null || [ -d "$1" ] || return 1
	fi
	safe_dir "$1" && [ -w "$1" ] || return 1
	printf '%s\n' "$1"
}

traverse=1
try "${M2N_TMP_BASE:-}" && exit 0
try "$top/build/tmp" && exit 0
[ "$me" = 0 ] && try /run/mail2note-tests && exit 0
# Not root: no MTA tests, and a home directory is often 0700.
traverse=
if [ -n "${HOME:-}" ] && try "$HOME" >/dev/null; then
	[ -d "$HOME/.cache" ] || mkdir -m 0700 "$HOME/.cache" 2>/dev/null
	try "$HOME/.cache/mail2note-tests" && exit 0
fi
echo "tmpbase.sh: no safe directory for test files (tried $top/build/tmp," \
    "/run/mail2note-tests as root, \$HOME/.cache/mail2note-tests)" >&2
exit 1
