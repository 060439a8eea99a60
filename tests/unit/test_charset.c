/*
 * test_charset.c - unit tests for the charset module (TAP): declared,
 * undeclared and lying charsets to UTF-8, the clean-up of body text and
 * header values, format=flowed, and a sweep of every byte under each
 * kind of label, which must come out valid UTF-8.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "charset.h"
#include "message.h"
#include "tap.h"

/* An input with NUL bytes: its length from the literal. */
#define BIN(s) .input = (s), .len = sizeof(s) - 1

/* Russian in Windows-1251, and the same in UTF-8. */
#define RU_1251 "\xcf\xf0\xe8\xe2\xe5\xf2, \xea\xe0\xea \xe4\xe5\xeb\xe0? " \
	"\xdd\xf2\xee \xef\xe8\xf1\xfc\xec\xee \xed\xe0\xef\xe8\xf1\xe0" \
	"\xed\xee \xef\xee-\xf0\xf3\xf1\xf1\xea\xe8, \xf7\xf2\xee\xe1\xfb " \
	"\xef\xf0\xee\xe2\xe5\xf0\xe8\xf2\xfc \xea\xee\xe4\xe8\xf0\xee" \
	"\xe2\xea\xf3."
#define RU_UTF8 "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, " \
	"\xd0\xba\xd0\xb0\xd0\xba \xd0\xb4\xd0\xb5\xd0\xbb\xd0\xb0? " \
	"\xd0\xad\xd1\x82\xd0\xbe \xd0\xbf\xd0\xb8\xd1\x81\xd1\x8c\xd0\xbc" \
	"\xd0\xbe \xd0\xbd\xd0\xb0\xd0\xbf\xd0\xb8\xd1\x81\xd0\xb0\xd0\xbd" \
	"\xd0\xbe \xd0\xbf\xd0\xbe-\xd1\x80\xd1\x83\xd1\x81\xd1\x81\xd0\xba" \
	"\xd0\xb8, \xd1\x87\xd1\x82\xd0\xbe\xd0\xb1\xd1\x8b \xd0\xbf\xd1\x80" \
	"\xd0\xbe\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8\xd1\x82\xd1\x8c \xd0\xba" \
	"\xd0\xbe\xd0\xb4\xd0\xb8\xd1\x80\xd0\xbe\xd0\xb2\xd0\xba\xd1\x83."

/* charset_body(): bytes under a label to clean UTF-8. */
struct body_case {
	const char *name;
	const char *input;
	size_t len;		/* 0: strlen(input) */
	const char *charset;	/* NULL: undeclared */
	const char *want;
};

static const struct body_case body_cases[] = {
	{
		.name = "ASCII, no label",
		.input = "plain text\n",
		.want = "plain text\n",
	},
	{
		.name = "UTF-8, no label",
		.input = "caf\xc3\xa9\n",
		.want = "caf\xc3\xa9\n",
	},
	{
		.name = "Latin-1 bytes, no label: Windows-1252",
		.input = "na\xefve caf\xe9\n",
		.want = "na\xc3\xafve caf\xc3\xa9\n",
	},
	{
		.name = "Windows-1252 high range, no label",
		.input = "\x80 \x93q\x94 \x9f",
		.want = "\xe2\x82\xac \xe2\x80\x9cq\xe2\x80\x9d \xc5\xb8",
	},
	{
		.name = "Windows-1252 holes become U+FFFD",
		.input = "\x81\x8d\x8f\x90\x9d",
		.charset = "windows-1252",
		.want = "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd",
	},
	{
		.name = "label iso-8859-1, UTF-8 bytes: UTF-8",
		.input = "caf\xc3\xa9\n",
		.charset = "iso-8859-1",
		.want = "caf\xc3\xa9\n",
	},
	{
		.name = "label utf-8, Latin-1 bytes: Windows-1252",
		.input = "caf\xe9\n",
		.charset = "UTF-8",
		.want = "caf\xc3\xa9\n",
	},
	{
		.name = "label us-ascii, Windows-1252 bytes",
		.input = "\x80 5 \x96 \x85\n",
		.charset = "us-ascii",
		.want = "\xe2\x82\xac 5 \xe2\x80\x93 \xe2\x80\xa6\n",
	},
	{
		.name = "mostly UTF-8 with a stray byte, no label",
		.input = "\xc3\xa9\xc3\xa9 \xff",
		.want = "\xc3\xa9\xc3\xa9 \xef\xbf\xbd",
	},
	{
		.name = "iso-8859-15: the euro sign",
		.input = "\xa4 \xbd",
		.charset = "iso-8859-15",
		.want = "\xe2\x82\xac \xc5\x93",
	},
	{
		.name = "euc-kr label read as CP949",
		.input = "\xbe\xc8\x8c\x63\n",
		.charset = "euc-kr",
		.want = "\xec\x95\x88\xeb\x98\xa0\n",
	},
	{
		.name = "ks_c_5601-1987 label read as CP949",
		.input = "\xbe\xc8\x8c\x63\n",
		.charset = "ks_c_5601-1987",
		.want = "\xec\x95\x88\xeb\x98\xa0\n",
	},
	{
		.name = "gb2312 label read as GB18030",
		.input = "\xd6\xd0\x88\xd2\n",
		.charset = "gb2312",
		.want = "\xe4\xb8\xad\xe5\xa0\x83\n",
	},
	{
		.name = "shift_jis label read as CP932",
		.input = "\x83\x65\x83\x58\x83\x67\x87\x40\n",
		.charset = "shift_jis",
		.want = "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88\xe2\x91\xa0\n",
	},
	{
		.name = "windows-31j label read as CP932",
		.input = "\x83\x65\x83\x58\x83\x67\x87\x40\n",
		.charset = "windows-31j",
		.want = "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88\xe2\x91\xa0\n",
	},
	{
		/* KOI8-U has Ukrainian letters where KOI8-R has box
		 * drawing: 0xa4 is U+0454 in KOI8-U. */
		.name = "koi8-r label read as KOI8-U",
		.input = "\xa4",
		.charset = "koi8-r",
		.want = "\xd1\x94",
	},
	{
		.name = "iso-2022-jp",
		.input = "\x1b$B$3$s$K$A$O\x1b(B\n",
		.charset = "ISO-2022-JP",
		.want = "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1"
		    "\xe3\x81\xaf\n",
	},
	{
		.name = "utf-16le with a BOM: the BOM goes",
		BIN("\xff\xfe" "h\0i\0\n\0"),
		.charset = "utf-16le",
		.want = "hi\n",
	},
	{
		.name = "unknown label falls back",
		.input = "caf\xe9\n",
		.charset = "x-no-such-charset",
		.want = "caf\xc3\xa9\n",
	},
	{
		.name = "empty label counts as none",
		.input = "caf\xe9",
		.charset = "",
		.want = "caf\xc3\xa9",
	},
	{
		.name = "invalid byte in a declared charset: U+FFFD",
		.input = "\xbe\xc8\xff",
		.charset = "euc-kr",
		.want = "\xec\x95\x88\xef\xbf\xbd",
	},
	{
		.name = "cut multi-byte sequence at the end is dropped",
		.input = "\xbe\xc8\xbe",
		.charset = "euc-kr",
		.want = "\xec\x95\x88",
	},
	{
		.name = "undeclared Cyrillic: uchardet",
		.input = RU_1251,
		.want = RU_UTF8,
	},
	{
		.name = "Cyrillic labelled Latin-1: uchardet",
		.input = RU_1251,
		.charset = "iso-8859-1",
		.want = RU_UTF8,
	},
	{
		.name = "CRLF and lone CR become LF",
		.input = "a\r\nb\rc\n",
		.want = "a\nb\nc\n",
	},
	{
		.name = "NUL and control characters become U+FFFD",
		BIN("a\0b\x01\x7f\tc"),
		.want = "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd\tc",
	},
	{
		.name = "empty input",
		.input = "",
		.want = "",
	},
	{
		.name = "ISO-2022-JP with NEC row 13: read as CP50221",
		.input = "\033$B-!-\"-4-5-j-@\033(B\r\n",
		.charset = "ISO-2022-JP",
		.want = "\xe2\x91\xa0\xe2\x91\xa1\xe2\x91\xb3\xe2\x85\xa0"
		    "\xe3\x88\xb1\xe3\x8d\x89\n",	/* ①②⑳Ⅰ㈱㍉ */
	},
	{
		.name = "ISO-2022-JP with NEC-selected IBM 髙 (0x7c62)",
		.input = "\033$B|b\033(B",
		.charset = "csISO2022JP",
		.want = "\xe9\xab\x99",
	},
	{
		.name = "ISO-2022-JP: katakana by ESC ( I, JIS X 0212",
		.input = "\033(I1\033$(D0!\033(B",
		.charset = "iso-2022-jp",
		.want = "\xef\xbd\xb1\xe4\xb8\x82",	/* ｱ丂 */
	},
	{
		.name = "CP50221 label: plain text",
		.input = "\033$B0!\033(B",
		.charset = "CP50221",
		.want = "\xe4\xba\x9c",
	},
	{
		.name = "ISO-2022-JP-MS label: vendor character",
		.input = "\033$B-!\033(B",
		.charset = "ISO-2022-JP-MS",
		.want = "\xe2\x91\xa0",
	},
};

/* charset_unflow(): RFC 3676. */
static const struct {
	const char *name;
	const char *input;
	bool delsp;
	const char *want;
} flow_cases[] = {
	{
		.name = "soft breaks join, stuffing goes, quotes per level",
		.input = "one two \nthree\n From stuffed\n\n> quoted \n"
		    "> on\n>> deeper\n-- \nsig\n",
		.want = "one two three\nFrom stuffed\n\n> quoted on\n"
		    ">> deeper\n-- \nsig\n",
	},
	{
		.name = "delsp removes the space of a soft break",
		.input = "\xe6\x97\xa5\xe6\x9c\xac \n\xe8\xaa\x9e\n",
		.delsp = true,
		.want = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\n",
	},
	{
		.name = "a paragraph ends where the quote depth changes",
		.input = "> a \nb\n",
		.want = "> a \nb\n",
	},
	{
		.name = "no newline at the end stays so",
		.input = "x \ny",
		.want = "x y",
	},
	{
		.name = "quote depth is capped at 16 marks",
		.input = ">>>>>>>>>>>>>>>>>>>>x\n",
		.want = ">>>>>>>>>>>>>>>> x\n",
	},
	{
		.name = "empty",
		.input = "",
		.want = "",
	},
};

/* charset_text(): a text body part, its parameters and a cap. */
static const struct {
	const char *name;
	const char *input;
	const char *charset, *format, *delsp;
	size_t cap;
	const char *want;
	bool cut;
} text_cases[] = {
	{
		.name = "plain, under the cap",
		.input = "caf\xe9\r\n",
		.charset = "iso-8859-1",
		.cap = 100,
		.want = "caf\xc3\xa9\n",
	},
	{
		.name = "cut on a character boundary",
		.input = "caf\xe9",
		.charset = "iso-8859-1",
		.cap = 4,
		.want = "caf",
		.cut = true,
	},
	{
		.name = "exactly the cap is no cut",
		.input = "abcd",
		.cap = 4,
		.want = "abcd",
	},
	{
		.name = "format=Flowed joins",
		.input = "one \r\ntwo\r\n",
		.format = "Flowed",
		.cap = 100,
		.want = "one two\n",
	},
	{
		.name = "delsp=yes removes the space",
		.input = "one \ntwo\n",
		.format = "flowed",
		.delsp = "YES",
		.cap = 100,
		.want = "onetwo\n",
	},
	{
		.name = "delsp without format=flowed does nothing",
		.input = "one \ntwo\n",
		.delsp = "yes",
		.cap = 100,
		.want = "one \ntwo\n",
	},
	{
		.name = "format=fixed does nothing",
		.input = "one \ntwo\n",
		.format = "fixed",
		.cap = 100,
		.want = "one \ntwo\n",
	},
	{
		.name = "cap 0",
		.input = "x",
		.cap = 0,
		.want = "",
		.cut = true,
	},
};

/* charset_line(): a header value made one clean line. */
static const struct {
	const char *name;
	const char *input;
	size_t max;
	const char *want;	/* NULL: must be NULL */
} line_cases[] = {
	{ .name = "NULL stays NULL", .input = NULL, .max = 100 },
	{ .name = "blank is nothing", .input = " \t\r\n ", .max = 100 },
	{
		.name = "folding removed, trimmed",
		.input = "  a\r\n b  ",
		.max = 100,
		.want = "a b",
	},
	{
		.name = "controls become spaces",
		.input = "a\tb\x01" "c\xc2\x85" "d",
		.max = 100,
		.want = "a b c d",
	},
	{
		.name = "invalid UTF-8 repaired",
		.input = "caf\xe9",
		.max = 100,
		.want = "caf\xef\xbf\xbd",
	},
	{
		.name = "cut on a character boundary",
		.input = "ab\xc3\xa9",
		.max = 3,
		.want = "ab",
	},
};

/* charset_utf8_fit() */
static const struct {
	const char *name;
	const char *input;
	size_t max;
	size_t want;
} fit_cases[] = {
	{ .name = "fits whole", .input = "abc", .max = 5, .want = 3 },
	{ .name = "ASCII cut", .input = "abcdef", .max = 4, .want = 4 },
	{ .name = "not inside a 2-byte", .input = "a\xc3\xa9", .max = 2,
	    .want = 1 },
	{ .name = "after a 2-byte", .input = "a\xc3\xa9z", .max = 3,
	    .want = 3 },
	{ .name = "not inside a 4-byte", .input = "\xf0\x9f\x98\x80z",
	    .max = 3, .want = 0 },
	{ .name = "max 0", .input = "abc", .max = 0, .want = 0 },
};

/* test_body - the body table through charset_body() */
static void
test_body(void)
{
	const struct body_case *t;
	GString *out;
	size_t i, len;

	for (i = 0; i < G_N_ELEMENTS(body_cases); i++) {
		t = &body_cases[i];
		len = t->len != 0 ? t->len : strlen(t->input);
		out = charset_body(t->input, len, t->charset);
		tap_str(out->str, t->want, t->name);
		tap_ok(g_utf8_validate(out->str, (gssize)out->len, NULL),
		    "%s: valid UTF-8", t->name);
		g_string_free(out, TRUE);
	}
}

/* test_to_utf8 - what charset_to_utf8() leaves to charset_normalize() */
static void
test_to_utf8(void)
{
	GString *out;

	out = charset_to_utf8("\xc3\xa9\xc3\xa9 \xff", 7, NULL);
	tap_int((long long)out->len, 7, "to_utf8: mostly UTF-8 kept as is");
	g_string_free(out, TRUE);
	out = charset_to_utf8("a\r\n", 3, "utf-8");
	tap_str(out->str, "a\r\n", "to_utf8: line ends untouched");
	g_string_free(out, TRUE);
	out = charset_normalize("\xef\xbb\xbf" "a\xef\xbb\xbf", 7);
	tap_str(out->str, "a\xef\xbb\xbf", "normalize: only a leading BOM goes");
	g_string_free(out, TRUE);
}

/* test_detect - charset_detect() */
static void
test_detect(void)
{
	char buf[64];
	const char *got;

	tap_ok(charset_detect("caf\xe9 na\xefve", 10, buf, sizeof(buf)) ==
	    NULL, "detect: fewer than 8 high bytes");
	tap_ok(charset_detect(RU_1251, 8, buf, sizeof(buf)) == NULL,
	    "detect: 6 high bytes are too few");
	got = charset_detect(RU_1251, strlen(RU_1251), buf, sizeof(buf));
	tap_ok(got != NULL && got == buf, "detect: Cyrillic named (%s)",
	    got != NULL ? got : "none");
	got = charset_detect("Ce caf\xe9 est tr\xe8s, tr\xe8s bon; d\xe9j\xe0"
	    " \xe0 l'\xe9t\xe9 pr\xe8s de l'\xe9glise.", 56, buf,
	    sizeof(buf));
	tap_ok(got == NULL, "detect: Western text is left to Windows-1252"
	    " (%s)", got != NULL ? got : "none");
	tap_ok(charset_detect(RU_1251, strlen(RU_1251), buf, 0) == NULL,
	    "detect: no room, no answer");
}

/* test_flow - the format=flowed table */
static void
test_flow(void)
{
	GString *out;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(flow_cases); i++) {
		out = charset_unflow(flow_cases[i].input,
		    strlen(flow_cases[i].input), flow_cases[i].delsp);
		tap_str(out->str, flow_cases[i].want, flow_cases[i].name);
		g_string_free(out, TRUE);
	}
}

/* test_text - the text part table through charset_text() */
static void
test_text(void)
{
	GString *out;
	bool cut;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(text_cases); i++) {
		cut = false;
		out = charset_text(text_cases[i].input,
		    strlen(text_cases[i].input), text_cases[i].charset,
		    text_cases[i].format, text_cases[i].delsp,
		    text_cases[i].cap, &cut);
		tap_str(out->str, text_cases[i].want, text_cases[i].name);
		tap_int(cut, text_cases[i].cut, text_cases[i].name);
		g_string_free(out, TRUE);
	}
}

/*
 * test_text_cap - charset_text() at every cap is the whole text cut at
 * that cap: normalising stops early only past what is kept
 */
static void
test_text_cap(void)
{
	static const struct {
		const char *input, *charset, *format;
	} in[] = {
		{ "\xef\xbb\xbf" "a\r\nb\rc\x01" "d\xc3\xa9\xff\r\n\r\n", NULL,
		    NULL },
		{ "caf\xe9\r\n\x80x\r\n", "iso-8859-1", NULL },
		{ "\xe9t\xe9 \xe0 la plage, \xe7" "a va\r\n", NULL, NULL },
		{ "> a \r\n> b\r\n>> c \r\nd\r\n", "utf-8", "flowed" },
		{ "\x1b$B$3$s\x1b(B x\r\n", "iso-2022-jp", NULL },
		/* Runs of kept bytes between bytes that are rewritten. */
		{ "a run\tof plain text\x7f then more\r\nline two \xc2\x85"
		    " next\n\n\x0b the end of it all", "utf-8", NULL },
		/* Only shortened: cleaned in place to the end. */
		{ "\xef\xbb\xbfline one\r\nline two\rthree \xc3\xa9\xe2\x82"
		    "\xac\r\n\r\n", "utf-8", NULL },
	};
	GString *whole, *out;
	size_t i, cap, keep, bad, tbad;
	bool cut, wcut, tcut;

	for (i = 0; i < G_N_ELEMENTS(in); i++) {
		wcut = false;
		whole = charset_text(in[i].input, strlen(in[i].input),
		    in[i].charset, in[i].format, NULL, SIZE_MAX, &wcut);
		bad = tbad = 0;
		for (cap = 0; cap <= whole->len + 2; cap++) {
			cut = false;
			out = charset_text(in[i].input, strlen(in[i].input),
			    in[i].charset, in[i].format, NULL, cap, &cut);
			keep = charset_utf8_fit(whole->str, whole->len, cap);
			if (out->len != keep ||
			    memcmp(out->str, whole->str, keep) != 0 ||
			    cut != (keep < whole->len))
				bad++;
			g_string_free(out, TRUE);
			/* In place: the same text. */
			tcut = false;
			out = charset_text_take(g_strdup(in[i].input),
			    strlen(in[i].input), in[i].charset, in[i].format,
			    NULL, cap, &tcut);
			if (out->len != keep || out->str[keep] != '\0' ||
			    memcmp(out->str, whole->str, keep) != 0 ||
			    tcut != cut)
				tbad++;
			g_string_append(out, "grows");
			g_string_free(out, TRUE);
		}
		tap_ok(bad == 0, "text %zu: every cap is a prefix of the "
		    "whole", i);
		tap_ok(tbad == 0, "text %zu: charset_text_take() at every cap "
		    "is charset_text()", i);
		g_string_free(whole, TRUE);
	}
	tap_int((long long)charset_text_ratio(NULL, NULL), 2, "ratio: none");
	tap_int((long long)charset_text_ratio("UTF-8", NULL), 2,
	    "ratio: utf-8");
	tap_int((long long)charset_text_ratio("latin1", NULL), 2,
	    "ratio: latin1");
	tap_int((long long)charset_text_ratio("windows-1251", NULL), 2,
	    "ratio: windows-1251");
	tap_int((long long)charset_text_ratio("utf-8", "flowed"), 4,
	    "ratio: flowed");
	tap_int((long long)charset_text_ratio("utf-16", NULL), 4,
	    "ratio: utf-16");
	tap_int((long long)charset_text_ratio("shift_jis", NULL), 4,
	    "ratio: shift_jis");
}

/* test_line - the header value table, and charset_utf8_fit() */
static void
test_line(void)
{
	char *got;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(line_cases); i++) {
		got = charset_line(line_cases[i].input, line_cases[i].max);
		tap_str(got, line_cases[i].want, line_cases[i].name);
		g_free(got);
	}
	for (i = 0; i < G_N_ELEMENTS(fit_cases); i++)
		tap_int((long long)charset_utf8_fit(fit_cases[i].input,
		    strlen(fit_cases[i].input), fit_cases[i].max),
		    (long long)fit_cases[i].want, fit_cases[i].name);
}

/* test_sweep - every byte, alone and in a run, under each kind of label,
 * comes out valid UTF-8 without control characters */
static void
test_sweep(void)
{
	static const char *const labels[] = { "", "utf-8", "us-ascii",
	    "iso-8859-1", "iso-8859-2", "euc-kr", "shift_jis", "gb2312",
	    "koi8-r", "iso-2022-jp", "cp50221", "utf-16", "utf-7",
	    "x-bogus" };
	char run[512], one[1];
	GString *out;
	const char *p;
	size_t i, bad;
	int b;

	for (b = 0; b < 256; b++) {
		run[2 * b] = (char)b;
		run[2 * b + 1] = (char)(255 - b);
	}
	for (i = 0; i < G_N_ELEMENTS(labels); i++) {
		bad = 0;
		for (b = 0; b <= 256; b++) {
			one[0] = (char)b;
			out = b < 256 ? charset_body(one, 1, labels[i]) :
			    charset_body(run, sizeof(run), labels[i]);
			if (!g_utf8_validate(out->str, (gssize)out->len, NULL))
				bad++;
			for (p = out->str; *p != '\0'; p++)
				if ((unsigned char)*p < 0x20 && *p != '\n' &&
				    *p != '\t')
					bad++;
			if (strlen(out->str) != out->len)
				bad++;
			g_string_free(out, TRUE);
		}
		tap_int((long long)bad, 0, labels[i][0] != '\0' ? labels[i] :
		    "no label");
	}
}

int
main(void)
{
	message_init();		/* GMime's charset tables */
	test_body();
	test_to_utf8();
	test_detect();
	test_flow();
	test_text();
	test_text_cap();
	test_line();
	test_sweep();
	message_shutdown();
	return tap_done();
}
