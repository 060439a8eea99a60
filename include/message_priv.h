/*
 * message_priv.h - what message.c, message_header.c, message_body.c and
 * message_tnef.c share; GMime
 * types may appear here and nowhere outside the message module.
 * (In include/, like html_priv.h, because -Iinclude is the one path
 * both gateway/ and tests/unit/ are built with.)
 */
#ifndef GW_MESSAGE_PRIV_H
#define GW_MESSAGE_PRIV_H

#include <stdbool.h>

#include <gmime/gmime.h>

#include "message.h"

#define MESSAGE_HEADER_MAX	65536	/* bytes kept of one header field */

/* State of one parse, shared by the message and its forwards. */
struct msg_ctx {
	const struct message_limits *limits;
	GMimeParserOptions *options;
	unsigned warnings;	/* parser warnings, via the callback */
	int parts;		/* MIME objects walked */
	bool limits_hit;
	bool io_error;		/* a body could not be read back */
};

/* msg_header_text - charset_line() cut at MESSAGE_HEADER_MAX (new), or
 * NULL for NULL or nothing left */
char *msg_header_text(const char *s);

/* msg_header_fields - the header fields struct message holds, into m */
void msg_header_fields(struct msg_ctx *c, GMimeMessage *gmsg,
    struct message *m);

/*
 * msg_automatic - automatic_header() over the header of m (obj), whose
 * root part is root: why this is automatic mail (static), or NULL
 */
const char *msg_automatic(const struct message *m, GMimeObject *obj,
    GMimeObject *root);

/* msg_header_count - header fields of a parsed message, those GMime
 * files under its root part (Content-*) included */
int msg_header_count(GMimeMessage *gmsg);

struct spool_scan;

/*
 * msg_head_stream - the stream GMime is given for a message whose byte 0
 * is at base in whole, scanned by sc, with [start, end) from
 * spool_bounds(): that range when the header block ended at an empty
 * line with every field kept; else the kept header fields, an empty
 * line, and the body to end (headblock.h).  New reference.
 */
GMimeStream *msg_head_stream(GMimeStream *whole, const struct spool_scan *sc,
    uint64_t base, uint64_t start, uint64_t end);

/* The body of a message's first winmail.dat (message_tnef.c). */
struct msg_tnef_body {
	char *text;		/* clean UTF-8, or NULL */
	char *html;		/* raw HTML (clean UTF-8), or NULL */
	bool cut;
};

/*
 * msg_tnef_add - when part is a TNEF container (tnef.h) that decodes: its
 * files are listed in m, its body is kept in *tb (unless tb is NULL or
 * already holds one), and the answer is true.  False when it is no TNEF
 * or does not decode: the caller lists it as it is.
 */
bool msg_tnef_add(struct msg_ctx *c, struct message *m, GMimePart *part,
    struct msg_tnef_body *tb);

/*
 * msg_tnef_body - when *text is blank and *html empty, replace them with
 * the body in *tb, and drop *pieces (an array of struct message_piece, or
 * NULL); frees what *tb holds either way
 */
void msg_tnef_body(struct msg_tnef_body *tb, GString **text,
    GString **html, GArray **pieces, bool *cut);

/* The bodies being collected for one message (or one alternative). */
struct msg_body {
	GString *text;
	GString *html;
	bool text_cut;
	bool html_cut;
	GArray *pieces;		/* of struct message_piece, or NULL */
	bool text_body;		/* text holds a body part, not only files */
	bool html_body;		/* the same for html */
};

#define MSG_LEN(gs)	((gs) != NULL ? (gs)->len : 0)

/*
 * msg_part_text - the text of a leaf part as clean UTF-8, at most cap
 * bytes; *cut_r set when something was left out, *ioerr_r when the spool
 * could not be read; files (or NULL) gets the uuencoded files taken out
 * of the text.  New string, *len_r its length.
 */
char *msg_part_text(GMimePart *part, size_t cap, bool *cut_r, bool *ioerr_r,
    size_t *len_r, GPtrArray *files);

/* msg_body_append - len bytes of s onto *dst (created when NULL), after a
 * newline when it holds text, within max bytes (else *cut) */
void msg_body_append(GString **dst, bool *cut, const char *s, size_t len,
    size_t max);

/* msg_body_free - free the strings of a body */
void msg_body_free(struct msg_body *b);

/* msg_body_mark - what was appended to b since its bodies were t0 and h0
 * bytes long is one piece */
void msg_body_mark(struct msg_body *b, size_t t0, size_t h0);

/* msg_body_read - append the text of a text/plain or text/html leaf to b;
 * the files uuencoded in text/plain go to files */
void msg_body_read(struct msg_ctx *c, struct msg_body *b, GMimePart *part,
    bool html, GPtrArray *files);

#endif /* GW_MESSAGE_PRIV_H */
