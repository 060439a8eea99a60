/*
 * message_priv.h - what message.c and message_header.c share; GMime
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

#endif /* GW_MESSAGE_PRIV_H */
