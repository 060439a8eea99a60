/*
 * html_cut.c - cut a rendered body to a byte budget without parsing it
 * again (see html_cut.h).
 *
 * html_cut_html() reads only HTML this program wrote itself, in
 * html_sanitize() form: text and attribute values escape '<', '>' and
 * '&', so a '<' always opens a tag and the first '>' after it closes it,
 * and every element but a void one (br, hr, wbr, col: the tag table's
 * HTML_TAG_VOID) has its end tag.  A forward scan of the prefix with a
 * stack of open elements is then all it takes to close what the cut left
 * open.  Untrusted HTML never comes here: it goes through gumbo first.
 *
 * html_cut_text keeps html_from_text()'s output with marks at line
 * starts, at least CUT_MARK_GAP bytes of text apart (html_ft_lines() in
 * html_text.c).  Each line's HTML depends only on the line and on the
 * state the lines before left (a paragraph open, the quote depth), so a
 * prefix of the text renders as the output up to the last mark before
 * the cut, the lines from there to the cut rendered from the mark's
 * state, and the closing html_from_text() writes.
 *
 * Owns: a rendered text and its marks (struct html_cut_text).
 * Used error codes: none.
 * Reentrancy: reentrant.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <gumbo.h>

#include "charset.h"
#include "html.h"
#include "html_cut.h"
#include "html_priv.h"

/* Longest character reference html_put_escaped() writes ("&nbsp;"). */
#define CUT_REF_MAX	8
/* Bytes of text html_cut_text_new() scrubs and renders at a time. */
#define CUT_CHUNK	(64 * 1024)
/* Least bytes of text between two of its marks: a cut renders again at
 * most that and a line. */
#define CUT_MARK_GAP	512

struct html_cut_text {
	const char *text;	/* borrowed */
	size_t len;
	GString *out;		/* html_ft_lines() output, not closed */
	GArray *marks;		/* of struct html_ft_mark: off in text */
	bool whole;		/* every line rendered, not only up to the
				 * limit */
};

/*
 * cut_void - is the element named s[0, len) void (no end tag)?  In
 * html_sanitize() form the only void elements are the ones the tag
 * table's VOID rows write, br, hr, wbr and col (html_from_text() writes
 * br), in lower case; test_html_cut.c checks that the table still says
 * so.  A tag lookup here was a quarter of the cost of a cut of nested
 * HTML, and the size search cuts nine times.
 */
static bool
cut_void(const char *s, size_t len)
{
	switch (len) {
	case 2:
		return (s[0] == 'b' || s[0] == 'h') && s[1] == 'r';
	case 3:
		return memcmp(s, "wbr", 3) == 0 || memcmp(s, "col", 3) == 0;
	default:
		return false;
	}
}

/* The open elements of a forward scan of html_sanitize() form. */
struct cut_scan {
	GumboStringPiece *open;	/* a stack, grown by doubling */
	size_t depth;
	size_t cap;
	size_t text_at;		/* where the last tag ends */
};

/* A point the scan passed, saved for cuts after it (struct html_cut). */
struct cut_mark {
	size_t pos;		/* just after a tag: text_at there */
	size_t first;		/* its stack: pieces[first, first + depth) */
	size_t depth;
};

struct html_cut {
	const char *san;	/* borrowed */
	size_t len;
	GArray *marks;		/* of struct cut_mark, by pos */
	GArray *pieces;		/* of GumboStringPiece: the marks' stacks */
	size_t every;		/* bytes between marks */
};

/*
 * A mark every CUT_MARK_EVERY bytes, or every len / CUT_MARKS_MAX for a
 * long text: a cut rescans at most that much, and the marks' stacks
 * (up to the sanitizer's 256 open elements each) stay a few hundred KB
 * whatever the length.
 */
#define CUT_MARK_EVERY	8192
#define CUT_MARKS_MAX	128

/* cut_push - push an open element */
static void
cut_push(struct cut_scan *c, GumboStringPiece name)
{
	if (c->depth == c->cap) {
		c->cap = c->cap == 0 ? 64 : c->cap * 2;
		c->open = g_renew(GumboStringPiece, c->open, c->cap);
	}
	c->open[c->depth++] = name;
}

/*
 * cut_scan_to - scan san[from, *n_r) for tags, updating c; a tag cut
 * short at *n_r moves *n_r back to its '<'.  With x, a mark is saved
 * after the first tag past every CUT_MARK_EVERY bytes.
 */
static void
cut_scan_to(struct cut_scan *c, const char *san, size_t from, size_t *n_r,
    struct html_cut *x)
{
	GumboStringPiece name;
	struct cut_mark m;
	const char *p, *lt, *gt, *end;
	size_t next_mark = x != NULL ? from + x->every : SIZE_MAX;

	for (p = san + from, end = san + *n_r; p < end; p = gt + 1) {
		lt = memchr(p, '<', (size_t)(end - p));
		if (lt == NULL)
			break;
		gt = memchr(lt, '>', (size_t)(end - lt));
		if (gt == NULL) {
			*n_r = (size_t)(lt - san);	/* a tag cut short */
			break;
		}
		c->text_at = (size_t)(gt + 1 - san);
		if (lt[1] == '/') {
			if (c->depth > 0)
				c->depth--;
		} else {
			name.data = lt + 1;
			for (name.length = 0; name.data + name.length < gt &&
			    g_ascii_isalnum(name.data[name.length]);
			    name.length++)
				;
			if (name.length > 0 && !cut_void(name.data,
			    name.length))
				cut_push(c, name);
		}
		if (x != NULL && c->text_at >= next_mark) {
			m.pos = c->text_at;
			m.first = x->pieces->len;
			m.depth = c->depth;
			g_array_append_vals(x->pieces, c->open, (guint)c->depth);
			g_array_append_val(x->marks, m);
			next_mark = c->text_at + x->every;
		}
	}
}

/* cut_finish - san[0, n) after a scan to n: a character reference cut
 * short goes whole, white space is trimmed, what is open is closed */
static char *
cut_finish(const char *san, size_t n, const struct cut_scan *c)
{
	GString *out;
	size_t a, i;

	for (i = n; i > c->text_at && n - i < CUT_REF_MAX; i--) {
		if (san[i - 1] == ';')
			break;
		if (san[i - 1] == '&') {
			n = i - 1;
			break;
		}
	}
	for (a = 0; a < n && html_is_space(san[a]); a++)
		;
	if (c->depth == 0)
		while (n > a && html_is_space(san[n - 1]))
			n--;
	out = g_string_sized_new(n - a + 16 * c->depth + 1);
	html_put(out, san + a, n - a);
	for (i = c->depth; i > 0; i--) {
		html_put(out, "</", 2);
		html_put(out, c->open[i - 1].data, c->open[i - 1].length);
		g_string_append_c(out, '>');
	}
	return g_string_free(out, FALSE);
}

/* html_cut_html - san cut to n bytes, open elements closed; new string */
char *
html_cut_html(const char *san, size_t len, size_t n)
{
	struct cut_scan c = { NULL, 0, 0, 0 };
	char *r;

	n = charset_utf8_fit(san, len, n);
	cut_scan_to(&c, san, 0, &n, NULL);
	r = cut_finish(san, n, &c);
	g_free(c.open);
	return r;
}

/* html_cut_new - san scanned once, with a mark every x->every bytes,
 * for html_cut_at() */
struct html_cut *
html_cut_new(const char *san, size_t len)
{
	struct cut_scan c = { NULL, 0, 0, 0 };
	struct html_cut *x;
	size_t n = len;

	x = g_new0(struct html_cut, 1);
	x->san = san;
	x->len = len;
	x->marks = g_array_new(FALSE, FALSE, sizeof(struct cut_mark));
	x->pieces = g_array_new(FALSE, FALSE, sizeof(GumboStringPiece));
	x->every = MAX(CUT_MARK_EVERY, len / CUT_MARKS_MAX);
	cut_scan_to(&c, san, 0, &n, x);
	g_free(c.open);
	return x;
}

/* html_cut_at - html_cut_html() of x's text at n, scanning from the
 * last mark at or before n rather than from the start */
char *
html_cut_at(const struct html_cut *x, size_t n)
{
	struct cut_scan c = { NULL, 0, 0, 0 };
	const struct cut_mark *m;
	size_t from = 0;
	guint lo, hi, mid;
	char *r;

	n = charset_utf8_fit(x->san, x->len, n);
	if (x->marks->len > 0 && g_array_index(x->marks, struct cut_mark,
	    0).pos <= n) {
		/* The last mark at or before n. */
		lo = 0;
		hi = x->marks->len - 1;
		while (lo < hi) {
			mid = lo + (hi - lo + 1) / 2;
			if (g_array_index(x->marks, struct cut_mark,
			    mid).pos <= n)
				lo = mid;
			else
				hi = mid - 1;
		}
		m = &g_array_index(x->marks, struct cut_mark, lo);
		from = m->pos;
		c.text_at = m->pos;
		c.cap = MAX(m->depth, 64);
		c.open = g_new(GumboStringPiece, c.cap);
		if (m->depth > 0)
			memcpy(c.open, &g_array_index(x->pieces,
			    GumboStringPiece, m->first),
			    m->depth * sizeof(GumboStringPiece));
		c.depth = m->depth;
	}
	cut_scan_to(&c, x->san, from, &n, NULL);
	r = cut_finish(x->san, n, &c);
	g_free(c.open);
	return r;
}

/* html_cut_free - free *x_r and set it to NULL; NULL-safe */
void
html_cut_free(struct html_cut **x_r)
{
	if (x_r == NULL || *x_r == NULL)
		return;
	g_array_free((*x_r)->marks, TRUE);
	g_array_free((*x_r)->pieces, TRUE);
	g_free(*x_r);
	*x_r = NULL;
}

/* piece_in - is an element of tag t on the stack open[0, n)? */
static bool
piece_in(const GumboTag *open, size_t n, GumboTag t)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (open[i] == t)
			return true;
	return false;
}

/* piece_item_open - would the pre-pass close an open a or b (li; dd,
 * dt) for a new one: found before a special element but address, div
 * and p (pre_close_item())? */
static bool
piece_item_open(const GumboTag *open, size_t n, GumboTag a, GumboTag b)
{
	GumboTag t;

	while (n > 0) {
		t = open[--n];
		if (t == a || t == b)
			return true;
		if (html_tag_is(t, HTML_TAG_SPECIAL) && t !=
		    GUMBO_TAG_ADDRESS && t != GUMBO_TAG_DIV && t != GUMBO_TAG_P)
			return false;
	}
	return false;
}

/* piece_start_ok - does start tag t, with open[0, n) open in the piece,
 * parse again as it stands (no implied end tag, not ignored)? */
static bool
piece_start_ok(const GumboTag *open, size_t n, GumboTag t)
{
	GumboTag top = n > 0 ? open[n - 1] : GUMBO_TAG_HTML;

	if (html_tag_is(t, HTML_TAG_CLOSES_P) &&
	    piece_in(open, n, GUMBO_TAG_P))
		return false;
	if (html_tag_is(t, HTML_TAG_HEADING) &&
	    html_tag_is(top, HTML_TAG_HEADING))
		return false;
	switch (t) {
	case GUMBO_TAG_LI:
		return !piece_item_open(open, n, GUMBO_TAG_LI, GUMBO_TAG_LI);
	case GUMBO_TAG_DD: case GUMBO_TAG_DT:
		return !piece_item_open(open, n, GUMBO_TAG_DD, GUMBO_TAG_DT);
	case GUMBO_TAG_A:
		return !piece_in(open, n, GUMBO_TAG_A);
	case GUMBO_TAG_TD: case GUMBO_TAG_TH:
		return top == GUMBO_TAG_TR;
	case GUMBO_TAG_TR:
		return top == GUMBO_TAG_TBODY || top == GUMBO_TAG_THEAD ||
		    top == GUMBO_TAG_TFOOT;
	case GUMBO_TAG_TBODY: case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT:
	case GUMBO_TAG_CAPTION: case GUMBO_TAG_COLGROUP:
		return top == GUMBO_TAG_TABLE;
	case GUMBO_TAG_COL:
		return top == GUMBO_TAG_COLGROUP;
	default:
		return true;
	}
}

/* html_cut_piece - html_sanitize() of san[from, to) without parsing it,
 * or NULL when only a parse can tell */
char *
html_cut_piece(const char *san, size_t from, size_t to)
{
	GumboTag open[HTML_PRE_MAX_DEPTH];
	GumboTag t;
	GString *out;
	const char *p, *lt, *gt, *end, *name;
	size_t n = 0, a, z, nl;
	bool close;

	out = g_string_sized_new(to - from + 64);
	for (p = san + from, end = san + to; p < end; p = gt + 1) {
		lt = memchr(p, '<', (size_t)(end - p));
		if (lt == NULL) {
			html_put(out, p, end - p);
			break;
		}
		html_put(out, p, lt - p);
		gt = memchr(lt, '>', (size_t)(end - lt));
		if (gt == NULL)
			goto parse;		/* not a cut at a node */
		close = lt[1] == '/';
		name = lt + 1 + close;
		for (nl = 0; name + nl < gt && g_ascii_isalnum(name[nl]); nl++)
			;
		t = gumbo_tagn_enum(name, (unsigned int)nl);
		if (t == GUMBO_TAG_UNKNOWN)
			goto parse;
		if (close) {
			/* The end of an element opened before the piece
			 * (the pre-pass drops it), or of the last one the
			 * piece opened; anything else needs the parse. */
			if (n == 0)
				continue;
			if (open[n - 1] != t)
				goto parse;
			n--;
		} else {
			if (!piece_start_ok(open, n, t))
				goto parse;
			if (!html_tag_is(t, HTML_TAG_VOID)) {
				if (n >= G_N_ELEMENTS(open))
					goto parse;
				open[n++] = t;
			}
		}
		html_put(out, lt, gt + 1 - lt);
	}
	/* A parser drops the newline right after <pre>: a <pre> left open
	 * may end in one. */
	if (piece_in(open, n, GUMBO_TAG_PRE))
		goto parse;
	for (a = 0; a < out->len && html_is_space(out->str[a]); a++)
		;
	z = out->len;
	if (n == 0)
		while (z > a && html_is_space(out->str[z - 1]))
			z--;
	g_string_truncate(out, z);
	g_string_erase(out, 0, (gssize)a);
	while (n > 0) {
		html_puts(out, "</");
		html_puts(out, gumbo_normalized_tagname(open[--n]));
		g_string_append_c(out, '>');
	}
	return g_string_free(out, FALSE);
parse:
	g_string_free(out, TRUE);
	return NULL;
}

/*
 * cut_chunk_end - the end of the chunk of text that starts at s: just
 * after the first line break at or past s + CUT_CHUNK (a CRLF whole), or
 * end.  A chunk holds whole lines, so it renders as they do in the text.
 */
static const char *
cut_chunk_end(const char *s, const char *end)
{
	const char *e;

	if ((size_t)(end - s) <= CUT_CHUNK)
		return end;
	e = html_line_end(s + CUT_CHUNK, end);
	if (e + 1 < end && e[0] == '\r' && e[1] == '\n')
		return e + 2;
	return e < end ? e + 1 : end;
}

/*
 * html_cut_text_new - html_from_text() of text, rendered once, in chunks
 * of whole lines (each scrubbed on its own: no scrubbed copy of the
 * whole text), up to the first chunk after which a line start's offset
 * plus the HTML before it exceed limit
 */
struct html_cut_text *
html_cut_text_new(const char *text, size_t limit)
{
	struct html_cut_text *c;
	struct html_ft_state st = { false, 0 };
	struct html_ft_mark *m;
	char *scr;
	const char *s, *end, *chunk, *next;
	size_t len, k, w;

	c = g_new0(struct html_cut_text, 1);
	c->text = text != NULL ? text : "";
	c->len = strlen(c->text);
	c->marks = g_array_new(FALSE, FALSE, sizeof(struct html_ft_mark));
	len = MIN(c->len, limit);
	c->out = g_string_sized_new(len + len / 8 + 16);
	c->whole = true;
	end = c->text + c->len;
	for (chunk = c->text; chunk < end; chunk = next) {
		if (c->marks->len > 0) {
			m = &g_array_index(c->marks, struct html_ft_mark,
			    c->marks->len - 1);
			if (m->off > limit || m->out > limit - m->off) {
				c->whole = false;
				break;
			}
		}
		next = cut_chunk_end(chunk, end);
		scr = html_scrub(chunk, next - chunk);
		k = c->marks->len;
		html_ft_lines(c->out, scr, scr + strlen(scr), false, &st,
		    c->marks);
		g_free(scr);
		/*
		 * The marks hold offsets in the scrubbed chunk; scrubbing
		 * drops or replaces characters but keeps every CR and LF, so
		 * the k-th line starts after the same line break in the text.
		 * A mark is kept only CUT_MARK_GAP bytes after the one
		 * before: 1 MB of empty lines made a million marks.
		 */
		for (s = chunk, w = k; k < c->marks->len; k++) {
			m = &g_array_index(c->marks, struct html_ft_mark, k);
			m->off = (size_t)(s - c->text);
			if (w == 0 || m->off >= g_array_index(c->marks,
			    struct html_ft_mark, w - 1).off + CUT_MARK_GAP)
				g_array_index(c->marks, struct html_ft_mark,
				    w++) = *m;
			s = html_line_end(s, next);
			if (s + 1 < next && s[0] == '\r' && s[1] == '\n')
				s += 2;
			else if (s < next)
				s++;
		}
		g_array_set_size(c->marks, w);
	}
	return c;
}

/*
 * html_cut_text_least - bytes the HTML of the whole text has at least:
 * what was rendered, or when not whole what came before the last line
 * start rendered, less the newline html_ft_close() may drop
 */
size_t
html_cut_text_least(const struct html_cut_text *c)
{
	size_t n;

	n = c->out->len;
	if (!c->whole)
		n = g_array_index(c->marks, struct html_ft_mark,
		    c->marks->len - 1).out;
	return n > 0 ? n - 1 : 0;
}

/*
 * html_cut_text_append - html_from_text() of the first n bytes appended to
 * dst; the number of bytes appended
 */
size_t
html_cut_text_append(GString *dst, const struct html_cut_text *c, size_t n)
{
	const struct html_ft_mark *m;
	struct html_ft_state st = { false, 0 };
	char *scr;
	size_t start;
	guint lo, hi, mid;

	n = charset_utf8_fit(c->text, c->len, n);
	if (c->marks->len == 0 || n == 0)
		return 0;
	/* The last line that starts at or before n. */
	lo = 0;
	hi = c->marks->len - 1;
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (g_array_index(c->marks, struct html_ft_mark, mid).off <= n)
			lo = mid;
		else
			hi = mid - 1;
	}
	m = &g_array_index(c->marks, struct html_ft_mark, lo);
	st = m->st;
	start = dst->len;
	html_put(dst, c->out->str, m->out);
	scr = html_scrub(c->text + m->off, (gssize)(n - m->off));
	html_ft_lines(dst, scr, scr + strlen(scr), false, &st, NULL);
	g_free(scr);
	/* Nothing to close: html_ft_close() would trim what dst held. */
	if (dst->len == start && !st.in_p && st.cur == 0)
		return 0;
	html_ft_close(dst, &st);
	return dst->len - start;
}

/* html_cut_text_html - html_from_text() of the first n bytes; new string */
char *
html_cut_text_html(const struct html_cut_text *c, size_t n)
{
	GString *out;

	out = g_string_new(NULL);
	html_cut_text_append(out, c, n);
	return g_string_free(out, FALSE);
}

/* html_cut_text_free - free *c_r and set it to NULL */
void
html_cut_text_free(struct html_cut_text **c_r)
{
	if (c_r == NULL || *c_r == NULL)
		return;
	g_string_free((*c_r)->out, TRUE);
	g_array_free((*c_r)->marks, TRUE);
	g_free(*c_r);
	*c_r = NULL;
}
