/*
 * test_rtf.c - unit tests for the rtf module (TAP): RTF to text, the HTML
 * that \fromhtml1 RTF encapsulates, code pages and Unicode, and hostile
 * input (deep nesting, unbalanced groups, cut escapes, long words), which
 * must end in bounded, valid UTF-8.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "message.h"
#include "rtf.h"
#include "tap.h"

struct rtf_case {
	const char *name;
	const char *input;
	size_t len;		/* 0: strlen(input) */
	size_t cap;		/* 0: 1 MB */
	const char *want;	/* NULL: not RTF */
	bool html;
	bool cut;
};

#define BIN(s) .input = (s), .len = sizeof(s) - 1

static const struct rtf_case cases[] = {
	{ .name = "not RTF", .input = "hello", .want = NULL },
	{ .name = "empty", .input = "", .want = NULL },
	{ .name = "paragraphs, lines, tabs",
	  .input = "{\\rtf1\\ansi\\deff0 Hello,\\par\r\n\\par\r\nline one"
	    "\\line line two\\tab tabbed\\par}",
	  .want = "Hello,\n\nline one\nline two\ttabbed" },
	{ .name = "tables of fonts, colours and styles are dropped",
	  .input = "{\\rtf1\\ansi{\\fonttbl{\\f0\\fswiss Arial;}{\\f1 Courier;}}"
	    "{\\colortbl;\\red255\\green0\\blue0;}{\\stylesheet{\\s0 Normal;}}"
	    "{\\info{\\author Someone}{\\title Secret}}\\pard\\f0 Body\\par}",
	  .want = "Body" },
	{ .name = "optional destinations are dropped",
	  .input = "{\\rtf1{\\*\\generator Msftedit 5.41;}{\\*\\bkmkstart x}"
	    "Text{\\*\\unknownthing with {nested} groups} after\\par}",
	  .want = "Text after" },
	{ .name = "pictures and objects are dropped",
	  .input = "{\\rtf1 a{\\pict\\pngblip 89504e47}{\\object{\\objdata 01}}"
	    "b\\par}",
	  .want = "ab" },
	{ .name = "Windows-1252 escapes",
	  .input = "{\\rtf1\\ansi\\ansicpg1252 caf\\'e9 \\'80 \\'93q\\'94}",
	  .want = "caf\xc3\xa9 \xe2\x82\xac \xe2\x80\x9cq\xe2\x80\x9d" },
	{ .name = "default code page is Windows-1252",
	  .input = "{\\rtf1 Ren\\'e9e}", .want = "Ren\xc3\xa9" "e" },
	{ .name = "ansicpg1251 (Cyrillic)",
	  .input = "{\\rtf1\\ansi\\ansicpg1251 \\'cf\\'f0\\'e8\\'e2\\'e5\\'f2}",
	  .want = "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82" },
	{ .name = "ansicpg932: a two-byte Shift_JIS character",
	  .input = "{\\rtf1\\ansi\\ansicpg932 \\'82\\'a0}",
	  .want = "\xe3\x81\x82" },
	{ .name = "\\u with one replacement byte",
	  .input = "{\\rtf1 price 120 \\u8364?\\par}",
	  .want = "price 120 \xe2\x82\xac" },
	{ .name = "\\u with an escaped replacement byte",
	  .input = "{\\rtf1 \\u8364\\'80 euro}", .want = "\xe2\x82\xac euro" },
	{ .name = "\\uc0 and \\uc2",
	  .input = "{\\rtf1\\uc0\\u233 x{\\uc2\\u233\\'65\\'65y}}",
	  .want = "\xc3\xa9x\xc3\xa9y" },
	{ .name = "negative \\u and a surrogate pair",
	  .input = "{\\rtf1 \\u-3913?\\u-10179?\\u-8704?!}",
	  .want = "\xef\x82\xb7\xf0\x9f\x98\x80!" },
	{ .name = "a lone surrogate is U+FFFD",
	  .input = "{\\rtf1 a\\u-8704?b}", .want = "a\xef\xbf\xbd" "b" },
	{ .name = "escaped braces and backslash",
	  .input = "{\\rtf1 a\\{b\\}c\\\\d}", .want = "a{b}c\\d" },
	{ .name = "symbols",
	  .input = "{\\rtf1 \\lquote x\\rquote  \\ldblquote y\\rdblquote  "
	    "a\\endash b\\emdash c\\bullet  d\\~e}",
	  .want = "\xe2\x80\x98x\xe2\x80\x99 \xe2\x80\x9cy\xe2\x80\x9d "
	    "a\xe2\x80\x93" "b\xe2\x80\x94" "c\xe2\x80\xa2 d\xc2\xa0" "e" },
	{ .name = "\\bin skips its data, braces included",
	  .input = "{\\rtf1 a{\\bin5 }{}\\}b}", .want = "ab" },
	{ .name = "field: the result, not the instruction",
	  .input = "{\\rtf1 see {\\field{\\*\\fldinst HYPERLINK \"http://x\"}"
	    "{\\fldrslt the site}} now}",
	  .want = "see the site now" },
	{ .name = "HTML encapsulated in RTF",
	  .input = "{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 \\deff0{\\fonttbl"
	    "{\\f0 Arial;}}{\\*\\htmltag19 <html>}{\\*\\htmltag50 <body>}"
	    "\\htmlrtf \\lang1033 \\htmlrtf0 {\\*\\htmltag64 <p>}\\htmlrtf "
	    "{\\htmlrtf0 caf\\'e9 \\u8364?{\\*\\htmltag84 <b>}\\htmlrtf {\\b "
	    "\\htmlrtf0 bold\\htmlrtf }\\htmlrtf0 {\\*\\htmltag92 </b>}"
	    "\\htmlrtf\\par}\\htmlrtf0{\\*\\htmltag72 </p>}{\\*\\htmltag2 \\par }"
	    "{\\*\\htmltag58 </body>}{\\*\\htmltag27 </html>}}",
	  .want = "<html><body><p>caf\xc3\xa9 \xe2\x82\xac<b>bold</b></p>\n"
	    "</body></html>",
	  .html = true },
	{ .name = "HTML tags with escaped braces",
	  .input = "{\\rtf1\\fromhtml1 {\\*\\htmltag241 <style>p \\{ x: 0; \\}"
	    "</style>}}",
	  .want = "<style>p { x: 0; }</style>", .html = true },
	{ .name = "\\fromtext is text",
	  .input = "{\\rtf1\\ansi\\fromtext a{\\*\\htmltag <b>}b}",
	  .want = "ab" },
	{ .name = "leading and trailing blank lines go",
	  .input = "{\\rtf1 \\par\\par  \\par   text\\par\\par\\par}",
	  .want = "  text" },
	{ .name = "NUL bytes after the document are ignored",
	  BIN("{\\rtf1 abc}\0\0\0"), .want = "abc" },
	{ .name = "control characters become U+FFFD",
	  .input = "{\\rtf1 a\x01" "b\\'07c}",
	  .want = "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c" },
	{ .name = "unbalanced: no closing brace",
	  .input = "{\\rtf1 abc{\\b def", .want = "abcdef" },
	{ .name = "unbalanced: extra closing braces",
	  .input = "{\\rtf1 abc}}}} def}", .want = "abc def" },
	{ .name = "cut escape at the end: the digit is text",
	  .input = "{\\rtf1 abc\\'e", .want = "abce" },
	{ .name = "backslash at the end", .input = "{\\rtf1 abc\\",
	  .want = "abc" },
	{ .name = "an overlong control word and parameter",
	  .input = "{\\rtf1 a\\aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaa123456789012345678901234567890 b\\u99999999999999?c}",
	  .want = "ab\xee\x8f\xbf" "c" },	/* 9999999999 & 0xffff */
	{ .name = "\\uc out of range is 1",
	  .input = "{\\rtf1\\uc99999 \\u233?x}", .want = "\xc3\xa9x" },
	{ .name = "cut at cap on a character boundary",
	  .input = "{\\rtf1 \\'e9\\'e9\\'e9\\'e9\\'e9}", .cap = 5,
	  .want = "\xc3\xa9\xc3\xa9", .cut = true },
	{ .name = "leading white space before {\\rtf",
	  .input = " \r\n{\\rtf1 ok}", .want = "ok" },
};

/* run_case - one table row */
static void
run_case(const struct rtf_case *c)
{
	GString *got;
	size_t len = c->len != 0 ? c->len : strlen(c->input);
	bool html = !c->html, cut = false;

	got = rtf_convert(c->input, len, c->cap != 0 ? c->cap : 1 << 20,
	    &html, &cut);
	if (c->want == NULL) {
		tap_ok(got == NULL, "%s: not RTF", c->name);
		if (got != NULL)
			g_string_free(got, TRUE);
		return;
	}
	tap_str(got != NULL ? got->str : NULL, c->want, c->name);
	tap_ok(html == c->html, "%s: html is %d", c->name, c->html);
	tap_ok(cut == c->cut, "%s: cut is %d", c->name, c->cut);
	if (got != NULL)
		g_string_free(got, TRUE);
}

/* test_deep - 100000 nested groups: the text inside the depth cap stays,
 * the rest goes, in linear time */
static void
test_deep(void)
{
	GString *in = g_string_new("{\\rtf1 top");
	GString *got;
	gint64 t0;
	bool html, cut = false;
	int i;

	for (i = 0; i < 100000; i++)
		g_string_append(in, i > 99990 ? "{\\}\\{x" : "{x");
	for (i = 0; i < 100000; i++)
		g_string_append_c(in, '}');
	g_string_append(in, " end}");
	t0 = g_get_monotonic_time();
	got = rtf_convert(in->str, in->len, 1 << 20, &html, &cut);
	tap_ok(g_get_monotonic_time() - t0 < 2 * G_USEC_PER_SEC,
	    "deep nesting: under 2 s");
	tap_ok(got != NULL && g_str_has_prefix(got->str, "top") &&
	    g_str_has_suffix(got->str, " end") &&
	    got->len == 3 + (RTF_MAX_DEPTH - 2) + 4,
	    "deep nesting: groups past the cap are dropped (%zu bytes)",
	    got != NULL ? got->len : 0);
	if (got != NULL)
		g_string_free(got, TRUE);
	g_string_free(in, TRUE);
}

/* test_random - random bytes after "{\rtf1": valid UTF-8 within the cap */
static void
test_random(void)
{
	GRand *r = g_rand_new_with_seed(8);
	GString *in, *got;
	int i, bad = 0;
	size_t j, len;
	bool html, cut;
	static const char alphabet[] = "{}\\'*uc0123456789abfhtmlrpa \r\n\x80"
	    "\xff-";

	for (i = 0; i < 2000; i++) {
		in = g_string_new("{\\rtf1 ");
		len = (size_t)g_rand_int_range(r, 0, 400);
		for (j = 0; j < len; j++)
			g_string_append_c(in, i % 2 == 0 ?
			    (char)g_rand_int_range(r, 0, 256) :
			    alphabet[g_rand_int_range(r, 0,
			    (gint32)sizeof(alphabet) - 1)]);
		cut = false;
		got = rtf_convert(in->str, in->len, 100, &html, &cut);
		if (got == NULL || got->len > 100 ||
		    !g_utf8_validate(got->str, (gssize)got->len, NULL))
			bad++;
		if (got != NULL)
			g_string_free(got, TRUE);
		g_string_free(in, TRUE);
	}
	tap_int(bad, 0, "2000 random documents: valid UTF-8 within the cap");
	g_rand_free(r);
}

int
main(void)
{
	size_t i;

	message_init();		/* GMime's charset tables */
	for (i = 0; i < G_N_ELEMENTS(cases); i++)
		run_case(&cases[i]);
	test_deep();
	test_random();
	message_shutdown();
	return tap_done();
}
