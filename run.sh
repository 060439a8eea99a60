#!/bin/sh
MAIL2NOTE_ALLOW_ROOT=1 ${BIN:-/work/wt-tnef/build/mail2note} -c /run/m2n-tnef/g/m.conf --dry-run -r support@helpdesk.example -f a@example.com < "$1" | python3 -c 'import json,sys
for l in sys.stdin:
  try: d=json.loads(l); print(json.dumps(d,indent=1,ensure_ascii=False)[:3000])
  except Exception: print("RAW:",l)'
