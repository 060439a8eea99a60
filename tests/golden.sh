#!/bin/sh
# golden.sh - run every samples/X.eml through `mail2note --dry-run` and
# compare what it printed, its exit code and its stderr with
# tests/expected/X.json, X.exit and X.err.
#
# usage: tests/golden.sh [--update] [SAMPLE...]
#        tests/golden.sh --run OUTDIR SAMPLE...  (outputs only, for 0300-golden.t)
#
# The envelope is what the MTA would pass: -r is the sample's first
# Delivered-To: header (else support@helpdesk.example), -f its Return-Path
# (empty for "<>", as for a bounce; agent@example.com when there is none).
# The configuration points at a port nobody listens on; a dry run never
# connects.  The API key is tests/t/lib.sh's KEY_RW, in a 0600 file.
#
# Normalised before comparing, so goldens survive a version bump and
# timing: the User-Agent version (mail2note/VERSION) and any ms=N.
#
# Environment: M2N_BIN (default build/mail2note).  Exit 0 when all match,
# 1 when any differs (a unified diff is printed), 2 on a usage error.
# `--update` rewrites the goldens: review every change by hand.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${M2N_BIN:-$top/build/mail2note}
samples=$top/samples
expected=$top/tests/expected

# Not /tmp: mail2note refuses a config in a directory others can write.
base=$(M2N_TOP=$top sh "$top/tests/tmpbase.sh") || exit 2
tmp=$(mktemp -d "$base/m2n-golden.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM

# setup - the test configuration and key file in $tmp
setup() {
	key=$(sed -n 's/^KEY_RW=//p' "$top/tests/t/lib.sh")
	[ -n "$key" ] || { echo "golden.sh: no KEY_RW in tests/t/lib.sh" >&2; exit 2; }
	(umask 077 && printf '%s\n' "$key" >"$tmp/api.key")
	chmod 600 "$tmp/api.key"
	cat >"$tmp/mail2note.conf" <<EOF
[api]
base_url = http://127.0.0.1:9
key_file = $tmp/api.key
timeout = 10
connect_timeout = 5
[delivery]
state_dir = $tmp/state
EOF
	chmod 644 "$tmp/mail2note.conf"
}

# envelope FILE - set rcpt and sender for a sample, from its header
# section (CRLF and lone CR line ends read as LF; unfolded lines are not
# needed for these), one perl for both
envelope() {
	_env=$(perl -e '
		local $/; my $m = <STDIN>; $m =~ s/\r\n?/\n/g;
		my ($h) = split /\n\n/, $m, 2;
		my ($r) = $h =~ /^Delivered-To:[ \t]*(.*)$/mi;
		my ($s) = $h =~ /^Return-Path:[ \t]*(.*)$/mi;
		$r = "support\@helpdesk.example" unless defined $r && length $r;
		if (!defined $s || !length $s) {
			$s = "agent\@example.com";
		} else {
			$s =~ s/^<//; $s =~ s/>.*$//;
		}
		print "$r\n$s";' <"$1")
	rcpt=${_env%%
*}
	sender=${_env#*
}
}

# run_one NAME OUTDIR - run sample NAME, write OUTDIR/NAME.{json,exit,err}
run_one() {
	envelope "$samples/$1.eml"
	"$bin" -c "$tmp/mail2note.conf" --dry-run -r "$rcpt" -f "$sender" \
	    <"$samples/$1.eml" >"$tmp/out" 2>"$tmp/err"
	echo $? >"$2/$1.exit"
	sed 's#"mail2note/[^"]*"#"mail2note/VERSION"#g' "$tmp/out" >"$2/$1.json"
	sed 's/ms=[0-9][0-9]*/ms=N/g' "$tmp/err" >"$2/$1.err"
}

# pretty FILE - JSON lines indented, anything else as it is
pretty() {
	python3 -c 'import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        print(json.dumps(json.loads(line), indent=1, ensure_ascii=False))
    except ValueError:
        print(line, end="")' "$1"
}

# show_diff WANT GOT - a unified diff; JSON pretty-printed first
show_diff() {
	case $1 in
	*.json)
		if command -v python3 >/dev/null 2>&1; then
			pretty "$1" >"$tmp/want.pretty"
			pretty "$2" >"$tmp/got.pretty"
			diff -u --label "$1" --label "$2 (new)" \
			    "$tmp/want.pretty" "$tmp/got.pretty"
			return
		fi ;;
	esac
	diff -u --label "$1" --label "$2 (new)" "$1" "$2"
}

update=0
case ${1:-} in
--update) update=1; shift ;;
--run)
	[ $# -ge 2 ] || { echo "usage: golden.sh --run OUTDIR SAMPLE..." >&2; exit 2; }
	out=$2
	shift 2
	setup
	for name in "$@"; do
		[ -f "$samples/$name.eml" ] || { echo "golden.sh: no sample $name" >&2; exit 2; }
		run_one "$name" "$out"
	done
	exit 0 ;;
-*) echo "usage: golden.sh [--update] [SAMPLE...]" >&2; exit 2 ;;
esac

[ -x "$bin" ] || { echo "golden.sh: $bin not built (make)" >&2; exit 2; }
setup
mkdir -p "$tmp/got" "$expected"

if [ $# -eq 0 ]; then
	set --
	for f in "$samples"/*.eml; do
		n=${f##*/}
		set -- "$@" "${n%.eml}"
	done
fi

fail=0
total=0
for name in "$@"; do
	name=${name##*/}
	name=${name%.eml}
	if [ ! -f "$samples/$name.eml" ]; then
		echo "golden.sh: no sample $name" >&2
		fail=$((fail + 1))
		continue
	fi
	total=$((total + 1))
	run_one "$name" "$tmp/got"
	for kind in json exit err; do
		got=$tmp/got/$name.$kind
		want=$expected/$name.$kind
		if [ "$update" -eq 1 ]; then
			if ! cmp -s "$got" "$want" 2>/dev/null; then
				echo "updated $name.$kind"
				cp "$got" "$want"
			fi
		elif [ ! -f "$want" ]; then
			echo "FAIL $name.$kind: no golden (run tests/golden.sh --update)"
			fail=$((fail + 1))
		elif ! cmp -s "$want" "$got"; then
			echo "FAIL $name.$kind"
			show_diff "$want" "$got"
			fail=$((fail + 1))
		fi
	done
done

if [ "$update" -eq 1 ]; then
	echo "golden.sh: $total samples run; review every change with git diff"
	exit 0
fi
echo "golden.sh: $total samples, $fail differences"
[ "$fail" -eq 0 ]
