#!/bin/bash
# 0610-fuzz-replay.t - the fuzz target, built as a plain program, replays
# every sample and every regression input in tests/fuzz/regress/ (add one
# file there per crash the fuzzer finds).
. "${M2N_TOP:-$(dirname "$0")/../..}/tests/t/lib.sh"
fz=$M2N_BUILD/fuzz_message
[ -x "$fz" ] || skip_all "no $fz (make units)"
set -- "$M2N_TOP"/samples/*.eml
[ -e "$1" ] || skip_all "no samples"
out=$("$fz" "$@" "$M2N_TOP"/tests/fuzz/regress/* 2>&1)
rc=$?
is "$rc" 0 "fuzz target replays samples and regressions cleanly"
[ "$rc" -eq 0 ] || diag "$out"
like "$out" "replayed *" "driver ran"

# The Authentication-Results parser and the sender policy: the samples
# (whose headers it skips) and the field values of the unit tests' kind.
fa=$M2N_BUILD/fuzz_authres
if [ -x "$fa" ]; then
	printf 'mx.example.com; dkim=pass (2048-bit key) header.d=example.com' >"$T/ar1"
	printf 'a.b (c (d) "e;") ; spf=pass smtp.mailfrom="x\\"y"@z; dmarc=fail' >"$T/ar2"
	out=$("$fa" "$M2N_TOP"/samples/*.eml "$T/ar1" "$T/ar2" 2>&1)
	rc=$?
	is "$rc" 0 "fuzz_authres replays cleanly"
	[ "$rc" -eq 0 ] || diag "$out"
else
	ok 1 "no $fa (make units)"
fi

# The charset module: the samples (a label from their first byte) and a
# few texts of the unit tests' kind.
fc=$M2N_BUILD/fuzz_charset
if [ -x "$fc" ]; then
	printf '\000\200caf\351 na\357ve\r\n> quoted \n-- \n' >"$T/cs1"
	printf '\021\003\033$B$3$s$K$A$O\033(B \n' >"$T/cs2"
	out=$("$fc" "$M2N_TOP"/samples/*.eml "$T/cs1" "$T/cs2" 2>&1)
	rc=$?
	is "$rc" 0 "fuzz_charset replays cleanly"
	[ "$rc" -eq 0 ] || diag "$out"
else
	ok 1 "no $fc (make units)"
fi
done_testing
