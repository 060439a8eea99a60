#!/bin/bash
# 0105-demo.t - `make demo`, the quick start's first command, works from
# start to end with the plain build (already built by make check, so its
# `make all` does nothing): each step's exit code, the notes that reached
# the fake helpdesk, and the closing line.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

[ "$M2N_PASS" = plain ] || skip_all "the demo runs build/mail2note: plain pass only"
[ -x "$M2N_TOP/build/mail2note" ] || skip_all "no build/mail2note"

# Not as a sub-make of the harness's make: its jobserver is not ours.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$M2N_TOP" -s \
    --no-print-directory demo </dev/null >"$T/demo.out" 2>"$T/demo.err"
rc=$?
is "$rc" 0 "make demo exits 0"
[ "$rc" -eq 0 ] || diag "$(tail -n 20 "$T/demo.out" "$T/demo.err")"
out=$(<"$T/demo.out")
mapfile -t exits < <(grep -E '^exit [0-9]+' "$T/demo.out" | sed 's/^exit \([0-9]*\).*/\1/')
is "${exits[*]}" "0 0 67 75 0 0" "each step's exit code: forward, reply, no ticket, 500, retry, auto-reply"
like "$out" "*ticket T1017 received an internal note*" "the forward became a note on T1017"
like "$out" "*ticket T1002 received an internal note*" "the reply became a note on T1002"
like "$out" "*notes at the helpdesk: 3*" "three notes at the helpdesk; the auto-reply was not posted"
like "$out" "*Bearer \[redacted\]*" "the dry run shows the request with the key redacted"
grep -q "$KEY_RW" "$T/demo.out" "$T/demo.err"
[ $? -ne 0 ]
ok $? "the API key appears nowhere in the demo's output"
like "$(tail -n 1 "$T/demo.out")" "demo: done*" "the demo ends with its closing line"
done_testing
