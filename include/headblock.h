/*
 * headblock.h - where the header block of a message ends, read as
 * Python's email package and mail clients read it, and which of its
 * header fields the parser is given.
 *
 * GMime drops a line of the header block that is not a header field
 * until it meets an empty line, so a mail whose mailer wrote no empty
 * line before the body ("Subject: x\nThis is the body") loses its first
 * paragraph, and one whose separator holds a space loses more.  Python's
 * email (feedparser, compat32 and default policies) and mail clients end
 * the header block instead, and keep the line as the first of the body.
 * So the lines of the header block are classified here, in one pass over
 * the raw bytes, without allocation:
 *
 *   - an empty line ("\n", "\r\n") ends the header block, as usual;
 *   - a line of white space only ends it too (it is the separator);
 *   - a line starting with a blank continues the field before it;
 *   - "name:" or "name :", name of printable US-ASCII but ':', opens a
 *     field (RFC 5322 ftext; the blanks are RFC 5322 section 4.5 obsolete
 *     syntax, which GMime accepts);
 *   - an mbox "From " line is accepted as the first line only (GMime
 *     skips it); anywhere else it is text;
 *   - any other line (no colon, a blank or 8-bit byte in the name, a
 *     ">From ") ends the header block and is the first line of the body.
 *
 * Leading white space before the first line is skipped (a blank line or
 * an indented first field), as spool_bounds() does for GMime.
 *
 * GMime builds an object of about 1 KB per header field.  Fields past
 * the first max_fields (HEADBLOCK_MAX_FIELDS) are left out and counted,
 * except the Content-* and MIME-Version fields that say how to read the
 * body: HEADBLOCK_MAX_EXTRA of them are kept, while fewer than
 * HEADBLOCK_MAX_RANGES byte ranges hold the kept fields.  What the parser is given is then: the kept
 * ranges, an empty line, and the body from headblock.body on.
 *
 * Reentrancy: no global state.
 */
#ifndef GW_HEADBLOCK_H
#define GW_HEADBLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEADBLOCK_MAX_FIELDS	10000	/* header fields given to GMime */
#define HEADBLOCK_MAX_RANGES	32	/* byte ranges of kept fields */
#define HEADBLOCK_MAX_EXTRA	32	/* Content-* fields kept past the
					 * limit */
#define HEADBLOCK_NAME		16	/* bytes of a field name kept to
					 * recognise it */

/* How the header block ended. */
enum headblock_end {
	HEADBLOCK_OPEN,		/* not yet, or at the end of the input */
	HEADBLOCK_BLANK,	/* at an empty line */
	HEADBLOCK_SPACE,	/* at a line of white space only */
	HEADBLOCK_TEXT		/* at a line that is no header field: the
				 * first line of the body */
};

enum headblock_state {
	HEADBLOCK_LEAD,		/* white space before the first line */
	HEADBLOCK_BOL,		/* at the start of a line */
	HEADBLOCK_CR,		/* only CRs on this line so far */
	HEADBLOCK_WS,		/* only white space on this line so far */
	HEADBLOCK_NAME_S,	/* in what may be a field name */
	HEADBLOCK_NAMEWS,	/* blanks after that name */
	HEADBLOCK_REST,		/* in a field or its continuation */
	HEADBLOCK_DONE		/* the header block has ended */
};

/* A byte range of the input. */
struct headblock_range {
	uint64_t off;
	uint64_t len;
};

struct headblock {
	/* What was found; offsets are from the first byte fed. */
	struct headblock_range kept[HEADBLOCK_MAX_RANGES];
	unsigned nkept;		/* ranges in kept[] */
	enum headblock_end end;
	uint64_t body;		/* where the body starts (end != OPEN) */
	uint64_t fields;	/* header fields seen */
	uint64_t skipped;	/* of them left out */
	uint64_t kept_bytes;	/* bytes in kept[] */
	uint64_t extra;		/* fields kept past max_fields */
	uint64_t max_fields;

	/* Scanner state. */
	enum headblock_state state;
	uint64_t off;		/* bytes fed */
	uint64_t line;		/* where the current line starts */
	bool open;		/* kept[nkept - 1] is still growing */
	bool first;		/* the current line is the first one */
	size_t namelen;
	char name[HEADBLOCK_NAME];	/* lowercase start of the name */
};

/* headblock_init - a scanner keeping at most max_fields header fields
 * (0: HEADBLOCK_MAX_FIELDS) */
void headblock_init(struct headblock *hb, uint64_t max_fields);

/* headblock_feed - run the scanner over the next len bytes */
void headblock_feed(struct headblock *hb, const char *buf, size_t len);

/* headblock_finish - the input ended: a header block still open runs to
 * its end (hb->body is then the input's length) */
void headblock_finish(struct headblock *hb);

/*
 * headblock_in_body - true when the header block ended at or before off,
 * so that a line starting at off is part of the body
 */
bool headblock_in_body(const struct headblock *hb, uint64_t off);

/*
 * headblock_plain - true when the parser may be given the input as it
 * is (from the first kept byte): the header block ended at an empty line
 * or at the end of the input, and nothing was left out; or there is no
 * header field at all (nothing to mend: the parser refuses it)
 */
bool headblock_plain(const struct headblock *hb);

#endif /* GW_HEADBLOCK_H */
