/*
 * html_text.c - the text renderers: HTML to readable text
 * (html_to_text) and plain text to HTML (html_from_text,
 * html_from_text_plain).
 *
 * html_to_text walks the document html.c parsed (the pre-pass, then
 * gumbo) and lays it out as lines: what each element becomes (a block, a
 * list item, a quote, a link ...) is its text-kind column in the tag
 * table (html_tag_row()); what the sanitizer drops, it drops too.
 * html_text_split lays out the two halves of a reply cut at its history
 * in one walk of the same tree, as the sanitised halves read.
 * html_from_text writes text as HTML already in html_sanitize() form,
 * escaping with the sanitizer's own html_put_escaped().
 *
 * Owns: the layout state of one html_to_text() call (struct txt_state;
 * two and the cut's open elements for html_text_split) and nothing
 * beyond a call.
 * Used error codes: none; these functions cannot fail (see html.h).
 * Reentrancy: reentrant.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <gumbo.h>

#include "html.h"
#include "html_priv.h"

#define TXT_MAX_QUOTE	16	/* "> " prefixes at most */
#define TXT_MAX_LIST	8	/* list indentation levels at most */
#define TXT_LINK_CAPTURE 4096	/* link text compared with its URL */
#define TXT_PIECE_STATES 32	/* > the enum html_txt values (pieces walk) */

/* ------------------------------------------------------------------ */
/* html_to_text                                                       */
/* ------------------------------------------------------------------ */

struct txt_list {
	bool ordered;
	long next;			/* number of the next ordered item */
};

struct txt_state {
	GString *out;			/* finished lines */
	GString *line;			/* the line being built */
	bool any;			/* a line has been written */
	bool last_blank;		/* ... and the last one was blank */
	size_t blank_at;		/* out->len before that blank line */
	int want;			/* pending break: 1 line, 2 blank */
	int want_quote;			/* quote depth of that blank */
	bool space;			/* pending folded white space */
	bool sep;			/* pending table cell separator */
	char marker[32];		/* pending list marker */
	int quote;			/* blockquote depth */
	int pre;			/* pre depth */
	struct txt_list lists[TXT_MAX_LIST];
	int nlists;			/* may exceed TXT_MAX_LIST */
	GString *capture;		/* link text, while in a link (one
					 * buffer for every link) */
	char *href;			/* the link's URL; NULL: not in one */
	bool san;			/* html_text_split(): read as the
					 * sanitised HTML (no li value) */
};

/* txt_prefix - append the "> " prefixes for quote depth q */
static void
txt_prefix(GString *out, int q)
{
	int k;

	for (k = 0; k < q && k < TXT_MAX_QUOTE; k++)
		html_puts(out, "> ");
}

/* txt_blank - write one blank line (quoted at depth q); never two in a
 * row and never before the first line */
static void
txt_blank(struct txt_state *t, int q)
{
	if (!t->any || t->last_blank)
		return;
	t->blank_at = t->out->len;
	txt_prefix(t->out, q);
	while (t->out->len > t->blank_at &&
	    t->out->str[t->out->len - 1] == ' ')
		g_string_truncate(t->out, t->out->len - 1);
	g_string_append_c(t->out, '\n');
	t->last_blank = true;
}

/* txt_flush - write the current line, without trailing white space */
static void
txt_flush(struct txt_state *t)
{
	size_t z = t->line->len;

	while (z > 0 && (t->line->str[z - 1] == ' ' ||
	    t->line->str[z - 1] == '\t'))
		z--;
	g_string_truncate(t->line, z);
	if (z == 0) {
		txt_blank(t, t->quote);
		return;
	}
	txt_prefix(t->out, t->quote);
	html_put(t->out, t->line->str, t->line->len);
	g_string_append_c(t->out, '\n');
	g_string_truncate(t->line, 0);
	t->any = true;
	t->last_blank = false;
}

/* txt_block - ask for a line break (1) or a blank line (2) before the
 * next content */
static void
txt_block(struct txt_state *t, int n)
{
	if (t->want == 0 || t->quote < t->want_quote)
		t->want_quote = t->quote;
	if (n > t->want)
		t->want = n;
	t->space = false;
}

/* txt_breaks - carry out a pending break */
static void
txt_breaks(struct txt_state *t)
{
	if (t->want == 0)
		return;
	if (t->line->len > 0)
		txt_flush(t);
	if (t->want >= 2)
		txt_blank(t, t->want_quote);
	t->want = 0;
	t->sep = false;
	t->space = false;
}

/* txt_settle - before content: breaks, list marker, cell separator, and
 * the folded space */
static void
txt_settle(struct txt_state *t)
{
	txt_breaks(t);
	if (t->marker[0] != '\0') {
		if (t->line->len > 0)
			txt_flush(t);
		html_puts(t->line, t->marker);
		t->marker[0] = '\0';
		t->space = false;
		t->sep = false;
	}
	if (t->sep) {
		if (t->line->len > 0)
			html_puts(t->line, " | ");
		t->sep = false;
		t->space = false;
	}
	if (t->space && t->line->len > 0)
		g_string_append_c(t->line, ' ');
	t->space = false;
}

/* txt_newline - a hard line break (<br>, a newline inside <pre>) */
static void
txt_newline(struct txt_state *t)
{
	txt_breaks(t);
	if (t->line->len > 0)
		txt_flush(t);
	else
		txt_blank(t, t->quote);
	t->space = false;
}

/* txt_put - one character of content */
static void
txt_put(struct txt_state *t, const char *c, size_t len)
{
	txt_settle(t);
	html_put(t->line, c, len);
	if (t->href != NULL && t->capture->len < TXT_LINK_CAPTURE)
		html_put(t->capture, c, len);
}

/* txt_invisible - characters that print as nothing */
static bool
txt_invisible(gunichar u)
{
	return (u < 0x20 && u != '\t') || (u >= 0x7f && u <= 0x9f) ||
	    u == 0xad || u == 0x34f || u == 0x200b || u == 0x200c ||
	    u == 0x200d || u == 0x2060 || u == 0xfeff;
}

/* txt_text - a text node's content, folded unless inside <pre> */
static void
txt_text(struct txt_state *t, const char *s)
{
	const char *next;
	char *tmp;
	gunichar u;

	for (s = html_utf8_checked(s, &tmp); *s != '\0'; s = next) {
		next = g_utf8_next_char(s);
		u = g_utf8_get_char(s);
		if (t->pre > 0) {
			if (u == '\n')
				txt_newline(t);
			else if (u == 0xa0 || u == '\f')
				txt_put(t, " ", 1);
			else if (u == '\t' || !txt_invisible(u))
				txt_put(t, s, (size_t)(next - s));
			continue;
		}
		/* A run of visible ASCII is one put: the settling before
		 * its first character is all its others would do. */
		if (u > 0x20 && u < 0x7f) {
			for (next = s + 1; (unsigned char)*next > 0x20 &&
			    (unsigned char)*next < 0x7f; next++)
				;
			txt_put(t, s, (size_t)(next - s));
			continue;
		}
		if (html_is_space((int)u)) {
			t->space = true;
			if (t->href != NULL && t->capture->len > 0 &&
			    t->capture->len < TXT_LINK_CAPTURE)
				g_string_append_c(t->capture, ' ');
		} else if (u == 0xa0)
			txt_put(t, " ", 1);
		else if (!txt_invisible(u))
			txt_put(t, s, (size_t)(next - s));
	}
	g_free(tmp);
}


/*
 * txt_fold_link - s without surrounding ASCII white space, a leading
 * "mailto:", "http://" or "https://" (any case) and trailing '/': the
 * part of a URL or a link text compared with the other, ignoring ASCII
 * case.  Sets *len_r; returns where it starts in s, no copy.
 */
static const char *
txt_fold_link(const char *s, size_t *len_r)
{
	static const char *const drop[] = { "mailto:", "http://", "https://" };
	const char *e;
	size_t k, len;

	while (g_ascii_isspace(*s))
		s++;
	e = s + strlen(s);
	while (e > s && g_ascii_isspace(e[-1]))
		e--;
	/* The three prefixes start with h or m: most texts need no
	 * compare at all. */
	for (k = 0; k < G_N_ELEMENTS(drop); k++) {
		if ((*s | 0x20) != drop[k][0])
			continue;
		len = strlen(drop[k]);
		if ((size_t)(e - s) >= len &&
		    g_ascii_strncasecmp(s, drop[k], len) == 0) {
			s += len;
			break;
		}
	}
	while (e > s && e[-1] == '/')
		e--;
	*len_r = (size_t)(e - s);
	return s;
}

/* txt_link_end - after a link's text: " <url>" unless the text says it */
static void
txt_link_end(struct txt_state *t)
{
	char *href = t->href;
	const char *show = href, *a, *b, *s, *r;
	size_t alen, blen;
	bool same;

	a = txt_fold_link(t->capture->str, &alen);
	b = txt_fold_link(href, &blen);
	same = t->capture->len < TXT_LINK_CAPTURE && alen == blen &&
	    g_ascii_strncasecmp(a, b, alen) == 0;
	g_string_truncate(t->capture, 0);
	t->href = NULL;			/* the URL itself is not captured */
	if (!same) {
		if (g_ascii_strncasecmp(show, "mailto:", 7) == 0)
			show += 7;
		t->space = true;
		txt_put(t, "<", 1);
		for (s = show; *s != '\0'; s = g_utf8_next_char(s)) {
			/* visible ASCII in one put */
			for (r = s; (unsigned char)*r > 0x20 &&
			    (unsigned char)*r < 0x7f; r++)
				;
			if (r > s) {
				txt_put(t, s, (size_t)(r - s));
				s = r;
				if (*s == '\0')
					break;
			}
			if (!txt_invisible(g_utf8_get_char(s)) &&
			    !html_is_space(*s))
				txt_put(t, s, (size_t)(g_utf8_next_char(s) -
				    s));
		}
		txt_put(t, ">", 1);
	}
	g_free(href);
}

/* txt_li - start a list item: its marker waits for its first content */
static void
txt_li(struct txt_state *t, const GumboNode *n)
{
	struct txt_list *l = NULL;
	const char *v;
	int indent, k;
	long num;

	txt_block(t, 1);
	indent = 0;
	if (t->nlists > 0) {
		l = &t->lists[MIN(t->nlists, TXT_MAX_LIST) - 1];
		indent = 2 * (MIN(t->nlists, TXT_MAX_LIST) - 1);
	}
	for (k = 0; k < indent; k++)
		t->marker[k] = ' ';
	if (l == NULL || !l->ordered) {
		g_strlcpy(t->marker + indent, "- ",
		    sizeof(t->marker) - (size_t)indent);
		return;
	}
	/* The sanitizer drops value: its output numbers on. */
	v = t->san ? NULL : html_node_attr(n, "value");
	if (v != NULL) {
		num = strtol(v, NULL, 10);
		if (num > -1000000000L && num < 1000000000L)
			l->next = num;
	}
	g_snprintf(t->marker + indent, sizeof(t->marker) - (size_t)indent,
	    "%ld. ", l->next);
	if (l->next < 1000000000L)
		l->next++;
}

/* txt_element - the visit of element n, read as kind; bare: an image
 * without alt text reads "[image]" (as the sanitizer writes it) */
static enum html_walk_act
txt_element(struct txt_state *t, const GumboNode *n, enum html_txt kind,
    bool bare, int *state)
{
	struct txt_list *l;
	const char *v;
	char *label, *url;
	long num;

	*state = (int)kind;
	switch (kind) {
	case HTML_TXT_BLOCK1: case HTML_TXT_ROW: case HTML_TXT_BLOCK2:
		txt_block(t, kind == HTML_TXT_BLOCK2 ? 2 : 1);
		break;
	case HTML_TXT_PRE:
		txt_block(t, 2);
		t->pre++;
		break;
	case HTML_TXT_BR:
		txt_newline(t);
		return HTML_WALK_SKIP;
	case HTML_TXT_HR:
		txt_block(t, 1);
		txt_put(t, "---", 3);
		txt_block(t, 1);
		return HTML_WALK_SKIP;
	case HTML_TXT_IMG:
		label = html_img_label(n, bare);
		if (label != NULL) {
			txt_text(t, label);
			g_free(label);
		}
		return HTML_WALK_SKIP;
	case HTML_TXT_LIST:
		txt_block(t, 1);
		if (t->nlists < TXT_MAX_LIST) {
			l = &t->lists[t->nlists];
			l->ordered = html_node_tag(n) == GUMBO_TAG_OL;
			l->next = 1;
			v = html_node_attr(n, "start");
			if (l->ordered && v != NULL) {
				num = strtol(v, NULL, 10);
				if (num > -1000000000L && num < 1000000000L)
					l->next = num;
			}
		}
		t->nlists++;
		break;
	case HTML_TXT_LI:
		txt_li(t, n);
		break;
	case HTML_TXT_QUOTE:
		txt_block(t, 1);
		if (t->line->len > 0)
			txt_flush(t);
		t->quote++;
		break;
	case HTML_TXT_CELL:
		if (t->line->len > 0 && t->want == 0)
			t->sep = true;
		break;
	case HTML_TXT_LINK:
		url = html_url_clean(html_node_attr(n, "href"));
		if (url == NULL || t->href != NULL) {
			g_free(url);
			*state = HTML_TXT_INLINE;
			break;
		}
		t->href = url;
		break;
	case HTML_TXT_INLINE: case HTML_TXT_DROP:
		break;
	}
	return HTML_WALK_DESCEND;
}

/* txt_enter - html_to_text's visit of one node */
static enum html_walk_act
txt_enter(void *vctx, const GumboNode *n, int *state)
{
	struct txt_state *t = vctx;
	enum html_txt kind;

	switch (n->type) {
	case GUMBO_NODE_TEXT: case GUMBO_NODE_WHITESPACE:
		txt_text(t, n->v.text.text);
		return HTML_WALK_SKIP;
	case GUMBO_NODE_ELEMENT:
		break;
	default:
		return HTML_WALK_SKIP;
	}
	kind = html_tag_row(html_node_tag(n))->txt;
	if (kind == HTML_TXT_DROP || html_node_hidden(n))
		return HTML_WALK_SKIP;
	if (html_node_mso_para(n))
		kind = HTML_TXT_BLOCK1;
	return txt_element(t, n, kind, false, state);
}

/* txt_leave - the end of an element */
static void
txt_leave(void *vctx, const GumboNode *n, int state)
{
	struct txt_state *t = vctx;

	(void)n;
	switch ((enum html_txt)state) {
	case HTML_TXT_BLOCK1: case HTML_TXT_ROW: case HTML_TXT_LI:
		txt_block(t, 1);
		break;
	case HTML_TXT_BLOCK2:
		txt_block(t, 2);
		break;
	case HTML_TXT_PRE:
		t->pre--;
		txt_block(t, 2);
		break;
	case HTML_TXT_LIST:
		t->nlists--;
		txt_block(t, 1);
		break;
	case HTML_TXT_QUOTE:
		txt_block(t, 1);
		if (t->line->len > 0)
			txt_flush(t);
		t->quote--;
		if (t->quote < t->want_quote)
			t->want_quote = t->quote;
		t->marker[0] = '\0';
		break;
	case HTML_TXT_LINK:
		txt_link_end(t);
		break;
	default:
		break;
	}
}

/* txt_init - an empty layout, its output sized for size bytes */
static void
txt_init(struct txt_state *t, size_t size)
{
	memset(t, 0, sizeof(*t));
	t->out = g_string_sized_new(size);
	t->line = g_string_new(NULL);
	t->capture = g_string_new(NULL);
}

/* txt_finish - the last line written, the final blank line and newline
 * dropped; frees *t and returns the text */
static char *
txt_finish(struct txt_state *t)
{
	if (t->line->len > 0)
		txt_flush(t);
	if (t->last_blank)
		g_string_truncate(t->out, t->blank_at);
	if (t->out->len > 0 && t->out->str[t->out->len - 1] == '\n')
		g_string_truncate(t->out, t->out->len - 1);
	g_string_free(t->line, TRUE);
	g_string_free(t->capture, TRUE);
	g_free(t->href);
	return g_string_free(t->out, FALSE);
}

/* html_text_doc - html_to_text() of a parsed document; new string */
char *
html_text_doc(const struct html_doc *doc)
{
	struct txt_state t;
	struct html_walker w = { txt_enter, txt_leave, &t };

	txt_init(&t, doc->canon_len / 2 + 64);
	if (doc->body != NULL)
		html_walk(doc->body, &w);
	return txt_finish(&t);
}

/*
 * The pieces walk (html_text_pieces): one layout per piece of a document
 * parsed from several (html_doc_parse_pieces()); each node goes to the
 * layout of the piece its source offset is in.  An element a piece left
 * open holds the next piece's nodes, which go to that piece's layout,
 * and its end still goes to the layout that saw its start.
 */
struct txt_pieces {
	struct txt_state *t;
	const size_t *ends;		/* where each piece ends */
	size_t n;
};

/* pieces_of - index of the piece node n was parsed from */
static size_t
pieces_of(const struct txt_pieces *tp, const GumboNode *n)
{
	size_t off, lo = 0, hi = tp->n - 1, mid;

	if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE)
		off = n->v.element.start_pos.offset;
	else
		off = n->v.text.start_pos.offset;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (off < tp->ends[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* pieces_enter - txt_enter() in the node's piece; the piece goes into
 * *state beside txt_enter()'s state (an enum html_txt) */
static enum html_walk_act
pieces_enter(void *vctx, const GumboNode *n, int *state)
{
	struct txt_pieces *tp = vctx;
	size_t k;
	int s = 0;
	enum html_walk_act act;

	k = pieces_of(tp, n);
	act = txt_enter(&tp->t[k], n, &s);
	*state = (int)k * TXT_PIECE_STATES + s;
	return act;
}

/* pieces_leave - txt_leave() in the piece that saw the element start */
static void
pieces_leave(void *vctx, const GumboNode *n, int state)
{
	struct txt_pieces *tp = vctx;

	txt_leave(&tp->t[state / TXT_PIECE_STATES], n,
	    state % TXT_PIECE_STATES);
}

/* html_text_pieces - html_to_text() of each of the n pieces doc was
 * parsed from, ends as html_doc_parse_pieces() set them; new
 * NULL-terminated array, g_strfreev */
char **
html_text_pieces(const struct html_doc *doc, const size_t *ends, size_t n)
{
	struct txt_pieces tp = { NULL, ends, n };
	struct html_walker w = { pieces_enter, pieces_leave, &tp };
	char **r;
	size_t i;

	r = g_new0(char *, n + 1);
	if (n == 0)
		return r;
	tp.t = g_new(struct txt_state, n);
	for (i = 0; i < n; i++)
		txt_init(&tp.t[i], 64);
	if (doc->body != NULL)
		html_walk(doc->body, &w);
	for (i = 0; i < n; i++)
		r[i] = txt_finish(&tp.t[i]);
	g_free(tp.t);
	return r;
}

/*
 * The split walk (html_text_split): the text of the two halves of a
 * document cut at its quoted history, each as html_to_text() of that
 * half's sanitised HTML would read it, from the one tree.  It reads the
 * tree as the sanitizer writes it: only what it keeps (its drop rule, its
 * tags: an unwrapped element is no element, an article a div, an image
 * without alt "[image]", an li without its value, depth flattened as it
 * flattens), and a half holds only the nodes in its range: an element
 * opened before the cut is not in the piece (its end tag is a stray one),
 * and what the half left open at its end is closed there.
 */

struct split_open {
	const GumboNode *node;
	int state;			/* txt_element()'s, for txt_leave() */
};

struct split_state {
	struct txt_state half[2];	/* 0: the new text, 1: the history */
	GArray *open;			/* of struct split_open: the active
					 * half's elements, opened in range */
	const GumboNode *mark[2];	/* where the history starts, ends */
	int phase;			/* 0, 2: in half 0; 1: in half 1 */
	int depth;			/* elements the sanitizer nests */
};

/* split_close - end what the active half left open, innermost first */
static void
split_close(struct split_state *s, struct txt_state *t)
{
	struct split_open *o;

	while (s->open->len > 0) {
		o = &g_array_index(s->open, struct split_open,
		    s->open->len - 1);
		txt_leave(t, o->node, o->state);
		g_array_set_size(s->open, s->open->len - 1);
	}
}

/* split_text - a text node as the sanitised HTML parsed again has it:
 * the sanitizer drops a form feed (a control character) and a parser
 * reads a CR (from &#13;) as a line feed */
static void
split_text(struct txt_state *t, const char *s)
{
	GString *g;

	if (strpbrk(s, "\f\r") == NULL) {
		txt_text(t, s);
		return;
	}
	g = g_string_sized_new(strlen(s));
	for (; *s != '\0'; s++) {
		if (*s == '\r') {
			g_string_append_c(g, '\n');
			if (s[1] == '\n')
				s++;
		} else if (*s != '\f')
			g_string_append_c(g, *s);
	}
	txt_text(t, g->str);
	g_string_free(g, TRUE);
}

/* split_enter - the visit of one node: the cut marks move the walk from
 * one half to the other; the node is read as the sanitizer writes it */
static enum html_walk_act
split_enter(void *vctx, const GumboNode *n, int *state)
{
	struct split_state *s = vctx;
	const struct html_tag_row *row;
	struct split_open o;
	struct txt_state *t;
	enum html_walk_act act;
	char *label;

	/* The new text after the history: the two pieces were joined
	 * with a newline, white space between them. */
	if (n == s->mark[0] && s->phase == 0) {
		split_close(s, &s->half[0]);
		s->phase = 1;
	}
	if (n == s->mark[1] && s->phase == 1) {
		split_close(s, &s->half[1]);
		s->phase = 2;
		txt_text(&s->half[0], " ");
	}
	t = &s->half[s->phase == 1];
	switch (n->type) {
	case GUMBO_NODE_TEXT: case GUMBO_NODE_WHITESPACE:
		split_text(t, n->v.text.text);
		return HTML_WALK_SKIP;
	case GUMBO_NODE_ELEMENT:
		break;
	default:
		return HTML_WALK_SKIP;
	}
	row = html_tag_row(html_node_tag(n));
	if (row->san == HTML_SAN_DROP || html_node_hidden(n))
		return HTML_WALK_SKIP;
	o.node = n;
	o.state = 0;
	switch (row->san) {
	case HTML_SAN_IMG:
		/* <span>[image: ALT]</span> */
		label = html_img_label(n, true);
		if (label != NULL)
			split_text(t, label);
		g_free(label);
		return HTML_WALK_SKIP;
	case HTML_SAN_VOID:
		/* A parser ends an empty element at once. */
		if (txt_element(t, n, html_tag_row(row->san_as)->txt, true,
		    &o.state) == HTML_WALK_DESCEND)
			txt_leave(t, n, o.state);
		return HTML_WALK_SKIP;
	case HTML_SAN_KEEP:
		if (s->depth >= HTML_OUT_MAX_DEPTH)
			return HTML_WALK_DESCEND;	/* flattened */
		act = txt_element(t, n, html_tag_row(html_node_mso_para(n) ?
		    GUMBO_TAG_DIV : row->san_as)->txt, true, &o.state);
		if (act != HTML_WALK_DESCEND)
			return act;
		s->depth++;
		*state = 1;
		g_array_append_val(s->open, o);
		return HTML_WALK_DESCEND;
	default:
		return HTML_WALK_DESCEND;		/* unwrapped */
	}
}

/* split_leave - the end of an element: the active half ends it if it
 * opened it (an element of the other half was ended at the cut) */
static void
split_leave(void *vctx, const GumboNode *n, int state)
{
	struct split_state *s = vctx;
	struct split_open *o;

	if (state == 0)
		return;
	s->depth--;
	if (s->open->len == 0)
		return;
	o = &g_array_index(s->open, struct split_open, s->open->len - 1);
	if (o->node != n)
		return;
	txt_leave(&s->half[s->phase == 1], n, o->state);
	g_array_set_size(s->open, s->open->len - 1);
}

/* html_text_split - the text of the two halves of doc cut at marks */
void
html_text_split(const struct html_doc *doc, const GumboNode *const marks[2],
    char **new_r, char **hist_r)
{
	struct split_state s;
	struct html_walker w = { split_enter, split_leave, &s };
	int k;

	memset(&s, 0, sizeof(s));
	for (k = 0; k < 2; k++) {
		txt_init(&s.half[k], 64);
		s.half[k].san = true;
	}
	s.open = g_array_new(FALSE, FALSE, sizeof(struct split_open));
	s.mark[0] = marks[0];
	s.mark[1] = marks[1];
	if (doc->body != NULL)
		html_walk(doc->body, &w);
	split_close(&s, &s.half[s.phase == 1]);
	g_array_free(s.open, TRUE);
	*new_r = txt_finish(&s.half[0]);
	*hist_r = txt_finish(&s.half[1]);
}

/* html_to_text - readable plain text; new string, caller g_free()s */
char *
html_to_text(const char *html, size_t len)
{
	struct html_doc doc;
	char *r;

	if (html == NULL || len == 0)
		return g_strdup("");
	html_doc_parse(html, len, &doc);
	r = html_text_doc(&doc);
	html_doc_free(&doc);
	return r;
}

/* ------------------------------------------------------------------ */
/* html_from_text                                                     */
/* ------------------------------------------------------------------ */

#define FT_MAX_QUOTE 16

/* ft_url_char - may c (at s) continue a URL? */
static bool
ft_url_char(const char *s)
{
	gunichar u = g_utf8_get_char(s);

	if (u < 0x80)
		return u > 0x20 && u != 0x7f && strchr("<>\"`{}|\\^", (int)u)
		    == NULL;
	return !g_unichar_isspace(u) && !g_unichar_ispunct(u) &&
	    g_unichar_isprint(u);
}

/*
 * ft_url_len - length of an http(s) URL starting at s, or 0.  The URL
 * ends at white space or a character URLs do not hold; trailing
 * punctuation and an unbalanced closing bracket belong to the sentence.
 */
static size_t
ft_url_len(const char *s)
{
	const char *p, *host;
	size_t len;
	int paren = 0, brack = 0;

	if (g_ascii_strncasecmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (g_ascii_strncasecmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		return 0;
	for (p = host; *p != '\0' && ft_url_char(p); p = g_utf8_next_char(p))
		;
	len = (size_t)(p - s);
	for (p = s; p < s + len; p++) {
		if (*p == '(')
			paren++;
		else if (*p == ')')
			paren--;
		else if (*p == '[')
			brack++;
		else if (*p == ']')
			brack--;
	}
	while (len > (size_t)(host - s)) {
		char c = s[len - 1];

		if (strchr(".,;:!?'\"*", c) != NULL)
			len--;
		else if (c == ')' && paren < 0) {
			paren++;
			len--;
		} else if (c == ']' && brack < 0) {
			brack++;
			len--;
		} else
			break;
	}
	if (len <= (size_t)(host - s) ||
	    !g_unichar_isalnum(g_utf8_get_char(host)))
		return 0;
	return len;
}

/*
 * ft_run - the end of the run of s[0, e - s) that html_put_escaped() can
 * write in one piece: up to two spaces in a row (all but the last become
 * &nbsp;) or, unless plain, the start of a URL (its length in *ulen_r).
 * A lone space between words is written as it is, so it stays in the run.
 */
static const char *
ft_run(const char *line, const char *s, const char *e, bool plain,
    size_t *ulen_r)
{
	const char *q;

	*ulen_r = 0;
	for (q = s; q < e; q++) {
		/* ' ' and 'h' | 0x20 == 'h' (h, H): the only bytes to look at */
		if (*q != ' ' && (*q | 0x20) != 'h')
			continue;
		if (*q == ' ' && q + 1 < e && q[1] == ' ')
			break;
		if (!plain && *q != ' ' && (q == line ||
		    !g_ascii_isalnum(q[-1]))) {
			*ulen_r = ft_url_len(q);
			if (*ulen_r > 0)
				break;
		}
	}
	return q;
}

/*
 * ft_line - one line of text as HTML: spaces kept with &nbsp;, tabs
 * expanded, URLs linked unless plain.  s[len] is a line end or the NUL
 * after the text, so a URL never runs past the line.  The line is
 * escaped in runs, copied first only when it has a tab to expand.
 */
static void
ft_line(GString *out, const char *s, size_t len, bool plain)
{
	GString *l = NULL;
	const char *p, *e, *q, *line;
	size_t col = 0, run, k, ulen;

	if (memchr(s, '\t', len) != NULL) {
		/* tabs to spaces at 8-column stops */
		l = g_string_sized_new(len + 64);
		for (p = s; p < s + len; p = g_utf8_next_char(p)) {
			if (*p == '\t') {
				do
					g_string_append_c(l, ' ');
				while (++col % 8 != 0);
			} else {
				html_put(l, p,
				    g_utf8_next_char(p) - p);
				col++;
			}
		}
		s = l->str;
		len = l->len;
	}
	/* trailing spaces go */
	line = s;
	e = s + len;
	while (e > s && e[-1] == ' ')
		e--;

	/* leading spaces are all &nbsp; */
	for (p = s; p < e && *p == ' '; p++)
		html_put(out, "&nbsp;", 6);
	while (p < e) {
		if (*p == ' ') {
			/* two or more: &nbsp; but for the last */
			for (run = 0; p + run < e && p[run] == ' '; run++)
				;
			for (k = 0; k + 1 < run; k++)
				html_put(out, "&nbsp;", 6);
			g_string_append_c(out, ' ');
			p += run;
			continue;
		}
		q = ft_run(line, p, e, plain, &ulen);
		html_put_escaped(out, p, (size_t)(q - p), false);
		p = q;
		if (ulen > 0) {
			html_puts(out, "<a href=\"");
			html_put_escaped(out, p, ulen, true);
			html_puts(out, "\" rel=\"" HTML_REL_VALUE "\">");
			html_put_escaped(out, p, ulen, false);
			html_puts(out, "</a>");
			p += ulen;
		}
	}
	if (l != NULL)
		g_string_free(l, TRUE);
}

/* ft_quote_level - count leading '>' (optionally spaced, "> > x"); *rest
 * is the line after them and one following space */
static int
ft_quote_level(const char *s, size_t len, size_t *rest)
{
	size_t i = 0, mark = 0;
	int q = 0;

	for (;;) {
		while (i < len && s[i] == ' ' && q > 0)
			i++;
		if (i < len && s[i] == '>') {
			q++;
			i++;
			mark = i;
			continue;
		}
		break;
	}
	if (q > 0 && mark < len && s[mark] == ' ')
		mark++;
	*rest = mark;
	return MIN(q, FT_MAX_QUOTE);
}

/*
 * html_ft_lines - the lines of scrubbed text [s, end) as HTML, appended
 * to out from state *st (which they update); with marks, each line's
 * start is recorded there first (struct html_ft_mark, off relative to s)
 */
void
html_ft_lines(GString *out, const char *s, const char *end, bool plain,
    struct html_ft_state *st, GArray *marks)
{
	struct html_ft_mark m;
	const char *base = s, *eol;
	size_t len, rest, k;
	int q;
	bool blank;

	for (; s < end; s = eol) {
		if (marks != NULL) {
			m.off = (size_t)(s - base);
			m.out = out->len;
			m.st = *st;
			g_array_append_val(marks, m);
		}
		eol = html_line_end(s, end);
		len = (size_t)(eol - s);
		if (eol < end && eol[0] == '\r' && eol + 1 < end &&
		    eol[1] == '\n')
			eol += 2;
		else if (eol < end)
			eol++;

		if (plain) {
			q = 0;
			rest = 0;
		} else
			q = ft_quote_level(s, len, &rest);
		blank = true;
		for (k = rest; k < len && blank; k++)
			blank = html_is_space(s[k]);
		if (q != st->cur) {
			if (st->in_p)
				html_puts(out, "</p>\n");
			st->in_p = false;
			for (; st->cur < q; st->cur++)
				html_puts(out, "<blockquote>\n");
			for (; st->cur > q; st->cur--)
				html_puts(out, "</blockquote>\n");
		}
		if (blank) {
			if (st->in_p)
				html_puts(out, "</p>\n");
			st->in_p = false;
			continue;
		}
		html_puts(out, st->in_p ? "<br>\n" : "<p>");
		st->in_p = true;
		ft_line(out, s + rest, len - rest, plain);
	}
}

/* html_ft_close - close what state st left open, and drop the final
 * newline */
void
html_ft_close(GString *out, struct html_ft_state *st)
{
	if (st->in_p)
		html_puts(out, "</p>\n");
	st->in_p = false;
	for (; st->cur > 0; st->cur--)
		html_puts(out, "</blockquote>\n");
	if (out->len > 0 && out->str[out->len - 1] == '\n')
		g_string_truncate(out, out->len - 1);
}

/*
 * ft_render - text as HTML: html_from_text(), or with plain only <p> and
 * <br> (no links, quote marks left as text)
 */
static char *
ft_render(const char *text, bool plain)
{
	struct html_ft_state st = { false, 0 };
	GString *out;
	char *valid;
	size_t len;

	if (text == NULL)
		return g_strdup("");
	valid = html_scrub(text, -1);
	len = strlen(valid);
	out = g_string_sized_new(len * 2 + 16);
	html_ft_lines(out, valid, valid + len, plain, &st, NULL);
	html_ft_close(out, &st);
	g_free(valid);
	return g_string_free(out, FALSE);
}

/* html_from_text - plain text as HTML; new string, caller g_free()s */
char *
html_from_text(const char *text)
{
	return ft_render(text, false);
}

/* html_from_text_plain - text as HTML with only <p> and <br> */
char *
html_from_text_plain(const char *text)
{
	return ft_render(text, true);
}
