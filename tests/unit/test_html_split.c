/*
 * test_html_split.c - html_text_split() through html_render(): the text
 * of the two halves of an HTML body cut at its quoted history, read from
 * the one tree, is what the old path made with a parse of each half:
 * html_to_text() of the sanitised new half and of the history.  Ordinary
 * replies, hostile markup around the cut, documents built at random from
 * such pieces, and the cases where a piece only parses again out of its
 * context (a cell without its table): there the tree's reading, stored.
 */
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "html.h"
#include "tap.h"

#define QUOTE_GMAIL "<div class=\"gmail_quote\">On Mon, Jan 6, 2025 at " \
	"10:00 AM Bob &lt;bob@example.com&gt; wrote:<br><blockquote>old " \
	"text here</blockquote></div>"
#define QUOTE_OUTLOOK "<div id=\"divRplyFwdMsg\"><b>From:</b> Bob<br>" \
	"<b>Sent:</b> Monday<br><b>To:</b> Ann<br><b>Subject:</b> Re: x" \
	"</div><div>older</div>"
#define QUOTE_HR "<hr><p><b>From:</b> Bob<br><b>Sent:</b> Monday<br>" \
	"<b>To:</b> Ann<br><b>Subject:</b> hi</p>"
#define QUOTE_BORDER "<div style=\"border:none;border-top:solid #E1E1E1 " \
	"1.0pt\"><p><b>From:</b> Bob<br><b>Sent:</b> Monday<br>" \
	"<b>Subject:</b> hi</p></div>"

/* Documents that split, ordinary and hostile around the cut. */
static const char *const split_docs[] = {
	"<p>New text</p>" QUOTE_GMAIL,
	"<div>Thanks,<br>Ann</div>" QUOTE_OUTLOOK,
	"<p>Fine.</p>" QUOTE_HR,
	"<p class=MsoNormal>Fine.</p>" QUOTE_BORDER "<p>more old</p>",
	/* bottom-posted: new text after the history, joined */
	QUOTE_GMAIL "<p>my answer <b>below</b></p>",
	"inline new" QUOTE_GMAIL "inline after",
	/* the cut inside open elements: a list, a quote, a link, a pre */
	"<ul><li>one<li>two" QUOTE_GMAIL "<li>three</ul>",
	"<blockquote>q<div>" QUOTE_OUTLOOK "</div>tail</blockquote>",
	"<a href=\"https://e.com/x\">link " QUOTE_GMAIL " more</a> after",
	"<pre>  kept\n  " QUOTE_GMAIL "  spaces\n</pre>",
	"<p>open p " QUOTE_HR,
	"<b>bold <i>it" QUOTE_GMAIL "</b> x</i>",
	/* what the sanitizer changes: unwrapped blocks, images, values */
	"<form>in form</form><fieldset><legend>L</legend>F</fieldset>"
	    QUOTE_GMAIL "<form>old form</form>",
	"<img src=\"cid:1\"><img alt=\"Logo\"><img alt=\"\">" QUOTE_GMAIL
	    "<img src=\"x.png\">",
	"<ol><li>a<li value=\"7\">b</ol>" QUOTE_GMAIL
	    "<ol start=\"3\"><li>c<li value=\"9\">d</ol>",
	"a\fb<pre>c\fd</pre>" QUOTE_GMAIL "e&#13;f<pre>g&#13;h&#13;\ni</pre>",
	"<span style=\"display:none\">hidden</span>new" QUOTE_GMAIL
	    "<div hidden>gone</div>old",
	"<article>art</article><p class=MsoNormal>mso</p>" QUOTE_OUTLOOK
	    "<section>sec</section>",
	"&nbsp;nb&nbsp;<q>q</q>" QUOTE_GMAIL "<script>x()</script>",
	"<table><tr><td>a<td>b</table>" QUOTE_GMAIL
	    "<table><tr><td>c<td>d</table>",
	"<blockquote type=\"cite\">On Tue, Bob wrote:<br>cited</blockquote>"
	    "<p>answer</p>",
	"<div class=\"gmail_signature\">-- sig</div>" QUOTE_GMAIL,
	"\xff\xfe bad \xc3 bytes" QUOTE_GMAIL "\xed\xa0\x80",
	QUOTE_GMAIL,
};

/* Pieces of documents for the random ones: none parses differently out
 * of its context (no table parts, no nesting past the sanitizer's cap). */
static const char *const frags[] = {
	"<p>Hello there</p>", "<div>line one<br>line two</div>", "text ",
	"<ul><li>x<li value=7>y</ul>", "<ol start=3><li>p<li>q</ol>",
	"<pre>\n  pre  text\n</pre>", "<a href='https://e.com/x'>link</a>",
	"<img src=cid:1>", "<img alt='Logo'>", "<form>in form</form>",
	"a\fb", "c&#13;d", "<blockquote>q1<blockquote>q2</blockquote>"
	"</blockquote>", "<span style='display:none'>hidden</span>",
	"<b>bold <i>it</b> x</i>", "<h2>Head</h2>", "<article>art</article>",
	"<hr>", "<p class=MsoNormal>mso</p>", QUOTE_GMAIL, QUOTE_OUTLOOK,
	QUOTE_HR, QUOTE_BORDER, "<li>stray li", "<p>open p ",
	"<div>open div ", "<div class=gmail_signature>-- sig</div>",
	"&nbsp;nb&nbsp;", "\n\n  \n", "<blockquote type=cite>On Tue, Bob "
	"wrote:<br>cited</blockquote>", "<pre>", "</pre>",
	"<a href='https://x.org'>", "</a>", "<q>q</q>", "<span>", "</div>",
	"<ol><li>a<li value=5>b<ol><li>c</ol></ol>",
};

/* diag - a TAP comment: name and s escaped onto one line */
static void
diag(const char *name, const char *s)
{
	char *e = g_strescape(s != NULL ? s : "(null)", NULL);

	printf("# %s: \"%s\"\n", name, e);
	g_free(e);
}

/* same_as_reparse - html_render()'s halves' text against html_to_text()
 * of each sanitised half; is_split: did it split */
static bool
same_as_reparse(const char *doc, bool *is_split, bool verbose)
{
	struct html_parts p;
	char *t0, *t1;
	bool same;

	html_render(doc, strlen(doc), true, HTML_SPLIT_ALL, &p);
	*is_split = p.fresh != NULL;
	if (p.fresh == NULL) {
		same = p.fresh_text == NULL && p.hist_text == NULL;
		html_parts_clear(&p);
		return same;
	}
	t0 = html_to_text(p.fresh, strlen(p.fresh));
	t1 = html_to_text(p.hist, strlen(p.hist));
	same = p.fresh_text != NULL && p.hist_text != NULL &&
	    strcmp(t0, p.fresh_text) == 0 && strcmp(t1, p.hist_text) == 0;
	if (!same && verbose) {
		diag("doc", doc);
		diag("new, parsed", t0);
		diag("new, tree", p.fresh_text);
		diag("history, parsed", t1);
		diag("history, tree", p.hist_text);
	}
	g_free(t0);
	g_free(t1);
	html_parts_clear(&p);
	return same;
}

/* split_same - the listed documents split, and read the same */
static void
split_same(void)
{
	size_t k;
	bool split, same;

	for (k = 0; k < G_N_ELEMENTS(split_docs); k++) {
		same = same_as_reparse(split_docs[k], &split, true);
		tap_ok(split, "doc %zu splits", k);
		tap_ok(same, "doc %zu: halves' text as a parse of each", k);
	}
}

/* random_same - documents built from frags at random (a fixed seed)
 * read the same as the old path, split or not */
static void
random_same(void)
{
	GRand *r = g_rand_new_with_seed(20261202);
	GString *g;
	int iter, n, k, splits = 0, bad = 0;
	bool split;

	for (iter = 0; iter < 1500; iter++) {
		g = g_string_new(NULL);
		n = g_rand_int_range(r, 1, 10);
		for (k = 0; k < n; k++)
			g_string_append(g, frags[g_rand_int_range(r, 0,
			    G_N_ELEMENTS(frags))]);
		if (!same_as_reparse(g->str, &split, bad == 0))
			bad++;
		splits += split;
		g_string_free(g, TRUE);
	}
	g_rand_free(r);
	tap_ok(splits > 500, "random: %d of 1500 split", splits);
	tap_int(bad, 0, "random: every split reads as a parse of each half");
}

/* out_of_context - a piece that starts inside a table parses again
 * without it (its cells' tags ignored); the tree still knows its cells
 * and rows: stored, the tree's reading */
static void
out_of_context(void)
{
	static const struct {
		const char *in, *fresh, *hist;
	} c[] = {
		/* parsed again: "-- sig\ncellrow" */
		{ "<table><tr><td>new<td><div class=\"gmail_signature\">-- "
		    "sig</div><td>cell<tr><td>row</table>",
		    "new", "-- sig\ncell\nrow" },
		/* parsed again: "-- sig\ntailc2" */
		{ "<table><tr><td>new</td><td><div class=\"gmail_signature\">"
		    "-- sig</div>tail</td><td>c2</td></tr></table>",
		    "new", "-- sig\ntail | c2" },
	};
	struct html_parts p;
	size_t k;

	for (k = 0; k < G_N_ELEMENTS(c); k++) {
		html_render(c[k].in, strlen(c[k].in), true, HTML_SPLIT_ALL,
		    &p);
		tap_ok(p.fresh != NULL, "context %zu: splits", k);
		tap_str(p.fresh_text, c[k].fresh, "context: new text");
		tap_str(p.hist_text, c[k].hist, "context: history");
		html_parts_clear(&p);
	}
}

/* bounds - no text asked, no halves' text; a depth bomb and a long
 * flat reply stay linear and agree */
static void
bounds(void)
{
	struct html_parts p;
	GString *g;
	bool split;
	int k;

	html_render("<p>a</p>" QUOTE_GMAIL, strlen("<p>a</p>" QUOTE_GMAIL),
	    false, true, &p);
	tap_ok(p.fresh != NULL && p.fresh_text == NULL && p.hist_text == NULL,
	    "no text asked: no halves' text");
	html_parts_clear(&p);
	html_render("<p>a</p>" QUOTE_GMAIL, strlen("<p>a</p>" QUOTE_GMAIL),
	    true, HTML_SPLIT_HTML, &p);
	tap_ok(p.fresh != NULL && p.text != NULL && p.fresh_text == NULL &&
	    p.hist_text == NULL, "HTML_SPLIT_HTML: no halves' text");
	html_parts_clear(&p);
	html_render("<p>a</p>" QUOTE_GMAIL, strlen("<p>a</p>" QUOTE_GMAIL),
	    true, HTML_SPLIT_NONE, &p);
	tap_ok(p.fresh == NULL && p.fresh_text == NULL, "no split asked");
	html_parts_clear(&p);

	g = g_string_new("<p>new</p>");
	for (k = 0; k < 200; k++)
		g_string_append(g, "<blockquote><span>");
	g_string_append(g, "deep" QUOTE_GMAIL "deeper");
	tap_ok(same_as_reparse(g->str, &split, true), "deep: same");
	g_string_truncate(g, 0);
	g_string_append(g, "<p>new</p>" QUOTE_GMAIL);
	for (k = 0; k < 20000; k++)
		g_string_append(g, "<p>old <b>line</b> <a href=\"https://e."
		    "com/\">x</a></p>");
	tap_ok(same_as_reparse(g->str, &split, true) && split,
	    "long history: same");
	g_string_free(g, TRUE);
}

int
main(void)
{
	split_same();
	random_same();
	out_of_context();
	bounds();
	return tap_done();
}
