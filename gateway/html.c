/*
 * html.c - the sanitizer: untrusted HTML in, an allowlisted fragment out
 * (html_sanitize), and what the other html files build on.
 *
 * Three stages, none of which is a regex on markup:
 *
 * 1. The pre-pass (html_pre.c) rewrites the input as a canonical,
 *    balanced token stream that gumbo parses in linear time.
 *
 * 2. gumbo parses that stream as a browser would (entities, tables,
 *    implied elements): html_doc_parse().
 *
 * 3. An iterative walk of the body (an explicit stack, never recursion)
 *    either re-serialises an allowlist of elements and attributes
 *    (html_sanitize, here) or renders text (html_to_text, html_text.c).
 *
 * This file is the part to audit: the tag table (one row per element:
 * what the pre-pass, the sanitizer and the text renderer do with it), the
 * escaping, the URL rule, the attribute allowlist and the walk that
 * writes the fragment.  html_escape() lives here too, beside the escaping
 * the sanitizer relies on.
 *
 * Owns: the tag table (read-only), the parsed document of one call
 * (struct html_doc) and the sanitizer's output state (struct san_state).
 * Used error codes: none; nothing here can fail (see html.h).
 * Reentrancy: reentrant.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <gumbo.h>

#include "html.h"
#include "html_priv.h"

#define URL_MAX		8192	/* longer hrefs are dropped */
#define ALT_MAX		200	/* characters of alt text kept */

/* ------------------------------------------------------------------ */
/* Character helpers                                                  */
/* ------------------------------------------------------------------ */

/*
 * Bytes html_put_escaped() cannot copy as they are: the markup characters,
 * the first byte of U+00A0 and the C1 controls, and the controls it drops.
 * A table, because the escaping reads every byte of every body.
 */
static const unsigned char esc_special[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1,
	[0x05] = 1, [0x06] = 1, [0x07] = 1, [0x08] = 1, [0x0b] = 1,
	[0x0c] = 1, [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1,
	[0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1,
	[0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
	[0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, [0x7f] = 1,
	['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, [0xc2] = 1,
};

/* esc_plain - does byte c go out as it is, in text and in attributes? */
static inline bool
esc_plain(unsigned char c)
{
	return esc_special[c] == 0;
}

/* html_put_escaped - append s[0, len) escaped for text, or for a double-quoted
 * attribute value when attr; U+00A0 as &nbsp;, control characters dropped.
 * Runs of bytes that need nothing go out in one append: called per
 * character, this was most of the cost of html_from_text(). */
void
html_put_escaped(GString *out, const char *s, size_t len, bool attr)
{
	size_t i, run;
	unsigned char c;

	for (i = 0; i < len; i++) {
		for (run = i; run < len && esc_plain((unsigned char)s[run]);
		    run++)
			;
		if (run > i) {
			html_put(out, s + i, run - i);
			i = run;
			if (i == len)
				break;
		}
		c = (unsigned char)s[i];
		switch (c) {
		case '&':
			html_put(out, "&amp;", 5);
			break;
		case '<':
			html_put(out, "&lt;", 4);
			break;
		case '>':
			html_put(out, "&gt;", 4);
			break;
		case '"':
			if (attr)
				html_put(out, "&quot;", 6);
			else
				g_string_append_c(out, '"');
			break;
		case 0xc2:
			/* U+00A0 and the C1 controls U+0080..U+009F */
			if (i + 1 < len && (unsigned char)s[i + 1] == 0xa0) {
				html_put(out, "&nbsp;", 6);
				i++;
			} else if (i + 1 < len &&
			    (unsigned char)s[i + 1] >= 0x80 &&
			    (unsigned char)s[i + 1] <= 0x9f) {
				i++;
			} else
				g_string_append_c(out, (char)c);
			break;
		default:
			break;		/* a control character: dropped */
		}
	}
}

/* scrub_plain - a byte html_scrub() copies as it is: printable ASCII or
 * HTML white space */
static inline bool
scrub_plain(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || html_is_space(c);
}

/*
 * scrub_run - append the scrub of [p, end) to g.  Unless checked (known
 * valid UTF-8 without NUL), each character is validated on the way;
 * false at the first invalid byte or NUL, g then holding part of it.
 */
static bool
scrub_run(GString *g, const char *p, const char *end, bool checked)
{
	const char *next;
	gunichar u;

	for (; p < end; p = next) {
		/* A run of printable ASCII and white space in one copy. */
		for (next = p; next < end && scrub_plain((unsigned char)*next);
		    next++)
			;
		if (next > p) {
			html_put(g, p, next - p);
			continue;
		}
		if (checked)
			u = g_utf8_get_char(p);
		else {
			u = g_utf8_get_char_validated(p, end - p);
			if (u == 0 || u == (gunichar)-1 || u == (gunichar)-2)
				return false;
		}
		next = g_utf8_next_char(p);
		if ((u < 0x20 && !html_is_space((int)u)) ||
		    (u >= 0x7f && u <= 0x9f))
			continue;
		if ((u >= 0xfdd0 && u <= 0xfdef) || (u & 0xfffe) == 0xfffe)
			html_put(g, "\xef\xbf\xbd", 3);
		else
			html_put(g, p, next - p);
	}
	return true;
}

/*
 * scrub - valid UTF-8 copy of s[0, len) (len -1: NUL-terminated) without
 * what gumbo would turn into U+FFFD anyway, so that text and HTML agree:
 * invalid bytes and NUL become U+FFFD, and so do noncharacters (U+FDD0 to
 * U+FDEF, U+xFFFE, U+xFFFF); C0 controls other than white space, DEL and
 * the C1 controls are dropped.  Valid input (the rule) is read once, in
 * place; only invalid input is repaired by g_utf8_make_valid() first.
 */
char *
html_scrub(const char *s, gssize len)
{
	size_t n = len < 0 ? strlen(s) : (size_t)len;
	GString *g = g_string_sized_new(n + 1);
	char *v;

	if (!scrub_run(g, s, s + n, false)) {
		g_string_truncate(g, 0);
		v = g_utf8_make_valid(s, (gssize)n);
		(void)scrub_run(g, v, v + strlen(v), true);
		g_free(v);
	}
	return g_string_free(g, FALSE);
}

/* doc_valid_copy - html_scrub() of at most HTML_MAX_INPUT bytes of HTML */
static char *
doc_valid_copy(const char *s, size_t len)
{
	if (len > HTML_MAX_INPUT)
		len = HTML_MAX_INPUT;
	return html_scrub(s, (gssize)len);
}

/* html_utf8_checked - s if it is valid UTF-8, else a repaired copy left in *tmp
 * (g_free it); gumbo's strings are trusted no further than that */
const char *
html_utf8_checked(const char *s, char **tmp_r)
{
	*tmp_r = NULL;
	if (g_utf8_validate(s, -1, NULL))
		return s;
	*tmp_r = g_utf8_make_valid(s, -1);
	return *tmp_r;
}

/* ------------------------------------------------------------------ */
/* URLs                                                               */
/* ------------------------------------------------------------------ */

/*
 * html_url_clean - the URL a browser would follow for an href value, or NULL
 * unless its scheme is http, https or mailto.  Browsers strip leading and
 * trailing C0 controls and spaces and remove tabs and newlines anywhere
 * ("java\tscript:" is javascript:), so do the same before looking at the
 * scheme; a value without a scheme (relative, "#anchor") is refused.
 */
char *
html_url_clean(const char *v)
{
	const char *end;
	char *u, *w;
	size_t len;

	if (v == NULL || !g_utf8_validate(v, -1, NULL))
		return NULL;
	while (*v != '\0' && (unsigned char)*v <= 0x20)
		v++;
	end = v + strlen(v);
	while (end > v && (unsigned char)end[-1] <= 0x20)
		end--;
	len = (size_t)(end - v);
	if (len > URL_MAX)
		return NULL;
	u = g_strndup(v, len);
	if (strpbrk(u, "\t\n\r") != NULL) {
		for (v = w = u; *v != '\0'; v++)
			if (*v != '\t' && *v != '\n' && *v != '\r')
				*w++ = *v;
		*w = '\0';
	}

	/*
	 * The RFC 3986 scheme, compared without case: a URL starting with
	 * one of these three and ':' has that scheme, and any other has
	 * another or none (g_uri_peek_scheme() says the same, at the cost
	 * of interning the scheme for every link).
	 */
	if (!html_url_scheme_ok(u)) {
		g_free(u);
		return NULL;
	}
	return u;
}

/* ------------------------------------------------------------------ */
/* The tag table                                                      */
/* ------------------------------------------------------------------ */

/*
 * One row per element gumbo knows, in GumboTag order, indexed by tag:
 * the first column names it, then
 * - flags: the HTML5 categories the pre-pass models (html_pre.c):
 *   VD void, RAW raw text (dropped whole with its content), FMT a
 *   formatting element (renamed for gumbo), HDG a heading, CLP its start
 *   tag closes an open p, SPC "special", SCO ends a scope search, TBL its
 *   end tag uses table scope;
 * - sanitize: what html_sanitize() writes: UNWRAP (the content only),
 *   DROP (nothing, content included), KEEP or VOID as the tag in the next
 *   column (UNKNOWN: no tag is written), IMG its alt text;
 * - text: what html_to_text() does with it (enum html_txt).
 * So "what happens to <textarea>?" is one row: the pre-pass skips it with
 * its content, and were it to reach either walk, both would drop it.
 * An element HTML does not define (o:p, custom tags) reads the last row,
 * UNKNOWN: unwrapped and inline.  test_html.c checks that every row sits
 * at its own index.
 */
#define VD	HTML_TAG_VOID
#define RAW	HTML_TAG_RAW
#define FMT	HTML_TAG_FORMATTING
#define HDG	HTML_TAG_HEADING
#define CLP	HTML_TAG_CLOSES_P
#define SPC	HTML_TAG_SPECIAL
#define SCO	HTML_TAG_SCOPE
#define TBL	HTML_TAG_TABLE_PART
#define ROW(tag, flags, san, as, txt) \
	[GUMBO_TAG_##tag] = { GUMBO_TAG_##tag, (flags), HTML_SAN_##san, \
	    GUMBO_TAG_##as, HTML_TXT_##txt }

static const struct html_tag_row html_tags[GUMBO_TAG_LAST] = {
	/*  tag             flags                  sanitize            text */
	ROW(HTML,           SPC | SCO,             UNWRAP, UNKNOWN,    INLINE),
	ROW(HEAD,           SPC,                   DROP,   UNKNOWN,    DROP),
	ROW(TITLE,          RAW | SPC,             DROP,   UNKNOWN,    DROP),
	ROW(BASE,           VD | SPC,              DROP,   UNKNOWN,    DROP),
	ROW(LINK,           VD | SPC,              DROP,   UNKNOWN,    DROP),
	ROW(META,           VD | SPC,              DROP,   UNKNOWN,    DROP),
	ROW(STYLE,          RAW | SPC,             DROP,   UNKNOWN,    DROP),
	ROW(SCRIPT,         RAW | SPC,             DROP,   UNKNOWN,    DROP),
	ROW(NOSCRIPT,       RAW | SPC,             DROP,   UNKNOWN,    DROP),
	ROW(TEMPLATE,       SPC | SCO,             DROP,   UNKNOWN,    DROP),
	ROW(BODY,           SPC,                   UNWRAP, UNKNOWN,    INLINE),
	ROW(ARTICLE,        CLP | SPC,             KEEP,   DIV,        BLOCK1),
	ROW(SECTION,        CLP | SPC,             KEEP,   DIV,        BLOCK1),
	ROW(NAV,            CLP | SPC,             KEEP,   DIV,        BLOCK1),
	ROW(ASIDE,          CLP | SPC,             KEEP,   DIV,        BLOCK1),
	ROW(H1,             HDG | CLP | SPC,       KEEP,   H1,         BLOCK2),
	ROW(H2,             HDG | CLP | SPC,       KEEP,   H2,         BLOCK2),
	ROW(H3,             HDG | CLP | SPC,       KEEP,   H3,         BLOCK2),
	ROW(H4,             HDG | CLP | SPC,       KEEP,   H4,         BLOCK2),
	ROW(H5,             HDG | CLP | SPC,       KEEP,   H5,         BLOCK2),
	ROW(H6,             HDG | CLP | SPC,       KEEP,   H6,         BLOCK2),
	ROW(HGROUP,         CLP | SPC,             KEEP,   DIV,        BLOCK1),
	ROW(HEADER,         CLP | SPC,             KEEP,   DIV,        BLOCK1),
	ROW(FOOTER,         CLP | SPC,             KEEP,   DIV,        BLOCK1),
	ROW(ADDRESS,        CLP | SPC,             KEEP,   ADDRESS,    BLOCK1),
	ROW(P,              CLP | SPC,             KEEP,   P,          BLOCK2),
	ROW(HR,             VD | CLP | SPC,        VOID,   HR,         HR),
	ROW(PRE,            CLP | SPC,             KEEP,   PRE,        PRE),
	ROW(BLOCKQUOTE,     CLP | SPC,             KEEP,   BLOCKQUOTE, QUOTE),
	ROW(OL,             CLP | SPC,             KEEP,   OL,         LIST),
	ROW(UL,             CLP | SPC,             KEEP,   UL,         LIST),
	ROW(LI,             CLP | SPC,             KEEP,   LI,         LI),
	ROW(DL,             CLP | SPC,             KEEP,   DL,         BLOCK1),
	ROW(DT,             CLP | SPC,             KEEP,   DT,         BLOCK1),
	ROW(DD,             CLP | SPC,             KEEP,   DD,         BLOCK1),
	ROW(FIGURE,         CLP | SPC,             KEEP,   DIV,        BLOCK1),
	ROW(FIGCAPTION,     CLP | SPC,             KEEP,   DIV,        BLOCK1),
	ROW(MAIN,           CLP | SPC,             KEEP,   DIV,        BLOCK1),
	ROW(DIV,            CLP | SPC,             KEEP,   DIV,        BLOCK1),
	ROW(A,              FMT,                   KEEP,   A,          LINK),
	ROW(EM,             FMT,                   KEEP,   EM,         INLINE),
	ROW(STRONG,         FMT,                   KEEP,   STRONG,     INLINE),
	ROW(SMALL,          FMT,                   KEEP,   SMALL,      INLINE),
	ROW(S,              FMT,                   KEEP,   S,          INLINE),
	ROW(CITE,           0,                     KEEP,   CITE,       INLINE),
	ROW(Q,              0,                     KEEP,   Q,          INLINE),
	ROW(DFN,            0,                     KEEP,   DFN,        INLINE),
	ROW(ABBR,           0,                     KEEP,   ABBR,       INLINE),
	ROW(DATA,           0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(TIME,           0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(CODE,           FMT,                   KEEP,   CODE,       INLINE),
	ROW(VAR,            0,                     KEEP,   VAR,        INLINE),
	ROW(SAMP,           0,                     KEEP,   SAMP,       INLINE),
	ROW(KBD,            0,                     KEEP,   KBD,        INLINE),
	ROW(SUB,            0,                     KEEP,   SUB,        INLINE),
	ROW(SUP,            0,                     KEEP,   SUP,        INLINE),
	ROW(I,              FMT,                   KEEP,   I,          INLINE),
	ROW(B,              FMT,                   KEEP,   B,          INLINE),
	ROW(U,              FMT,                   KEEP,   U,          INLINE),
	ROW(MARK,           0,                     KEEP,   MARK,       INLINE),
	ROW(RUBY,           0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(RT,             0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(RP,             0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(BDI,            0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(BDO,            0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(SPAN,           0,                     KEEP,   SPAN,       INLINE),
	ROW(BR,             VD | SPC,              VOID,   BR,         BR),
	ROW(WBR,            VD | SPC,              VOID,   WBR,        INLINE),
	ROW(INS,            0,                     KEEP,   INS,        INLINE),
	ROW(DEL,            0,                     KEEP,   DEL,        INLINE),
	ROW(IMAGE,          VD | SPC,              IMG,    UNKNOWN,    IMG),
	ROW(IMG,            VD | SPC,              IMG,    UNKNOWN,    IMG),
	ROW(IFRAME,         RAW | SPC,             DROP,   UNKNOWN,    DROP),
	ROW(EMBED,          VD | SPC,              DROP,   UNKNOWN,    DROP),
	ROW(OBJECT,         SPC | SCO,             DROP,   UNKNOWN,    DROP),
	ROW(PARAM,          VD | SPC,              DROP,   UNKNOWN,    DROP),
	ROW(VIDEO,          0,                     DROP,   UNKNOWN,    DROP),
	ROW(AUDIO,          0,                     DROP,   UNKNOWN,    DROP),
	ROW(SOURCE,         VD | SPC,              DROP,   UNKNOWN,    DROP),
	ROW(TRACK,          VD | SPC,              DROP,   UNKNOWN,    DROP),
	ROW(CANVAS,         0,                     DROP,   UNKNOWN,    DROP),
	ROW(MAP,            0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(AREA,           VD | SPC,              UNWRAP, UNKNOWN,    INLINE),
	ROW(MATH,           0,                     DROP,   UNKNOWN,    DROP),
	ROW(MI,             0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(MO,             0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(MN,             0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(MS,             0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(MTEXT,          0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(MGLYPH,         0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(MALIGNMARK,     0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(ANNOTATION_XML, 0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(SVG,            0,                     DROP,   UNKNOWN,    DROP),
	ROW(FOREIGNOBJECT,  0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(DESC,           0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(TABLE,          CLP | SPC | SCO | TBL, KEEP,   TABLE,      BLOCK1),
	ROW(CAPTION,        SPC | SCO | TBL,       KEEP,   CAPTION,    BLOCK1),
	ROW(COLGROUP,       SPC | TBL,             KEEP,   COLGROUP,   INLINE),
	ROW(COL,            VD | SPC,              VOID,   COL,        INLINE),
	ROW(TBODY,          SPC | TBL,             KEEP,   TBODY,      BLOCK1),
	ROW(THEAD,          SPC | TBL,             KEEP,   THEAD,      BLOCK1),
	ROW(TFOOT,          SPC | TBL,             KEEP,   TFOOT,      BLOCK1),
	ROW(TR,             SPC | TBL,             KEEP,   TR,         ROW),
	ROW(TD,             SPC | SCO | TBL,       KEEP,   TD,         CELL),
	ROW(TH,             SPC | SCO | TBL,       KEEP,   TH,         CELL),
	ROW(FORM,           CLP | SPC,             UNWRAP, UNKNOWN,    BLOCK1),
	ROW(FIELDSET,       CLP | SPC,             UNWRAP, UNKNOWN,    BLOCK1),
	ROW(LEGEND,         0,                     UNWRAP, UNKNOWN,    BLOCK1),
	ROW(LABEL,          0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(INPUT,          VD | SPC,              DROP,   UNKNOWN,    DROP),
	ROW(BUTTON,         SPC,                   DROP,   UNKNOWN,    DROP),
	ROW(SELECT,         SPC,                   DROP,   UNKNOWN,    DROP),
	ROW(DATALIST,       0,                     DROP,   UNKNOWN,    DROP),
	ROW(OPTGROUP,       0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(OPTION,         0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(TEXTAREA,       RAW | SPC,             DROP,   UNKNOWN,    DROP),
	ROW(KEYGEN,         VD | SPC,              DROP,   UNKNOWN,    DROP),
	ROW(OUTPUT,         0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(PROGRESS,       0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(METER,          0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(DETAILS,        CLP | SPC,             KEEP,   DETAILS,    BLOCK1),
	ROW(SUMMARY,        CLP | SPC,             KEEP,   SUMMARY,    BLOCK1),
	ROW(MENU,           CLP | SPC,             KEEP,   UL,         LIST),
	ROW(MENUITEM,       VD | SPC,              UNWRAP, UNKNOWN,    INLINE),
	ROW(APPLET,         SPC | SCO,             DROP,   UNKNOWN,    DROP),
	ROW(ACRONYM,        0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(BGSOUND,        VD | SPC,              DROP,   UNKNOWN,    DROP),
	ROW(DIR,            CLP | SPC,             KEEP,   UL,         LIST),
	ROW(FRAME,          VD | SPC,              DROP,   UNKNOWN,    DROP),
	ROW(FRAMESET,       SPC,                   DROP,   UNKNOWN,    DROP),
	ROW(NOFRAMES,       RAW | SPC,             DROP,   UNKNOWN,    DROP),
	ROW(ISINDEX,        VD | SPC,              DROP,   UNKNOWN,    DROP),
	ROW(LISTING,        CLP | SPC,             KEEP,   PRE,        PRE),
	ROW(XMP,            RAW | SPC,             DROP,   UNKNOWN,    DROP),
	ROW(NEXTID,         VD | SPC,              UNWRAP, UNKNOWN,    INLINE),
	ROW(NOEMBED,        RAW | SPC,             DROP,   UNKNOWN,    DROP),
	ROW(PLAINTEXT,      SPC,                   DROP,   UNKNOWN,    DROP),
	ROW(RB,             0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(STRIKE,         FMT,                   KEEP,   STRIKE,     INLINE),
	ROW(BASEFONT,       VD | SPC,              UNWRAP, UNKNOWN,    INLINE),
	ROW(BIG,            FMT,                   UNWRAP, UNKNOWN,    INLINE),
	ROW(BLINK,          0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(CENTER,         CLP | SPC,             KEEP,   CENTER,     BLOCK1),
	ROW(FONT,           FMT,                   KEEP,   FONT,       INLINE),
	ROW(MARQUEE,        SPC | SCO,             UNWRAP, UNKNOWN,    INLINE),
	ROW(MULTICOL,       0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(NOBR,           FMT,                   UNWRAP, UNKNOWN,    INLINE),
	ROW(SPACER,         VD | SPC,              UNWRAP, UNKNOWN,    INLINE),
	ROW(TT,             FMT,                   KEEP,   TT,         INLINE),
	ROW(RTC,            0,                     UNWRAP, UNKNOWN,    INLINE),
	ROW(UNKNOWN,        0,                     UNWRAP, UNKNOWN,    INLINE),
};

#undef ROW
#undef VD
#undef RAW
#undef FMT
#undef HDG
#undef CLP
#undef SPC
#undef SCO
#undef TBL

/* html_tag_row - the row of tag t; GUMBO_TAG_UNKNOWN's for the rest */
const struct html_tag_row *
html_tag_row(GumboTag t)
{
	if ((unsigned int)t >= GUMBO_TAG_LAST)
		t = GUMBO_TAG_UNKNOWN;
	return &html_tags[t];
}

/* ------------------------------------------------------------------ */
/* Stage 2: gumbo                                                     */
/* ------------------------------------------------------------------ */

/* doc_node_tag - the tag of element n as the pre-pass wrote it: a
 * formatting element renamed "m2n-b" is b again */
static GumboTag
doc_node_tag(const GumboNode *n)
{
	GumboStringPiece s;
	size_t plen = strlen(HTML_FMT_PREFIX);

	if (n->v.element.tag != GUMBO_TAG_UNKNOWN)
		return n->v.element.tag;
	s = n->v.element.original_tag;
	if (s.data == NULL || s.length < 2)
		return GUMBO_TAG_UNKNOWN;
	gumbo_tag_from_original_text(&s);
	/* The pre-pass writes every tag name in lower case. */
	if (s.length > plen && memcmp(s.data, HTML_FMT_PREFIX, plen) == 0)
		return gumbo_tagn_enum(s.data + plen,
		    (unsigned int)(s.length - plen));
	return GUMBO_TAG_UNKNOWN;
}

/*
 * doc_seal - make gumbo's tree stand without the buffer it parsed, so
 * that the pre-pass output (as large as the body) is freed before the
 * walks rather than after: each renamed formatting element gets its own
 * tag back (the only thing read from that buffer), and every string
 * piece pointing into it is emptied, so that none can be read after the
 * buffer is gone.  gumbo_destroy_output() frees neither.
 */
static void
doc_seal(GumboNode *top)
{
	struct seal_frame {
		GumboVector *kids;
		unsigned int next;
	} *st;
	GumboNode *n;
	GumboVector *kids;
	GumboAttribute *a;
	size_t depth = 0, cap = 64;
	unsigned int i;

	/* Depth first with a stack of open nodes, as html_walk(): its
	 * size is the tree's depth (capped by the pre-pass), not its
	 * width. */
	st = g_new(struct seal_frame, cap);
	n = top;
	for (;;) {
		switch (n->type) {
		case GUMBO_NODE_DOCUMENT:
			kids = &n->v.document.children;
			break;
		case GUMBO_NODE_ELEMENT: case GUMBO_NODE_TEMPLATE:
			n->v.element.tag = doc_node_tag(n);
			n->v.element.original_tag = kGumboEmptyString;
			n->v.element.original_end_tag = kGumboEmptyString;
			for (i = 0; i < n->v.element.attributes.length; i++) {
				a = n->v.element.attributes.data[i];
				a->original_name = kGumboEmptyString;
				a->original_value = kGumboEmptyString;
			}
			kids = &n->v.element.children;
			break;
		default:
			n->v.text.original_text = kGumboEmptyString;
			kids = NULL;
			break;
		}
		if (kids != NULL && kids->length > 0) {
			if (depth == cap) {
				cap *= 2;
				st = g_renew(struct seal_frame, st, cap);
			}
			st[depth].kids = kids;
			st[depth].next = 0;
			depth++;
		}
		while (depth > 0 && st[depth - 1].next >=
		    st[depth - 1].kids->length)
			depth--;
		if (depth == 0)
			break;
		n = st[depth - 1].kids->data[st[depth - 1].next++];
	}
	g_free(st);
}

/* doc_parse_canon - gumbo over the pre-pass output canon, which this
 * frees; doc->body found */
static void
doc_parse_canon(GString *canon, struct html_doc *doc)
{
	GumboOptions opt = kGumboDefaultOptions;
	const GumboVector *kids;
	const GumboNode *k;
	unsigned int i;

	memset(doc, 0, sizeof(*doc));
	opt.max_errors = 0;	/* recording errors costs time and memory */
	doc->out = gumbo_parse_with_options(&opt, canon->str, canon->len);
	doc->canon_len = canon->len;
	if (doc->out != NULL && doc->out->document != NULL)
		doc_seal(doc->out->document);
	g_string_free(canon, TRUE);
	if (doc->out == NULL || doc->out->root == NULL ||
	    doc->out->root->type != GUMBO_NODE_ELEMENT)
		return;
	kids = &doc->out->root->v.element.children;
	for (i = 0; i < kids->length; i++) {
		k = kids->data[i];
		if (k->type == GUMBO_NODE_ELEMENT &&
		    k->v.element.tag == GUMBO_TAG_BODY) {
			doc->body = k;
			break;
		}
	}
}

/* html_doc_parse - pre-pass and gumbo over untrusted bytes; free with
 * html_doc_free */
void
html_doc_parse(const char *html, size_t len, struct html_doc *doc)
{
	char *valid;

	valid = doc_valid_copy(html, len);
	doc_parse_canon(html_pre_run(valid, strlen(valid)), doc);
	g_free(valid);
}

/*
 * html_doc_parse_pieces - html_doc_parse() of the pieces p[0, n) as one
 * document: each goes through the scrub and the pre-pass alone (the
 * pre-pass closes what a piece leaves open), the canonical pieces are
 * parsed together with an empty comment between them, so that no text
 * node spans two pieces, and ends_r[i] gets the offset in the parsed
 * stream where piece i ends.  At most HTML_MAX_INPUT bytes are read in
 * all: the pieces after that are empty.
 */
void
html_doc_parse_pieces(const char *const *p, const size_t *len, size_t n,
    struct html_doc *doc, size_t *ends_r)
{
	GString *canon, *c;
	size_t i, room = HTML_MAX_INPUT;
	char *valid;

	canon = g_string_new(NULL);
	for (i = 0; i < n; i++) {
		if (i > 0)
			g_string_append(canon, "<!---->");
		if (room > 0) {
			valid = doc_valid_copy(p[i], MIN(len[i], room));
			room -= MIN(len[i], room);
			c = html_pre_run(valid, strlen(valid));
			g_string_append_len(canon, c->str, (gssize)c->len);
			g_string_free(c, TRUE);
			g_free(valid);
		}
		ends_r[i] = canon->len;
	}
	doc_parse_canon(canon, doc);
}

/* html_doc_free - release what html_doc_parse() made */
void
html_doc_free(struct html_doc *doc)
{
	if (doc->out != NULL)
		gumbo_destroy_output(&kGumboDefaultOptions, doc->out);
	memset(doc, 0, sizeof(*doc));
}

/* html_node_tag - an element's tag, seeing through the pre-pass renaming
 * (undone by doc_seal() at the parse); GUMBO_TAG_UNKNOWN for elements
 * HTML does not define */
GumboTag
html_node_tag(const GumboNode *n)
{
	return n->v.element.tag;
}

/* html_node_attr - value of attribute name on element n, or NULL */
const char *
html_node_attr(const GumboNode *n, const char *name)
{
	const GumboAttribute *a;

	a = gumbo_get_attribute(&n->v.element.attributes, name);
	return a == NULL ? NULL : a->value;
}

/*
 * html_node_hidden - content the sender hid: the hidden attribute or an inline
 * "display: none" (e-mail preheaders).  A minimal look at the declarations,
 * enough for what mailers write; anything cleverer just stays visible.
 */
bool
html_node_hidden(const GumboNode *n)
{
	const char *style;
	char **decls, *colon, *prop, *val;
	bool hidden = false;
	size_t k;

	if (n->v.element.attributes.length == 0)
		return false;		/* most elements: no lookup */
	if (html_node_attr(n, "hidden") != NULL)
		return true;
	style = html_node_attr(n, "style");
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
 * html_node_mso_para - an Outlook/Word paragraph (<p class="MsoNormal">, and
 * MsoPlainText, MsoListParagraph ...).  Word's own style sheet, which the
 * sanitizer drops, gives these no margins: each is one line, and an empty
 * one (<o:p>&nbsp;</o:p>) makes the blank line.  Read as <p>, every line of
 * the mail, signature included, would stand a paragraph apart.
 */
bool
html_node_mso_para(const GumboNode *n)
{
	const char *cls, *s;

	/* gumbo's own tag: the pre-pass renames formatting elements only,
	 * never p, so html_node_tag() would say the same */
	if (n->v.element.tag != GUMBO_TAG_P ||
	    (cls = html_node_attr(n, "class")) == NULL)
		return false;
	for (s = cls; *s != '\0'; s++)
		if ((s == cls || html_is_space(s[-1])) &&
		    strncmp(s, "Mso", 3) == 0)
			return true;
	return false;
}

/*
 * html_img_label - "[image: ALT]" for an <img>, "[image]" without alt, NULL
 * for decorative images (alt="") and 1x1 tracking pixels.  An image the
 * message carries itself (src="cid:...") is never decorative: Thunderbird
 * writes alt="" on every picture pasted into a mail, so it is "[image]".
 * Whitespace in the alt text is folded and the text cut at ALT_MAX
 * characters.
 */
char *
html_img_label(const GumboNode *n, bool bare_ok)
{
	const char *alt = html_node_attr(n, "alt"),
	    *w = html_node_attr(n, "width"), *h = html_node_attr(n, "height"),
	    *src = html_node_attr(n, "src"), *s;
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
	alt = html_utf8_checked(alt, &tmp);
	for (s = alt; *s != '\0' && chars < ALT_MAX; s = g_utf8_next_char(s)) {
		if (html_is_space(*s)) {
			space = true;
			continue;
		}
		if (space && g->len > 8)
			g_string_append_c(g, ' ');
		space = false;
		html_put(g, s, g_utf8_next_char(s) - s);
		chars++;
	}
	g_free(tmp);
	if (g->len == 8) {
		g_string_free(g, TRUE);
		for (s = src; s != NULL && html_is_space(*s); s++)
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

struct html_walk_frame {
	const GumboNode *node;
	unsigned int next;
	int state;
};

/* html_walk - visit root's descendants in document order with an explicit
 * stack, so no document depth can overflow ours; the stack is a plain
 * array grown by doubling (each walk pushes every element once) */
void
html_walk(const GumboNode *root, const struct html_walker *w)
{
	struct html_walk_frame *st, *top, f;
	size_t depth = 0, cap = 64;
	const GumboVector *kids;
	const GumboNode *child;

	st = g_new(struct html_walk_frame, cap);
	st[depth].node = root;
	st[depth].next = 0;
	st[depth].state = 0;
	depth++;
	while (depth > 0) {
		top = &st[depth - 1];
		kids = &top->node->v.element.children;
		if (top->next < kids->length) {
			child = kids->data[top->next++];
			f.node = child;
			f.next = 0;
			f.state = 0;
			if (w->enter(w->ctx, child, &f.state) !=
			    HTML_WALK_DESCEND)
				continue;
			if (child->type != GUMBO_NODE_ELEMENT &&
			    child->type != GUMBO_NODE_TEMPLATE) {
				w->leave(w->ctx, child, f.state);
				continue;
			}
			if (depth == cap) {
				cap *= 2;
				st = g_renew(struct html_walk_frame, st, cap);
			}
			st[depth++] = f;
			continue;
		}
		f = *top;
		depth--;
		if (depth > 0)
			w->leave(w->ctx, f.node, f.state);
	}
	g_free(st);
}

/* ------------------------------------------------------------------ */
/* Stage 3a: html_sanitize                                            */
/* ------------------------------------------------------------------ */

struct san_state {
	GString *out;
	int depth;
	const GumboNode *mark[2]; /* html_san_doc(): note where they start */
	size_t mark_pos[2];	/* bytes of out before each; SIZE_MAX: unseen */
};

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
	g_string_append_c(out, ' ');
	html_puts(out, name);
	html_put(out, "=\"", 2);
	html_put_escaped(out, value, strlen(value), true);
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
	html_puts(out, gumbo_normalized_tagname(as));
	for (i = 0; i < av->length; i++) {
		a = av->data[i];
		if (a->attr_namespace != GUMBO_ATTR_NAMESPACE_NONE)
			continue;
		if (as == GUMBO_TAG_A && strcmp(a->name, "href") == 0) {
			url = html_url_clean(a->value);
			if (url != NULL) {
				san_put_attr(out, "href", url);
				link = true;
			}
			g_free(url);
		} else if (san_attr_ok(as, a->name))
			san_put_attr(out, a->name, a->value);
	}
	if (link)
		html_puts(out, " rel=\"" HTML_REL_VALUE "\"");
	g_string_append_c(out, '>');
}

/* san_enter - html_sanitize's visit of one node */
static enum html_walk_act
san_enter(void *vctx, const GumboNode *n, int *state)
{
	struct san_state *s = vctx;
	const struct html_tag_row *row;
	const GumboNode *first;
	GumboTag as;
	char *label;

	if (n == s->mark[0])
		s->mark_pos[0] = s->out->len;
	if (n == s->mark[1])
		s->mark_pos[1] = s->out->len;
	switch (n->type) {
	case GUMBO_NODE_TEXT: case GUMBO_NODE_WHITESPACE:
		html_put_escaped(s->out, n->v.text.text, strlen(n->v.text.text),
		    false);
		return HTML_WALK_SKIP;
	case GUMBO_NODE_ELEMENT:
		break;
	default:
		return HTML_WALK_SKIP;	/* comments, CDATA, templates */
	}
	row = html_tag_row(html_node_tag(n));
	if (row->san == HTML_SAN_DROP || html_node_hidden(n))
		return HTML_WALK_SKIP;
	as = html_node_mso_para(n) ? GUMBO_TAG_DIV : row->san_as;
	switch (row->san) {
	case HTML_SAN_IMG:
		label = html_img_label(n, true);
		if (label != NULL) {
			html_puts(s->out, "<span>");
			html_put_escaped(s->out, label, strlen(label), false);
			html_puts(s->out, "</span>");
		}
		g_free(label);
		return HTML_WALK_SKIP;
	case HTML_SAN_VOID:
		san_start_tag(s->out, n, as);
		return HTML_WALK_SKIP;
	case HTML_SAN_KEEP:
		if (s->depth >= HTML_OUT_MAX_DEPTH)
			return HTML_WALK_DESCEND;	/* flattened */
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
		return HTML_WALK_DESCEND;
	default:
		return HTML_WALK_DESCEND;		/* unwrapped */
	}
}

/* san_leave - close what san_enter opened */
static void
san_leave(void *vctx, const GumboNode *n, int state)
{
	struct san_state *s = vctx;

	(void)n;
	if (state == 0)
		return;
	html_put(s->out, "</", 2);
	html_puts(s->out, gumbo_normalized_tagname((GumboTag)(state -
	    1)));
	g_string_append_c(s->out, '>');
	s->depth--;
}

/* san_finish - g without leading and trailing ASCII space, as valid UTF-8;
 * takes g, trimmed in place, and returns its string */
static char *
san_finish(GString *g)
{
	size_t a = 0, z = g->len;
	char *r, *bad;

	while (a < z && html_is_space(g->str[a]))
		a++;
	while (z > a && html_is_space(g->str[z - 1]))
		z--;
	if (a > 0)
		memmove(g->str, g->str + a, z - a);
	g_string_truncate(g, z - a);
	r = g_string_free(g, FALSE);
	if (!g_utf8_validate(r, -1, NULL)) {
		bad = r;
		r = g_utf8_make_valid(bad, -1);
		g_free(bad);
	}
	return r;
}

/* html_san_doc - the sanitised body of a parsed document, untrimmed */
GString *
html_san_doc(const struct html_doc *doc, const GumboNode *const marks[2],
    size_t pos_r[2])
{
	struct san_state s = { NULL, 0, { NULL, NULL },
	    { SIZE_MAX, SIZE_MAX } };
	struct html_walker w = { san_enter, san_leave, &s };

	if (marks != NULL) {
		s.mark[0] = marks[0];
		s.mark[1] = marks[1];
	}
	s.out = g_string_sized_new(doc->canon_len + 64);
	if (doc->body != NULL)
		html_walk(doc->body, &w);
	if (pos_r != NULL) {
		pos_r[0] = s.mark_pos[0];
		pos_r[1] = s.mark_pos[1];
	}
	return s.out;
}

/* html_sanitize - allowlisted fragment; new string, caller g_free()s */
char *
html_sanitize(const char *html, size_t len)
{
	struct html_doc doc;
	GString *out;

	if (html == NULL || len == 0)
		return g_strdup("");
	html_doc_parse(html, len, &doc);
	out = html_san_doc(&doc, NULL, NULL);
	html_doc_free(&doc);
	return san_finish(out);
}

/* render_doc - html_render() of a parsed doc, which this frees */
static void
render_doc(struct html_doc *doc, bool text, enum html_split split,
    struct html_parts *r)
{
	char *texts[2];

	/*
	 * The history walk first: what it holds while it runs (the lines
	 * of the whole body) is freed before the text and the sanitised
	 * body are made, rather than held beside them with the tree.
	 */
	texts[0] = texts[1] = NULL;
	if (split != HTML_SPLIT_NONE && html_hist_doc(doc, &r->fresh,
	    &r->hist, text && split == HTML_SPLIT_ALL ? texts : NULL)) {
		r->fresh_text = texts[0];
		r->hist_text = texts[1];
	}
	if (text)
		r->text = html_text_doc(doc);
	r->san = san_finish(html_san_doc(doc, NULL, NULL));
	html_doc_free(doc);
}

/*
 * html_render - html_sanitize(), and with text html_to_text(), and with
 * split html_split_history(), all from one parse: a 1 MB body parsed once
 * instead of three or four times, and its tree freed before returning
 */
void
html_render(const char *html, size_t len, bool text,
    enum html_split split, struct html_parts *r)
{
	struct html_doc doc;

	memset(r, 0, sizeof(*r));
	if (html == NULL || len == 0) {
		r->san = g_strdup("");
		r->text = text ? g_strdup("") : NULL;
		return;
	}
	html_doc_parse(html, len, &doc);
	render_doc(&doc, text, split, r);
}

/*
 * html_render_pieces - html_render() of the pieces p[0, n) joined in
 * order, and in (*texts_r)[i] the html_to_text() of piece i alone, from
 * one parse (html_doc_parse_pieces(), html_text_pieces()).  *texts_r is
 * NULL-terminated; g_strfreev() it.
 */
void
html_render_pieces(const char *const *p, const size_t *len, size_t n,
    bool text, enum html_split split, struct html_parts *r, char ***texts_r)
{
	struct html_doc doc;
	size_t *ends;

	memset(r, 0, sizeof(*r));
	ends = g_new(size_t, n + 1);
	html_doc_parse_pieces(p, len, n, &doc, ends);
	*texts_r = html_text_pieces(&doc, ends, n);
	g_free(ends);
	render_doc(&doc, text, split, r);
}

/* html_parts_clear - free what html_render() made; NULL-safe */
void
html_parts_clear(struct html_parts *r)
{
	if (r == NULL)
		return;
	g_free(r->san);
	g_free(r->text);
	g_free(r->fresh);
	g_free(r->hist);
	g_free(r->fresh_text);
	g_free(r->hist_text);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------ */
/* html_escape                                                        */
/* ------------------------------------------------------------------ */

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
			html_puts(out, "&amp;");
			break;
		case '<':
			html_puts(out, "&lt;");
			break;
		case '>':
			html_puts(out, "&gt;");
			break;
		case '"':
			html_puts(out, "&quot;");
			break;
		case '\'':
			html_puts(out, "&#39;");
			break;
		default:
			g_string_append_c(out, *s);
			break;
		}
	}
	g_free(valid);
	return g_string_free(out, FALSE);
}
