/*
 * html_pre.c - the HTML5 pre-pass: untrusted HTML in, a canonical token
 * stream that gumbo parses in linear time out.
 *
 * A tokenizer written from the HTML5 tokenizer states rewrites the input
 * as a canonical, balanced token stream.  It drops comments, doctypes,
 * processing instructions, raw-text elements (script, style, textarea,
 * title, ...) with their content, foreign content (svg, math) and
 * templates; keeps only the attributes some later stage reads; and tracks
 * its own stack of open elements, so it can close elements explicitly and
 * refuse start tags beyond HTML_PRE_MAX_DEPTH.  It also renames the
 * formatting elements (b, i, font, a ...) to "m2n-b" and so on, so that
 * gumbo treats them as plain containers.
 *
 * Why: gumbo, like the HTML5 algorithm, walks its stack of open elements
 * for most start tags, so 100000 nested <div>s take minutes, and it
 * clones every "active formatting element" again after each block, so
 * 120 KB of <b a=1><b a=2>... eat gigabytes.  With the depth bounded and
 * no formatting elements left, both are linear.
 *
 * Which elements are void, raw text, formatting, special and so on is
 * read from the tag table in html.c (html_tag_row()), which also says what
 * the sanitizer and the text renderer do with each element.
 *
 * Owns: the pre-pass state (struct pre_state), nothing beyond one call.
 * Entry point: html_pre_run() (html_priv.h); cannot fail.
 * Reentrancy: reentrant.
 */
#include <stdbool.h>
#include <string.h>

#include <glib.h>
#include <gumbo.h>

#include "html_priv.h"

#define PRE_NAME_MAX	32	/* stored tag name, NUL included */
#define PRE_MAX_ATTRS	32	/* attributes kept per tag */
#define PRE_MAX_VALUE	16384	/* longer attribute values go */

struct pre_elem {
	GumboTag tag;
	char name[PRE_NAME_MAX];	/* lower case; for unknown tags */
};

struct pre_tag {
	bool end;
	bool self_closing;
	bool reserved;			/* name has HTML_FMT_PREFIX */
	GumboTag tag;
	char name[PRE_NAME_MAX];
};

struct pre_state {
	const char *b;
	size_t n;
	size_t i;
	GString *out;
	GString *attrs;			/* its attributes, canonical */
	struct pre_elem *stack;
	int depth;
	GumboTag skip_tag;		/* inside svg/math/template */
	int skip_level;
};

/* Attributes some later stage reads; everything else goes here. */
static const char *const pre_keep_attrs[] = {
	"align", "alt", "border", "cellpadding", "cellspacing", "class",
	"color", "colspan", "dir", "height", "hidden", "href", "id", "lang",
	"rowspan", "span", "src", "start", "style", "title", "type",
	"valign", "value", "width",
};

/* pre_is_alpha - ASCII letter */
static bool
pre_is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* pre_is_special - the HTML5 "special" category (li/dd/dt stop there) */
static bool
pre_is_special(GumboTag t)
{
	return html_tag_is(t, HTML_TAG_SPECIAL);
}

/* pre_scope_stop - elements that end the default "in scope" search */
static bool
pre_scope_stop(GumboTag t)
{
	return html_tag_is(t, HTML_TAG_SCOPE);
}

/* pre_elem_name - the name a stack entry is written with */
static const char *
pre_elem_name(const struct pre_elem *e)
{
	return e->tag == GUMBO_TAG_UNKNOWN ? e->name :
	    gumbo_normalized_tagname(e->tag);
}

/* pre_same - does stack entry e stand for tag t? */
static bool
pre_same(const struct pre_elem *e, const struct pre_tag *t)
{
	if (e->tag != t->tag)
		return false;
	return e->tag != GUMBO_TAG_UNKNOWN || strcmp(e->name, t->name) == 0;
}

/* pre_put_name - write a tag name, renaming formatting elements */
static void
pre_put_name(GString *out, GumboTag tag, const char *name)
{
	if (html_tag_is(tag, HTML_TAG_FORMATTING))
		html_puts(out, HTML_FMT_PREFIX);
	html_puts(out, name);
}

/* pre_pop_to - close the open elements from the top down to index k;
 * each end tag is made on the stack and appended in one piece */
static void
pre_pop_to(struct pre_state *p, int k)
{
	char buf[PRE_NAME_MAX + sizeof(HTML_FMT_PREFIX) + 3];
	const struct pre_elem *e;
	const char *name;
	size_t n, len;

	while (p->depth > k) {
		p->depth--;
		e = &p->stack[p->depth];
		name = pre_elem_name(e);
		len = strlen(name);
		if (len >= PRE_NAME_MAX)
			len = PRE_NAME_MAX - 1;	/* cannot happen */
		memcpy(buf, "</", 2);
		n = 2;
		if (html_tag_is(e->tag, HTML_TAG_FORMATTING)) {
			memcpy(buf + n, HTML_FMT_PREFIX,
			    sizeof(HTML_FMT_PREFIX) - 1);
			n += sizeof(HTML_FMT_PREFIX) - 1;
		}
		memcpy(buf + n, name, len);
		n += len;
		buf[n++] = '>';
		html_put(p->out, buf, n);
	}
}

/* pre_find - index of the topmost open t, searching down to an element
 * for which stop() holds; -1 if none */
static int
pre_find(const struct pre_state *p, GumboTag t, bool (*stop)(GumboTag))
{
	int k;

	for (k = p->depth - 1; k >= 0; k--) {
		if (p->stack[k].tag == t)
			return k;
		if (stop != NULL && stop(p->stack[k].tag))
			return -1;
	}
	return -1;
}

/* pre_button_stop - button scope */
static bool
pre_button_stop(GumboTag t)
{
	return pre_scope_stop(t) || t == GUMBO_TAG_BUTTON;
}

/* pre_list_stop - list item scope */
static bool
pre_list_stop(GumboTag t)
{
	return pre_scope_stop(t) || t == GUMBO_TAG_OL || t == GUMBO_TAG_UL;
}

/* pre_table_stop - table scope */
static bool
pre_table_stop(GumboTag t)
{
	return t == GUMBO_TAG_HTML || t == GUMBO_TAG_TABLE ||
	    t == GUMBO_TAG_TEMPLATE;
}

/* pre_marker_stop - where the search for an open <a> ends */
static bool
pre_marker_stop(GumboTag t)
{
	return pre_scope_stop(t);
}

/* pre_close_item - li, dd, dt: close an open item of the same kind unless
 * a special element other than address, div or p comes first */
static void
pre_close_item(struct pre_state *p, GumboTag a, GumboTag b)
{
	int k;
	GumboTag t;

	for (k = p->depth - 1; k >= 0; k--) {
		t = p->stack[k].tag;
		if (t == a || t == b) {
			pre_pop_to(p, k);
			return;
		}
		if (pre_is_special(t) && t != GUMBO_TAG_ADDRESS &&
		    t != GUMBO_TAG_DIV && t != GUMBO_TAG_P)
			return;
	}
}

/* pre_table_context - close down to the nearest element of table
 * structure that may hold t; false when t is outside any table */
static bool
pre_table_context(struct pre_state *p, GumboTag t)
{
	int k;
	GumboTag s;

	for (k = p->depth - 1; k >= 0; k--) {
		s = p->stack[k].tag;
		if (s == GUMBO_TAG_TEMPLATE || s == GUMBO_TAG_HTML)
			return false;
		if (s == GUMBO_TAG_TABLE)
			break;
		if (t == GUMBO_TAG_TD || t == GUMBO_TAG_TH) {
			if (s == GUMBO_TAG_TD || s == GUMBO_TAG_TH) {
				pre_pop_to(p, k);
				return true;
			}
			if (s == GUMBO_TAG_TR || s == GUMBO_TAG_TBODY ||
			    s == GUMBO_TAG_THEAD || s == GUMBO_TAG_TFOOT)
				break;
		} else if (t == GUMBO_TAG_TR) {
			if (s == GUMBO_TAG_TBODY || s == GUMBO_TAG_THEAD ||
			    s == GUMBO_TAG_TFOOT)
				break;
		}
	}
	if (k < 0)
		return false;
	pre_pop_to(p, k + 1);
	return true;
}

/* pre_start - a start tag: model the implied end tags, then pass it on
 * unless it is over the depth cap */
static void
pre_start(struct pre_state *p, const struct pre_tag *t)
{
	GumboTag tag = t->tag;
	int k;

	switch (tag) {
	case GUMBO_TAG_HTML: case GUMBO_TAG_HEAD: case GUMBO_TAG_BODY:
	case GUMBO_TAG_FRAMESET:
		return;
	default:
		break;
	}
	if (html_tag_is(tag, HTML_TAG_CLOSES_P)) {
		k = pre_find(p, GUMBO_TAG_P, pre_button_stop);
		if (k >= 0)
			pre_pop_to(p, k);
	}
	if (html_tag_is(tag, HTML_TAG_HEADING) && p->depth > 0 &&
	    html_tag_is(p->stack[p->depth - 1].tag, HTML_TAG_HEADING))
		pre_pop_to(p, p->depth - 1);

	switch (tag) {
	case GUMBO_TAG_LI:
		pre_close_item(p, GUMBO_TAG_LI, GUMBO_TAG_LI);
		break;
	case GUMBO_TAG_DD: case GUMBO_TAG_DT:
		pre_close_item(p, GUMBO_TAG_DD, GUMBO_TAG_DT);
		break;
	case GUMBO_TAG_TD: case GUMBO_TAG_TH: case GUMBO_TAG_TR:
	case GUMBO_TAG_TBODY: case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT:
	case GUMBO_TAG_CAPTION: case GUMBO_TAG_COLGROUP:
		if (!pre_table_context(p, tag))
			return;		/* gumbo would ignore it too */
		break;
	case GUMBO_TAG_OPTION: case GUMBO_TAG_OPTGROUP:
		if (p->depth > 0 &&
		    p->stack[p->depth - 1].tag == GUMBO_TAG_OPTION)
			pre_pop_to(p, p->depth - 1);
		if (tag == GUMBO_TAG_OPTGROUP && p->depth > 0 &&
		    p->stack[p->depth - 1].tag == GUMBO_TAG_OPTGROUP)
			pre_pop_to(p, p->depth - 1);
		break;
	case GUMBO_TAG_A:
		k = pre_find(p, GUMBO_TAG_A, pre_marker_stop);
		if (k >= 0)
			pre_pop_to(p, k);
		break;
	case GUMBO_TAG_NOBR: case GUMBO_TAG_BUTTON:
		k = pre_find(p, tag, pre_scope_stop);
		if (k >= 0)
			pre_pop_to(p, k);
		break;
	case GUMBO_TAG_FORM:
		if (pre_find(p, GUMBO_TAG_FORM, NULL) >= 0)
			return;		/* nested forms are ignored */
		break;
	case GUMBO_TAG_SELECT:
		k = pre_find(p, GUMBO_TAG_SELECT, NULL);
		if (k >= 0) {
			pre_pop_to(p, k);	/* a nested one ends it */
			return;
		}
		break;
	default:
		break;
	}

	if (!html_tag_is(tag, HTML_TAG_VOID)) {
		if (p->depth >= HTML_PRE_MAX_DEPTH)
			return;
		p->stack[p->depth].tag = tag;
		g_strlcpy(p->stack[p->depth].name, t->name, PRE_NAME_MAX);
		p->depth++;
	}
	g_string_append_c(p->out, '<');
	pre_put_name(p->out, tag, tag == GUMBO_TAG_UNKNOWN ? t->name :
	    gumbo_normalized_tagname(tag));
	html_put(p->out, p->attrs->str, p->attrs->len);
	g_string_append_c(p->out, '>');
}

/* pre_end - an end tag: close down to the matching open element, or drop
 * it when there is none in scope */
static void
pre_end(struct pre_state *p, const struct pre_tag *t)
{
	bool (*stop)(GumboTag);
	int k;

	switch (t->tag) {
	case GUMBO_TAG_HTML: case GUMBO_TAG_HEAD: case GUMBO_TAG_BODY:
	case GUMBO_TAG_FRAMESET:
		return;
	case GUMBO_TAG_BR:
		html_puts(p->out, "<br>");	/* as browsers do */
		return;
	default:
		break;
	}
	if (html_tag_is(t->tag, HTML_TAG_VOID))
		return;
	if (t->tag == GUMBO_TAG_P)
		stop = pre_button_stop;
	else if (t->tag == GUMBO_TAG_LI)
		stop = pre_list_stop;
	else if (html_tag_is(t->tag, HTML_TAG_TABLE_PART))
		stop = pre_table_stop;
	else
		stop = pre_scope_stop;
	for (k = p->depth - 1; k >= 0; k--) {
		if (pre_same(&p->stack[k], t) ||
		    (html_tag_is(t->tag, HTML_TAG_HEADING) &&
		    html_tag_is(p->stack[k].tag, HTML_TAG_HEADING))) {
			pre_pop_to(p, k);
			return;
		}
		if (stop(p->stack[k].tag))
			return;
	}
}

/*
 * pre_put_refs - copy text or (attr) an attribute value, escaping '"',
 * '<' and '>' in values.  Character references stay for gumbo to decode,
 * except numeric ones beyond U+10FFFF: gumbo 0.10.1 lets those overflow
 * and writes bytes that are not UTF-8 ("&#21111111111;"), so they become
 * the U+FFFD the HTML5 spec asks for.
 */
static void
pre_put_refs(GString *out, const char *s, size_t len, bool attr)
{
	size_t i, j, run;
	unsigned long v;
	bool hex;

	for (i = 0; i < len; i++) {
		/* a run that needs nothing, in one append */
		for (run = i; run < len && s[run] != '&' && (!attr ||
		    (s[run] != '"' && s[run] != '<' && s[run] != '>')); run++)
			;
		if (run > i) {
			html_put(out, s + i, run - i);
			i = run;
			if (i == len)
				break;
		}
		if (attr && (s[i] == '"' || s[i] == '<' || s[i] == '>')) {
			html_puts(out, s[i] == '"' ? "&quot;" :
			    s[i] == '<' ? "&lt;" : "&gt;");
			continue;
		}
		if (s[i] != '&' || i + 2 >= len || s[i + 1] != '#') {
			g_string_append_c(out, s[i]);
			continue;
		}
		hex = s[i + 2] == 'x' || s[i + 2] == 'X';
		j = i + (hex ? 3 : 2);
		for (v = 0; j < len && (hex ? g_ascii_isxdigit(s[j]) :
		    g_ascii_isdigit(s[j])); j++)
			if (v <= 0x10ffff)
				v = v * (hex ? 16 : 10) + (unsigned long)(hex ?
				    g_ascii_xdigit_value(s[j]) :
				    g_ascii_digit_value(s[j]));
		if (v <= 0x10ffff) {
			g_string_append_c(out, s[i]);
			continue;
		}
		if (j < len && s[j] == ';')
			j++;
		html_puts(out, "&#xFFFD;");
		i = j - 1;
	}
}

/* pre_keep_attr - index of name in pre_keep_attrs, or -1 */
static int
pre_keep_attr(const char *name, size_t len)
{
	size_t k;

	if (len == 0)
		return -1;
	for (k = 0; k < G_N_ELEMENTS(pre_keep_attrs); k++)
		if (pre_keep_attrs[k][0] == name[0] &&
		    strlen(pre_keep_attrs[k]) == len &&
		    memcmp(pre_keep_attrs[k], name, len) == 0)
			return (int)k;
	return -1;
}

/* pre_add_attr - append one kept attribute, canonically quoted; the value
 * keeps its character references for gumbo to decode */
static void
pre_add_attr(struct pre_state *p, const char *name, size_t nlen, const char *v,
    size_t vlen, unsigned int *seen, int *count)
{
	char lname[16];
	size_t k;
	int idx;

	if (nlen >= sizeof(lname) || vlen > PRE_MAX_VALUE ||
	    *count >= PRE_MAX_ATTRS)
		return;
	for (k = 0; k < nlen; k++)
		lname[k] = g_ascii_tolower(name[k]);
	idx = pre_keep_attr(lname, nlen);
	if (idx < 0 || (*seen & (1u << idx)) != 0)
		return;			/* the first one wins */
	*seen |= 1u << idx;
	(*count)++;
	g_string_append_c(p->attrs, ' ');
	html_put(p->attrs, lname, nlen);
	html_puts(p->attrs, "=\"");
	pre_put_refs(p->attrs, v, vlen, true);
	g_string_append_c(p->attrs, '"');
}

/*
 * pre_read_tag - read a tag at p->i ("<x" or "</x"), following the HTML5
 * tag, attribute and self-closing states.  Returns false at end of input
 * inside the tag (the tokenizer drops such a tag).
 */
static bool
pre_read_tag(struct pre_state *p, struct pre_tag *t)
{
	const char *b = p->b;
	size_t n = p->n, i = p->i + 1, ns, nlen, vs, ve;
	const char *q;
	unsigned int seen = 0;
	int count = 0;
	size_t k, len;
	bool odd = false;

	memset(t, 0, sizeof(*t));
	g_string_truncate(p->attrs, 0);
	if (b[i] == '/') {
		t->end = true;
		i++;
	}
	ns = i;
	while (i < n && !html_is_space(b[i]) && b[i] != '/' && b[i] != '>')
		i++;
	len = i - ns;
	for (k = 0; k < len && k < PRE_NAME_MAX - 1; k++) {
		t->name[k] = g_ascii_tolower(b[ns + k]);
		if (!g_ascii_isalnum(t->name[k]) && t->name[k] != '-' &&
		    t->name[k] != ':' && t->name[k] != '_' &&
		    t->name[k] != '.')
			odd = true;
	}
	t->name[k] = '\0';
	t->tag = len < PRE_NAME_MAX ? gumbo_tagn_enum(t->name,
	    (unsigned int)k) : GUMBO_TAG_UNKNOWN;
	if (t->tag == GUMBO_TAG_UNKNOWN) {
		if (strncmp(t->name, HTML_FMT_PREFIX,
		    strlen(HTML_FMT_PREFIX)) == 0)
			t->reserved = true;
		if (odd)
			g_strlcpy(t->name, "x-odd", sizeof(t->name));
	}

	for (;;) {
		/* before attribute name */
		while (i < n && (html_is_space(b[i]) || b[i] == '/')) {
			if (b[i] == '/' && i + 1 < n && b[i + 1] == '>')
				t->self_closing = true;
			i++;
		}
		if (i >= n)
			return false;
		if (b[i] == '>') {
			p->i = i + 1;
			return true;
		}
		/* attribute name: the first character may even be '=' */
		ns = i++;
		while (i < n && !html_is_space(b[i]) && b[i] != '/' &&
		    b[i] != '>' && b[i] != '=')
			i++;
		nlen = i - ns;
		/* after attribute name */
		while (i < n && html_is_space(b[i]))
			i++;
		vs = ve = i;
		if (i < n && b[i] == '=') {
			i++;
			while (i < n && html_is_space(b[i]))
				i++;
			if (i >= n)
				return false;
			if (b[i] == '"' || b[i] == '\'') {
				q = memchr(b + i + 1, b[i], n - i - 1);
				if (q == NULL)
					return false;
				vs = i + 1;
				ve = (size_t)(q - b);
				i = ve + 1;
			} else {
				vs = i;
				while (i < n && !html_is_space(b[i]) &&
				    b[i] != '>')
					i++;
				ve = i;
			}
		}
		if (!t->end)
			pre_add_attr(p, b + ns, nlen, b + vs, ve - vs, &seen,
			    &count);
	}
}

/* pre_skip_to_gt - skip a bogus comment or doctype: through the next '>' */
static void
pre_skip_to_gt(struct pre_state *p)
{
	const char *q = memchr(p->b + p->i, '>', p->n - p->i);

	p->i = q == NULL ? p->n : (size_t)(q - p->b) + 1;
}

/* pre_skip_comment - "<!--" at p->i: through "-->" or "--!>"; "<!-->" and
 * "<!--->" are complete (empty) comments */
static void
pre_skip_comment(struct pre_state *p)
{
	const char *b = p->b;
	size_t n = p->n, i = p->i + 4;

	if (i < n && b[i] == '>') {
		p->i = i + 1;
		return;
	}
	if (i + 1 < n && b[i] == '-' && b[i + 1] == '>') {
		p->i = i + 2;
		return;
	}
	for (; i + 2 < n; i++) {
		if (b[i] != '-' || b[i + 1] != '-')
			continue;
		if (b[i + 2] == '>') {
			p->i = i + 3;
			return;
		}
		if (b[i + 2] == '!' && i + 3 < n && b[i + 3] == '>') {
			p->i = i + 4;
			return;
		}
	}
	p->i = n;
}

/* pre_skip_raw - after the start tag of raw-text element t, skip its
 * content and its end tag */
static void
pre_skip_raw(struct pre_state *p, const struct pre_tag *t)
{
	const char *b = p->b, *q;
	size_t n = p->n, i = p->i, len = strlen(t->name);
	struct pre_tag end;

	while (i < n) {
		q = memchr(b + i, '<', n - i);
		if (q == NULL)
			break;
		i = (size_t)(q - b);
		if (i + 2 + len <= n && b[i + 1] == '/' &&
		    g_ascii_strncasecmp(b + i + 2, t->name, len) == 0 &&
		    (i + 2 + len == n || html_is_space(b[i + 2 + len]) ||
		    b[i + 2 + len] == '/' || b[i + 2 + len] == '>')) {
			p->i = i;
			if (!pre_read_tag(p, &end))
				p->i = n;
			return;
		}
		i++;
	}
	p->i = n;
}

/* pre_tag - act on one complete tag */
static void
pre_tag(struct pre_state *p, const struct pre_tag *t)
{
	if (p->skip_level > 0) {
		if (t->tag == p->skip_tag && !t->self_closing)
			p->skip_level += t->end ? -1 : 1;
		if (!t->end && html_tag_is(t->tag, HTML_TAG_RAW))
			pre_skip_raw(p, t);
		return;
	}
	if (t->reserved)
		return;
	if (t->end) {
		pre_end(p, t);
		return;
	}
	switch (t->tag) {
	case GUMBO_TAG_PLAINTEXT:
		p->i = p->n;		/* the rest is text: drop it */
		return;
	case GUMBO_TAG_SVG: case GUMBO_TAG_MATH: case GUMBO_TAG_TEMPLATE:
		if (!t->self_closing || t->tag == GUMBO_TAG_TEMPLATE) {
			p->skip_tag = t->tag;
			p->skip_level = 1;
		}
		return;
	default:
		break;
	}
	if (html_tag_is(t->tag, HTML_TAG_RAW)) {
		pre_skip_raw(p, t);
		return;
	}
	pre_start(p, t);
}

/* pre_text - copy text (it holds no '<'), unless inside a dropped tree */
static void
pre_text(struct pre_state *p, const char *s, size_t len)
{
	if (p->skip_level == 0)
		pre_put_refs(p->out, s, len, false);
}

/* html_pre_run - the whole pre-pass over valid UTF-8 b[0, n); new GString */
GString *
html_pre_run(const char *b, size_t n)
{
	struct pre_state p;
	struct pre_tag t;
	const char *q;
	char c;

	memset(&p, 0, sizeof(p));
	p.b = b;
	p.n = n;
	p.out = g_string_sized_new(n + 64);
	p.attrs = g_string_new(NULL);
	p.stack = g_new0(struct pre_elem, HTML_PRE_MAX_DEPTH);

	while (p.i < n) {
		q = memchr(b + p.i, '<', n - p.i);
		if (q == NULL) {
			pre_text(&p, b + p.i, n - p.i);
			break;
		}
		pre_text(&p, b + p.i, (size_t)(q - b) - p.i);
		p.i = (size_t)(q - b);
		if (p.i + 1 >= n) {
			pre_text(&p, "&lt;", 4);
			break;
		}
		c = b[p.i + 1];
		if (pre_is_alpha(c) || (c == '/' && p.i + 2 < n &&
		    pre_is_alpha(b[p.i + 2]))) {
			if (!pre_read_tag(&p, &t))
				break;	/* end of input inside a tag */
			pre_tag(&p, &t);
		} else if (c == '/') {
			if (p.i + 2 >= n) {
				pre_text(&p, "&lt;/", 5);
				break;
			}
			pre_skip_to_gt(&p);	/* "</>", bogus comment */
		} else if (c == '!') {
			if (p.i + 3 < n && memcmp(b + p.i, "<!--", 4) == 0)
				pre_skip_comment(&p);
			else
				pre_skip_to_gt(&p);
		} else if (c == '?') {
			pre_skip_to_gt(&p);
		} else {
			pre_text(&p, "&lt;", 4);
			p.i++;
		}
	}
	g_string_free(p.attrs, TRUE);
	g_free(p.stack);
	return p.out;
}

