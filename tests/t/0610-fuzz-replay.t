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
done_testing
