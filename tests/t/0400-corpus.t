#!/bin/bash
# 0400-corpus.t - every real email in tests/corpus (a verified copy of
# ../shared/corpus) through the binary
# (see tests/corpus.py for what is asserted).
exec python3 "${M2N_TOP:-$(dirname "$0")/../..}/tests/corpus.py"
