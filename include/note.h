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
 * Each forwarded message (message/rfc822 part) follows with its own
 * header block and body.  Attachments are listed by name, type and size.
 * When the bodies together exceed max_bytes they are cut on a UTF-8
 * boundary and a line says so.
 *
 * Used error codes: GW_EDATA (nothing at all to post: no text, no HTML, no
 * attachments, no forward), GW_ESOFTWARE (json-c failure).
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
	bool truncated;		/* cut at max_bytes */
};

/* note_render - *note_r is new, free with note_free() */
enum gw_status note_render(const struct message *msg, size_t max_bytes,
    struct note **note_r, struct gw_error *err);

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
