#!/bin/bash
# 0700-memory.t - a 40 MB attachment is never held whole in memory: peak
# RSS of a --dry-run stays under a fixed bound (not a timing assertion;
# the figures are printed as diagnostics).  Plain build only: ASan's
# shadow memory would measure the sanitizer, not us.
[ "${M2N_PASS:-plain}" = plain ] || { echo "1..0 # SKIP memory figures need the plain build"; exit 0; }
M2N_BENCH_RUNS=1 exec python3 "${M2N_TOP:-$(dirname "$0")/../..}/tests/bench.py" --check
