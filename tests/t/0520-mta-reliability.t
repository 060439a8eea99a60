#!/bin/bash
# 0520-mta-reliability.t - the short form of `make reliability` (issue 6):
# 40 mails per mode through a real Postfix instance to the fake helpdesk
# failing 30 % of the API requests (commit-then-fail among the faults),
# once with an API that honours Idempotency-Key and once with one that
# ignores it, then a 429 window with 5 mails queued behind the first.
# Expected: nothing lost, bounced or left queued; no duplicate with the
# honouring API, no more duplicates than ambiguous attempts with the
# other; one note per mail when Message-IDs collide; no POST while the
# 429 window is open.  The phases and how each figure is counted:
# tests/mta/reliability.sh.  Needs root and the Postfix unpacked by tests/mta/deps-postfix.sh.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh" || exit 1
. "$M2N_TOP/tests/mta/common.sh" || exit 1
[ -n "${T:-}" ] && [ -d "$T" ] || { echo "no temporary directory" >&2; exit 1; }

mta_need_root
mta_pf_need
command -v unshare >/dev/null && unshare -m true 2>/dev/null ||
    skip_all "no mount namespaces here (the syslog capture needs one)"
[ -x "$M2N_BIN" ] || mta_abort "no binary $M2N_BIN (make)"

REL_MAILS=${REL_MAILS:-40}
REL_WINDOW=${REL_WINDOW:-600}
REL_WINDOW_MAILS=${REL_WINDOW_MAILS:-5}
REL_WINDOW_SECS=${REL_WINDOW_SECS:-4}
REL_DRAIN=${REL_DRAIN:-90}
. "$M2N_TOP/tests/mta/reliability.sh" || exit 1

rel_setup
for mode in honour ignore; do
	rel_mode "$mode"
	rel_check "$mode"
	diag "$(rel_table "$mode")"
done
done_testing
