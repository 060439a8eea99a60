/*
 * automatic.h - is a mail an auto-reply, a bounce or a loop, which must
 * not become a note (RFC 3834, RFC 3464)?
 *
 * Owns: the signs of automatic mail and the reasons given for them.
 * Pure: plain header values in, a reason out; no GMime type, no I/O.
 * message.c collects the values of each message's own header (a forward
 * is judged on its own); main.c asks message_automatic(), which adds the
 * envelope sender.  The sender policy (policy.h) is the other judge of
 * who may write a note.
 *
 * Signs, in the order they are looked at:
 *  - a multipart/report top part (delivery or read report);
 *  - Auto-Submitted with any keyword but "no";
 *  - Precedence: bulk, junk or list;
 *  - an X-Autoreply or X-Autorespond field;
 *  - MAILER-DAEMON as the local part of the From address;
 *  - old MTAs' bounces: Return-Path <> or MAILER-DAEMON, a From display
 *    starting with MAILER-DAEMON, X-Failed-Recipients, or a From of
 *    postmaster (and the like) with a subject such as "Undeliverable"
 *    (anchored, so "Fwd: Undeliverable" from a person is not a bounce).
 *
 * Reasons are static strings, one line, naming the sign.
 *
 * Used error codes: none.
 *
 * Reentrancy: no state.
 */
#ifndef GW_AUTOMATIC_H
#define GW_AUTOMATIC_H

/*
 * The header of one message, as plain strings; NULL when absent.  Field
 * values are as the parser gives them (unfolded, not decoded).
 */
struct automatic_header {
	const char *content_type;	/* of the top part: "type/subtype" */
	const char *auto_submitted;
	const char *precedence;
	const char *x_autoreply;
	const char *x_autorespond;
	const char *x_failed_recipients;
	const char *return_path;
	const char *from;		/* the From field's value */
	const char *from_addr;		/* its first address */
	const char *subject;		/* decoded */
};

/* automatic_header - why this header says "automatic", or NULL */
const char *automatic_header(const struct automatic_header *h);

/*
 * automatic_envelope - "null envelope sender" for "" or "<>" (blanks
 * before it ignored), "envelope sender MAILER-DAEMON" for that local
 * part, else NULL; NULL for a NULL sender (not given).
 */
const char *automatic_envelope(const char *envelope_sender);

#endif /* GW_AUTOMATIC_H */
