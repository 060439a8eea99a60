/*
 * message.h - read one RFC 5322 message and reduce it to plain data.
 *
 * Owns: GMime.  No GMime type leaves message.c.  The result is a struct
 * message whose strings are all NUL-terminated, valid UTF-8 (charsets are
 * converted and undeclared 8-bit guessed by charset.h, RFC 2047/2231
 * decoded, anything left invalid repaired with g_utf8_make_valid()).
 * Whether a message is automatic is judged by automatic.h on the header
 * values collected here.
 *
 * Memory: message_parse_fd() spools stdin to an unlinked temporary file
 * (spool.h; unless fd is already a seekable regular file), or
 * message_parse_spool() takes the caller's spool, and GMime keeps part
 * contents on disk, so a message with tens of MB of attachments is never
 * held whole in memory; only the chosen text bodies are loaded, each cut
 * at limits->max_body bytes.
 *
 * Used error codes: GW_EDATA (empty or unparseable), GW_ETOOBIG (larger
 * than limits->max_size), GW_ETEMP (local I/O error while reading or
 * spooling).
 *
 * What counts as unparseable: only input without a single header field
 * (binary junk, a bare body).  Leading white space before the first
 * field is skipped; a message with headers but no body is returned (with
 * text == html == NULL), so the caller decides what an empty note is.
 *
 * Where the header ends: as Python's email reads it (headblock.h): an
 * empty line or one of white space only ends it, and so does a line that
 * is no header field, which is then the first line of the body.  Lone CR
 * line ends (alone or mixed with LF) are read as LF.
 *
 * Bounds besides the limits: GMime's objects cost 1-2 KB per MIME part or
 * header field, so header fields past the first HEADBLOCK_MAX_FIELDS
 * (10000) are left out, Content-* and MIME-Version excepted, and counted
 * (fields_skipped); after the header, input with more than 20000 +
 * 4 * max_parts lines starting "--" or 50000 lines looking like "name:"
 * is parsed only up to that line (limits_hit is set).  Each header
 * string is cut at 64 KB.
 *
 * Reentrancy: GMime must have been initialised (message_init()).
 */
#ifndef GW_MESSAGE_H
#define GW_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "status.h"

struct spool;

#define MESSAGE_AUTHRES_MAX 32	/* Authentication-Results fields kept */
#define MESSAGE_FROM_MAX 32	/* From addresses kept */

struct message_limits {
	uint64_t max_size;	/* raw message bytes */
	int max_depth;		/* MIME nesting, message/rfc822 included */
	int max_parts;		/* MIME parts walked in total */
	size_t max_body;	/* bytes kept of each text body */
	size_t max_inline_text;	/* bytes shown of each text attachment
				 * (0: none shown) */
};

struct message_attachment {
	char *filename;		/* UTF-8, "" when the part has none */
	char *content_type;	/* "application/pdf" (lowercase, no params) */
	uint64_t size;		/* decoded bytes */
	bool partial;		/* only part of the file came: a uuencoded
				 * block without its end (uuencode.h) */
};

/* message_attachment_free - free one struct message_attachment (a
 * GDestroyNotify for the arrays that hold them) */
void message_attachment_free(void *p);

/*
 * One part of the body, in order: a range of message.text, of
 * message.html, or of both (the two forms of one multipart/alternative).
 */
struct message_piece {
	size_t text_off, text_len;
	size_t html_off, html_len;
};

struct message {
	/*
	 * Headers, decoded to UTF-8, unfolded, control characters replaced
	 * by spaces, trimmed; NULL when absent or empty.
	 */
	char *from;		/* "Name <addr>" as a display string */
	char *from_addr;	/* first From address only, or NULL */
	/*
	 * Every address of every From field (group members included), in
	 * order; NULL-terminated, never NULL.  RFC 5322 allows one From
	 * field: a second one adds its addresses, so the sender policy can
	 * refuse a message that names two senders.
	 */
	char **from_addrs;
	/*
	 * The Authentication-Results field bodies of this message's own
	 * header (not of forwarded ones), in order, unfolded; at most
	 * MESSAGE_AUTHRES_MAX; NULL-terminated, never NULL.
	 */
	char **auth_results;
	char *to;
	char *cc;
	char *date;		/* the Date header as written, trimmed */
	char *subject;
	char *message_id;	/* without angle brackets */
	char *in_reply_to;
	char *references;

	/*
	 * Bodies, UTF-8, NULL when absent; html is raw (unsanitised).  Line
	 * ends are "\n"; other control characters than tab and newline
	 * (NUL included) are U+FFFD; a leading BOM is gone; format=flowed
	 * text is joined into paragraphs.  Several inline parts of one kind
	 * (Apple Mail splits a body around images) are joined by a newline.
	 */
	char *text;
	char *html;
	/*
	 * When text and html come from different parts (text/plain and
	 * text/html siblings in a multipart/mixed, or a text attachment
	 * shown beside an HTML body), the parts of both in order, so each
	 * body can be made from all of them; NULL otherwise.
	 */
	GArray *pieces;		/* of struct message_piece */

	GPtrArray *attachments;	/* of struct message_attachment *; never NULL */
	GPtrArray *forwards;	/* of struct message * from message/rfc822
				 * parts, in order; never NULL */

	/* Why this is an auto-reply, bounce or loop (static string), or NULL:
	 * Auto-Submitted other than "no", Precedence bulk/junk/list,
	 * X-Autoreply/X-Autorespond, a multipart/report, a MAILER-DAEMON
	 * From, an old MTA's bounce (automatic_header()). */
	const char *automatic;

	bool truncated;		/* a body of this message was cut at max_body */
	bool limits_hit;	/* depth or part cap reached: parts skipped
				 * (set on the top message too when it
				 * happened inside a forward) */
	uint64_t fields_skipped; /* header fields of this message past the
				 * first HEADBLOCK_MAX_FIELDS, left out
				 * (headblock.h); top message only */
	unsigned warnings;	/* GMime parser warnings (malformations);
				 * counted on the top message only */
	uint64_t size;		/* raw bytes read; 0 for forwards */
};

/* message_init - g_mime_init(); once, before any parse */
void message_init(void);

/* message_shutdown - g_mime_shutdown() */
void message_shutdown(void);

/*
 * message_parse_fd - read a whole message from fd (stdin) and parse it.
 * *msg_r is new, free with message_free(); NULL on failure.  A regular
 * file is parsed in place from its current offset (fd stays open, its
 * offset moves); anything else is spooled to an unlinked file in
 * spool_get_dir() ([delivery] spool_dir, else $TMPDIR), and reading
 * stops as soon as limits->max_size is
 * passed.  limits NULL means built-in defaults (32 MB, depth 32, 1000
 * parts, 1 MB bodies).
 */
enum gw_status message_parse_fd(int fd, const struct message_limits *limits,
    struct message **msg_r, struct gw_error *err);

/*
 * message_parse_spool - parse the message spool_input() read into sp
 * (sp->fd and its offset are left as they were; the spool stays the
 * caller's).  limits NULL as above.  Not for a spool that is over its
 * size cap.
 */
enum gw_status message_parse_spool(const struct spool *sp,
    const struct message_limits *limits, struct message **msg_r,
    struct gw_error *err);

/* message_parse_mem - the same from memory (tests, fuzzers); buf is
 * copied, the caller keeps it */
enum gw_status message_parse_mem(const char *buf, size_t len,
    const struct message_limits *limits, struct message **msg_r,
    struct gw_error *err);

/*
 * message_automatic - reason to discard rather than deliver (static), or
 * NULL: msg->automatic, or an envelope sender that is null ("" or "<>")
 * or MAILER-DAEMON (automatic_envelope()).  envelope_sender NULL means
 * "not given" and is fine.
 */
const char *message_automatic(const struct message *msg,
    const char *envelope_sender);

/* message_free - free *msg_r (and its forwards), set it to NULL; NULL-safe */
void message_free(struct message **msg_r);

#endif /* GW_MESSAGE_H */
