/*
 * test_html_pre.c - the HTML5 pre-pass (gateway/html_pre.c) on its own:
 * html_pre_run()'s canonical token stream, before gumbo sees it.
 */
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "html_priv.h"
#include "tap.h"

struct pre_case {
	const char *name;
	const char *in;
	const char *want;
};

static const struct pre_case pre_cases[] = {
	/* What goes, with its content. */
	{ .name = "comment", .in = "a<!-- c <b> -->b", .want = "ab" },
	{ .name = "doctype and processing instruction",
	    .in = "<!DOCTYPE html><?xml x?>t", .want = "t" },
	{ .name = "textarea is raw text, dropped whole",
	    .in = "a<textarea>t<b>x</b></textarea>b", .want = "ab" },
	{ .name = "script with a fake end tag in a string",
	    .in = "<script>x=\"</scr\"+\"ipt>\"</script>ok", .want = "ok" },
	{ .name = "title is raw text", .in = "<title>T</title><pre>p</pre>",
	    .want = "<pre>p</pre>" },
	{ .name = "svg with its content", .in = "<svg><p>x</p></svg>y",
	    .want = "y" },
	{ .name = "plaintext swallows the rest",
	    .in = "a<plaintext><b>x", .want = "a" },
	{ .name = "our own prefix is refused",
	    .in = "<m2n-b>x</m2n-b>", .want = "x" },

	/* Formatting elements are renamed. */
	{ .name = "b and i renamed",
	    .in = "<b>x</b><i>y</i>",
	    .want = "<m2n-b>x</m2n-b><m2n-i>y</m2n-i>" },
	{ .name = "a renamed, attributes kept for the sanitizer",
	    .in = "<a href=\"javascript:x\" title=t>l</a>",
	    .want = "<m2n-a href=\"javascript:x\" title=\"t\">l</m2n-a>" },

	/* Attributes: kept ones only, lower case, quoted, first wins. */
	{ .name = "attributes filtered and canonical",
	    .in = "<p onclick=x class=y ALIGN=center data-z=1>t</p>",
	    .want = "<p class=\"y\" align=\"center\">t</p>" },
	{ .name = "first duplicate attribute wins",
	    .in = "<p title=\"a&quot;b\" title=c>",
	    .want = "<p title=\"a&quot;b\">" },
	{ .name = "void element has no end tag",
	    .in = "<img src=x alt=\"A B\">",
	    .want = "<img src=\"x\" alt=\"A B\">" },

	/* Implied end tags, made explicit. */
	{ .name = "p closes p", .in = "<p>a<p>b", .want = "<p>a</p><p>b" },
	{ .name = "div closes p", .in = "<p>a<div>b</div>",
	    .want = "<p>a</p><div>b</div>" },
	{ .name = "heading closes heading", .in = "<h1>a<h2>b",
	    .want = "<h1>a</h1><h2>b" },
	{ .name = "li closes li", .in = "<ul><li>a<li>b</ul>",
	    .want = "<ul><li>a</li><li>b</li></ul>" },
	{ .name = "dt and dd close each other",
	    .in = "<dl><dt>a<dd>b<dt>c</dl>",
	    .want = "<dl><dt>a</dt><dd>b</dd><dt>c</dt></dl>" },
	{ .name = "td closes td, table closes all",
	    .in = "<table><tr><td>a<td>b</table>",
	    .want = "<table><tr><td>a</td><td>b</td></tr></table>" },
	{ .name = "td outside a table goes", .in = "<td>x</td>y",
	    .want = "xy" },
	{ .name = "stray end tags go, </br> is <br>",
	    .in = "</div>x</br>y", .want = "x<br>y" },

	/* Text. */
	{ .name = "reference beyond U+10FFFF",
	    .in = "&#21111111111;x", .want = "&#xFFFD;x" },
	{ .name = "lone < at the end", .in = "x<", .want = "x&lt;" },
	{ .name = "empty", .in = "", .want = "" },
};

/* pre_str - html_pre_run() of a NUL-terminated string; g_free it */
static char *
pre_str(const char *in)
{
	return g_string_free(html_pre_run(in, strlen(in)), FALSE);
}

/* test_pre_cases - the table above */
static void
test_pre_cases(void)
{
	char *got;
	size_t k;

	for (k = 0; k < G_N_ELEMENTS(pre_cases); k++) {
		got = pre_str(pre_cases[k].in);
		tap_str(got, pre_cases[k].want, pre_cases[k].name);
		g_free(got);
	}
}

/* pre_count - occurrences of needle in s */
static long
pre_count(const char *s, const char *needle)
{
	long n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* test_pre_depth - start tags beyond HTML_PRE_MAX_DEPTH go, their text
 * stays, and the stream stays balanced */
static void
test_pre_depth(void)
{
	GString *in = g_string_new(NULL);
	char *got;
	int k, deep = HTML_PRE_MAX_DEPTH + 44;

	for (k = 0; k < deep; k++)
		g_string_append(in, "<div>");
	g_string_append(in, "core");
	for (k = 0; k < deep; k++)
		g_string_append(in, "</div>");
	got = pre_str(in->str);
	tap_int(pre_count(got, "<div>"), HTML_PRE_MAX_DEPTH,
	    "depth: start tags capped");
	tap_int(pre_count(got, "</div>"), HTML_PRE_MAX_DEPTH,
	    "depth: end tags match");
	tap_int(pre_count(got, "core"), 1, "depth: the text stays");
	g_free(got);
	g_string_free(in, TRUE);
}

/* test_pre_formatting_bomb - nested formatting elements with attributes
 * come out renamed, each once: linear, nothing for gumbo to clone */
static void
test_pre_formatting_bomb(void)
{
	GString *in = g_string_new(NULL);
	char *got;
	int k;

	for (k = 0; k < 1000; k++)
		g_string_append_printf(in, "<b title=%d><p>x", k);
	got = pre_str(in->str);
	tap_int(pre_count(got, "<m2n-b "), 1000, "bomb: every b renamed");
	tap_int(pre_count(got, "<b"), 0, "bomb: no b left for gumbo");
	g_free(got);
	g_string_free(in, TRUE);
}

int
main(void)
{
	test_pre_cases();
	test_pre_depth();
	test_pre_formatting_bomb();
	return tap_done();
}
