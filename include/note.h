/*
 * note.h - turn a parsed message into the internal note the API receives.
 *
 * Pure: (message, limits) -> note -> JSON bytes.  json-c is used here (for
 * the request) and in api.c (for answers); nowhere else.
 *
 * The note opens with a short header block (From, Date, Subject; To/Cc
 * when present), then the body: the message's own text/plain becomes
 * body_text and its text/html, sanitised, body_html; when only one exists
 * the other is derived (text -> escaped HTML, HTML -> readable text).
 * With split_history, the top message's quoted history (history.h) is
 * set apart in each body: new text, a HISTORY_SEPARATOR line (paragraph),
 * the history (in a <blockquote> in HTML); a text derived from the HTML is
 * derived from its two halves, so both bodies cut at the same place.
 * The message's attachments follow, listed by name, type and size
 * ("- report.pdf (application/pdf, 1.2 MB)"), then each forwarded message
 * (message/rfc822 part) under a "Forwarded message" line (a <blockquote>
 * in HTML) with its own header block, body, attachments and forwards.
 * Notices close the note: MIME parts skipped (limits_hit), a body cut by
 * the parser (msg->truncated), or the note cut here.
 *
 * When the bodies together exceed max_bytes, each body is cut to a byte
 * budget (shared in document order, so the outer message keeps priority)
 * found by binary search: text on a UTF-8 boundary and preferably a line
 * end, HTML in its sanitised form outside any tag, the elements left open
 * closed (html_cut.h), so it stays well-formed without a second parse.  The result always fits, if need be as the text
 * note cut whole with HTML made from it.  All HTML that this module
 * writes itself is escaped with html_escape().
 *
 * A message whose only content is its subject (an empty reply such as
 * "Re: [#T30] please close") becomes a note of the header block alone.
 *
 * Used error codes: GW_EDATA (nothing at all to post: no subject, no text,
 * no HTML, no attachments, no forward, and nothing cut or skipped by the
 * message limits), GW_ESOFTWARE (json-c failure).
 *
 * Reentrancy: reentrant.
 */
#ifndef GW_NOTE_H
#define GW_NOTE_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

struct message;

struct note {
	char *body_text;	/* UTF-8 */
	char *body_html;	/* UTF-8, sanitised */
	bool truncated;		/* not the whole text: cut at max_bytes
				 * here, or a body already cut by the
				 * parser (msg->truncated) */
};

/*
 * note_render - *note_r is new, free with note_free().  split_history:
 * set each body's quoted history apart (history.h): the new text, then a
 * HISTORY_SEPARATOR line (a paragraph in HTML), then the history (in a
 * <blockquote> in HTML); nothing is removed.
 */
enum gw_status note_render(const struct message *msg, size_t max_bytes,
    bool split_history, struct note **note_r, struct gw_error *err);

/*
 * note_render_take - note_render(), but the note may take msg->text
 * instead of copying it: msg->text is NULL after, and msg is good only
 * for message_free() and its headers.
 */
enum gw_status note_render_take(struct message *msg, size_t max_bytes,
    bool split_history, struct note **note_r, struct gw_error *err);

/*
 * note_plain_html - replace body_html with body_text as HTML-escaped text
 * in <p> and <br> only (html_from_text_plain()), for an API that refused
 * our markup.  NULL-safe.
 */
void note_plain_html(struct note *note);

/*
 * note_text_from_json - note->body_text set again from json (len bytes),
 * as note_to_json() made it from the note, so that the bodies need not
 * be kept once the JSON holds them.
 */
enum gw_status note_text_from_json(struct note *note, const char *json,
    size_t len, struct gw_error *err);

/*
 * note_to_json - {"type":"internal_note","body_html":...,"body_text":...},
 * serialised plain with no slash escaping, so the bytes are stable.
 * *json_r is new (g_free), *len_r its length without the NUL.
 */
enum gw_status note_to_json(const struct note *note, char **json_r,
    size_t *len_r, struct gw_error *err);

/* note_free - free *note_r and set it to NULL; NULL-safe */
void note_free(struct note **note_r);

#endif /* GW_NOTE_H */
