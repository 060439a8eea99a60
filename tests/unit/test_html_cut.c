/*
 * test_html_cut.c - html_cut_html(), html_cut_text_html(), html_render(),
 * and note_render() fitting big bodies without parsing them again.
 *
 * Besides a table of hostile cuts (inside a tag, a reference, a UTF-8
 * character, an attribute holding ';'), the cuts are checked against
 * what the code they replace made: html_sanitize() of the cut prefix, and
 * html_from_text() of the cut text, at every byte of a few documents.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "html.h"
#include "html_cut.h"
#include "html_priv.h"
#include "message.h"
#include "note.h"
#include "tap.h"

static const struct {
	const char *name;
	const char *san;
	size_t n;
	const char *want;
} cut_cases[] = {
	{ .name = "whole", .san = "<p>abc</p>", .n = 100,
	  .want = "<p>abc</p>" },
	{ .name = "empty", .san = "", .n = 5, .want = "" },
	{ .name = "cap 0", .san = "<p>abc</p>", .n = 0, .want = "" },
	{ .name = "in text", .san = "<p>abcdef</p>", .n = 6,
	  .want = "<p>abc</p>" },
	{ .name = "in a start tag", .san = "<p>ab</p>\n<p>cd</p>", .n = 11,
	  .want = "<p>ab</p>" },
	{ .name = "in an end tag", .san = "<p>ab</p>", .n = 7,
	  .want = "<p>ab</p>" },
	{ .name = "in a reference", .san = "<p>a&amp;b</p>", .n = 6,
	  .want = "<p>a</p>" },
	{ .name = "after a reference", .san = "<p>a&amp;b</p>", .n = 9,
	  .want = "<p>a&amp;</p>" },
	{ .name = "in &nbsp;", .san = "<p>a&nbsp;b</p>", .n = 9,
	  .want = "<p>a</p>" },
	{ .name = "in a two-byte character", .san = "<p>\xc3\xa9\xe2\x82\xac</p>",
	  .n = 4, .want = "<p></p>" },
	{ .name = "in a three-byte character",
	  .san = "<p>\xc3\xa9\xe2\x82\xac</p>", .n = 7,
	  .want = "<p>\xc3\xa9</p>" },
	{ .name = "attribute with ';'",
	  .san = "<p><a href=\"https://x.example/?a=1;b=2\" rel=\"r\">t</a></p>",
	  .n = 30, .want = "<p></p>" },
	{ .name = "void elements stay open",
	  .san = "<p>a<br>b<hr>c</p>", .n = 13, .want = "<p>a<br>b<hr></p>" },
	{ .name = "void: wbr and col stay open, one-letter tags close",
	  .san = "<p><b>a<wbr>b<i>c</i><s>d</s><u>e</u></b></p>", .n = 30,
	  .want = "<p><b>a<wbr>b<i>c</i><s>d</s></b></p>" },
	{ .name = "void: colgroup col",
	  .san = "<table><colgroup><col span=\"2\"></colgroup></table>",
	  .n = 33, .want = "<table><colgroup><col span=\"2\"></colgroup>"
	  "</table>" },
	{ .name = "nested",
	  .san = "<div><ul><li>x</li><li>yz</li></ul></div>", .n = 24,
	  .want = "<div><ul><li>x</li><li>y</li></ul></div>" },
	{ .name = "table",
	  .san = "<table><tbody><tr><td>1</td><td>2</td></tr></tbody></table>",
	  .n = 32,
	  .want = "<table><tbody><tr><td>1</td><td></td></tr></tbody></table>" },
	{ .name = "white space after the last element goes",
	  .san = "<p>a</p>\n  <p>b</p>", .n = 11, .want = "<p>a</p>" },
	{ .name = "white space inside an element stays",
	  .san = "<p>a   b</p>", .n = 6, .want = "<p>a  </p>" },
};

/* Sanitised documents cut at every byte in cut_same(). */
static const char *const docs[] = {
	"<p><b>a<wbr>b</b><s>c</s><u>d</u><font color=\"red\">e</font></p>"
	"<table><colgroup><col span=2></colgroup><tr><td>x<br>y</td></tr>"
	"</table><hr><p><q>q</q><sub>1</sub></p>",
	"<p>Hello <b>world</b> &amp; <i>all</i> \xc3\xa9t\xc3\xa9 \xe2\x80\x94 "
	"<a href=\"https://example.com/a;b?c=1&amp;d=2\">link</a></p>\n"
	"<ul><li>one</li><li>two<br>2b</li></ul>\n<blockquote><p>quoted "
	"&lt;tag&gt;</p></blockquote>",
	"<div><table border=\"1\"><tbody><tr><td>1</td><td>\xc3\xa9l\xc3\xa9"
	"ment</td></tr>\n<tr><td colspan=\"2\">x&nbsp;y</td></tr></tbody>"
	"</table></div><p>after</p>",
	"<h1>Title</h1><ol start=\"3\"><li>a</li><li><span>[image: x]</span>"
	"</li></ol><hr><p><font color=\"red\">red</font> <code>c</code></p>",
	"<p>a<img src=x alt=b>c</p><p>x<script>bad()</script>y</p>",
};

/* old_cut - what note.c did before html_cut: back out of a tag or
 * reference, then sanitise the prefix again */
static char *
old_cut(const char *html, size_t n)
{
	size_t len = strlen(html), i;

	if (n >= len)
		n = len;
	while (n > 0 && ((unsigned char)html[n] & 0xc0) == 0x80)
		n--;
	for (i = n; i > 0; i--) {
		if (html[i - 1] == '>' || html[i - 1] == ';')
			break;
		if (html[i - 1] == '<' || html[i - 1] == '&') {
			n = i - 1;
			break;
		}
	}
	return html_sanitize(html, n);
}

/* cut_same - html_cut_html() is html_sanitize() of the cut, at every
 * byte of each (sanitised) document */
static void
cut_same(void)
{
	size_t d, n, len, bad;
	char *san, *a, *b;

	for (d = 0; d < G_N_ELEMENTS(docs); d++) {
		san = html_sanitize(docs[d], strlen(docs[d]));
		len = strlen(san);
		bad = SIZE_MAX;
		for (n = 0; n <= len + 1 && bad == SIZE_MAX; n++) {
			a = html_cut_html(san, len, n);
			b = old_cut(san, n);
			/* An attribute cut after a ';' fooled the old back-out
			 * (gumbo then dropped the tag): only where that did
			 * not happen must the two agree. */
			if (strcmp(a, b) != 0 && strstr(b, "a;b") == NULL &&
			    strncmp(a, b, strlen(b)) != 0)
				bad = n;
			g_free(a);
			g_free(b);
		}
		tap_ok(bad == SIZE_MAX, "doc %zu: cut == sanitised prefix at "
		    "every byte (first difference at %zd)", d,
		    bad == SIZE_MAX ? (ssize_t)-1 : (ssize_t)bad);
		g_free(san);
	}
}

/* Documents whose pieces piece_same() checks: nesting that a parse of
 * a piece out of its context would build otherwise. */
static const char *const piece_docs[] = {
	"<div><table><tr><td>a<div>b</div></td><td><pre>\nc\nd</pre></td>"
	"</tr><caption>cap</caption></table><dl><dt>t</dt><dd>d<dl><dd>e"
	"</dd></dl></dd></dl></div><p>x<marquee><div>y</div></marquee>z</p>"
	"<ul><li>1<ul><li>2</li></ul></li></ul><h1>h<x-a><h2>i</h2></x-a>"
	"</h1><a href=\"https://e.example/\">l<table><tr><td><a href=\""
	"https://f.example/\">m</a></td></tr></table></a>",
	"<div dir=\"ltr\"><p>Hello,</p><p>thanks</p></div><div><div>On Tue, "
	"Bob wrote:<br></div><blockquote><p>old 1</p>\n<p>old 2</p>"
	"</blockquote></div>\n<p>Regards</p>",
};

/* piece_same - html_cut_piece() of any span between two tags is NULL or
 * what html_sanitize() makes of that span */
static void
piece_same(void)
{
	size_t d, i, j, len, ok, bad, null;
	GArray *at;
	const char *doc;
	char *san, *a, *b;

	for (d = 0; d < G_N_ELEMENTS(docs) + G_N_ELEMENTS(piece_docs); d++) {
		doc = d < G_N_ELEMENTS(docs) ? docs[d] :
		    piece_docs[d - G_N_ELEMENTS(docs)];
		san = html_sanitize(doc, strlen(doc));
		len = strlen(san);
		at = g_array_new(FALSE, FALSE, sizeof(size_t));
		for (i = 0; i <= len; i++)
			if (i == len || san[i] == '<')
				g_array_append_val(at, i);
		ok = bad = null = 0;
		for (i = 0; i < at->len; i++)
			for (j = i; j < at->len; j++) {
				a = html_cut_piece(san, g_array_index(at,
				    size_t, i), g_array_index(at, size_t, j));
				if (a == NULL) {
					null++;
					continue;
				}
				b = html_sanitize(san + g_array_index(at,
				    size_t, i), g_array_index(at, size_t, j) -
				    g_array_index(at, size_t, i));
				if (strcmp(a, b) == 0)
					ok++;
				else if (bad++ == 0)
					printf("# piece [%zu, %zu): got '%s' "
					    "want '%s'", g_array_index(at,
					    size_t, i), g_array_index(at,
					    size_t, j), a, b);
				g_free(a);
				g_free(b);
			}
		tap_ok(bad == 0 && ok > 0, "doc %zu: %zu pieces cut as "
		    "sanitised, %zu left to a parse, %zu differ", d, ok,
		    null, bad);
		g_array_free(at, TRUE);
		g_free(san);
	}
}

/* Texts whose html_from_text() is cut at every byte in text_same(). */
static const char *const texts[] = {
	"Hello,\n\nthis is a test with https://example.com/path?a=1&b=2.\n"
	"> quoted line\n> > deeper \xc3\xa9\n>\n> back\nend\twith\ttabs   \n",
	"a\r\nb\r\rc\n\n\n\nd  e   f\n   lead\n\xef\xb7\x90 nonchar \x01 ctl "
	"\xe2\x82\xac\n<b>&amp;</b> \"q\"\n",
	">>> a\n\n>> b\nhttp://x.example/(paren) [https://y.example/]\n",
	/* runs: URLs against CR, tab and the end; nbsp, C1, invalid bytes */
	"https://a.b\rhttp://c.d\thttps://e.f  \n  http://g.h/\xc2\xa0x"
	"\xc2\x85y\n\xff\xfe bad https://\n\t\th H hhttp://x &<>\"\n"
	"x   \t  y\r\n    \r\nhttps://z.example/end",
	"",
	"\n\n\n",
};

/* text_same - html_cut_text_html() == html_from_text() of the prefix */
static void
text_same(void)
{
	struct html_cut_text *c;
	GString *g;
	size_t t, n, m, len, bad, added;
	char *a, *b, *pre;

	for (t = 0; t < G_N_ELEMENTS(texts); t++) {
		c = html_cut_text_new(texts[t], SIZE_MAX);
		len = strlen(texts[t]);
		bad = SIZE_MAX;
		for (n = 0; n <= len + 2 && bad == SIZE_MAX; n++) {
			m = MIN(n, len);
			while (m > 0 && ((unsigned char)texts[t][m] & 0xc0) ==
			    0x80)
				m--;
			pre = g_strndup(texts[t], m);
			a = html_cut_text_html(c, n);
			b = html_from_text(pre);
			if (strcmp(a, b) != 0)
				bad = n;
			/* Appended after a header block, which stays. */
			g = g_string_new("<p>From: x</p>\n");
			added = html_cut_text_append(g, c, n);
			if (added != strlen(a) ||
			    strncmp(g->str, "<p>From: x</p>\n", 15) != 0 ||
			    strcmp(g->str + 15, a) != 0)
				bad = n;
			g_string_free(g, TRUE);
			g_free(a);
			g_free(b);
			g_free(pre);
		}
		tap_ok(bad == SIZE_MAX, "text %zu: cut == html_from_text(prefix) "
		    "at every byte (first difference at %zd)", t,
		    bad == SIZE_MAX ? (ssize_t)-1 : (ssize_t)bad);
		html_cut_text_free(&c);
		tap_ok(c == NULL, "text %zu: free NULLs the pointer", t);
	}
	html_cut_text_free(NULL);
	html_cut_text_free(&c);
}

/*
 * text_limits - html_cut_text_new() with a limit, and past its 64 KB
 * chunks: every cut still html_from_text() of the prefix (lines past the
 * limit are rendered again from the last mark), and the least length a
 * lower bound of the whole HTML
 */
static void
text_limits(void)
{
	static const size_t limits[] = { SIZE_MAX, 0, 7, 40, 150000, 400000,
	    700000 };
	struct html_cut_text *c;
	GString *big;
	size_t t, k, n, m, len, bad, cuts;
	char *a, *b, *pre, *whole;

	for (t = 0; t < G_N_ELEMENTS(texts); t++)
		for (k = 1; k < 4; k++) {
			c = html_cut_text_new(texts[t], limits[k]);
			len = strlen(texts[t]);
			bad = SIZE_MAX;
			for (n = 0; n <= len + 1 && bad == SIZE_MAX; n++) {
				m = MIN(n, len);
				while (m > 0 && ((unsigned char)texts[t][m] &
				    0xc0) == 0x80)
					m--;
				pre = g_strndup(texts[t], m);
				a = html_cut_text_html(c, n);
				b = html_from_text(pre);
				if (strcmp(a, b) != 0)
					bad = n;
				g_free(a);
				g_free(b);
				g_free(pre);
			}
			tap_ok(bad == SIZE_MAX, "text %zu, limit %zu: every cut "
			    "as html_from_text(prefix) (first difference at "
			    "%zd)", t, limits[k], bad == SIZE_MAX ? (ssize_t)-1 :
			    (ssize_t)bad);
			html_cut_text_free(&c);
		}

	/* 300 KB of lines ending in LF, CRLF and CR, quotes, tabs, URLs,
	 * a long line across a chunk's end. */
	big = g_string_new(NULL);
	for (n = 0; big->len < 300 * 1024; n++) {
		g_string_append_printf(big, "%s%zu\tsee https://x.example/%zu "
		    "&<>  caf\xc3\xa9%s", n % 5 == 0 ? "> " : n % 11 == 0 ?
		    ">> " : "", n, n, n % 3 == 0 ? "\r\n" : n % 3 == 1 ?
		    "\n" : "\r");
		if (n % 97 == 0)
			g_string_append_c(big, '\n');
		if (n == 3000)
			for (m = 0; m < 70000; m++)
				g_string_append_c(big, m % 80 ? 'x' : ' ');
	}
	whole = html_from_text(big->str);
	for (k = 0; k < G_N_ELEMENTS(limits); k++) {
		c = html_cut_text_new(big->str, limits[k]);
		tap_ok(html_cut_text_least(c) <= strlen(whole),
		    "big text, limit %zu: least %zu <= %zu", limits[k],
		    html_cut_text_least(c), strlen(whole));
		bad = SIZE_MAX;
		cuts = 0;
		for (n = 0; n <= big->len + 1 && bad == SIZE_MAX;
		    n += n % 3 == 0 ? 24007 : 1) {
			m = MIN(n, big->len);
			while (m > 0 && ((unsigned char)big->str[m] & 0xc0) ==
			    0x80)
				m--;
			pre = g_strndup(big->str, m);
			a = html_cut_text_html(c, n);
			b = html_from_text(pre);
			if (strcmp(a, b) != 0)
				bad = n;
			cuts++;
			g_free(a);
			g_free(b);
			g_free(pre);
		}
		a = html_cut_text_html(c, big->len);
		tap_ok(bad == SIZE_MAX && strcmp(a, whole) == 0, "big text, "
		    "limit %zu: %zu cuts and the whole as html_from_text() "
		    "(first difference at %zd)", limits[k], cuts,
		    bad == SIZE_MAX ? (ssize_t)-1 : (ssize_t)bad);
		g_free(a);
		html_cut_text_free(&c);
	}
	g_free(whole);
	g_string_free(big, TRUE);
}

/* render_same - html_render() is the three separate calls */
static void
render_same(void)
{
	static const char *const in[] = {
		"<p>New text</p><div class=\"gmail_quote\">On Mon, Jan 6, 2025 "
		"at 10:00 AM Bob &lt;bob@example.com&gt; wrote:<br>"
		"<blockquote>old</blockquote></div>",
		"<div hidden>x</div><p>a<img alt=\"\"></p>",
		"",
		"<script>only()</script>",
	};
	struct html_parts p;
	size_t k;
	char *san, *text, *fresh, *hist;
	bool split;

	for (k = 0; k < G_N_ELEMENTS(in); k++) {
		html_render(in[k], strlen(in[k]), true, true, &p);
		san = html_sanitize(in[k], strlen(in[k]));
		text = html_to_text(in[k], strlen(in[k]));
		split = html_split_history(in[k], strlen(in[k]), false, &fresh,
		    &hist);
		tap_str(p.san, san, "render: sanitised");
		tap_str(p.text, text, "render: text");
		tap_ok(split == (p.fresh != NULL), "render %zu: split", k);
		tap_str(p.fresh, fresh, "render: new part");
		tap_str(p.hist, hist, "render: history");
		g_free(san);
		g_free(text);
		g_free(fresh);
		g_free(hist);
		html_parts_clear(&p);
		tap_ok(p.san == NULL && p.text == NULL, "render %zu: cleared",
		    k);
	}
	html_render(NULL, 0, false, false, &p);
	tap_str(p.san, "", "render: NULL in, \"\" out");
	tap_ok(p.text == NULL, "render: no text unless asked");
	html_parts_clear(&p);
	html_parts_clear(NULL);
}

/* deep - nesting past gumbo's and the sanitizer's depth: every cut is
 * balanced and the same as sanitising the prefix */
static void
deep(void)
{
	GString *g = g_string_new(NULL);
	char *san, *a, *b;
	size_t k, len, n, bad = SIZE_MAX, opens, closes;
	const char *p;

	for (k = 0; k < 3000; k++)
		g_string_append(g, k % 2 ? "<div>" : "<blockquote>x");
	san = html_sanitize(g->str, g->len);
	len = strlen(san);
	for (n = 0; n <= len && bad == SIZE_MAX; n += 97) {
		a = html_cut_html(san, len, n);
		b = old_cut(san, n);
		opens = closes = 0;
		for (p = a; (p = strchr(p, '<')) != NULL; p++)
			p[1] == '/' ? closes++ : opens++;
		if (strcmp(a, b) != 0 || opens != closes)
			bad = n;
		g_free(a);
		g_free(b);
	}
	tap_ok(bad == SIZE_MAX, "deep nesting: cut balanced and == sanitised "
	    "prefix (first difference at %zd)",
	    bad == SIZE_MAX ? (ssize_t)-1 : (ssize_t)bad);
	g_free(san);
	g_string_free(g, TRUE);
}

/* test_msg - a hand-made message; free with test_msg_free() */
static struct message *
test_msg(const char *text, const char *html)
{
	struct message *msg = g_new0(struct message, 1);

	msg->from = g_strdup("A <a@example.com>");
	msg->subject = g_strdup("big");
	msg->text = g_strdup(text);
	msg->html = g_strdup(html);
	msg->attachments = g_ptr_array_new();
	msg->forwards = g_ptr_array_new();
	return msg;
}

/* test_msg_free - free test_msg()'s message */
static void
test_msg_free(struct message *msg)
{
	g_free(msg->from);
	g_free(msg->subject);
	g_free(msg->text);
	g_free(msg->html);
	g_ptr_array_free(msg->attachments, TRUE);
	g_ptr_array_free(msg->forwards, TRUE);
	g_free(msg);
}

/* fit - note_render() on big bodies within small caps */
static void
fit(void)
{
	static const size_t caps[] = { 0, 10, 100, 300, 4096, 16384 };
	GString *h = g_string_new("<div>"), *t = g_string_new(NULL);
	struct gw_error err;
	struct message *msg[3];
	struct note *note;
	size_t k, c, size;
	enum gw_status rc;

	for (k = 0; k < 2000; k++) {
		g_string_append_printf(h, "<p>%zu \xc3\xa9 &amp; <b>b</b>"
		    "</p>\n", k);
		g_string_append_printf(t, "line %zu \xe2\x82\xac > x\n", k);
	}
	g_string_append(h, "</div>");
	msg[0] = test_msg(NULL, h->str);
	msg[1] = test_msg(t->str, NULL);
	msg[2] = test_msg(t->str, h->str);
	for (k = 0; k < G_N_ELEMENTS(msg); k++)
		for (c = 0; c < G_N_ELEMENTS(caps); c++) {
			rc = note_render(msg[k], caps[c], true, &note, &err);
			size = rc == GW_OK ? strlen(note->body_text) +
			    strlen(note->body_html) : SIZE_MAX;
			tap_ok(rc == GW_OK && size <= caps[c] &&
			    note->truncated, "fit: message %zu in %zu bytes "
			    "(%zu)", k, caps[c], size);
			if (caps[c] >= 4096)
				tap_ok(strstr(note->body_html, "[Note truncated")
				    != NULL && size > caps[c] * 3 / 4,
				    "fit: message %zu in %zu: says truncated, "
				    "kept most", k, caps[c]);
			note_free(&note);
		}
	for (k = 0; k < G_N_ELEMENTS(msg); k++)
		test_msg_free(msg[k]);
	/* Empty bodies: the subject alone is the note. */
	msg[0] = test_msg("", "");
	rc = note_render(msg[0], 16384, true, &note, &err);
	tap_ok(rc == GW_OK && note->body_text[0] != '\0' && !note->truncated,
	    "fit: empty bodies, header block only");
	note_free(&note);
	test_msg_free(msg[0]);
	g_string_free(h, TRUE);
	g_string_free(t, TRUE);
}

/* void_rows - html_cut_html() knows br, hr, wbr and col as the void
 * elements of html_sanitize() form: the tag table's VOID rows must write
 * those and no other, and each of them be void */
static void
void_rows(void)
{
	const struct html_tag_row *r;
	unsigned int t, bad = 0;

	for (t = 0; t <= GUMBO_TAG_UNKNOWN; t++) {
		r = html_tag_row((GumboTag)t);
		if (r->san != HTML_SAN_VOID)
			continue;
		if ((r->san_as != GUMBO_TAG_BR && r->san_as != GUMBO_TAG_HR &&
		    r->san_as != GUMBO_TAG_WBR && r->san_as != GUMBO_TAG_COL) ||
		    !html_tag_is(r->san_as, HTML_TAG_VOID))
			bad++;
	}
	tap_int(bad, 0, "void rows write br, hr, wbr or col only");
	tap_ok(html_tag_is(GUMBO_TAG_BR, HTML_TAG_VOID) &&
	    html_tag_is(GUMBO_TAG_HR, HTML_TAG_VOID) &&
	    html_tag_is(GUMBO_TAG_WBR, HTML_TAG_VOID) &&
	    html_tag_is(GUMBO_TAG_COL, HTML_TAG_VOID),
	    "br, hr, wbr and col are void");
}

/* at_same - html_cut_at() (from the nearest mark) == html_cut_html()
 * (from the start): at every byte of the small documents, and every few
 * bytes of long ones with many marks, nested and deep */
static void
at_same(void)
{
	struct html_cut *x;
	GString *g;
	char *san, *a, *b;
	size_t d, k, n, len, bad, step;
	const char *big[3];
	char *owned[3];

	for (d = 0; d < G_N_ELEMENTS(docs); d++) {
		san = html_sanitize(docs[d], strlen(docs[d]));
		len = strlen(san);
		x = html_cut_new(san, len);
		bad = SIZE_MAX;
		for (n = 0; n <= len + 1 && bad == SIZE_MAX; n++) {
			a = html_cut_at(x, n);
			b = html_cut_html(san, len, n);
			if (strcmp(a, b) != 0)
				bad = n;
			g_free(a);
			g_free(b);
		}
		tap_ok(bad == SIZE_MAX, "doc %zu: html_cut_at == html_cut_html "
		    "(first difference at %zd)", d,
		    bad == SIZE_MAX ? (ssize_t)-1 : (ssize_t)bad);
		html_cut_free(&x);
		tap_ok(x == NULL, "doc %zu: html_cut_free NULLs the pointer", d);
		g_free(san);
	}
	/* long: rows of nested cells; deep: 3000 levels; flat paragraphs
	 * with references and non-ASCII text at every mark boundary */
	g = g_string_new(NULL);
	for (k = 0; k < 3000; k++)
		g_string_append_printf(g, "<table><tr><td><div><b>%zu &amp; "
		    "\xc3\xa9</b><br>x</div></td></tr></table>%s", k,
		    k % 7 == 0 ? "<blockquote>" : "");
	owned[0] = g_string_free(g, FALSE);
	g = g_string_new(NULL);
	for (k = 0; k < 3000; k++)
		g_string_append(g, k % 2 ? "<div>" : "<blockquote>x&lt;");
	owned[1] = g_string_free(g, FALSE);
	g = g_string_new(NULL);
	for (k = 0; k < 20000; k++)
		g_string_append(g, "<p>\xe2\x82\xac&nbsp;<a href=\"https://"
		    "e.example/?a=1&amp;b=2\">l</a><wbr></p>\n");
	owned[2] = g_string_free(g, FALSE);
	for (d = 0; d < G_N_ELEMENTS(big); d++) {
		big[d] = owned[d];
		san = html_sanitize(big[d], strlen(big[d]));
		len = strlen(san);
		x = html_cut_new(san, len);
		bad = SIZE_MAX;
		step = len / 300 + 1;
		for (n = 0; n <= len + 1 && bad == SIZE_MAX; n += step) {
			a = html_cut_at(x, n);
			b = html_cut_html(san, len, n);
			if (strcmp(a, b) != 0)
				bad = n;
			g_free(a);
			g_free(b);
			/* and the bytes on either side of it */
			if (n > 0 && bad == SIZE_MAX) {
				a = html_cut_at(x, n - 1);
				b = html_cut_html(san, len, n - 1);
				if (strcmp(a, b) != 0)
					bad = n - 1;
				g_free(a);
				g_free(b);
			}
		}
		tap_ok(bad == SIZE_MAX, "long doc %zu (%zu bytes): html_cut_at "
		    "== html_cut_html (first difference at %zd)", d, len,
		    bad == SIZE_MAX ? (ssize_t)-1 : (ssize_t)bad);
		html_cut_free(&x);
		g_free(san);
		g_free(owned[d]);
	}
	html_cut_free(NULL);
	x = html_cut_new("", 0);
	a = html_cut_at(x, 5);
	tap_str(a, "", "empty: html_cut_at");
	g_free(a);
	html_cut_free(&x);
}

int
main(void)
{
	size_t k;
	char *got;

	for (k = 0; k < G_N_ELEMENTS(cut_cases); k++) {
		got = html_cut_html(cut_cases[k].san, strlen(cut_cases[k].san),
		    cut_cases[k].n);
		tap_str(got, cut_cases[k].want, cut_cases[k].name);
		g_free(got);
	}
	cut_same();
	piece_same();
	text_same();
	text_limits();
	render_same();
	deep();
	at_same();
	void_rows();
	fit();
	return tap_done();
}
