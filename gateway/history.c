/*
 * history.c - where the new text of a reply ends and its quoted history
 * begins (see history.h for the rules).
 *
 * Every line is classified once with the patterns of histpat.c (on plain
 * text lines only, never on markup), then two passes decide: a forward
 * scan for the first hard start of the history, and a walk back from it
 * over blank lines, quoted runs with their attribution, and signatures.
 * A line is read at most HIST_LINE_MAX bytes far, and an attribution at
 * most HIST_JOIN lines long, so the work is linear in the text; lines
 * are joined to be read as one attribution only when their end allows
 * one (hist_span_may()).
 */
#include <limits.h>
#include <string.h>

#include <glib.h>

#include "charset.h"
#include "histpat.h"
#include "history.h"

#define HIST_LINE_MAX	HISTPAT_LINE_MAX
#define HIST_WS		" \t\n\v\f\r"	/* \s on ASCII */
#define HIST_JOIN	3	/* lines an attribution may wrap over */
#define HIST_BLOCK	8	/* lines a header block is looked for in */
#define HIST_SIG_LINES	30	/* lines a "-- " signature may have */
#define HIST_SENT_LINES	2	/* lines after "Sent from my iPhone" */
#define HIST_FOOTER_LINES 5	/* lines under a list footer's rule */

/* Line kinds (one each). */
enum hist_kind {
	HIST_TEXT,		/* anything else */
	HIST_EMPTY,		/* blank */
	HIST_QUOTE,		/* quoted */
	HIST_ORIGINAL,		/* "-----Original Message-----" */
	HIST_FORWARD,		/* "---------- Forwarded message ----------" */
	HIST_RULE,		/* "________" or "--------" alone */
	HIST_SIG,		/* "-- ", "--" or "__" alone */
	HIST_SENT,		/* "Sent from my iPhone" */
	HIST_FROM,		/* "From: x", "Von: x", "De : x" ... */
	HIST_FIELD		/* "Sent: x", "Date: x", "To: x" ... */
};


/* hist_cut - len cut to HIST_LINE_MAX, not inside a UTF-8 character */
static size_t
hist_cut(const char *s, size_t len)
{
	return charset_utf8_fit(s, len, HIST_LINE_MAX);
}

/* hist_has - does s[0, n) hold the bytes of w? */
static bool
hist_has(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);
	const char *p, *e = s + n;

	for (p = s; (size_t)(e - p) >= wl; p++) {
		p = memchr(p, (unsigned char)w[0], (size_t)(e - p) - wl + 1);
		if (p == NULL)
			return false;
		if (memcmp(p, w, wl) == 0)
			return true;
	}
	return false;
}

/* hist_blank - nothing but white space (U+00A0 included) */
static bool
hist_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (g_ascii_isspace(s[i]))
			continue;
		if (i + 1 < len && (unsigned char)s[i] == 0xc2 &&
		    (unsigned char)s[i + 1] == 0xa0) {
			i++;
			continue;
		}
		return false;
	}
	return true;
}

/* hist_quoted_text - a plain text line quoted with ">" */
static bool
hist_quoted_text(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
		continue;
	if (i >= len || s[i] != '>')
		return false;
	/* ">:" alone ends an attribution wrapped after its address. */
	for (i++; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
		continue;
	return !(i + 1 == len && s[i] == ':');
}

/* hist_kind_of - the kind of one line */
static enum hist_kind
hist_kind_of(const struct history_line *l)
{
	size_t n;

	if (hist_blank(l->text, l->len))
		return HIST_EMPTY;
	if ((l->flags & HISTORY_QUOTED) || hist_quoted_text(l->text, l->len))
		return HIST_QUOTE;
	if (l->flags & HISTORY_SIG)
		return HIST_SIG;
	n = histpat_clip(l->text, l->len);
	if (histpat_match_n(HISTPAT_SIG, l->text, n))
		return HIST_SIG;
	if (histpat_match_n(HISTPAT_RULE, l->text, n))
		return HIST_RULE;
	if (histpat_match_n(HISTPAT_FORWARD, l->text, n))
		return HIST_FORWARD;
	if (histpat_match_n(HISTPAT_ORIGINAL, l->text, n))
		return HIST_ORIGINAL;
	if (histpat_match_n(HISTPAT_FROM, l->text, n))
		return HIST_FROM;
	if (histpat_match_n(HISTPAT_FIELD, l->text, n))
		return HIST_FIELD;
	if (histpat_match_n(HISTPAT_SENT, l->text, n))
		return HIST_SENT;
	return HIST_TEXT;
}

/* Lines with their kinds, for the two passes. */
struct hist_ctx {
	const struct history_line *lines;
	enum hist_kind *kind;
	unsigned char *tail;	/* HIST_TAIL_* of lines that may attribute */
	size_t n;
};

/* struct hist_ctx tail bits (see hist_tail()) */
#define HIST_TAIL_MAY	(1u << 0)	/* may end an attribution */
#define HIST_TAIL_ODD	(1u << 1)	/* KELVIN SIGN, LONG S or NUL */

/* hist_joined - lines [i, i + k] joined by spaces; new string */
static char *
hist_joined(const struct hist_ctx *c, size_t i, size_t k)
{
	GString *s;
	size_t j;

	s = g_string_new(NULL);
	for (j = i; j <= i + k; j++) {
		if (j > i)
			g_string_append_c(s, ' ');
		g_string_append_len(s, c->lines[j].text,
		    (gssize)hist_cut(c->lines[j].text, c->lines[j].len));
	}
	return g_string_free(s, FALSE);
}

/*
 * hist_may_attribute - can s, cut as histpat_match() cuts it, match one of
 * the attribution patterns but HISTPAT_ISO?  Each ends in ':' (or its
 * full-width form), '>' or a verb of writing, then white space (U+00A0
 * too) or dashes: a line that ends otherwise is let go without running a
 * dozen patterns, which was most of the time spent on a long body.  The
 * patterns match without case: the verbs' non-ASCII last letters are
 * taken in both cases, and a verb is looked for in ASCII case only
 * unless the KELVIN SIGN or the LONG S, which fold to 'k' and 's', are
 * near the end (then the answer is yes).
 */
static bool
hist_may_attribute(const char *s, size_t len)
{
	static const char *const verbs[] = { "wrote", "schrieb", "crit",
	    "scritto", "schreef", "escreveu", "skrev", "kirjoitti" };
	size_t n = hist_cut(s, len), k, v;
	const char *last;
	gunichar u;
	unsigned char c;

	for (;;) {
		c = n > 0 ? (unsigned char)s[n - 1] : 0;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\v' ||
		    c == '\f' || c == '\r' || c == '-')
			n--;
		else if (n >= 2 && c == 0xa0 && (unsigned char)s[n - 2] ==
		    0xc2)
			n -= 2;
		else
			break;
	}
	if (n == 0)
		return false;
	if (c == ':' || c == '>')
		return true;
	if (c >= 0x80) {
		last = g_utf8_find_prev_char(s, s + n);
		u = last != NULL ? g_utf8_get_char_validated(last,
		    (gssize)(s + n - last)) : (gunichar)-1;
		/* U+FF1A, and the ends of escribió, napisał, написал. */
		return u == 0xff1a || u == 0xf3 || u == 0xd3 ||
		    u == 0x142 || u == 0x141 || u == 0x43b || u == 0x41b ||
		    u == (gunichar)-1 || u == (gunichar)-2;
	}
	/* Each verb ends in a letter. */
	for (v = 0; g_ascii_isalpha(c) && v < G_N_ELEMENTS(verbs); v++) {
		k = strlen(verbs[v]);
		if (n >= k && g_ascii_strncasecmp(s + n - k, verbs[v], k) == 0)
			return true;
	}
	/* Either sign ending in the last 32 bytes. */
	k = n > 34 ? n - 34 : 0;
	if (hist_has(s + k, n - k, "\xe2\x84\xaa"))
		return true;
	k = n > 33 ? n - 33 : 0;
	return hist_has(s + k, n - k, "\xc5\xbf");
}

/*
 * hist_attribution_text - does s read as an attribution line: ending in
 * a verb of writing and opening like one ("On ...") or naming a date or
 * an address; a verb inside ("Am ... schrieb X:", "X wrote on ...:");
 * "X via List wrote:"; or ending in ":" after a time or year and an
 * address ("2014-01-09 15:22 GMT+01:00 Name <a@b.c>:").  loose (right
 * above quoted lines only) also takes the forms without a colon.
 */
static bool
hist_attribution_text(const char *s, bool loose)
{
	size_t len = strlen(s);
	bool dated, on;

	if (len > 3 * HIST_LINE_MAX / 2)
		return false;
	if (!hist_may_attribute(s, len))
		return loose && histpat_match(HISTPAT_ISO, s, len);
	/* An address or a date: "On Monday we wrote:" is no attribution
	 * without one, nor is "Here is what I wrote:". */
	dated = strchr(s, '@') != NULL || histpat_match(HISTPAT_DATE, s, len);
	on = histpat_match(HISTPAT_ON, s, len);
	if ((on || dated) && histpat_match(HISTPAT_VERB, s, len))
		return true;
	if (on && histpat_match(HISTPAT_VERB_MID, s, len))
		return true;
	if (histpat_match(HISTPAT_WROTE_ON, s, len))
		return true;
	if (on && histpat_match(HISTPAT_VERB_BARE, s, len))
		return true;
	if (histpat_match(HISTPAT_VIA, s, len))
		return true;
	if (histpat_match(HISTPAT_DATED, s, len))
		return true;
	return loose && (histpat_match(HISTPAT_DATED_LOOSE, s, len) ||
	    histpat_match(HISTPAT_ISO, s, len));
}

/*
 * hist_tail - the HIST_TAIL_* bits of s[0, len): what
 * hist_may_attribute() says of it alone, and whether it holds what can
 * change that answer once lines are joined (a NUL ends the joined
 * string; the KELVIN SIGN or LONG S is looked for over the last 32 bytes
 * of it).  A line of nothing but white space and dashes may (the joined
 * string's end is then in an earlier line).
 */
static unsigned char
hist_tail(const char *s, size_t len)
{
	size_t n = hist_cut(s, len), i;
	unsigned char t = 0;

	if (hist_may_attribute(s, len))
		t |= HIST_TAIL_MAY;
	for (i = 0; i < n; i++) {
		if (s[i] != '\0' && strchr(HIST_WS "-", s[i]) != NULL)
			continue;
		if (i + 1 < n && (unsigned char)s[i] == 0xc2 &&
		    (unsigned char)s[i + 1] == 0xa0) {
			i++;
			continue;
		}
		break;
	}
	if (i >= n)
		t |= HIST_TAIL_MAY;
	if (memchr(s, '\0', n) != NULL || hist_has(s, n, "\xe2\x84\xaa") ||
	    hist_has(s, n, "\xc5\xbf"))
		t |= HIST_TAIL_ODD;
	return t;
}

/*
 * hist_span_may - may hist_attribution_text() of lines [i, i + k] joined
 * (not loose) be true?  false only when it cannot: the joined string,
 * when not too long for hist_may_attribute(), ends as its last line
 * does, since no verb it looks for holds the space that joins lines.
 * Saves joining three spans of lines for every line of a long body.
 */
static bool
hist_span_may(const struct hist_ctx *c, size_t i, size_t k)
{
	size_t j, total = k;

	for (j = i; j <= i + k; j++) {
		if (c->tail[j] & HIST_TAIL_ODD)
			return true;
		total += hist_cut(c->lines[j].text, c->lines[j].len);
	}
	if (total > 3 * HIST_LINE_MAX / 2)
		return false;
	return total > HIST_LINE_MAX || (c->tail[i + k] & HIST_TAIL_MAY);
}

/*
 * hist_span - are lines [i, i + k] one attribution (loose: see
 * hist_attribution_text())?  A wrapped one must open like an
 * attribution ("On ...") or its last lines must not be one that does, so
 * that a line of the reply above "On ... wrote:" is not taken with it.
 */
static bool
hist_span(const struct hist_ctx *c, size_t i, size_t k, bool loose)
{
	size_t j;
	char *s;
	bool ok;

	if (i + k >= c->n)
		return false;
	for (j = i; j <= i + k; j++)
		if (c->kind[j] != HIST_TEXT && c->kind[j] != HIST_FROM &&
		    c->kind[j] != HIST_FIELD && c->kind[j] != HIST_SENT)
			return false;
	if (!loose && !hist_span_may(c, i, k))
		return false;
	s = hist_joined(c, i, k);
	ok = hist_attribution_text(s, loose);
	g_free(s);
	if (!ok)
		return false;
	if (k == 0 || histpat_match(HISTPAT_ON, c->lines[i].text,
	    c->lines[i].len))
		return true;
	for (j = 1; j <= k; j++) {
		if (!histpat_match(HISTPAT_ON, c->lines[i + j].text,
		    c->lines[i + j].len))
			continue;
		s = hist_joined(c, i + j, k - j);
		ok = hist_attribution_text(s, loose);
		g_free(s);
		if (ok)
			return false;
	}
	return true;
}

/* hist_attribution - lines of the shortest attribution at line i, or 0 */
static size_t
hist_attribution(const struct hist_ctx *c, size_t i, bool loose)
{
	size_t k;

	for (k = 0; k < HIST_JOIN; k++)
		if (hist_span(c, i, k, loose))
			return k + 1;
	return 0;
}

/*
 * hist_header_block - does a header block start at line i: a From line,
 * or another field line, with at least one more field among the next
 * HIST_BLOCK lines, one of them a From line?
 */
static bool
hist_header_block(const struct hist_ctx *c, size_t i)
{
	size_t j, fields = 0;
	bool from = false;

	if (c->kind[i] != HIST_FROM && c->kind[i] != HIST_FIELD)
		return false;
	for (j = i; j < c->n && j < i + HIST_BLOCK; j++) {
		if (c->kind[j] == HIST_FROM) {
			from = true;
			fields++;
		} else if (c->kind[j] == HIST_FIELD)
			fields++;
		else if (c->kind[j] == HIST_EMPTY && fields >= 2)
			break;
	}
	return from && fields >= 2;
}

/* hist_next_nonempty - first line at or after i that is not blank */
static size_t
hist_next_nonempty(const struct hist_ctx *c, size_t i)
{
	while (i < c->n && c->kind[i] == HIST_EMPTY)
		i++;
	return i;
}

/* hist_next_empty - first blank line in [i, e), e when none */
static size_t
hist_next_empty(const struct hist_ctx *c, size_t i, size_t e)
{
	while (i < e && c->kind[i] != HIST_EMPTY)
		i++;
	return i;
}

/*
 * hist_hard - the first hard start of the history at or after line 0,
 * c->n when there is none; *fwd_r set when an inline forward comes first.
 */
static size_t
hist_hard(const struct hist_ctx *c, bool *fwd_r)
{
	size_t i, k, j;

	*fwd_r = false;
	for (i = 0; i < c->n; i++) {
		if (c->lines[i].flags & HISTORY_FWD) {
			*fwd_r = true;
			return c->n;
		}
		if (c->lines[i].flags & HISTORY_MARK) {
			/* Gmail wraps a forward in gmail_quote too. */
			for (j = i, k = 0; j < c->n && k < HIST_JOIN; j++) {
				if (c->kind[j] == HIST_EMPTY)
					continue;
				if (c->kind[j] == HIST_FORWARD) {
					*fwd_r = true;
					return c->n;
				}
				k++;
			}
			return i;
		}
		switch (c->kind[i]) {
		case HIST_FORWARD:
			*fwd_r = true;
			return c->n;
		case HIST_ORIGINAL:
			return i;
		case HIST_FROM:
		case HIST_FIELD:
			if (hist_header_block(c, i)) {
				/* "________" or "-----Original Message-----"
				 * just above belongs with it. */
				j = i;
				while (j > 0 && c->kind[j - 1] == HIST_EMPTY)
					j--;
				if (j > 0 && (c->kind[j - 1] == HIST_RULE ||
				    c->kind[j - 1] == HIST_ORIGINAL))
					return j - 1;
				return i;
			}
			break;
		case HIST_SENT:
			/* "Sent from my iPhone" with more below: the history,
			 * as mobile mailers write it, unquoted. */
			if (hist_next_nonempty(c, i + 1) < c->n)
				return i;
			continue;
		case HIST_TEXT:
			break;
		default:
			continue;
		}
		k = hist_attribution(c, i, false);
		if (k == 0)
			continue;
		/* Followed by quoted lines: the walk back decides.  By
		 * unquoted text: the history runs on below, unquoted.  By
		 * nothing: a mailer kept the attribution, not the quote. */
		j = hist_next_nonempty(c, i + k);
		if (j >= c->n || c->kind[j] != HIST_QUOTE)
			return i;
		i += k - 1;
	}
	return c->n;
}

/*
 * hist_back - from line e (the hard start, or n), walk back over what
 * belongs to the history: blank lines, a quoted run and its attribution,
 * signatures.  Returns the first line of the history (e when nothing).
 */
static size_t
hist_back(const struct hist_ctx *c, size_t e)
{
	size_t t, j, q, s, h, k, limit;
	bool moved;

	t = e;
	do {
		moved = false;
		j = t;
		while (j > 0 && c->kind[j - 1] == HIST_EMPTY)
			j--;
		if (j == 0)
			break;
		if (c->kind[j - 1] == HIST_QUOTE) {
			q = j - 1;
			/* One unquoted line between quoted ones is a quoted
			 * line that the quoting mailer wrapped. */
			while (q > 0 && (c->kind[q - 1] == HIST_QUOTE ||
			    c->kind[q - 1] == HIST_EMPTY ||
			    (q > 1 && c->kind[q - 1] == HIST_TEXT &&
			    c->kind[q - 2] == HIST_QUOTE &&
			    c->kind[q] == HIST_QUOTE)))
				q--;
			q = hist_next_nonempty(c, q);
			/* Its attribution, if any, right above (a blank line
			 * between is allowed). */
			h = q;
			if (h > 0 && c->kind[h - 1] == HIST_EMPTY)
				h--;
			for (k = MIN(HIST_JOIN, h); k >= 1; k--)
				if (hist_span(c, h - k, k - 1, true)) {
					q = h - k;
					break;
				}
			t = q;
			moved = true;
			continue;
		}
		/* A signature: its opening line, then only unquoted lines
		 * down to t. */
		for (s = j; s > 0 && j - s < HIST_SIG_LINES; s--) {
			if (c->kind[s - 1] == HIST_QUOTE)
				break;
			limit = c->kind[s - 1] == HIST_SENT ? HIST_SENT_LINES :
			    HIST_SIG_LINES;
			/* A rule set apart over the last few lines, with no
			 * blank line among them: a list footer. */
			if (c->kind[s - 1] == HIST_RULE && (s == 1 ||
			    c->kind[s - 2] == HIST_EMPTY) &&
			    hist_next_empty(c, s, j) == j)
				limit = HIST_FOOTER_LINES;
			else if (c->kind[s - 1] == HIST_RULE)
				continue;
			if ((c->kind[s - 1] == HIST_SIG ||
			    c->kind[s - 1] == HIST_RULE ||
			    c->kind[s - 1] == HIST_SENT) && j - s <= limit) {
				t = s - 1;
				moved = true;
				break;
			}
		}
	} while (moved && t > 0);
	return t;
}

/*
 * hist_middle - one quoted run with its attribution above and only new
 * text below (a bottom-posted reply; "Regards" under the quote): its
 * first line, and in *end_r the first line of the text below; c->n when
 * there is no such run.  Two runs or more are an inline reply, and a run
 * without an attribution may be a quoted log line: neither is history.
 */
static size_t
hist_middle(const struct hist_ctx *c, size_t *end_r)
{
	size_t i, q0 = c->n, q1 = c->n, h, k, len;
	const char *p;
	char *s;
	bool ok;

	for (i = 0; i < c->n; i++) {
		if (c->kind[i] != HIST_QUOTE)
			continue;
		if (q0 == c->n)
			q0 = i;
		else if (hist_next_nonempty(c, q1 + 1) != i)
			return c->n;	/* a second run */
		q1 = i;
	}
	if (q0 == c->n || hist_next_nonempty(c, q1 + 1) >= c->n)
		return c->n;
	*end_r = hist_next_nonempty(c, q1 + 1);
	h = q0;
	if (h > 0 && c->kind[h - 1] == HIST_EMPTY)
		h--;
	for (k = MIN(HIST_JOIN, h); k >= 1; k--)
		if (hist_span(c, h - k, k - 1, true))
			return h - k;
	/* Apple Mail quotes its attribution with the rest. */
	p = c->lines[q0].text;
	len = hist_cut(p, c->lines[q0].len);
	while (len > 0 && (*p == '>' || *p == ' ')) {
		p++;
		len--;
	}
	s = g_strndup(p, len);
	ok = hist_attribution_text(s, true);
	g_free(s);
	return ok ? q0 : c->n;
}

/* history_find - first line of the history, n when none */
size_t
history_find(const struct history_line *lines, size_t n, bool forward,
    size_t *end_r)
{
	struct hist_ctx c;
	size_t i, e, t, end;
	bool fwd;

	if (end_r != NULL)
		*end_r = n;
	if (forward || n == 0)
		return n;
	c.lines = lines;
	c.n = MIN(n, HISTORY_MAX_LINES);
	c.kind = g_malloc_n(c.n, sizeof(*c.kind));
	c.tail = g_malloc0(c.n);
	for (i = 0; i < c.n; i++) {
		c.kind[i] = hist_kind_of(&lines[i]);
		if (c.kind[i] == HIST_TEXT || c.kind[i] == HIST_FROM ||
		    c.kind[i] == HIST_FIELD || c.kind[i] == HIST_SENT)
			c.tail[i] = hist_tail(lines[i].text, lines[i].len);
	}
	e = hist_hard(&c, &fwd);
	/* Past HISTORY_MAX_LINES the end is not known: only a hard start
	 * counts, not a quote that merely ends the lines read. */
	end = n;
	if (fwd || (n > c.n && e >= c.n))
		t = c.n;
	else
		t = hist_back(&c, e);
	if (t >= c.n && !fwd && n == c.n)
		t = hist_middle(&c, &end);
	g_free(c.kind);
	g_free(c.tail);
	if (t >= c.n)
		return n;
	if (end_r != NULL)
		*end_r = end;
	if (end < n)
		return t;
	/* History that is nothing but blank lines is no history. */
	for (i = t; i < n; i++)
		if (!hist_blank(lines[i].text, lines[i].len) ||
		    (lines[i].flags & HISTORY_MARK))
			return t;
	return n;
}

/* history_split_text - byte offset where the history starts, len if none */
size_t
history_split_text(const char *text, size_t len, bool forward,
    size_t *end_r)
{
	GArray *lines;
	struct history_line l;
	size_t i, start, at, end;
	const char *nl;

	if (end_r != NULL)
		*end_r = len;
	if (text == NULL || len == 0)
		return len;
	lines = g_array_new(FALSE, FALSE, sizeof(struct history_line));
	for (start = 0; start < len && lines->len <= HISTORY_MAX_LINES;) {
		nl = memchr(text + start, '\n', len - start);
		i = nl != NULL ? (size_t)(nl - text) : len;
		l.text = text + start;
		l.len = i - start;
		if (l.len > 0 && l.text[l.len - 1] == '\r')
			l.len--;
		l.flags = 0;
		g_array_append_val(lines, l);
		start = i + 1;
	}
	at = history_find((const struct history_line *)(void *)lines->data,
	    lines->len, forward, &end);
	if (at >= lines->len)
		at = len;
	else {
		at = (size_t)(g_array_index(lines, struct history_line,
		    at).text - text);
		if (end < lines->len && end_r != NULL)
			*end_r = (size_t)(g_array_index(lines,
			    struct history_line, end).text - text);
	}
	g_array_free(lines, TRUE);
	return at;
}

/* history_subject_forward - does the subject open with a forward prefix */
bool
history_subject_forward(const char *subject)
{
	if (subject == NULL)
		return false;
	return histpat_match(HISTPAT_FWD_SUBJECT, subject, strlen(subject));
}
