#!/bin/bash
# 0245-quarantine.t - no mail the helpdesk cannot get back: every mail
# that bounces, or is refused or discarded for the sender policy, is kept
# byte for byte in [delivery] quarantine_dir with a JSON sidecar; an
# administrator lists it (--quarantine), delivers it again
# (--replay ID [-x TICKET], removed when delivered) and purges it
# (--purge-quarantine DAYS).  A full quarantine still bounces and says
# so; a quarantine that cannot be written defers instead of bouncing.
. "$M2N_TOP/tests/t/lib.sh"

Q=$T/state/quarantine

# mk_msg ID [EXTRA-BODY] - $T/msg, a mail with Message-ID <ID>, CRLF line
# ends (kept as they came) and no ticket in the Subject
mk_msg() {
	printf 'From: Alice <alice@example.org>\r\nTo: support@helpdesk.example\r\nSubject: quarantine test %s\r\nMessage-ID: <%s@example.org>\r\n\r\nHello %s.\r\n%s' \
	    "$1" "$1" "$1" "${2:-}" >"$T/msg"
}
# gw [ARGS] - deliver $T/msg from a pipe, as the MTA does
gw() {
	run_gw -v -f alice@example.org -q QUAR1 "$@" < <(cat "$T/msg")
}
# ids, nids, nnotes, nentries: bash builtins, not ls, sed, wc, tr processes
ids() {
	local _f
	for _f in "$Q"/*.json; do
		[ -e "$_f" ] || [ -L "$_f" ] || continue
		_f=${_f##*/}
		printf '%s\n' "${_f%.json}"
	done
}
nids() { local -a _i; mapfile -t _i < <(ids); echo "${#_i[@]}"; }
nnotes() {
	local -a _l
	mapfile -t _l <"$FAKE_DIR/notes.jsonl" 2>/dev/null && echo "${#_l[@]}"
}
# nentries DIR - how many entries DIR has, dot files aside (ls | wc -l)
nentries() {
	local -a _e=("$1"/*)
	[ -e "${_e[0]}" ] || [ -L "${_e[0]}" ] || _e=()
	echo "${#_e[@]}"
}
side() { json_get "$Q/$1.json" "$2"; }
# side_load ID - every top-level field of the sidecar in SIDE[NAME], as
# side ID '["NAME"]' prints it, from one python3
side_load() {
	local _k _v
	unset SIDE
	declare -gA SIDE=()
	while IFS= read -r -d '' _k && IFS= read -r -d '' _v; do
		SIDE[$_k]=$_v
	done < <(python3 -c '
import json, sys
out = sys.stdout.buffer
for k, v in json.load(open(sys.argv[1])).items():
    out.write(("%s\0%s\0" % (str(k).replace("\0", ""),
                               str(v).replace("\0", ""))).encode())
' "$Q/$1.json")
}

fake_start
mk_conf

# --- a bounce is kept whole, with its sidecar ---------------------------------
mk_msg nothere
gw -r support@helpdesk.example
is "$RC" 67 "no ticket: bounced (67)"
is "$(nids)" 1 "one mail in the quarantine"
id=$(ids)
like "$id" "2[0-9][0-9][0-9][01][0-9][0-3][0-9]-[0-2][0-9][0-5][0-9][0-5][0-9]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]" \
    "its id is YYYYMMDD-HHMMSS-xxxxxx"
cmp -s "$T/msg" "$Q/$id.eml"
ok $? "the .eml is the mail byte for byte (CRLF kept)"
is "$(stat -c %a "$Q")" 700 "quarantine_dir created 0700"
is "$(stat -c %a "$Q/$id.eml") $(stat -c %a "$Q/$id.json")" "600 600" \
    "mail and sidecar are 0600"
side_load "$id"
is "${SIDE[outcome]} ${SIDE[dsn]}" "bounced 5.1.1" \
    "sidecar: outcome and DSN"
is "${SIDE[sender]} ${SIDE[recipient]} ${SIDE[queue_id]}" \
    "alice@example.org support@helpdesk.example QUAR1" \
    "sidecar: the envelope and the queue id"
is "${SIDE[message_id]}" "nothere@example.org" "sidecar: Message-ID"
like "${SIDE[reason]}" "no ticket ID in*" "sidecar: the reason"
is "${SIDE[size]}" "$(stat -c %s "$T/msg")" "sidecar: the size"
like "$ERR" "*outcome=bounced dsn=5.1.1 quarantine=$id *" \
    "the log line names the quarantine id"

# --- --quarantine lists it ----------------------------------------------------
"$M2N_BIN" -c "$M2N_CONF" --quarantine >"$T/list" 2>"$T/list.err"
is "$?" 0 "--quarantine exits 0"
like "$(head -n 1 "$T/list")" "$id [0-9]*s alice@example.org - 5.1.1 no ticket ID in*" \
    "one line: id, age, sender, ticket, reason"
like "$(tail -n 1 "$T/list")" "# 1 mail, * bytes, in $Q" "a total line"

# --- a replay that fails again stays, counted ---------------------------------
"$M2N_BIN" -c "$M2N_CONF" --replay "$id" >"$T/out" 2>"$T/err"
is "$?" 67 "--replay, still no ticket: 67"
like "$(<"$T/err")" "*5.1.1 no ticket ID in*" "... with the reason"
is "$(nids)" 1 "... and the mail stays"
is "$(side "$id" '["replays"]')" 1 "sidecar counts the replay"
is "$(nnotes)" 0 "no note so far"

# --- replay to a ticket: delivered, removed -----------------------------------
"$M2N_BIN" -c "$M2N_CONF" --replay "$id" -x T1001 >"$T/out" 2>"$T/err"
is "$?" 0 "--replay ID -x T1001: delivered"
is "$(<"$T/out")" "$id: delivered to ticket T1001" "it says so on stdout"
is "$(nids)" 0 "removed from the quarantine"
is "$(nnotes)" 1 "one note"
like "$(json_get "$FAKE_DIR/note-1.json" '["body_text"]')" "*Hello nothere.*" \
    "the note holds the mail's text"
is "$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["ticket"])' "$FAKE_DIR/notes.jsonl")" \
    T1001 "... on ticket T1001"

"$M2N_BIN" -c "$M2N_CONF" --replay "$id" >"$T/out" 2>"$T/err"
isnt_rc=$?
ok "$([ $isnt_rc -ne 0 ] && echo 0 || echo 1)" "a replayed id is gone: non-zero"
like "$(<"$T/err")" "*no quarantined mail $id*" "... naming it"
"$M2N_BIN" -c "$M2N_CONF" --replay "../../etc/passwd" >"$T/out" 2>"$T/err"
like "$(<"$T/err")" "*'../../etc/passwd' is not a quarantine id*" \
    "an id that is a path is refused"
"$M2N_BIN" -c "$M2N_CONF" --replay "$id" -x "../x" >"$T/out" 2>"$T/err"
like "$(<"$T/err")" "*'../x' is not a ticket ID*" "-x must be a ticket ID"

# --- unknown ticket (API 404) --------------------------------------------------
mk_msg unknown
gw -r support+T9999@helpdesk.example -x T9999
is "$RC" 67 "unknown ticket: bounced"
id=$(ids)
is "$(side "$id" '["ticket"]') $(side "$id" '["extension"]')" "T9999 T9999" \
    "sidecar: ticket and extension"

# --- delivered mail leaves nothing; -n keeps nothing --------------------------
"$M2N_BIN" -c "$M2N_CONF" --purge-quarantine 0 >"$T/out" 2>&1
is "$(<"$T/out")" "purged 1 mail ($(stat -c %s "$T/msg") bytes) from $Q" \
    "--purge-quarantine 0 empties it"
mk_msg good
gw -r support+T1001@helpdesk.example -x T1001
is "$RC" 0 "a delivered mail"
is "$(nids)" 0 "... is not kept"
mk_msg dry
gw -n -r support@helpdesk.example
is "$(nids)" 0 "-n keeps nothing"

# --- too big: kept whole, the part past the cap included ----------------------
mk_conf "$KEY_RW" "[message]" "max_message_size = 1k"
mk_msg big "$(head -c 300000 /dev/zero | tr '\0' 'x' | fold -w 76)"
gw -r support+T1001@helpdesk.example -x T1001
is "$RC" 65 "over max_message_size: bounced (65)"
like "$ERR" "*5.3.4 message is over the 1024-byte size limit*" "... 5.3.4"
id=$(ids)
cmp -s "$T/msg" "$Q/$id.eml"
ok $? "kept whole ($(stat -c %s "$T/msg") bytes read past the 1k cap)"
"$M2N_BIN" -c "$M2N_CONF" --purge-quarantine 0 >/dev/null 2>&1

# --- full: bounced anyway, not kept, logged -----------------------------------
mk_conf
echo "quarantine_max_size = 100" >>"$M2N_CONF"
mk_msg full
gw -r support@helpdesk.example
is "$RC" 67 "quarantine full: still bounced"
is "$(nids)" 0 "... not kept"
like "$ERR" "*quarantine_dir is full (quarantine_max_size): this mail is bounced without a copy kept*" \
    "... and the log says so"
is "$(nentries "$Q")" 0 "nothing left behind"

# --- cannot store: deferred, never bounced ------------------------------------
# A file size limit of 1 KB (SIGXFSZ ignored, so write(2) fails with
# EFBIG) makes the copy fail; the mail is read from a regular file, which
# is parsed in place, so only the quarantine writes.
mk_conf
mk_msg nostore "$(head -c 3000 /dev/zero | tr '\0' 'y' | fold -w 76)"
(trap '' XFSZ; ulimit -f 1; exec "$M2N_BIN" -c "$M2N_CONF" -v \
    -f alice@example.org -r support@helpdesk.example <"$T/msg" \
    >"$T/out" 2>"$T/err")
RC=$?
ERR=$(<"$T/err")
is "$RC" 75 "quarantine not writable: deferred (75), not bounced"
like "$ERR" "*4.3.0 cannot keep the mail in quarantine_dir, so it is deferred, not bounced: *File too large*" \
    "... saying why"
is "$(nids)" 0 "... and nothing half-written is listed"
is "$(nentries "$Q")" 0 "... or left behind"

# --- an unsafe quarantine_dir defers before reading ---------------------------
chmod 755 "$Q"
mk_msg unsafe
gw -r support+T1001@helpdesk.example -x T1001
is "$RC" 75 "quarantine_dir mode 0755: deferred"
like "$ERR" "*quarantine_dir $Q must be owned by uid * with mode 0700*" \
    "... naming the directory"
chmod 700 "$Q"
mk_conf
echo "quarantine_dir = $T/elsewhere/q" >>"$M2N_CONF"
mkdir -m 0700 "$T/elsewhere"
gw -r support@helpdesk.example
is "$RC" 67 "quarantine_dir elsewhere: bounced"
is "$(ls "$T/elsewhere/q" | grep -c '\.eml$')" 1 "... and kept there"

# --- the sender policy: refused and discarded mail is kept too ----------------
mk_conf "$KEY_RW" "[sender]" "allow = *@example.com"
mk_msg refused
gw -r support+T1001@helpdesk.example -x T1001
is "$RC" 0 "refused by the policy: discarded (0)"
id=$(ids)
is "$(side "$id" '["outcome"]')" "refused" "... kept as refused"
like "$(side "$id" '["reason"]')" "sender policy: *" "... with the verdict"
"$M2N_BIN" -c "$M2N_CONF" --replay "$id" >"$T/out" 2>"$T/err"
is "$?" 77 "a replay obeys the policy: 77"
like "$(<"$T/err")" "*not delivered: sender policy: *" "... saying why"
is "$(nids)" 1 "... and the mail stays"
mk_conf "$KEY_RW" "[sender]" "allow = *@example.org"
"$M2N_BIN" -c "$M2N_CONF" --replay "$id" >"$T/out" 2>"$T/err"
is "$?" 0 "after the administrator allows the sender, the replay delivers"
is "$(nids)" 0 "... and removes it"

# --- purge by age, strays -----------------------------------------------------
mk_conf
mk_msg old
gw -r support@helpdesk.example
id=$(ids)
python3 - "$Q/$id.json" <<'PY'
import json, sys, time
p = sys.argv[1]
d = json.load(open(p))
d["time"] = int(time.time()) - 3 * 86400
json.dump(d, open(p, "w"))
PY
mk_msg new
gw -r support@helpdesk.example
# What a crash leaves: an .eml without its sidecar, a sidecar's temp file.
: >"$Q/20261101-000000-abcdef.eml"
: >"$Q/20261101-000000-abcdef.json.Q1W2E3"
: >"$Q/20261101-000001-abcdef.eml"
touch -d '2 days ago' "$Q/20261101-000000-abcdef.eml" \
    "$Q/20261101-000000-abcdef.json.Q1W2E3"
"$M2N_BIN" -c "$M2N_CONF" --purge-quarantine 2 >"$T/out" 2>&1
like "$(<"$T/out")" "purged 1 mail (* bytes) from $Q" \
    "--purge-quarantine 2 removes the 3-day-old mail"
is "$(nids)" 1 "... and keeps the new one"
[ -e "$Q/20261101-000000-abcdef.eml" ] ||
    [ -e "$Q/20261101-000000-abcdef.json.Q1W2E3" ]
ok "$([ $? -ne 0 ] && echo 0 || echo 1)" \
    "... and the leftovers of a crash 2 days ago"
[ -e "$Q/20261101-000001-abcdef.eml" ]
ok $? "... but not a lone .eml of today (maybe being written)"
"$M2N_BIN" -c "$M2N_CONF" --purge-quarantine -3 >"$T/out" 2>&1
like "$(<"$T/out")" "*usage: --purge-quarantine DAYS*" "negative DAYS refused"

done_testing
