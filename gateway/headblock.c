/*
 * headblock.c - classify the lines of the header block (see headblock.h
 * for the rules and why).  One pass, byte by byte, no allocation: it
 * runs beside spool's line scanner over every chunk read.
 */
#include <string.h>

#include <glib.h>

#include "headblock.h"

/* headblock_init - a scanner keeping at most max_fields header fields */
void
headblock_init(struct headblock *hb, uint64_t max_fields)
{
	memset(hb, 0, sizeof(*hb));
	hb->max_fields = max_fields > 0 ? max_fields : HEADBLOCK_MAX_FIELDS;
	hb->state = HEADBLOCK_LEAD;
	hb->end = HEADBLOCK_OPEN;
}

/* headblock_is_name - could c be part of a field name (RFC 5322 ftext) */
static bool
headblock_is_name(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != ':';
}

/* headblock_close - the kept range that is growing stops at off */
static void
headblock_close(struct headblock *hb, uint64_t off)
{
	struct headblock_range *r;

	if (!hb->open)
		return;
	r = &hb->kept[hb->nkept - 1];
	r->len = off - r->off;
	hb->kept_bytes += r->len;
	hb->open = false;
}

/* headblock_ended - the header block ends with the line at hb->line;
 * the body starts at body */
static void
headblock_ended(struct headblock *hb, enum headblock_end end, uint64_t body)
{
	headblock_close(hb, hb->line);
	hb->end = end;
	hb->body = body;
	hb->state = HEADBLOCK_DONE;
}

/*
 * headblock_matters - does a field of this name say how to read the
 * body (Content-*, MIME-Version), so that it is kept past max_fields
 */
static bool
headblock_matters(const struct headblock *hb)
{
	return (hb->namelen >= 8 && memcmp(hb->name, "content-", 8) == 0) ||
	    (hb->namelen == 12 && memcmp(hb->name, "mime-version", 12) == 0);
}

/* headblock_field - a field opens with the line at hb->line: keep it or
 * leave it out */
static void
headblock_field(struct headblock *hb)
{
	bool keep;

	hb->fields++;
	keep = hb->fields <= hb->max_fields;
	if (!keep && headblock_matters(hb) && hb->extra < HEADBLOCK_MAX_EXTRA) {
		hb->extra++;
		keep = true;
	}
	if (keep && !hb->open) {
		if (hb->nkept < HEADBLOCK_MAX_RANGES) {
			hb->kept[hb->nkept].off = hb->line;
			hb->kept[hb->nkept].len = 0;
			hb->nkept++;
			hb->open = true;
		} else
			keep = false;
	}
	if (!keep) {
		headblock_close(hb, hb->line);
		hb->skipped++;
	}
	hb->state = HEADBLOCK_REST;
}

/* headblock_byte - one byte c at offset at */
static void
headblock_byte(struct headblock *hb, unsigned char c, uint64_t at)
{
	switch (hb->state) {
	case HEADBLOCK_LEAD:
		if (c == ' ' || (c >= '\t' && c <= '\r'))
			return;
		hb->line = at;
		hb->first = true;
		hb->state = HEADBLOCK_BOL;
		/* FALLTHROUGH */
	case HEADBLOCK_BOL:
		hb->namelen = 0;
		if (c == '\n')
			headblock_ended(hb, HEADBLOCK_BLANK, at + 1);
		else if (c == '\r')
			hb->state = HEADBLOCK_CR;
		else if (c == ' ' || c == '\t')
			hb->state = HEADBLOCK_WS;
		else if (headblock_is_name(c)) {
			hb->name[hb->namelen++] = g_ascii_tolower((char)c);
			hb->state = HEADBLOCK_NAME_S;
		} else
			headblock_ended(hb, HEADBLOCK_TEXT, hb->line);
		break;
	case HEADBLOCK_CR:
		if (c == '\n')
			headblock_ended(hb, HEADBLOCK_BLANK, at + 1);
		else if (c == ' ' || c == '\t')
			hb->state = HEADBLOCK_WS;
		else if (c != '\r')
			headblock_ended(hb, HEADBLOCK_TEXT, hb->line);
		break;
	case HEADBLOCK_WS:
		if (c == '\n')
			headblock_ended(hb, HEADBLOCK_SPACE, at + 1);
		else if (c != ' ' && c != '\t' && c != '\r')
			hb->state = HEADBLOCK_REST;	/* a folded line */
		break;
	case HEADBLOCK_NAME_S:
		if (c == ':')
			headblock_field(hb);
		else if (c == ' ' || c == '\t') {
			/* The mbox From_ line, first only: GMime skips it. */
			if (hb->first && hb->namelen == 4 &&
			    memcmp(hb->name, "from", 4) == 0)
				hb->state = HEADBLOCK_REST;
			else
				hb->state = HEADBLOCK_NAMEWS;
		} else if (headblock_is_name(c)) {
			if (hb->namelen < HEADBLOCK_NAME)
				hb->name[hb->namelen++] =
				    g_ascii_tolower((char)c);
		} else
			headblock_ended(hb, HEADBLOCK_TEXT, hb->line);
		break;
	case HEADBLOCK_NAMEWS:
		if (c == ':')
			headblock_field(hb);
		else if (c != ' ' && c != '\t')
			headblock_ended(hb, HEADBLOCK_TEXT, hb->line);
		break;
	case HEADBLOCK_REST:
		if (c == '\n') {
			hb->state = HEADBLOCK_BOL;
			hb->line = at + 1;
			hb->first = false;
		}
		break;
	case HEADBLOCK_DONE:
		break;
	}
}

/* headblock_feed - run the scanner over the next len bytes */
void
headblock_feed(struct headblock *hb, const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len && hb->state != HEADBLOCK_DONE; i++)
		headblock_byte(hb, (unsigned char)buf[i], hb->off + i);
	hb->off += len;
}

/* headblock_finish - the input ended */
void
headblock_finish(struct headblock *hb)
{
	if (hb->state == HEADBLOCK_DONE)
		return;
	/* A last line cut short ends where the input does. */
	hb->line = hb->off;
	headblock_close(hb, hb->off);
	hb->end = HEADBLOCK_OPEN;
	hb->body = hb->off;
	hb->state = HEADBLOCK_DONE;
}

/* headblock_in_body - does a line starting at off belong to the body */
bool
headblock_in_body(const struct headblock *hb, uint64_t off)
{
	return hb->state == HEADBLOCK_DONE && off >= hb->body;
}

/* headblock_plain - may the parser be given the input as it is */
bool
headblock_plain(const struct headblock *hb)
{
	/* No field at all: no header to mend, the parser says what it is. */
	return hb->fields == 0 || (hb->skipped == 0 &&
	    (hb->end == HEADBLOCK_BLANK || hb->end == HEADBLOCK_OPEN));
}
