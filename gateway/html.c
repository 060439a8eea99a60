/*
 * html.c - HTML in, safe HTML or readable text out.
 *
 * Three stages, none of which is a regex on markup:
 *
 * 1. pre_*: a tokenizer written from the HTML5 tokenizer states rewrites
 *    the input as a canonical, balanced token stream.  It drops comments,
 *    doctypes, processing instructions, raw-text elements (script, style,
 *    textarea, title, ...) with their content, foreign content (svg, math)
 *    and templates; keeps only the attributes some later stage reads; and
 *    tracks its own stack of open elements, so it can close elements
 *    explicitly and refuse start tags beyond PRE_MAX_DEPTH.  It also
 *    renames the formatting elements (b, i, font, a ...) to "m2n-b" and so
 *    on, so that gumbo treats them as plain containers.
 *
 *    Why: gumbo, like the HTML5 algorithm, walks its stack of open
 *    elements for most start tags, so 100000 nested <div>s take minutes,
 *    and it clones every "active formatting element" again after each
 *    block, so 120 KB of <b a=1><b a=2>... eat gigabytes.  With the depth
 *    bounded and no formatting elements left, both are linear.
 *
 * 2. gumbo parses that stream as a browser would (entities, tables,
 *    implied elements).
 *
 * 3. An iterative walk of the body (an explicit stack, never recursion)
 *    either re-serialises an allowlist of elements and attributes
 *    (html_sanitize) or renders text (html_to_text).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <gumbo.h>

#include "html.h"

#define PRE_MAX_DEPTH	256	/* open elements let through */
#define PRE_NAME_MAX	32	/* stored tag name, NUL included */
#define PRE_MAX_ATTRS	32	/* attributes kept per tag */
#define PRE_MAX_VALUE	16384	/* longer attribute values go */
#define FMT_PREFIX	"m2n-"	/* renamed formatting elements */
#define OUT_MAX_DEPTH	256	/* elements html_sanitize nests */
#define URL_MAX		8192	/* longer hrefs are dropped */
#define ALT_MAX		200	/* characters of alt text kept */
#define TXT_MAX_QUOTE	16	/* "> " prefixes at most */
#define TXT_MAX_LIST	8	/* list indentation levels at most */
#define LINK_CAPTURE	4096	/* link text compared with its URL */
#define REL_VALUE	"noopener noreferrer nofollow"

/* ------------------------------------------------------------------ */
/* Character helpers                                                  */
/* ------------------------------------------------------------------ */

/* is_html_space - the five HTML white-space characters */
static bool
is_html_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* is_alpha - ASCII letter */
static bool
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* put_escaped - append s[0, len) escaped for text, or for a double-quoted
 * attribute value when attr; U+00A0 as &nbsp;, control characters dropped */
static void
put_escaped(GString *out, const char *s, size_t len, bool attr)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		switch (c) {
		case '&':
			g_string_append(out, "&amp;");
			break;
		case '<':
			g_string_append(out, "&lt;");
			break;
		case '>':
			g_string_append(out, "&gt;");
			break;
		case '"':
			if (attr)
				g_string_append(out, "&quot;");
			else
				g_string_append_c(out, '"');
			break;
		case 0xc2:
			/* U+00A0 and the C1 controls U+0080..U+009F */
			if (i + 1 < len && (unsigned char)s[i + 1] == 0xa0) {
				g_string_append(out, "&nbsp;");
				i++;
			} else if (i + 1 < len &&
			    (unsigned char)s[i + 1] >= 0x80 &&
			    (unsigned char)s[i + 1] <= 0x9f) {
				i++;
			} else
				g_string_append_c(out, (char)c);
			break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n' &&
			    c != '\r') || c == 0x7f)
				break;
			g_string_append_c(out, (char)c);
			break;
		}
	}
}

/*
 * scrub - valid UTF-8 copy of s[0, len) (len -1: NUL-terminated) without
 * what gumbo would turn into U+FFFD anyway, so that text and HTML agree:
 * invalid bytes and NUL become U+FFFD, and so do noncharacters (U+FDD0 to
 * U+FDEF, U+xFFFE, U+xFFFF); C0 controls other than white space, DEL and
 * the C1 controls are dropped
 */
static char *
scrub(const char *s, gssize len)
{
	char *v = g_utf8_make_valid(s, len);
	GString *g = g_string_sized_new(strlen(v) + 1);
	const char *p, *next;
	gunichar u;

	for (p = v; *p != '\0'; p = next) {
		next = g_utf8_next_char(p);
		u = g_utf8_get_char(p);
		if ((u < 0x20 && !is_html_space((int)u)) ||
		    (u >= 0x7f && u <= 0x9f))
			continue;
		if ((u >= 0xfdd0 && u <= 0xfdef) || (u & 0xfffe) == 0xfffe)
			g_string_append(g, "\xef\xbf\xbd");
		else
			g_string_append_len(g, p, next - p);
	}
	g_free(v);
	return g_string_free(g, FALSE);
}

/* valid_copy - scrub() of at most HTML_MAX_INPUT bytes of HTML */
static char *
valid_copy(const char *s, size_t len)
{
	if (len > HTML_MAX_INPUT)
		len = HTML_MAX_INPUT;
	return scrub(s, (gssize)len);
}

/* checked - s if it is valid UTF-8, else a repaired copy left in *tmp
 * (g_free it); gumbo's strings are trusted no further than that */
static const char *
checked(const char *s, char **tmp)
{
	*tmp = NULL;
	if (g_utf8_validate(s, -1, NULL))
		return s;
	*tmp = g_utf8_make_valid(s, -1);
	return *tmp;
}

/* ------------------------------------------------------------------ */
/* URLs                                                               */
/* ------------------------------------------------------------------ */

/*
 * url_clean - the URL a browser would follow for an href value, or NULL
 * unless its scheme is http, https or mailto.  Browsers strip leading and
 * trailing C0 controls and spaces and remove tabs and newlines anywhere
 * ("java\tscript:" is javascript:), so do the same before looking at the
 * scheme; a value without a scheme (relative, "#anchor") is refused.
 */
static char *
url_clean(const char *v)
{
	GString *u;
	const char *end, *scheme;

	if (v == NULL || !g_utf8_validate(v, -1, NULL))
		return NULL;
	while (*v != '\0' && (unsigned char)*v <= 0x20)
		v++;
	end = v + strlen(v);
	while (end > v && (unsigned char)end[-1] <= 0x20)
		end--;
	if ((size_t)(end - v) > URL_MAX)
		return NULL;
	u = g_string_sized_new((gsize)(end - v) + 1);
	for (; v < end; v++)
		if (*v != '\t' && *v != '\n' && *v != '\r')
			g_string_append_c(u, *v);

	/* The RFC 3986 scheme, lower case (interned, not freed). */
	scheme = g_uri_peek_scheme(u->str);
	if (scheme == NULL || (strcmp(scheme, "http") != 0 &&
	    strcmp(scheme, "https") != 0 && strcmp(scheme, "mailto") != 0)) {
		g_string_free(u, TRUE);
		return NULL;
	}
	return g_string_free(u, FALSE);
}

/* ------------------------------------------------------------------ */
/* Stage 1: the pre-pass                                              */
/* ------------------------------------------------------------------ */

struct pre_elem {
	GumboTag tag;
	char name[PRE_NAME_MAX];	/* lower case; for unknown tags */
};

struct pre_tag {
	bool end;
	bool self_closing;
	bool reserved;			/* name starts with FMT_PREFIX */
	GumboTag tag;
	char name[PRE_NAME_MAX];
};

struct pre {
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
	"color", "colspan", "dir", "height", "hidden", "href", "lang", "rowspan",
	"span", "src", "start", "style", "title", "type", "valign",
	"value", "width",
};

/* pre_is_void - elements without content or end tag */
static bool
pre_is_void(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_AREA: case GUMBO_TAG_BASE: case GUMBO_TAG_BASEFONT:
	case GUMBO_TAG_BGSOUND: case GUMBO_TAG_BR: case GUMBO_TAG_COL:
	case GUMBO_TAG_EMBED: case GUMBO_TAG_FRAME: case GUMBO_TAG_HR:
	case GUMBO_TAG_IMAGE: case GUMBO_TAG_IMG: case GUMBO_TAG_INPUT:
	case GUMBO_TAG_ISINDEX: case GUMBO_TAG_KEYGEN: case GUMBO_TAG_LINK:
	case GUMBO_TAG_MENUITEM: case GUMBO_TAG_META: case GUMBO_TAG_PARAM:
	case GUMBO_TAG_SOURCE: case GUMBO_TAG_TRACK: case GUMBO_TAG_WBR:
	case GUMBO_TAG_SPACER: case GUMBO_TAG_NEXTID:
		return true;
	default:
		return false;
	}
}

/* pre_is_raw - elements whose content is text up to their end tag; the
 * pre-pass drops them whole */
static bool
pre_is_raw(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_XMP:
	case GUMBO_TAG_IFRAME: case GUMBO_TAG_NOEMBED:
	case GUMBO_TAG_NOFRAMES: case GUMBO_TAG_NOSCRIPT:
	case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_TITLE:
		return true;
	default:
		return false;
	}
}

/* pre_is_formatting - the HTML5 formatting elements, renamed for gumbo */
static bool
pre_is_formatting(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_A: case GUMBO_TAG_B: case GUMBO_TAG_BIG:
	case GUMBO_TAG_CODE: case GUMBO_TAG_EM: case GUMBO_TAG_FONT:
	case GUMBO_TAG_I: case GUMBO_TAG_NOBR: case GUMBO_TAG_S:
	case GUMBO_TAG_SMALL: case GUMBO_TAG_STRIKE: case GUMBO_TAG_STRONG:
	case GUMBO_TAG_TT: case GUMBO_TAG_U:
		return true;
	default:
		return false;
	}
}

/* pre_is_heading - h1 to h6 */
static bool
pre_is_heading(GumboTag t)
{
	return t == GUMBO_TAG_H1 || t == GUMBO_TAG_H2 || t == GUMBO_TAG_H3 ||
	    t == GUMBO_TAG_H4 || t == GUMBO_TAG_H5 || t == GUMBO_TAG_H6;
}

/* pre_closes_p - start tags that close an open p in button scope */
static bool
pre_closes_p(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE:
	case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_CENTER:
	case GUMBO_TAG_DETAILS: case GUMBO_TAG_DIR: case GUMBO_TAG_DIV:
	case GUMBO_TAG_DL: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_FIGCAPTION:
	case GUMBO_TAG_FIGURE: case GUMBO_TAG_FOOTER: case GUMBO_TAG_HEADER:
	case GUMBO_TAG_HGROUP: case GUMBO_TAG_MAIN: case GUMBO_TAG_MENU:
	case GUMBO_TAG_NAV: case GUMBO_TAG_OL: case GUMBO_TAG_P:
	case GUMBO_TAG_SECTION: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_UL:
	case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
	case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
	case GUMBO_TAG_PRE: case GUMBO_TAG_LISTING: case GUMBO_TAG_FORM:
	case GUMBO_TAG_LI: case GUMBO_TAG_DD: case GUMBO_TAG_DT:
	case GUMBO_TAG_TABLE: case GUMBO_TAG_HR:
		return true;
	default:
		return false;
	}
}

/* pre_is_special - the HTML5 "special" category (li/dd/dt stop there) */
static bool
pre_is_special(GumboTag t)
{
	if (pre_closes_p(t) || pre_is_void(t) || pre_is_raw(t))
		return true;
	switch (t) {
	case GUMBO_TAG_APPLET: case GUMBO_TAG_BODY: case GUMBO_TAG_BUTTON:
	case GUMBO_TAG_CAPTION: case GUMBO_TAG_COLGROUP:
	case GUMBO_TAG_FRAMESET: case GUMBO_TAG_HEAD: case GUMBO_TAG_HTML:
	case GUMBO_TAG_MARQUEE: case GUMBO_TAG_OBJECT:
	case GUMBO_TAG_PLAINTEXT: case GUMBO_TAG_SELECT: case GUMBO_TAG_TBODY:
	case GUMBO_TAG_TD: case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_TFOOT:
	case GUMBO_TAG_TH: case GUMBO_TAG_THEAD: case GUMBO_TAG_TR:
		return true;
	default:
		return false;
	}
}

/* pre_scope_stop - elements that end the default "in scope" search */
static bool
pre_scope_stop(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_APPLET: case GUMBO_TAG_CAPTION: case GUMBO_TAG_HTML:
	case GUMBO_TAG_TABLE: case GUMBO_TAG_TD: case GUMBO_TAG_TH:
	case GUMBO_TAG_MARQUEE: case GUMBO_TAG_OBJECT: case GUMBO_TAG_TEMPLATE:
		return true;
	default:
		return false;
	}
}

/* pre_is_table_part - elements whose end tags use table scope */
static bool
pre_is_table_part(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_TABLE: case GUMBO_TAG_CAPTION: case GUMBO_TAG_COLGROUP:
	case GUMBO_TAG_TBODY: case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT:
	case GUMBO_TAG_TR: case GUMBO_TAG_TD: case GUMBO_TAG_TH:
		return true;
	default:
		return false;
	}
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
	if (pre_is_formatting(tag))
		g_string_append(out, FMT_PREFIX);
	g_string_append(out, name);
}

/* pre_pop_to - close the open elements from the top down to index k */
static void
pre_pop_to(struct pre *p, int k)
{
	while (p->depth > k) {
		p->depth--;
		g_string_append(p->out, "</");
		pre_put_name(p->out, p->stack[p->depth].tag,
		    pre_elem_name(&p->stack[p->depth]));
		g_string_append_c(p->out, '>');
	}
}

/* pre_find - index of the topmost open t, searching down to an element
 * for which stop() holds; -1 if none */
static int
pre_find(const struct pre *p, GumboTag t, bool (*stop)(GumboTag))
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
pre_close_item(struct pre *p, GumboTag a, GumboTag b)
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
pre_table_context(struct pre *p, GumboTag t)
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
pre_start(struct pre *p, const struct pre_tag *t)
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
	if (pre_closes_p(tag)) {
		k = pre_find(p, GUMBO_TAG_P, pre_button_stop);
		if (k >= 0)
			pre_pop_to(p, k);
	}
	if (pre_is_heading(tag) && p->depth > 0 &&
	    pre_is_heading(p->stack[p->depth - 1].tag))
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

	if (!pre_is_void(tag)) {
		if (p->depth >= PRE_MAX_DEPTH)
			return;
		p->stack[p->depth].tag = tag;
		g_strlcpy(p->stack[p->depth].name, t->name, PRE_NAME_MAX);
		p->depth++;
	}
	g_string_append_c(p->out, '<');
	pre_put_name(p->out, tag, tag == GUMBO_TAG_UNKNOWN ? t->name :
	    gumbo_normalized_tagname(tag));
	g_string_append_len(p->out, p->attrs->str, (gssize)p->attrs->len);
	g_string_append_c(p->out, '>');
}

/* pre_end - an end tag: close down to the matching open element, or drop
 * it when there is none in scope */
static void
pre_end(struct pre *p, const struct pre_tag *t)
{
	bool (*stop)(GumboTag);
	int k;

	switch (t->tag) {
	case GUMBO_TAG_HTML: case GUMBO_TAG_HEAD: case GUMBO_TAG_BODY:
	case GUMBO_TAG_FRAMESET:
		return;
	case GUMBO_TAG_BR:
		g_string_append(p->out, "<br>");	/* as browsers do */
		return;
	default:
		break;
	}
	if (pre_is_void(t->tag))
		return;
	if (t->tag == GUMBO_TAG_P)
		stop = pre_button_stop;
	else if (t->tag == GUMBO_TAG_LI)
		stop = pre_list_stop;
	else if (pre_is_table_part(t->tag))
		stop = pre_table_stop;
	else
		stop = pre_scope_stop;
	for (k = p->depth - 1; k >= 0; k--) {
		if (pre_same(&p->stack[k], t) ||
		    (pre_is_heading(t->tag) &&
		    pre_is_heading(p->stack[k].tag))) {
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
	size_t i, j;
	unsigned long v;
	bool hex;

	for (i = 0; i < len; i++) {
		if (attr && (s[i] == '"' || s[i] == '<' || s[i] == '>')) {
			g_string_append(out, s[i] == '"' ? "&quot;" :
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
		g_string_append(out, "&#xFFFD;");
		i = j - 1;
	}
}

/* pre_keep_attr - index of name in pre_keep_attrs, or -1 */
static int
pre_keep_attr(const char *name, size_t len)
{
	size_t k;

	for (k = 0; k < G_N_ELEMENTS(pre_keep_attrs); k++)
		if (strlen(pre_keep_attrs[k]) == len &&
		    memcmp(pre_keep_attrs[k], name, len) == 0)
			return (int)k;
	return -1;
}

/* pre_add_attr - append one kept attribute, canonically quoted; the value
 * keeps its character references for gumbo to decode */
static void
pre_add_attr(struct pre *p, const char *name, size_t nlen, const char *v,
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
	g_string_append_len(p->attrs, lname, (gssize)nlen);
	g_string_append(p->attrs, "=\"");
	pre_put_refs(p->attrs, v, vlen, true);
	g_string_append_c(p->attrs, '"');
}

/*
 * pre_read_tag - read a tag at p->i ("<x" or "</x"), following the HTML5
 * tag, attribute and self-closing states.  Returns false at end of input
 * inside the tag (the tokenizer drops such a tag).
 */
static bool
pre_read_tag(struct pre *p, struct pre_tag *t)
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
	while (i < n && !is_html_space(b[i]) && b[i] != '/' && b[i] != '>')
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
		if (strncmp(t->name, FMT_PREFIX, strlen(FMT_PREFIX)) == 0)
			t->reserved = true;
		if (odd)
			g_strlcpy(t->name, "x-odd", sizeof(t->name));
	}

	for (;;) {
		/* before attribute name */
		while (i < n && (is_html_space(b[i]) || b[i] == '/')) {
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
		while (i < n && !is_html_space(b[i]) && b[i] != '/' &&
		    b[i] != '>' && b[i] != '=')
			i++;
		nlen = i - ns;
		/* after attribute name */
		while (i < n && is_html_space(b[i]))
			i++;
		vs = ve = i;
		if (i < n && b[i] == '=') {
			i++;
			while (i < n && is_html_space(b[i]))
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
				while (i < n && !is_html_space(b[i]) &&
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
pre_skip_to_gt(struct pre *p)
{
	const char *q = memchr(p->b + p->i, '>', p->n - p->i);

	p->i = q == NULL ? p->n : (size_t)(q - p->b) + 1;
}

/* pre_skip_comment - "<!--" at p->i: through "-->" or "--!>"; "<!-->" and
 * "<!--->" are complete (empty) comments */
static void
pre_skip_comment(struct pre *p)
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
pre_skip_raw(struct pre *p, const struct pre_tag *t)
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
		    (i + 2 + len == n || is_html_space(b[i + 2 + len]) ||
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
pre_tag(struct pre *p, const struct pre_tag *t)
{
	if (p->skip_level > 0) {
		if (t->tag == p->skip_tag && !t->self_closing)
			p->skip_level += t->end ? -1 : 1;
		if (!t->end && pre_is_raw(t->tag))
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
	if (pre_is_raw(t->tag)) {
		pre_skip_raw(p, t);
		return;
	}
	pre_start(p, t);
}

/* pre_text - copy text (it holds no '<'), unless inside a dropped tree */
static void
pre_text(struct pre *p, const char *s, size_t len)
{
	if (p->skip_level == 0)
		pre_put_refs(p->out, s, len, false);
}

/* pre_run - the whole pre-pass over valid UTF-8 b[0, n); new GString */
static GString *
pre_run(const char *b, size_t n)
{
	struct pre p;
	struct pre_tag t;
	const char *q;
	char c;

	memset(&p, 0, sizeof(p));
	p.b = b;
	p.n = n;
	p.out = g_string_sized_new(n + 64);
	p.attrs = g_string_new(NULL);
	p.stack = g_new0(struct pre_elem, PRE_MAX_DEPTH);

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
		if (is_alpha(c) || (c == '/' && p.i + 2 < n &&
		    is_alpha(b[p.i + 2]))) {
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

/* ------------------------------------------------------------------ */
/* Stage 2: gumbo                                                     */
/* ------------------------------------------------------------------ */

struct parsed {
	GumboOutput *out;
	GString *canon;
	const GumboNode *body;		/* NULL for a frameset document */
};

/* parse - pre-pass and gumbo over untrusted bytes; free with parsed_free */
static void
parse(const char *html, size_t len, struct parsed *ps)
{
	GumboOptions opt = kGumboDefaultOptions;
	const GumboVector *kids;
	const GumboNode *k;
	char *valid;
	unsigned int i;

	memset(ps, 0, sizeof(*ps));
	valid = valid_copy(html, len);
	ps->canon = pre_run(valid, strlen(valid));
	g_free(valid);

	opt.max_errors = 0;	/* recording errors costs time and memory */
	ps->out = gumbo_parse_with_options(&opt, ps->canon->str,
	    ps->canon->len);
	if (ps->out == NULL || ps->out->root == NULL ||
	    ps->out->root->type != GUMBO_NODE_ELEMENT)
		return;
	kids = &ps->out->root->v.element.children;
	for (i = 0; i < kids->length; i++) {
		k = kids->data[i];
		if (k->type == GUMBO_NODE_ELEMENT &&
		    k->v.element.tag == GUMBO_TAG_BODY) {
			ps->body = k;
			break;
		}
	}
}

/* parsed_free - release what parse() made */
static void
parsed_free(struct parsed *ps)
{
	if (ps->out != NULL)
		gumbo_destroy_output(&kGumboDefaultOptions, ps->out);
	if (ps->canon != NULL)
		g_string_free(ps->canon, TRUE);
	memset(ps, 0, sizeof(*ps));
}

/* node_tag - an element's tag, seeing through the pre-pass renaming;
 * GUMBO_TAG_UNKNOWN for elements HTML does not define */
static GumboTag
node_tag(const GumboNode *n)
{
	GumboStringPiece s;
	size_t plen = strlen(FMT_PREFIX);

	if (n->v.element.tag != GUMBO_TAG_UNKNOWN)
		return n->v.element.tag;
	s = n->v.element.original_tag;
	if (s.data == NULL || s.length < 2)
		return GUMBO_TAG_UNKNOWN;
	gumbo_tag_from_original_text(&s);
	if (s.length > plen && g_ascii_strncasecmp(s.data, FMT_PREFIX,
	    plen) == 0)
		return gumbo_tagn_enum(s.data + plen,
		    (unsigned int)(s.length - plen));
	return GUMBO_TAG_UNKNOWN;
}

/* attr - value of attribute name on element n, or NULL */
static const char *
attr(const GumboNode *n, const char *name)
{
	const GumboAttribute *a;

	a = gumbo_get_attribute(&n->v.element.attributes, name);
	return a == NULL ? NULL : a->value;
}

/*
 * node_hidden - content the sender hid: the hidden attribute or an inline
 * "display: none" (e-mail preheaders).  A minimal look at the declarations,
 * enough for what mailers write; anything cleverer just stays visible.
 */
static bool
node_hidden(const GumboNode *n)
{
	const char *style;
	char **decls, *colon, *prop, *val;
	bool hidden = false;
	size_t k;

	if (attr(n, "hidden") != NULL)
		return true;
	style = attr(n, "style");
	if (style == NULL || strlen(style) < 12)
		return false;		/* shorter than "display:none" */
	decls = g_strsplit(style, ";", 64);
	for (k = 0; decls[k] != NULL && !hidden; k++) {
		colon = strchr(decls[k], ':');
		if (colon == NULL)
			continue;
		*colon = '\0';
		prop = g_strstrip(decls[k]);
		val = g_strstrip(colon + 1);
		if (g_ascii_strcasecmp(prop, "display") == 0 &&
		    (g_ascii_strcasecmp(val, "none") == 0 ||
		    g_ascii_strcasecmp(val, "none !important") == 0 ||
		    g_ascii_strcasecmp(val, "none!important") == 0))
			hidden = true;
	}
	g_strfreev(decls);
	return hidden;
}

/*
 * is_mso_para - an Outlook/Word paragraph (<p class="MsoNormal">, and
 * MsoPlainText, MsoListParagraph ...).  Word's own style sheet, which the
 * sanitizer drops, gives these no margins: each is one line, and an empty
 * one (<o:p>&nbsp;</o:p>) makes the blank line.  Read as <p>, every line of
 * the mail, signature included, would stand a paragraph apart.
 */
static bool
is_mso_para(const GumboNode *n)
{
	const char *cls, *s;

	if (node_tag(n) != GUMBO_TAG_P || (cls = attr(n, "class")) == NULL)
		return false;
	for (s = cls; *s != '\0'; s++)
		if ((s == cls || is_html_space(s[-1])) &&
		    strncmp(s, "Mso", 3) == 0)
			return true;
	return false;
}

/* is_dropped - elements dropped with everything inside them */
static bool
is_dropped(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_IFRAME:
	case GUMBO_TAG_FRAME: case GUMBO_TAG_FRAMESET: case GUMBO_TAG_OBJECT:
	case GUMBO_TAG_EMBED: case GUMBO_TAG_APPLET: case GUMBO_TAG_NOSCRIPT:
	case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_SVG: case GUMBO_TAG_MATH:
	case GUMBO_TAG_HEAD: case GUMBO_TAG_TITLE: case GUMBO_TAG_SELECT:
	case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_BUTTON: case GUMBO_TAG_INPUT:
	case GUMBO_TAG_BASE: case GUMBO_TAG_META: case GUMBO_TAG_LINK:
	case GUMBO_TAG_PARAM: case GUMBO_TAG_AUDIO: case GUMBO_TAG_VIDEO:
	case GUMBO_TAG_SOURCE: case GUMBO_TAG_TRACK: case GUMBO_TAG_CANVAS:
	case GUMBO_TAG_NOEMBED: case GUMBO_TAG_NOFRAMES: case GUMBO_TAG_XMP:
	case GUMBO_TAG_PLAINTEXT: case GUMBO_TAG_KEYGEN:
	case GUMBO_TAG_DATALIST: case GUMBO_TAG_BGSOUND:
	case GUMBO_TAG_ISINDEX:
		return true;
	default:
		return false;
	}
}

/*
 * img_label - "[image: ALT]" for an <img>, "[image]" without alt, NULL
 * for decorative images (alt="") and 1x1 tracking pixels.  An image the
 * message carries itself (src="cid:...") is never decorative: Thunderbird
 * writes alt="" on every picture pasted into a mail, so it is "[image]".
 * Whitespace in the alt text is folded and the text cut at ALT_MAX
 * characters.
 */
static char *
img_label(const GumboNode *n, bool bare_ok)
{
	const char *alt = attr(n, "alt"), *w = attr(n, "width"),
	    *h = attr(n, "height"), *src = attr(n, "src"), *s;
	GString *g;
	char *tmp;
	long chars = 0;
	bool space = false;

	if ((w != NULL && (strcmp(w, "0") == 0 || strcmp(w, "1") == 0)) ||
	    (h != NULL && (strcmp(h, "0") == 0 || strcmp(h, "1") == 0)))
		return NULL;
	if (alt == NULL)
		return bare_ok ? g_strdup("[image]") : NULL;
	g = g_string_new("[image: ");
	alt = checked(alt, &tmp);
	for (s = alt; *s != '\0' && chars < ALT_MAX; s = g_utf8_next_char(s)) {
		if (is_html_space(*s)) {
			space = true;
			continue;
		}
		if (space && g->len > 8)
			g_string_append_c(g, ' ');
		space = false;
		g_string_append_len(g, s, g_utf8_next_char(s) - s);
		chars++;
	}
	g_free(tmp);
	if (g->len == 8) {
		g_string_free(g, TRUE);
		for (s = src; s != NULL && is_html_space(*s); s++)
			;
		return bare_ok && s != NULL &&
		    g_ascii_strncasecmp(s, "cid:", 4) == 0 ?
		    g_strdup("[image]") : NULL;
	}
	g_string_append_c(g, ']');
	return g_string_free(g, FALSE);
}

/* ------------------------------------------------------------------ */
/* The walk                                                           */
/* ------------------------------------------------------------------ */

enum walk_act { WALK_SKIP, WALK_DESCEND };

struct walker {
	/* node: an element or text; *state is kept for leave() */
	enum walk_act (*enter)(void *ctx, const GumboNode *node, int *state);
	void (*leave)(void *ctx, const GumboNode *node, int state);
	void *ctx;
};

struct walk_frame {
	const GumboNode *node;
	unsigned int next;
	int state;
};

/* walk - visit root's descendants in document order with an explicit
 * stack, so no document depth can overflow ours */
static void
walk(const GumboNode *root, const struct walker *w)
{
	GArray *st = g_array_new(FALSE, FALSE, sizeof(struct walk_frame));
	struct walk_frame f = { root, 0, 0 }, *top;
	const GumboVector *kids;
	const GumboNode *child;

	g_array_append_val(st, f);
	while (st->len > 0) {
		top = &g_array_index(st, struct walk_frame, st->len - 1);
		kids = &top->node->v.element.children;
		if (top->next < kids->length) {
			child = kids->data[top->next++];
			f.node = child;
			f.next = 0;
			f.state = 0;
			if (w->enter(w->ctx, child, &f.state) != WALK_DESCEND)
				continue;
			if (child->type == GUMBO_NODE_ELEMENT ||
			    child->type == GUMBO_NODE_TEMPLATE)
				g_array_append_val(st, f);
			else
				w->leave(w->ctx, child, f.state);
			continue;
		}
		f = *top;
		g_array_set_size(st, st->len - 1);
		if (st->len > 0)
			w->leave(w->ctx, f.node, f.state);
	}
	g_array_free(st, TRUE);
}

/* ------------------------------------------------------------------ */
/* Stage 3a: html_sanitize                                            */
/* ------------------------------------------------------------------ */

enum san_kind { SAN_UNWRAP, SAN_KEEP, SAN_VOID, SAN_IMG };

struct san {
	GString *out;
	int depth;
};

/* san_map - what html_sanitize writes for tag t (*out: as which tag) */
static enum san_kind
san_map(GumboTag t, GumboTag *out)
{
	*out = t;
	switch (t) {
	case GUMBO_TAG_A: case GUMBO_TAG_ABBR: case GUMBO_TAG_ADDRESS:
	case GUMBO_TAG_B: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_CAPTION:
	case GUMBO_TAG_CENTER: case GUMBO_TAG_CITE: case GUMBO_TAG_CODE:
	case GUMBO_TAG_COLGROUP: case GUMBO_TAG_DD: case GUMBO_TAG_DEL:
	case GUMBO_TAG_DETAILS: case GUMBO_TAG_DFN: case GUMBO_TAG_DIV:
	case GUMBO_TAG_DL: case GUMBO_TAG_DT: case GUMBO_TAG_EM:
	case GUMBO_TAG_FONT: case GUMBO_TAG_H1: case GUMBO_TAG_H2:
	case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5:
	case GUMBO_TAG_H6: case GUMBO_TAG_I: case GUMBO_TAG_INS:
	case GUMBO_TAG_KBD: case GUMBO_TAG_LI: case GUMBO_TAG_MARK:
	case GUMBO_TAG_OL: case GUMBO_TAG_P: case GUMBO_TAG_PRE:
	case GUMBO_TAG_Q: case GUMBO_TAG_S: case GUMBO_TAG_SAMP:
	case GUMBO_TAG_SMALL: case GUMBO_TAG_SPAN: case GUMBO_TAG_STRIKE:
	case GUMBO_TAG_STRONG: case GUMBO_TAG_SUB: case GUMBO_TAG_SUMMARY:
	case GUMBO_TAG_SUP: case GUMBO_TAG_TABLE: case GUMBO_TAG_TBODY:
	case GUMBO_TAG_TD: case GUMBO_TAG_TFOOT: case GUMBO_TAG_TH:
	case GUMBO_TAG_THEAD: case GUMBO_TAG_TR: case GUMBO_TAG_TT:
	case GUMBO_TAG_U: case GUMBO_TAG_UL: case GUMBO_TAG_VAR:
		return SAN_KEEP;
	case GUMBO_TAG_BR: case GUMBO_TAG_HR: case GUMBO_TAG_COL:
	case GUMBO_TAG_WBR:
		return SAN_VOID;
	case GUMBO_TAG_IMG: case GUMBO_TAG_IMAGE:
		return SAN_IMG;
	case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE:
	case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_FIGURE:
	case GUMBO_TAG_FOOTER: case GUMBO_TAG_HEADER: case GUMBO_TAG_HGROUP:
	case GUMBO_TAG_MAIN: case GUMBO_TAG_NAV: case GUMBO_TAG_SECTION:
		*out = GUMBO_TAG_DIV;	/* the block, not the name */
		return SAN_KEEP;
	case GUMBO_TAG_LISTING:
		*out = GUMBO_TAG_PRE;
		return SAN_KEEP;
	case GUMBO_TAG_DIR: case GUMBO_TAG_MENU:
		*out = GUMBO_TAG_UL;
		return SAN_KEEP;
	default:
		return SAN_UNWRAP;
	}
}

/* san_attr_ok - may tag t carry attribute name (href is checked apart) */
static bool
san_attr_ok(GumboTag t, const char *name)
{
	if (strcmp(name, "title") == 0 || strcmp(name, "dir") == 0 ||
	    strcmp(name, "lang") == 0)
		return true;
	switch (t) {
	case GUMBO_TAG_TD: case GUMBO_TAG_TH:
		return strcmp(name, "colspan") == 0 ||
		    strcmp(name, "rowspan") == 0 ||
		    strcmp(name, "align") == 0 || strcmp(name, "valign") == 0;
	case GUMBO_TAG_TABLE:
		return strcmp(name, "border") == 0 ||
		    strcmp(name, "cellpadding") == 0 ||
		    strcmp(name, "cellspacing") == 0 ||
		    strcmp(name, "align") == 0;
	case GUMBO_TAG_OL:
		return strcmp(name, "start") == 0 || strcmp(name, "type") == 0;
	case GUMBO_TAG_FONT:
		return strcmp(name, "color") == 0;
	case GUMBO_TAG_COL: case GUMBO_TAG_COLGROUP:
		return strcmp(name, "span") == 0;
	case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_SPAN:
	case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
	case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
	case GUMBO_TAG_TR:
		return strcmp(name, "align") == 0;
	default:
		return false;
	}
}

/* san_put_attr - append name="value", escaped */
static void
san_put_attr(GString *out, const char *name, const char *value)
{
	g_string_append_printf(out, " %s=\"", name);
	put_escaped(out, value, strlen(value), true);
	g_string_append_c(out, '"');
}

/* san_start_tag - "<tag attrs>" with the allowed attributes only */
static void
san_start_tag(GString *out, const GumboNode *n, GumboTag as)
{
	const GumboVector *av = &n->v.element.attributes;
	const GumboAttribute *a;
	char *url;
	bool link = false;
	unsigned int i;

	g_string_append_c(out, '<');
	g_string_append(out, gumbo_normalized_tagname(as));
	for (i = 0; i < av->length; i++) {
		a = av->data[i];
		if (a->attr_namespace != GUMBO_ATTR_NAMESPACE_NONE)
			continue;
		if (as == GUMBO_TAG_A && strcmp(a->name, "href") == 0) {
			url = url_clean(a->value);
			if (url != NULL) {
				san_put_attr(out, "href", url);
				link = true;
			}
			g_free(url);
		} else if (san_attr_ok(as, a->name))
			san_put_attr(out, a->name, a->value);
	}
	if (link)
		g_string_append(out, " rel=\"" REL_VALUE "\"");
	g_string_append_c(out, '>');
}

/* san_enter - html_sanitize's visit of one node */
static enum walk_act
san_enter(void *vctx, const GumboNode *n, int *state)
{
	struct san *s = vctx;
	const GumboNode *first;
	enum san_kind kind;
	GumboTag tag, as;
	char *label;

	switch (n->type) {
	case GUMBO_NODE_TEXT: case GUMBO_NODE_WHITESPACE:
		put_escaped(s->out, n->v.text.text, strlen(n->v.text.text),
		    false);
		return WALK_SKIP;
	case GUMBO_NODE_ELEMENT:
		break;
	default:
		return WALK_SKIP;	/* comments, CDATA, templates */
	}
	tag = node_tag(n);
	if (is_dropped(tag) || node_hidden(n))
		return WALK_SKIP;
	kind = san_map(tag, &as);
	if (is_mso_para(n))
		as = GUMBO_TAG_DIV;
	switch (kind) {
	case SAN_IMG:
		label = img_label(n, true);
		if (label != NULL) {
			g_string_append(s->out, "<span>");
			put_escaped(s->out, label, strlen(label), false);
			g_string_append(s->out, "</span>");
		}
		g_free(label);
		return WALK_SKIP;
	case SAN_VOID:
		san_start_tag(s->out, n, as);
		return WALK_SKIP;
	case SAN_KEEP:
		if (s->depth >= OUT_MAX_DEPTH)
			return WALK_DESCEND;	/* flattened */
		san_start_tag(s->out, n, as);
		s->depth++;
		*state = (int)as + 1;
		/*
		 * A parser drops one newline right after <pre>; add one so
		 * a newline that starts the content survives a re-parse.
		 */
		if (as == GUMBO_TAG_PRE && n->v.element.children.length > 0) {
			first = n->v.element.children.data[0];
			if ((first->type == GUMBO_NODE_TEXT ||
			    first->type == GUMBO_NODE_WHITESPACE) &&
			    first->v.text.text[0] == '\n')
				g_string_append_c(s->out, '\n');
		}
		return WALK_DESCEND;
	default:
		return WALK_DESCEND;		/* unwrapped */
	}
}

/* san_leave - close what san_enter opened */
static void
san_leave(void *vctx, const GumboNode *n, int state)
{
	struct san *s = vctx;

	(void)n;
	if (state == 0)
		return;
	g_string_append_printf(s->out, "</%s>",
	    gumbo_normalized_tagname((GumboTag)(state - 1)));
	s->depth--;
}

/* trim_ascii - new string: s without leading and trailing ASCII space */
static char *
trim_ascii(GString *g)
{
	size_t a = 0, z = g->len;

	while (a < z && is_html_space(g->str[a]))
		a++;
	while (z > a && is_html_space(g->str[z - 1]))
		z--;
	return g_strndup(g->str + a, z - a);
}

/* html_sanitize - allowlisted fragment; new string, caller g_free()s */
char *
html_sanitize(const char *html, size_t len)
{
	struct parsed ps;
	struct san s = { NULL, 0 };
	struct walker w = { san_enter, san_leave, &s };
	char *r, *bad;

	if (html == NULL || len == 0)
		return g_strdup("");
	parse(html, len, &ps);
	s.out = g_string_sized_new(ps.canon->len + 64);
	if (ps.body != NULL)
		walk(ps.body, &w);
	parsed_free(&ps);
	r = trim_ascii(s.out);
	g_string_free(s.out, TRUE);
	if (!g_utf8_validate(r, -1, NULL)) {
		bad = r;
		r = g_utf8_make_valid(bad, -1);
		g_free(bad);
	}
	return r;
}

/* ------------------------------------------------------------------ */
/* Stage 3b: html_to_text                                             */
/* ------------------------------------------------------------------ */

struct txt_list {
	bool ordered;
	long next;			/* number of the next ordered item */
};

struct txt {
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
	GString *capture;		/* link text, while in a link */
	char *href;			/* the link's URL */
};

/* txt_prefix - append the "> " prefixes for quote depth q */
static void
txt_prefix(GString *out, int q)
{
	int k;

	for (k = 0; k < q && k < TXT_MAX_QUOTE; k++)
		g_string_append(out, "> ");
}

/* txt_blank - write one blank line (quoted at depth q); never two in a
 * row and never before the first line */
static void
txt_blank(struct txt *t, int q)
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
txt_flush(struct txt *t)
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
	g_string_append_len(t->out, t->line->str, (gssize)t->line->len);
	g_string_append_c(t->out, '\n');
	g_string_truncate(t->line, 0);
	t->any = true;
	t->last_blank = false;
}

/* txt_block - ask for a line break (1) or a blank line (2) before the
 * next content */
static void
txt_block(struct txt *t, int n)
{
	if (t->want == 0 || t->quote < t->want_quote)
		t->want_quote = t->quote;
	if (n > t->want)
		t->want = n;
	t->space = false;
}

/* txt_breaks - carry out a pending break */
static void
txt_breaks(struct txt *t)
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
txt_settle(struct txt *t)
{
	txt_breaks(t);
	if (t->marker[0] != '\0') {
		if (t->line->len > 0)
			txt_flush(t);
		g_string_append(t->line, t->marker);
		t->marker[0] = '\0';
		t->space = false;
		t->sep = false;
	}
	if (t->sep) {
		if (t->line->len > 0)
			g_string_append(t->line, " | ");
		t->sep = false;
		t->space = false;
	}
	if (t->space && t->line->len > 0)
		g_string_append_c(t->line, ' ');
	t->space = false;
}

/* txt_newline - a hard line break (<br>, a newline inside <pre>) */
static void
txt_newline(struct txt *t)
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
txt_put(struct txt *t, const char *c, size_t len)
{
	txt_settle(t);
	g_string_append_len(t->line, c, (gssize)len);
	if (t->capture != NULL && t->capture->len < LINK_CAPTURE)
		g_string_append_len(t->capture, c, (gssize)len);
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
txt_text(struct txt *t, const char *s)
{
	const char *next;
	char *tmp;
	gunichar u;

	for (s = checked(s, &tmp); *s != '\0'; s = next) {
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
		if (is_html_space((int)u)) {
			t->space = true;
			if (t->capture != NULL && t->capture->len > 0 &&
			    t->capture->len < LINK_CAPTURE)
				g_string_append_c(t->capture, ' ');
		} else if (u == 0xa0)
			txt_put(t, " ", 1);
		else if (!txt_invisible(u))
			txt_put(t, s, (size_t)(next - s));
	}
	g_free(tmp);
}

/* txt_kind - how html_to_text treats an element */
enum txt_kind {
	TXT_INLINE, TXT_BLOCK1, TXT_BLOCK2, TXT_BR, TXT_HR, TXT_IMG,
	TXT_LIST, TXT_LI, TXT_QUOTE, TXT_PRE, TXT_ROW, TXT_CELL, TXT_LINK
};

/* txt_kind_of - the treatment for tag t */
static enum txt_kind
txt_kind_of(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_P: case GUMBO_TAG_H1: case GUMBO_TAG_H2:
	case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5:
	case GUMBO_TAG_H6:
		return TXT_BLOCK2;
	case GUMBO_TAG_PRE: case GUMBO_TAG_LISTING:
		return TXT_PRE;
	case GUMBO_TAG_BR:
		return TXT_BR;
	case GUMBO_TAG_HR:
		return TXT_HR;
	case GUMBO_TAG_IMG: case GUMBO_TAG_IMAGE:
		return TXT_IMG;
	case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_DIR:
	case GUMBO_TAG_MENU:
		return TXT_LIST;
	case GUMBO_TAG_LI:
		return TXT_LI;
	case GUMBO_TAG_BLOCKQUOTE:
		return TXT_QUOTE;
	case GUMBO_TAG_TR:
		return TXT_ROW;
	case GUMBO_TAG_TD: case GUMBO_TAG_TH:
		return TXT_CELL;
	case GUMBO_TAG_A:
		return TXT_LINK;
	case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE:
	case GUMBO_TAG_CAPTION: case GUMBO_TAG_CENTER: case GUMBO_TAG_DD:
	case GUMBO_TAG_DETAILS: case GUMBO_TAG_DIV: case GUMBO_TAG_DL:
	case GUMBO_TAG_DT: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_FIGCAPTION:
	case GUMBO_TAG_FIGURE: case GUMBO_TAG_FOOTER: case GUMBO_TAG_FORM:
	case GUMBO_TAG_HEADER: case GUMBO_TAG_HGROUP: case GUMBO_TAG_LEGEND:
	case GUMBO_TAG_MAIN: case GUMBO_TAG_NAV: case GUMBO_TAG_SECTION:
	case GUMBO_TAG_SUMMARY: case GUMBO_TAG_TABLE: case GUMBO_TAG_TBODY:
	case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT:
		return TXT_BLOCK1;
	default:
		return TXT_INLINE;
	}
}

/* txt_fold_link - lower-cased URL or text without scheme, "mailto:",
 * surrounding space and trailing '/', for comparing the two */
static char *
txt_fold_link(const char *s)
{
	static const char *const drop[] = { "mailto:", "http://", "https://" };
	char *c = g_ascii_strdown(s, -1), *r;
	size_t k, len;

	g_strstrip(c);
	r = c;
	for (k = 0; k < G_N_ELEMENTS(drop); k++) {
		len = strlen(drop[k]);
		if (strncmp(r, drop[k], len) == 0) {
			r += len;
			break;
		}
	}
	len = strlen(r);
	while (len > 0 && r[len - 1] == '/')
		r[--len] = '\0';
	r = g_strdup(r);
	g_free(c);
	return r;
}

/* txt_link_end - after a link's text: " <url>" unless the text says it */
static void
txt_link_end(struct txt *t)
{
	char *a, *b;
	const char *show = t->href, *s;
	bool same;

	a = txt_fold_link(t->capture->str);
	b = txt_fold_link(t->href);
	same = t->capture->len < LINK_CAPTURE && strcmp(a, b) == 0;
	g_free(a);
	g_free(b);
	g_string_free(t->capture, TRUE);
	t->capture = NULL;
	if (!same) {
		if (g_ascii_strncasecmp(show, "mailto:", 7) == 0)
			show += 7;
		t->space = true;
		txt_put(t, "<", 1);
		for (s = show; *s != '\0'; s = g_utf8_next_char(s))
			if (!txt_invisible(g_utf8_get_char(s)) &&
			    !is_html_space(*s))
				txt_put(t, s, (size_t)(g_utf8_next_char(s) -
				    s));
		txt_put(t, ">", 1);
	}
	g_free(t->href);
	t->href = NULL;
}

/* txt_li - start a list item: its marker waits for its first content */
static void
txt_li(struct txt *t, const GumboNode *n)
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
	v = attr(n, "value");
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

/* txt_enter - html_to_text's visit of one node */
static enum walk_act
txt_enter(void *vctx, const GumboNode *n, int *state)
{
	struct txt *t = vctx;
	struct txt_list *l;
	enum txt_kind kind;
	const char *v;
	char *label, *url;
	long num;

	switch (n->type) {
	case GUMBO_NODE_TEXT: case GUMBO_NODE_WHITESPACE:
		txt_text(t, n->v.text.text);
		return WALK_SKIP;
	case GUMBO_NODE_ELEMENT:
		break;
	default:
		return WALK_SKIP;
	}
	if (is_dropped(node_tag(n)) || node_hidden(n))
		return WALK_SKIP;
	kind = is_mso_para(n) ? TXT_BLOCK1 : txt_kind_of(node_tag(n));
	*state = (int)kind;
	switch (kind) {
	case TXT_BLOCK1: case TXT_ROW:
		txt_block(t, 1);
		break;
	case TXT_BLOCK2:
		txt_block(t, 2);
		break;
	case TXT_PRE:
		txt_block(t, 2);
		t->pre++;
		break;
	case TXT_BR:
		txt_newline(t);
		return WALK_SKIP;
	case TXT_HR:
		txt_block(t, 1);
		txt_put(t, "---", 3);
		txt_block(t, 1);
		return WALK_SKIP;
	case TXT_IMG:
		label = img_label(n, false);
		if (label != NULL) {
			txt_text(t, label);
			g_free(label);
		}
		return WALK_SKIP;
	case TXT_LIST:
		txt_block(t, 1);
		if (t->nlists < TXT_MAX_LIST) {
			l = &t->lists[t->nlists];
			l->ordered = node_tag(n) == GUMBO_TAG_OL;
			l->next = 1;
			v = attr(n, "start");
			if (l->ordered && v != NULL) {
				num = strtol(v, NULL, 10);
				if (num > -1000000000L && num < 1000000000L)
					l->next = num;
			}
		}
		t->nlists++;
		break;
	case TXT_LI:
		txt_li(t, n);
		break;
	case TXT_QUOTE:
		txt_block(t, 1);
		if (t->line->len > 0)
			txt_flush(t);
		t->quote++;
		break;
	case TXT_CELL:
		if (t->line->len > 0 && t->want == 0)
			t->sep = true;
		break;
	case TXT_LINK:
		url = url_clean(attr(n, "href"));
		if (url == NULL || t->capture != NULL) {
			g_free(url);
			*state = TXT_INLINE;
			break;
		}
		t->href = url;
		t->capture = g_string_new(NULL);
		break;
	case TXT_INLINE:
		break;
	}
	return WALK_DESCEND;
}

/* txt_leave - the end of an element */
static void
txt_leave(void *vctx, const GumboNode *n, int state)
{
	struct txt *t = vctx;

	(void)n;
	switch ((enum txt_kind)state) {
	case TXT_BLOCK1: case TXT_ROW: case TXT_LI:
		txt_block(t, 1);
		break;
	case TXT_BLOCK2:
		txt_block(t, 2);
		break;
	case TXT_PRE:
		t->pre--;
		txt_block(t, 2);
		break;
	case TXT_LIST:
		t->nlists--;
		txt_block(t, 1);
		break;
	case TXT_QUOTE:
		txt_block(t, 1);
		if (t->line->len > 0)
			txt_flush(t);
		t->quote--;
		if (t->quote < t->want_quote)
			t->want_quote = t->quote;
		t->marker[0] = '\0';
		break;
	case TXT_LINK:
		txt_link_end(t);
		break;
	default:
		break;
	}
}

/* html_to_text - readable plain text; new string, caller g_free()s */
char *
html_to_text(const char *html, size_t len)
{
	struct parsed ps;
	struct txt t;
	struct walker w = { txt_enter, txt_leave, &t };

	if (html == NULL || len == 0)
		return g_strdup("");
	memset(&t, 0, sizeof(t));
	parse(html, len, &ps);
	t.out = g_string_sized_new(ps.canon->len / 2 + 64);
	t.line = g_string_new(NULL);
	if (ps.body != NULL)
		walk(ps.body, &w);
	parsed_free(&ps);
	if (t.line->len > 0)
		txt_flush(&t);
	if (t.last_blank)
		g_string_truncate(t.out, t.blank_at);
	if (t.out->len > 0 && t.out->str[t.out->len - 1] == '\n')
		g_string_truncate(t.out, t.out->len - 1);
	g_string_free(t.line, TRUE);
	if (t.capture != NULL)
		g_string_free(t.capture, TRUE);
	g_free(t.href);
	return g_string_free(t.out, FALSE);
}

/* ------------------------------------------------------------------ */
/* html_from_text and html_escape                                     */
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

/* ft_line - one line of text as HTML: spaces kept with &nbsp;, tabs
 * expanded, URLs linked unless plain */
static void
ft_line(GString *out, const char *s, size_t len, bool plain)
{
	GString *l = g_string_new(NULL);
	const char *p, *e;
	size_t col = 0, run, k, ulen;
	bool lead = true;

	/* tabs to spaces at 8-column stops; then trailing spaces go */
	for (p = s; p < s + len; p = g_utf8_next_char(p)) {
		if (*p == '\t') {
			do
				g_string_append_c(l, ' ');
			while (++col % 8 != 0);
		} else {
			g_string_append_len(l, p, g_utf8_next_char(p) - p);
			col++;
		}
	}
	while (l->len > 0 && l->str[l->len - 1] == ' ')
		g_string_truncate(l, l->len - 1);

	p = l->str;
	e = l->str + l->len;
	while (p < e) {
		if (*p == ' ') {
			for (run = 0; p + run < e && p[run] == ' '; run++)
				;
			for (k = 0; k < run; k++)
				g_string_append(out, lead || k + 1 < run ?
				    "&nbsp;" : " ");
			p += run;
			continue;
		}
		lead = false;
		ulen = 0;
		if (!plain && (*p == 'h' || *p == 'H') && (p == l->str ||
		    !g_ascii_isalnum(p[-1])))
			ulen = ft_url_len(p);
		if (ulen > 0) {
			g_string_append(out, "<a href=\"");
			put_escaped(out, p, ulen, true);
			g_string_append(out, "\" rel=\"" REL_VALUE "\">");
			put_escaped(out, p, ulen, false);
			g_string_append(out, "</a>");
			p += ulen;
			continue;
		}
		k = (size_t)(g_utf8_next_char(p) - p);
		put_escaped(out, p, k, false);
		p += k;
	}
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
 * ft_render - text as HTML: html_from_text(), or with plain only <p> and
 * <br> (no links, quote marks left as text)
 */
static char *
ft_render(const char *text, bool plain)
{
	GString *out;
	char *valid;
	const char *s, *eol, *end;
	size_t len, rest, k;
	int q, cur = 0;
	bool in_p = false, blank;

	if (text == NULL)
		return g_strdup("");
	valid = scrub(text, -1);
	out = g_string_sized_new(strlen(valid) * 2 + 16);
	end = valid + strlen(valid);
	for (s = valid; s < end; s = eol) {
		for (eol = s; eol < end && *eol != '\n' && *eol != '\r'; eol++)
			;
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
			blank = is_html_space(s[k]);
		if (q != cur) {
			if (in_p)
				g_string_append(out, "</p>\n");
			in_p = false;
			for (; cur < q; cur++)
				g_string_append(out, "<blockquote>\n");
			for (; cur > q; cur--)
				g_string_append(out, "</blockquote>\n");
		}
		if (blank) {
			if (in_p)
				g_string_append(out, "</p>\n");
			in_p = false;
			continue;
		}
		g_string_append(out, in_p ? "<br>\n" : "<p>");
		in_p = true;
		ft_line(out, s + rest, len - rest, plain);
	}
	if (in_p)
		g_string_append(out, "</p>\n");
	for (; cur > 0; cur--)
		g_string_append(out, "</blockquote>\n");
	if (out->len > 0 && out->str[out->len - 1] == '\n')
		g_string_truncate(out, out->len - 1);
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

/* html_escape - text with & < > " ' escaped; new string, caller g_free()s */
char *
html_escape(const char *text)
{
	GString *out;
	char *valid;
	const char *s;

	if (text == NULL)
		return g_strdup("");
	valid = g_utf8_make_valid(text, -1);
	out = g_string_sized_new(strlen(valid) + 16);
	for (s = valid; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			g_string_append(out, "&amp;");
			break;
		case '<':
			g_string_append(out, "&lt;");
			break;
		case '>':
			g_string_append(out, "&gt;");
			break;
		case '"':
			g_string_append(out, "&quot;");
			break;
		case '\'':
			g_string_append(out, "&#39;");
			break;
		default:
			g_string_append_c(out, *s);
			break;
		}
	}
	g_free(valid);
	return g_string_free(out, FALSE);
}
