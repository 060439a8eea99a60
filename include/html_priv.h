/*
 * html_priv.h - what the three files of the html module share.
 *
 * Private to gateway/html.c (the sanitizer, the tag table, the parse and
 * the walk), gateway/html_pre.c (the HTML5 pre-pass), gateway/html_text.c
 * (html_to_text, html_from_text), gateway/html_hist.c and
 * gateway/html_cut.c; other modules include html.h (and html_cut.h) only.  It
 * lives in include/ beside html.h, as mblaze keeps blaze822_priv.h beside
 * blaze822.h, because -Iinclude is the one include path that both gateway/
 * and tests/unit/ are compiled with: the unit tests of the pre-pass and of
 * the tag table include it too.
 *
 * Owns: the tag table (one row per GumboTag: what the pre-pass, the
 * sanitizer and the text renderer each do with that element), the parsed
 * document (struct html_doc), the iterative walk, and the escaping and URL
 * rules the sanitizer and the renderers must agree on.
 *
 * Used error codes: none; nothing here can fail.
 *
 * Reentrancy: reentrant; the tag table is read-only.
 */
#ifndef GW_HTML_PRIV_H
#define GW_HTML_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <glib.h>
#include <gumbo.h>

/* The pre-pass renames formatting elements to this prefix plus the name. */
#define HTML_FMT_PREFIX	"m2n-"
/* The rel every link we write carries. */
#define HTML_REL_VALUE	"noopener noreferrer nofollow"

/* ------------------------------------------------------------------ */
/* The tag table (gateway/html.c)                                     */
/* ------------------------------------------------------------------ */

/* flags: HTML5 categories the pre-pass models (html_pre.c) */
#define HTML_TAG_VOID		(1u << 0)	/* no content, no end */
#define HTML_TAG_RAW		(1u << 1)	/* text up to its end tag;
						 * dropped whole */
#define HTML_TAG_FORMATTING	(1u << 2)	/* renamed for gumbo */
#define HTML_TAG_HEADING	(1u << 3)	/* h1 to h6 */
#define HTML_TAG_CLOSES_P	(1u << 4)	/* start tag closes an open p
						 * in button scope */
#define HTML_TAG_SPECIAL	(1u << 5)	/* the HTML5 "special"
						 * category */
#define HTML_TAG_SCOPE		(1u << 6)	/* ends the default "in
						 * scope" search */
#define HTML_TAG_TABLE_PART	(1u << 7)	/* end: table scope */

/* What html_sanitize() writes for an element. */
enum html_san {
	HTML_SAN_UNWRAP,		/* no tag; the content stays */
	HTML_SAN_DROP,			/* nothing, content included */
	HTML_SAN_KEEP,			/* as san_as, content in */
	HTML_SAN_VOID,			/* as tag san_as, no end tag */
	HTML_SAN_IMG			/* its alt text in brackets */
};

/* What html_to_text() does with an element (INLINE must stay 0: it is
 * the walk state of a node that needs nothing at its end). */
enum html_txt {
	HTML_TXT_INLINE,		/* nothing: its text flows */
	HTML_TXT_BLOCK1,		/* a line break before and after */
	HTML_TXT_BLOCK2,		/* a blank line before and after */
	HTML_TXT_BR,			/* a hard line break */
	HTML_TXT_HR,			/* a "---" line */
	HTML_TXT_IMG,			/* "[image: alt]" */
	HTML_TXT_LIST,			/* items get markers */
	HTML_TXT_LI,			/* a list item */
	HTML_TXT_QUOTE,			/* lines quoted with "> " */
	HTML_TXT_PRE,			/* white space kept */
	HTML_TXT_ROW,			/* a table row: one line */
	HTML_TXT_CELL,			/* a cell: " | " before it */
	HTML_TXT_LINK,			/* "text <url>" */
	HTML_TXT_DROP			/* nothing, content included */
};

struct html_tag_row {
	GumboTag tag;			/* the row's own tag */
	unsigned int flags;		/* HTML_TAG_* */
	enum html_san san;
	GumboTag san_as;		/* KEEP, VOID: the tag written */
	enum html_txt txt;
};

/* Elements html_sanitize() nests; deeper ones are unwrapped. */
#define HTML_OUT_MAX_DEPTH	256

/* html_tag_row - the row of tag t; GUMBO_TAG_UNKNOWN's for any tag
 * HTML does not define (and out of range values) */
const struct html_tag_row *html_tag_row(GumboTag t);

/* html_tag_is - does tag t have every flag in flags? */
static inline bool
html_tag_is(GumboTag t, unsigned int flags)
{
	return (html_tag_row(t)->flags & flags) == flags;
}

/* ------------------------------------------------------------------ */
/* Characters, escaping, URLs (gateway/html.c)                        */
/* ------------------------------------------------------------------ */

/*
 * html_put - g_string_append_len() without a call when the bytes fit in
 * what g holds already, as GLib's own g_string_append_c_inline() does for
 * one byte (GLib 2.76 has g_string_append_len_inline(); Debian 12 has
 * 2.74).  The pre-pass and the walks append a few bytes at a time, and
 * the call was most of their cost.
 */
static inline void
html_put(GString *g, const char *s, size_t n)
{
	if (g->len + n < g->allocated_len) {
		memcpy(g->str + g->len, s, n);
		g->len += n;
		g->str[g->len] = '\0';
	} else
		g_string_append_len(g, s, (gssize)n);
}

/* html_puts - html_put() of a NUL-terminated string */
static inline void
html_puts(GString *g, const char *s)
{
	html_put(g, s, strlen(s));
}

/* html_is_space - the five HTML white-space characters */
static inline bool
html_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* html_put_escaped - append s[0, len) escaped for text, or for a
 * double-quoted attribute value when attr; U+00A0 as &nbsp;, control
 * characters dropped */
void html_put_escaped(GString *out, const char *s, size_t len, bool attr);

/* html_scrub - valid UTF-8 copy of s[0, len) (len -1: NUL-terminated)
 * without what gumbo would turn into U+FFFD anyway; new string, g_free */
char *html_scrub(const char *s, gssize len);

/* html_utf8_checked - s if it is valid UTF-8, else a repaired copy left
 * in *tmp_r (g_free it; NULL when s was valid) */
const char *html_utf8_checked(const char *s, char **tmp_r);

/* html_url_scheme_ok - does u start with "http:", "https:" or "mailto:",
 * in any case (the schemes we link)? */
static inline bool
html_url_scheme_ok(const char *u)
{
	switch (*u) {
	case 'h': case 'H':
		return g_ascii_strncasecmp(u, "http", 4) == 0 &&
		    (u[4] == ':' || ((u[4] == 's' || u[4] == 'S') &&
		    u[5] == ':'));
	case 'm': case 'M':
		return g_ascii_strncasecmp(u, "mailto:", 7) == 0;
	default:
		return false;
	}
}

/* html_url_clean - the URL a browser would follow for an href value, or
 * NULL unless its scheme is http, https or mailto; new string, g_free */
char *html_url_clean(const char *v);

/* ------------------------------------------------------------------ */
/* The pre-pass (gateway/html_pre.c)                                  */
/* ------------------------------------------------------------------ */

/* Open elements the pre-pass lets through; deeper start tags go. */
#define HTML_PRE_MAX_DEPTH	256

/*
 * html_pre_run - the pre-pass over valid UTF-8 b[0, n): a canonical,
 * balanced token stream for gumbo (comments, raw-text elements, foreign
 * content and unread attributes gone, formatting elements renamed with
 * HTML_FMT_PREFIX, nesting capped at HTML_PRE_MAX_DEPTH).  New GString,
 * caller g_string_free()s.
 */
GString *html_pre_run(const char *b, size_t n);

/* ------------------------------------------------------------------ */
/* The parsed document and its walk (gateway/html.c)                  */
/* ------------------------------------------------------------------ */

struct html_doc {
	GumboOutput *out;		/* gumbo's tree */
	size_t canon_len;		/* bytes of pre-pass output it was
					 * parsed from (freed already) */
	const GumboNode *body;		/* NULL for a frameset document */
};

/* html_doc_parse - scrub, pre-pass and gumbo over at most HTML_MAX_INPUT
 * untrusted bytes; free with html_doc_free().  The tree no longer points
 * into the buffer gumbo parsed, which is freed before this returns: every
 * original_* string piece in it is empty, and renamed formatting elements
 * carry their own tag (html_node_tag() is then gumbo's tag). */
void html_doc_parse(const char *html, size_t len, struct html_doc *doc);

/* html_doc_parse_pieces - html_doc_parse() of pieces p[0, n) as one
 * document, each pre-passed alone, no text node across two; ends_r[i]:
 * where piece i ends in the parsed stream (html.c) */
void html_doc_parse_pieces(const char *const *p, const size_t *len,
    size_t n, struct html_doc *doc, size_t *ends_r);

/* html_doc_free - release what html_doc_parse() made */
void html_doc_free(struct html_doc *doc);

/* html_node_tag - an element's tag, seeing through the pre-pass renaming;
 * GUMBO_TAG_UNKNOWN for elements HTML does not define */
GumboTag html_node_tag(const GumboNode *n);

/* html_node_attr - value of attribute name on element n, or NULL;
 * borrowed from gumbo's tree */
const char *html_node_attr(const GumboNode *n, const char *name);

/* html_node_hidden - content the sender hid (hidden, display:none) */
bool html_node_hidden(const GumboNode *n);

/* html_node_mso_para - an Outlook/Word paragraph, read as one line */
bool html_node_mso_para(const GumboNode *n);

/* html_img_label - "[image: ALT]" for an <img>, "[image]" without alt
 * when bare_ok, NULL for decorative images and tracking pixels; new
 * string, g_free */
char *html_img_label(const GumboNode *n, bool bare_ok);

enum html_walk_act { HTML_WALK_SKIP, HTML_WALK_DESCEND };

struct html_walker {
	/* node: an element or text; *state is kept for leave() */
	enum html_walk_act (*enter)(void *ctx, const GumboNode *node,
	    int *state);
	void (*leave)(void *ctx, const GumboNode *node, int state);
	void *ctx;
};

/* html_walk - visit root's descendants in document order with an
 * explicit stack, so no document depth can overflow ours */
void html_walk(const GumboNode *root, const struct html_walker *w);

/*
 * html_san_doc - what html_sanitize() writes for a parsed document, not
 * yet trimmed; pos_r[i] (when pos_r is not NULL) gets the length the
 * output had when the walk reached node marks[i], SIZE_MAX when it never
 * did (NULL, or inside content the sanitizer drops).  marks may be NULL.
 * New GString, caller frees.
 */
GString *html_san_doc(const struct html_doc *doc,
    const GumboNode *const marks[2], size_t pos_r[2]);

/* html_text_doc - html_to_text() of a parsed document (html_text.c);
 * new string, g_free */
char *html_text_doc(const struct html_doc *doc);

/* html_text_pieces - html_to_text() of each piece of a document
 * html_doc_parse_pieces() parsed, as that piece alone would give it;
 * new NULL-terminated array, g_strfreev (html_text.c) */
char **html_text_pieces(const struct html_doc *doc, const size_t *ends,
    size_t n);

/*
 * html_text_split - html_to_text() of the two halves html_hist_doc() cut
 * doc into at marks (as its html_san_doc() pos_r; the history from
 * marks[0] to marks[1], to the end when marks[1] is NULL or not after
 * it), read from the one tree: *new_r is the text of the new half (the
 * pieces before and after the history, joined), *hist_r of the history;
 * the same bytes html_to_text() of each sanitised half gives, unless a
 * piece had to be parsed again out of its context (a cell without its
 * table: then the tree's reading).  New strings, g_free.
 */
void html_text_split(const struct html_doc *doc,
    const GumboNode *const marks[2], char **new_r, char **hist_r);

/* html_hist_doc - html_split_history() of a parsed document (html_hist.c;
 * a forward is the caller's to refuse); with text_r, on true also
 * html_to_text() of *new_r and *hist_r in text_r[0] and text_r[1], read
 * from the tree by html_text_split() (new strings) */
bool html_hist_doc(const struct html_doc *doc, char **new_r, char **hist_r,
    char *text_r[2]);

/* ------------------------------------------------------------------ */
/* html_from_text's line loop (gateway/html_text.c), resumable        */
/* ------------------------------------------------------------------ */

/* What html_from_text() carries from one line to the next. */
struct html_ft_state {
	bool in_p;		/* a <p> is open */
	int cur;		/* <blockquote>s open */
};

/* Where a line starts: in the text, in the output, and the state there. */
struct html_ft_mark {
	size_t off;		/* bytes of text before the line */
	size_t out;		/* bytes of output before it */
	struct html_ft_state st;
};

/* html_line_end - where the line at s ends: its CR or LF, or end */
static inline const char *
html_line_end(const char *s, const char *end)
{
	const char *nl, *cr;

	/* memchr twice, the CR search bounded by the LF: linear */
	nl = memchr(s, '\n', (size_t)(end - s));
	if (nl == NULL)
		nl = end;
	cr = memchr(s, '\r', (size_t)(nl - s));
	return cr != NULL ? cr : nl;
}

/* html_ft_lines - the lines of scrubbed text [s, end) as HTML appended
 * to out from *st; with marks (of struct html_ft_mark), each line's
 * start recorded.  *end is the NUL after the text (a URL is read up to
 * a line end or that NUL). */
void html_ft_lines(GString *out, const char *s, const char *end,
    bool plain, struct html_ft_state *st, GArray *marks);

/* html_ft_close - close what *st left open; drop the final newline */
void html_ft_close(GString *out, struct html_ft_state *st);

#endif /* GW_HTML_PRIV_H */
