/*
 * histpat.h - the patterns history.c classifies lines with: GLib regular
 * expressions (case-insensitive, UTF-8, in a dozen languages), each
 * behind exact filters that let a line go when the pattern cannot match
 * it, so that a line of prose runs none of them.
 *
 * Pure.  Used error codes: none; a pattern that does not compile never
 * matches (a bug the unit tests catch).
 *
 * Reentrancy: reentrant; patterns and filter tables are made once
 * (g_once) and only read after.
 */
#ifndef GW_HISTPAT_H
#define GW_HISTPAT_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of a line the patterns see. */
#define HISTPAT_LINE_MAX	1024

enum histpat {
	HISTPAT_ORIGINAL,	/* "-----Original Message-----" */
	HISTPAT_FORWARD,	/* "---------- Forwarded message ---------" */
	HISTPAT_RULE,		/* "________" or "--------" alone */
	HISTPAT_SIG,		/* "-- ", "--" or "__" alone */
	HISTPAT_SENT,		/* "Sent from my iPhone" */
	HISTPAT_FROM,		/* "From: x", "Von: x", "De : x" ... */
	HISTPAT_FIELD,		/* "Sent: x", "Date: x", "To: x" ... */
	HISTPAT_ON,		/* opens like an attribution */
	HISTPAT_VERB,		/* ends like one: "wrote:", "a écrit :" */
	HISTPAT_VERB_BARE,	/* the same without the colon */
	HISTPAT_VERB_MID,	/* "Am ... schrieb X:" (after HISTPAT_ON) */
	HISTPAT_WROTE_ON,	/* "X <a@b.c> schrieb am ...:" */
	HISTPAT_DATE,		/* a time, a year or a numeric date */
	HISTPAT_VIA,		/* "X via Some List wrote:" */
	HISTPAT_DATED,		/* "... 10:32 ... <a@b.c>:" */
	HISTPAT_DATED_LOOSE,	/* "2013/10/2 Name <a@b.c>" */
	HISTPAT_ISO,		/* "2016-03-03 17:21 GMT+01:00 Name" */
	HISTPAT_FWD_SUBJECT,	/* "Fwd:", "TR:", "转发:" ... */
	HISTPAT_COUNT
};

/*
 * histpat_clip - the bytes of s[0, len) a pattern sees: cut at
 * HISTPAT_LINE_MAX (not inside a UTF-8 character), and at a NUL as a C
 * string would end.
 */
size_t histpat_clip(const char *s, size_t len);

/* histpat_match_n - does pattern p match s[0, n) (histpat_clip()ped)? */
bool histpat_match_n(enum histpat p, const char *s, size_t n);

/* histpat_match - histpat_match_n() of s[0, len) clipped */
bool histpat_match(enum histpat p, const char *s, size_t len);

/*
 * histpat_regex_n - the pattern alone, without its filters: the answer
 * histpat_match_n() must give (the unit tests compare them).
 */
bool histpat_regex_n(enum histpat p, const char *s, size_t n);

#endif /* GW_HISTPAT_H */
