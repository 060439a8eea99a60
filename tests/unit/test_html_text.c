/*
 * test_html_text.c - the text renderers (gateway/html_text.c): one case
 * per text kind of the tag table through html_to_text(), and
 * html_from_text() / html_from_text_plain(), html_render_pieces().
 * test_html.c holds the
 * real-world mails and the bounds.
 */
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "html.h"
#include "tap.h"

struct text_case {
	const char *name;
	const char *in;
	const char *want;
};

static const struct text_case to_text_cases[] = {
	{ .name = "INLINE: span flows", .in = "a<span>b</span>c",
	    .want = "abc" },
	{ .name = "BLOCK1: div, a line each",
	    .in = "<div>a</div><div>b</div>", .want = "a\nb" },
	{ .name = "BLOCK2: p and h2, a blank line between",
	    .in = "<p>a</p><h2>b</h2>", .want = "a\n\nb" },
	{ .name = "BLOCK1: an Outlook paragraph is one line",
	    .in = "<p class=MsoNormal>a</p><p class=MsoNormal>b</p>",
	    .want = "a\nb" },
	{ .name = "BR", .in = "a<br>b", .want = "a\nb" },
	{ .name = "HR", .in = "a<hr>b", .want = "a\n---\nb" },
	{ .name = "IMG", .in = "<img alt=\"Logo\">", .want = "[image: Logo]" },
	{ .name = "LIST and LI: nested, indented",
	    .in = "<ul><li>a<ul><li>b</ul><li>c</ul>",
	    .want = "- a\n  - b\n- c" },
	{ .name = "LIST: ol start, li value",
	    .in = "<ol start=3><li>a<li value=9>b<li>c</ol>",
	    .want = "3. a\n9. b\n10. c" },
	{ .name = "LIST: menu is a list", .in = "<menu><li>m</menu>",
	    .want = "- m" },
	{ .name = "QUOTE: nested",
	    .in = "<blockquote>q<blockquote>r</blockquote></blockquote>x",
	    .want = "> q\n> > r\nx" },
	{ .name = "PRE: white space kept", .in = "<pre>  a\n   b</pre>",
	    .want = "  a\n   b" },
	{ .name = "PRE: listing is pre", .in = "<listing>x  y</listing>",
	    .want = "x  y" },
	{ .name = "ROW and CELL",
	    .in = "<table><tr><td>a<td>b<tr><td>c</table>",
	    .want = "a | b\nc" },
	{ .name = "LINK: URL shown when the text differs",
	    .in = "<a href=\"https://e.com/x\">here</a>",
	    .want = "here <https://e.com/x>" },
	{ .name = "LINK: not when the text is the URL",
	    .in = "<a href=\"https://e.com/\">e.com</a>", .want = "e.com" },
	{ .name = "LINK: text is the URL but for case, scheme and slash",
	    .in = "<a href=\"https://E.com/a/\"> HTTP://e.COM/a </a>",
	    .want = "HTTP://e.COM/a" },
	{ .name = "LINK: mailto text the same without scheme",
	    .in = "<a href=\"mailto:A@b.c\">a@B.c</a>", .want = "a@B.c" },
	{ .name = "LINK: text longer by one character differs",
	    .in = "<a href=\"https://e.com/\">e.comm</a>",
	    .want = "e.comm <https://e.com/>" },
	{ .name = "LINK: empty text shows the URL",
	    .in = "<a href=\"https://e.com/x\"></a>y",
	    .want = "<https://e.com/x>y" },
	{ .name = "LINK: two links, the capture starts again",
	    .in = "<a href=\"https://a.b/\">a.b</a> <a href=\"https://c.d/\">"
	    "x</a>", .want = "a.b x <https://c.d/>" },
	{ .name = "LINK: spaces and controls in the URL not shown",
	    .in = "<a href=\"https://e.com/a b\xc2\xad\">t</a>",
	    .want = "t <https://e.com/ab>" },
	{ .name = "LINK: mailto shown without the scheme",
	    .in = "<a href=\"mailto:a@b.c\">write</a>",
	    .want = "write <a@b.c>" },
	{ .name = "DROP: textarea", .in = "<textarea>t</textarea>x",
	    .want = "x" },
	{ .name = "DROP: script, select",
	    .in = "<script>x</script><select><option>o</select>k",
	    .want = "k" },
	{ .name = "hidden content", .in = "<p style=\"display:none\">pre</p>v",
	    .want = "v" },
	{ .name = "white space folded, nbsp kept",
	    .in = "a&nbsp;&nbsp;b   c", .want = "a  b c" },
};

static const struct text_case from_text_cases[] = {
	{ .name = "escaped", .in = "a & <b>", .want = "<p>a &amp; &lt;b&gt;</p>" },
	{ .name = "lines and paragraphs", .in = "l1\nl2\n\np2",
	    .want = "<p>l1<br>\nl2</p>\n<p>p2</p>" },
	{ .name = "quotes nest", .in = "> q\n> > qq\nx",
	    .want = "<blockquote>\n<p>q</p>\n<blockquote>\n<p>qq</p>\n"
	    "</blockquote>\n</blockquote>\n<p>x</p>" },
	{ .name = "URL linked, the sentence's full stop left out",
	    .in = "see https://e.com/a?b=1&c. ok",
	    .want = "<p>see <a href=\"https://e.com/a?b=1&amp;c\" rel=\""
	    "noopener noreferrer nofollow\">https://e.com/a?b=1&amp;c</a>. "
	    "ok</p>" },
	{ .name = "runs: two spaces, then three, before a URL",
	    .in = "a  b   https://e.com/ x",
	    .want = "<p>a&nbsp; b&nbsp;&nbsp; <a href=\"https://e.com/\" rel=\""
	    "noopener noreferrer nofollow\">https://e.com/</a> x</p>" },
	{ .name = "runs: h inside a word starts no URL",
	    .in = "xhttps://e.com Https://E.com",
	    .want = "<p>xhttps://e.com <a href=\"Https://E.com\" rel=\""
	    "noopener noreferrer nofollow\">Https://E.com</a></p>" },
	{ .name = "runs: a URL ends at the line end",
	    .in = "https://e.com/a\r\nb", .want = "<p><a href=\"https://e."
	    "com/a\" rel=\"noopener noreferrer nofollow\">https://e.com/a"
	    "</a><br>\nb</p>" },
	{ .name = "runs: trailing spaces and tabs go", .in = "x \t \ny",
	    .want = "<p>x<br>\ny</p>" },
	{ .name = "runs: nbsp, C1 and markup inside words",
	    .in = "a\xc2\xa0" "b\xc2\x85" "c<d>&e\"", .want = "<p>a&nbsp;bc"
	    "&lt;d&gt;&amp;e\"</p>" },
	{ .name = "runs: a lone h and H at the end", .in = "h H",
	    .want = "<p>h H</p>" },
	{ .name = "leading spaces and a tab kept",
	    .in = "  two\tt", .want = "<p>&nbsp;&nbsp;two&nbsp;&nbsp; t</p>" },
};

static const struct text_case from_text_plain_cases[] = {
	{ .name = "plain: no quote, no link", .in = "> q\nhttps://e.com/",
	    .want = "<p>&gt; q<br>\nhttps://e.com/</p>" },
};

/* test_to_text - the html_to_text() table */
static void
test_to_text(void)
{
	const struct text_case *c;
	char *got;
	size_t k;

	for (k = 0; k < G_N_ELEMENTS(to_text_cases); k++) {
		c = &to_text_cases[k];
		got = html_to_text(c->in, strlen(c->in));
		tap_str(got, c->want, c->name);
		g_free(got);
	}
}

/* test_from_text - html_from_text() and the plain variant; the result
 * is already sanitized */
static void
test_from_text(void)
{
	const struct text_case *c;
	char *got, *again;
	size_t k;

	for (k = 0; k < G_N_ELEMENTS(from_text_cases); k++) {
		c = &from_text_cases[k];
		got = html_from_text(c->in);
		tap_str(got, c->want, c->name);
		again = html_sanitize(got, strlen(got));
		tap_str(again, got, "  and sanitizing it changes nothing");
		g_free(again);
		g_free(got);
	}
	for (k = 0; k < G_N_ELEMENTS(from_text_plain_cases); k++) {
		c = &from_text_plain_cases[k];
		got = html_from_text_plain(c->in);
		tap_str(got, c->want, c->name);
		g_free(got);
	}
}

/*
 * test_pieces - html_render_pieces(): each piece's text as html_to_text()
 * of it alone, and for pieces that close what they open, the render of
 * the joined source, all from one parse
 */
static void
test_pieces(void)
{
	static const char *const cases[][4] = {
		/* Apple Mail: whole documents around an image */
		{ "<html><body>Hi,<br>see the plan:</body></html>\n",
		    "<html><head><title>t</title></head><body><p>Call me."
		    "</p></body></html>\n", NULL },
		/* bare text, no tags: gumbo would merge it into one node */
		{ "<html>\nfirst part\n</html>\n", "second part\n",
		    "third &amp; last", NULL },
		/* an empty piece, a list, a quote */
		{ "", "<ul><li>a<li>b</ul>", "<blockquote>q</blockquote>",
		    NULL },
		{ "<p>one piece</p>", NULL },
	};
	/* a piece that leaves a list open: its text still as alone */
	static const char *const open[] = { "<ul><li>a", "b<div>c</div>" };
	struct html_parts parts;
	GString *joined;
	char **texts, *want;
	size_t k, i, n, len[4];

	for (k = 0; k < G_N_ELEMENTS(cases); k++) {
		joined = g_string_new(NULL);
		for (n = 0; cases[k][n] != NULL; n++) {
			len[n] = strlen(cases[k][n]);
			g_string_append(joined, cases[k][n]);
		}
		html_render_pieces(cases[k], len, n, true, HTML_SPLIT_NONE,
		    &parts, &texts);
		for (i = 0; i < n; i++) {
			want = html_to_text(cases[k][i], len[i]);
			tap_str(texts[i], want, "pieces: a piece's text is its "
			    "text alone");
			g_free(want);
		}
		tap_ok(texts[n] == NULL, "pieces: texts NULL-terminated");
		want = html_sanitize(joined->str, joined->len);
		tap_str(parts.san, want, "pieces: sanitised as joined");
		g_free(want);
		want = html_to_text(joined->str, joined->len);
		tap_str(parts.text, want, "pieces: text as joined");
		g_free(want);
		html_parts_clear(&parts);
		g_strfreev(texts);
		g_string_free(joined, TRUE);
	}
	len[0] = strlen(open[0]);
	len[1] = strlen(open[1]);
	html_render_pieces(open, len, 2, false, HTML_SPLIT_NONE, &parts,
	    &texts);
	tap_str(texts[0], "- a", "pieces: an open list ends with its piece");
	tap_str(texts[1], "b\nc", "pieces: the next piece is not in it");
	html_parts_clear(&parts);
	g_strfreev(texts);
	html_render_pieces(NULL, NULL, 0, true, HTML_SPLIT_NONE, &parts,
	    &texts);
	tap_ok(texts[0] == NULL && parts.san != NULL, "pieces: none");
	html_parts_clear(&parts);
	g_strfreev(texts);
}

/* test_null - NULL in, "" out */
static void
test_null(void)
{
	char *a = html_to_text(NULL, 0), *b = html_from_text(NULL),
	    *c = html_from_text_plain(NULL);

	tap_str(a, "", "html_to_text(NULL)");
	tap_str(b, "", "html_from_text(NULL)");
	tap_str(c, "", "html_from_text_plain(NULL)");
	g_free(a);
	g_free(b);
	g_free(c);
}

int
main(void)
{
	test_to_text();
	test_from_text();
	test_pieces();
	test_null();
	return tap_done();
}
