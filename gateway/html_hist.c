/*
 * html_hist.c - where the quoted history of an HTML reply starts
 * (html_split_history).
 *
 * The gumbo tree (of the pre-pass output, styles and classes still there)
 * is read as lines, as html_to_text() would break them: block elements
 * and <br> end a line, text in a <blockquote> is quoted (Apple's
 * type="cite" too: its attribution is inside it, and one may answer
 * below it, so the quoted run decides).  Each line keeps the element or
 * text node that opens it.  The marks only HTML carries become flags:
 * Gmail's gmail_quote, Thunderbird's moz-cite-prefix, Outlook's
 * divRplyFwdMsg and appendonsend, Yahoo's yahoo_quoted start the history
 * (HISTORY_MARK); Thunderbird's moz-forward-container is a forward
 * (HISTORY_FWD); gmail_signature, moz-signature and Outlook's
 * id="Signature" are signatures (HISTORY_SIG, set apart with the history
 * that follows, as the text part's "-- " is); an <hr> and Outlook's
 * "border-top:solid" paragraph (read here, before the sanitizer drops
 * style) become a rule line, which starts the history when a header block
 * ("From: / Sent: ...") follows.  history_find() then decides, the
 * sanitizer writes the document noting where that node (and the one
 * after the history, when new text follows it) starts in its output, and
 * the output is cut there.  Each piece is what sanitising it again on
 * its own would write (sanitised HTML reads the same when sanitised
 * again; what the cut left open is closed, so nothing is lost): made by
 * html_cut_piece() from the piece's tags, without a parse, unless a tag
 * would parse differently out of its context (a cell without its table,
 * a block inside a <p>): only such a piece is parsed again.  The text of
 * both halves, when asked for, is read from the same tree by
 * html_text_split(), never from a parse of a half.
 */
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <gumbo.h>

#include "history.h"
#include "html.h"
#include "html_cut.h"
#include "html_priv.h"

#define HH_RULE		"__________"	/* the text of a rule line */

struct hh_line {
	size_t off;		/* of its text in hh_state buf */
	size_t len;
	const GumboNode *node;	/* the element or text that opens it */
	unsigned int flags;
};

struct hh_state {
	GArray *lines;		/* of struct hh_line */
	GString *buf;		/* the lines' text, one after the other */
	size_t cur;		/* where the line being read starts */
	const GumboNode *node;	/* what opens cur; NULL: not yet */
	unsigned int flags;	/* flags of cur */
	int quote;		/* blockquotes open */
	bool space;		/* white space pending in cur */
};

/* hh_len - bytes of the line being read */
static size_t
hh_len(const struct hh_state *s)
{
	return s->buf->len - s->cur;
}

/* hh_flush - end the current line; keep it when it has text or flags,
 * or when force (a <br>) */
static void
hh_flush(struct hh_state *s, bool force)
{
	struct hh_line l;

	if (hh_len(s) == 0 && s->flags == 0 && !force)
		return;
	/* history_find() reads no further (one more tells it so). */
	if (s->lines->len > HISTORY_MAX_LINES) {
		g_string_truncate(s->buf, s->cur);
		s->node = NULL;
		s->flags = 0;
		s->space = false;
		return;
	}
	/* A line with no node of its own (a flag alone) starts where the
	 * line before it does: a cut there moves that line along. */
	l.off = s->cur;
	l.len = hh_len(s);
	l.node = s->node;
	if (l.node == NULL && s->lines->len > 0)
		l.node = g_array_index(s->lines, struct hh_line,
		    s->lines->len - 1).node;
	l.flags = s->flags | (s->quote > 0 ? HISTORY_QUOTED : 0);
	g_array_append_val(s->lines, l);
	s->cur = s->buf->len;
	s->node = NULL;
	s->flags = 0;
	s->space = false;
}

/* hh_open - element n opens a line here: flush, and let the next line
 * start at n */
static void
hh_open(struct hh_state *s, const GumboNode *n, unsigned int flags)
{
	if (hh_len(s) > 0 || (flags != 0 && s->flags != 0))
		hh_flush(s, false);
	if (hh_len(s) == 0 && s->node == NULL)
		s->node = n;
	s->flags |= flags;
}

/* hh_rule - the line being read is a rule line */
static void
hh_rule(struct hh_state *s)
{
	g_string_truncate(s->buf, s->cur);
	g_string_append(s->buf, HH_RULE);
}

/* hh_has_token - does the space-separated list v hold tok (prefix when
 * prefix)? */
static bool
hh_has_token(const char *v, const char *tok, bool prefix)
{
	size_t tl = strlen(tok);
	const char *p, *e;

	if (v == NULL)
		return false;
	for (p = v; *p != '\0'; p = e) {
		while (html_is_space(*p))
			p++;
		for (e = p; *e != '\0' && !html_is_space(*e); e++)
			continue;
		if ((size_t)(e - p) >= tl && g_ascii_strncasecmp(p, tok,
		    tl) == 0 && (prefix || (size_t)(e - p) == tl))
			return true;
	}
	return false;
}

/* hh_has_part - does v (may be NULL) contain part, case-insensitively?
 * Yahoo prefixes its class and id names ("ydp3f2ayahoo_quoted_0412"). */
static bool
hh_has_part(const char *v, const char *part)
{
	char *low;
	bool yes;

	if (v == NULL)
		return false;
	low = g_ascii_strdown(v, -1);
	yes = strstr(low, part) != NULL;
	g_free(low);
	return yes;
}

/* hh_border_top - Outlook's separator: "border:none;border-top:solid" */
static bool
hh_border_top(const GumboNode *n)
{
	const char *st = html_node_attr(n, "style");
	char *low, *p, *q;
	bool yes;

	if (st == NULL)
		return false;
	low = g_ascii_strdown(st, -1);
	/* Without white space, so "border-top: solid" reads the same. */
	for (p = q = low; *p != '\0'; p++)
		if (!html_is_space(*p))
			*q++ = *p;
	*q = '\0';
	yes = strstr(low, "border-top:solid") != NULL ||
	    (strstr(low, "border-top:") != NULL &&
	    strstr(low, "solid") != NULL && strstr(low, "border:none") != NULL);
	g_free(low);
	return yes;
}

/* hh_mark - the history flags element n carries */
static unsigned int
hh_mark(const GumboNode *n)
{
	const char *cls = html_node_attr(n, "class");
	const char *id = html_node_attr(n, "id");

	/* Most elements have neither: a dozen token scans saved. */
	if (cls == NULL && id == NULL)
		return 0;
	if (hh_has_token(cls, "moz-forward-container", false))
		return HISTORY_FWD;
	if (hh_has_token(cls, "gmail_signature", false) ||
	    hh_has_token(cls, "moz-signature", false) ||
	    hh_has_token(id, "Signature", false) ||
	    hh_has_token(id, "ms-outlook-mobile-signature", false))
		return HISTORY_SIG;
	if (hh_has_token(cls, "gmail_quote", true) ||
	    hh_has_token(cls, "moz-cite-prefix", false) ||
	    hh_has_part(cls, "yahoo_quoted") ||
	    hh_has_part(id, "yahoo_quoted") ||
	    hh_has_token(cls, "zmail_extra", false) ||
	    hh_has_token(cls, "protonmail_quote", false) ||
	    hh_has_token(cls, "OutlookMessageHeader", false) ||
	    hh_has_token(id, "divRplyFwdMsg", false) ||
	    hh_has_token(id, "appendonsend", false) ||
	    hh_has_token(id, "OLK_SRC_BODY_SECTION", false))
		return HISTORY_MARK;
	return 0;
}

/* hh_text - append text, white space folded */
static void
hh_text(struct hh_state *s, const GumboNode *n)
{
	const char *p = n->v.text.text;

	if (hh_len(s) == 0 && s->node == NULL)
		s->node = n;
	for (; *p != '\0'; p++) {
		if (html_is_space(*p)) {
			s->space = true;
			continue;
		}
		if (s->space && hh_len(s) > 0)
			g_string_append_c(s->buf, ' ');
		s->space = false;
		g_string_append_c(s->buf, *p);
	}
}

/* hh_enter - the line reader's visit of one node */
static enum html_walk_act
hh_enter(void *vctx, const GumboNode *n, int *state)
{
	struct hh_state *s = vctx;
	const struct html_tag_row *row;
	unsigned int mark;
	GumboTag t;

	if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE) {
		hh_text(s, n);
		return HTML_WALK_SKIP;
	}
	if (n->type != GUMBO_NODE_ELEMENT)
		return HTML_WALK_SKIP;
	t = html_node_tag(n);
	row = html_tag_row(t);
	if (row->san == HTML_SAN_DROP || html_node_hidden(n))
		return HTML_WALK_SKIP;
	mark = hh_mark(n);
	switch (row->txt) {
	case HTML_TXT_BR:
		hh_flush(s, true);
		return HTML_WALK_SKIP;
	case HTML_TXT_HR:
		hh_open(s, n, 0);
		hh_rule(s);
		hh_flush(s, false);
		return HTML_WALK_SKIP;
	case HTML_TXT_INLINE: case HTML_TXT_LINK: case HTML_TXT_IMG:
	case HTML_TXT_CELL:
		if (mark == 0)
			return HTML_WALK_DESCEND;
		break;
	default:
		break;
	}
	hh_open(s, n, mark);
	if (hh_border_top(n)) {
		hh_rule(s);
		hh_flush(s, false);
	}
	if (row->txt == HTML_TXT_QUOTE) {
		s->quote++;
		*state = 2;
	} else
		*state = 1;
	return HTML_WALK_DESCEND;
}

/* hh_leave - a block ends its line; a blockquote its quoting */
static void
hh_leave(void *vctx, const GumboNode *n, int state)
{
	struct hh_state *s = vctx;

	(void)n;
	if (state == 0)
		return;
	hh_flush(s, false);
	if (state == 2)
		s->quote--;
}

/* hh_shows - does a line in [at, end) hold a letter or a digit of the
 * document's text (not the rule line this file writes)? */
static bool
hh_shows(const struct hh_state *s, size_t at, size_t end)
{
	const struct hh_line *l;
	const char *t;
	size_t i, k;

	for (i = at; i < end && i < s->lines->len; i++) {
		l = &g_array_index(s->lines, struct hh_line, i);
		t = s->buf->str + l->off;
		if (l->len == strlen(HH_RULE) && memcmp(t, HH_RULE,
		    l->len) == 0)
			continue;
		for (k = 0; k < l->len; k++)
			if (g_ascii_isalnum(t[k]))
				return true;
	}
	return false;
}

/* hh_piece - html_sanitize() of out[from, to): cut without a parse
 * when the piece allows (html_cut_piece()), else sanitised again */
static char *
hh_piece(const GString *out, size_t from, size_t to)
{
	char *r;

	r = html_cut_piece(out->str, from, to);
	if (r == NULL)
		r = html_sanitize(out->str + from, to - from);
	return r;
}

/* html_split_history - the new text and the history, sanitised */
bool
html_split_history(const char *html, size_t len, bool forward,
    char **new_r, char **hist_r)
{
	struct html_doc doc;
	bool split;

	*new_r = *hist_r = NULL;
	if (html == NULL || len == 0 || forward)
		return false;
	html_doc_parse(html, len, &doc);
	split = html_hist_doc(&doc, new_r, hist_r, NULL);
	html_doc_free(&doc);
	return split;
}

/* html_hist_doc - html_split_history() of a parsed document; with
 * text_r, also html_to_text() of *new_r and *hist_r, read from the tree
 * (html_text_split()) */
bool
html_hist_doc(const struct html_doc *doc, char **new_r, char **hist_r,
    char *text_r[2])
{
	struct hh_state s;
	struct history_line *hl;
	struct hh_line *l;
	struct html_walker w = { hh_enter, hh_leave, NULL };
	const GumboNode *marks[2];
	GString *out;
	size_t i, at, end, pos[2];
	char *text[2], *a, *b;
	bool split = false;

	*new_r = *hist_r = NULL;
	text[0] = text[1] = NULL;
	if (text_r != NULL)
		text_r[0] = text_r[1] = NULL;
	memset(&s, 0, sizeof(s));
	s.lines = g_array_new(FALSE, FALSE, sizeof(struct hh_line));
	s.buf = g_string_new(NULL);
	w.ctx = &s;
	if (doc->body != NULL)
		html_walk(doc->body, &w);
	hh_flush(&s, false);

	hl = g_new0(struct history_line, s.lines->len + 1);
	for (i = 0; i < s.lines->len; i++) {
		l = &g_array_index(s.lines, struct hh_line, i);
		hl[i].text = s.buf->str + l->off;
		hl[i].len = l->len;
		hl[i].flags = l->flags;
	}
	at = history_find(hl, s.lines->len, false, &end);
	marks[0] = at < s.lines->len ? g_array_index(s.lines, struct hh_line,
	    at).node : NULL;
	marks[1] = end < s.lines->len ? g_array_index(s.lines,
	    struct hh_line, end).node : NULL;
	if (marks[0] != NULL) {
		out = html_san_doc(doc, marks, pos);
		/* The history in the middle: new text on both sides. */
		if (marks[1] == NULL || pos[1] == SIZE_MAX || pos[1] < pos[0])
			pos[1] = out->len;
		if (pos[0] != SIZE_MAX) {
			a = hh_piece(out, 0, pos[0]);
			b = hh_piece(out, pos[1], out->len);
			*new_r = g_strconcat(a, a[0] != '\0' && b[0] != '\0' ?
			    "\n" : "", b, NULL);
			*hist_r = hh_piece(out, pos[0], pos[1]);
			/* A letter or digit in its lines shows the history is
			 * not blank without reading its text; else its text
			 * tells, read from this tree as the halves' are. */
			split = hh_shows(&s, at, end);
			if (!split || text_r != NULL) {
				html_text_split(doc, marks, &text[0], &text[1]);
				split = split || text[1][0] != '\0';
			}
			if (split && text_r != NULL) {
				text_r[0] = text[0];
				text_r[1] = text[1];
				text[0] = text[1] = NULL;
			}
			g_free(text[0]);
			g_free(text[1]);
			g_free(a);
			g_free(b);
		}
		g_string_free(out, TRUE);
	}
	if (!split) {
		g_free(*new_r);
		g_free(*hist_r);
		*new_r = *hist_r = NULL;
	}
	g_free(hl);
	g_array_free(s.lines, TRUE);
	g_string_free(s.buf, TRUE);
	return split;
}
