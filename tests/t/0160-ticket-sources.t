#!/bin/bash
# 0160-ticket-sources.t - [ticket] sources = references, end to end: the
# id is found in In-Reply-To as well as in References (include/ticket.h:
# "In-Reply-To + References"), so a reply from a client that sets only
# In-Reply-To is not bounced.  Dry runs only, no network.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

[ -x "$M2N_BIN" ] || skip_all "$M2N_BIN not built"

mk_conf "$KEY_RW" "[ticket]" "sources = references"

# refs_case NAME IN-REPLY-TO REFERENCES WANT-RC [WANT-TICKET]
refs_case() {
	{
		echo "From: a@example.org"
		echo "Subject: Re: printer"
		[ -n "$2" ] && echo "In-Reply-To: $2"
		[ -n "$3" ] && echo "References: $3"
		echo "Message-ID: <reply-$1@example.org>"
		echo
		echo "hello"
	} >"$T/msg"
	run_gw -n -r support@helpdesk.example <"$T/msg"
	is "$RC" "$4" "$1: exit $4"
	if [ -n "$5" ]; then
		like "$OUT" "*/api/v1/tickets/$5/messages*" "$1: ticket $5"
	else
		like "$ERR" "5.1.1 *" "$1: 5.1.1"
	fi
}

refs_case "In-Reply-To only" "<ticket-T1001@helpdesk.example>" "" 0 T1001
refs_case "References only" "" "<x@y> <ticket-T1002@helpdesk.example>" 0 \
    T1002
refs_case "both: In-Reply-To first" "<ticket-T1003@helpdesk.example>" \
    "<ticket-T1004@helpdesk.example>" 0 T1003
refs_case "neither names a ticket" "<a@example.org>" "<b@example.org>" 67

# --- a mail without an ID: the bounce says which forms work ----------------
printf 'From: a@example.org\nSubject: printer\n\nhello\n' >"$T/msg"
mk_conf "$KEY_RW"
run_gw -n -r support@helpdesk.example <"$T/msg"
is "$RC" 67 "no ID, default sources: exit 67"
is "$ERR" "5.1.1 no ticket ID in the recipient extension or the Subject; write to support+T1234@helpdesk.example or put [#T1234] in the Subject" \
    "no ID: the sender is told both forms, with the address written to"
run_gw -n -r support+@helpdesk.example <"$T/msg"
is "$ERR" "5.1.1 no ticket ID in the recipient extension or the Subject; write to support+T1234@helpdesk.example or put [#T1234] in the Subject" \
    "no ID, an empty extension: the example without it"
mk_conf "$KEY_RW" "[ticket]" "sources = subject;references"
run_gw -n -r support@helpdesk.example <"$T/msg"
is "$ERR" "5.1.1 no ticket ID in the Subject or the References; put [#T1234] in the Subject" \
    "no ID, no extension source: only the Subject form"
mk_conf "$KEY_RW" "[ticket]" "sources = subject" \
    "subject_pattern = Case (?<id>[0-9]+)"
run_gw -n -r support@helpdesk.example <"$T/msg"
is "$ERR" "5.1.1 no ticket ID in the Subject" \
    "a pattern of one's own: no form is promised"
"$M2N_BIN" --new-address-key >"$T/address.key" 2>/dev/null
chmod 600 "$T/address.key"
mk_conf "$KEY_RW" "[ticket]" "address_key_file = $T/address.key" \
    "require_signature = true"
run_gw -n -r support@helpdesk.example <"$T/msg"
is "$ERR" "5.1.1 no ticket ID in the recipient extension or the Subject" \
    "require_signature: no unsigned form is suggested"

done_testing
