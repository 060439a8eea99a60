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

done_testing
