/*
 * test_jis.c - unit tests for the jis module (TAP): ISO-2022-JP read as
 * CP50221 (vendor characters, katakana, JIS X 0212, hostile bytes), the
 * same characters as glibc's ISO-2022-JP wherever glibc reads them, and
 * RFC 2047 words re-encoded for GMime.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <gmime/gmime.h>

#include "jis.h"
#include "message.h"
#include "tap.h"

#define ESC "\033"
#define KANJI ESC "$B"
#define ASCII ESC "(B"

/* jis_to_utf8(): bytes to UTF-8, and the number of U+FFFD. */
static const struct {
	const char *name;
	const char *input;
	const char *want;
	size_t errors;
} conv_cases[] = {
	{ "circled numbers (NEC row 13)",
	    KANJI "-!-\"-4" ASCII "\n", "①②⑳\n", 0 },
	{ "Roman numeral, ㈱, ㍉ (NEC row 13)",
	    KANJI "-5-j-@" ASCII, "Ⅰ㈱㍉", 0 },
	{ "NEC-selected IBM extensions (rows 89-92): 髙, 﨑, ⅰ",
	    KANJI "|byu|q" ASCII, "髙﨑ⅰ", 0 },
	{ "vendor characters amid JIS X 0208 text",
	    "A" KANJI "0!-!0\"" ASCII "B", "A亜①唖B", 0 },
	{ "JIS X 0208 keeps glibc's table beside a vendor character",
	    KANJI "!A-!" ASCII, "\xe3\x80\x9c①", 0 },
	{ "ESC $ @ (JIS C 6226) and ESC & @ ESC $ B",
	    ESC "$@0!" ESC "&@" ESC "$B-!" ASCII, "亜①", 0 },
	{ "half-width katakana by ESC ( I",
	    ESC "(I" "1\x5f" ASCII "a", "ｱﾟa", 0 },
	{ "half-width katakana by SO/SI, back to the set before",
	    KANJI "0!\x0e" "1\x0f" "0!" ASCII, "亜ｱ亜", 0 },
	{ "JIS X 0212 by ESC $ ( D, IBM extension in its row 0x73",
	    ESC "$(D" "0!ss" ASCII, "丂ⅰ", 0 },
	{ "JIS X 0201 Roman: yen sign and overline, as glibc",
	    ESC "(J" "\\~a" ASCII "\\", "¥‾a\\", 0 },
	{ "line ends and spaces pass inside a 2-byte set",
	    KANJI "0!\r\n0! 0!" ASCII, "亜\r\n亜 亜", 0 },
	{ "unassigned vendor cell", KANJI "-?0!" ASCII, "\xef\xbf\xbd亜", 1 },
	{ "unassigned row (85)", KANJI "u!0!" ASCII, "\xef\xbf\xbd亜", 1 },
	{ "unassigned JIS X 0212 cell", ESC "$(D" "!!0!" ASCII,
	    "\xef\xbf\xbd丂", 1 },
	{ "lone byte before a line end", KANJI "0!0\n0!" ASCII,
	    "亜\xef\xbf\xbd\n亜", 1 },
	{ "character cut by the end is dropped", KANJI "0!0", "亜", 0 },
	{ "unknown escape: U+FFFD, the rest goes on",
	    ESC "$A" "0!" ASCII "ok", "\xef\xbf\xbd$A0!ok", 1 },
	{ "unterminated escape at the end", "ok" ESC "$", "ok\xef\xbf\xbd$",
	    1 },
	{ "lone ESC", ESC, "\xef\xbf\xbd", 1 },
	{ "8-bit bytes", "a\x80\xa1\xff" "b", "a\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd" "b", 3 },
	{ "8-bit byte inside a 2-byte set", KANJI "0\xa1" "0!" ASCII,
	    "\xef\xbf\xbd\xef\xbf\xbd亜", 2 },
	{ "katakana set: bytes past 0x5f", ESC "(I" "1`" ASCII,
	    "ｱ\xef\xbf\xbd", 1 },
	{ "unterminated 2-byte set at the end", KANJI "0!", "亜", 0 },
	{ "empty", "", "", 0 },
};

/* test_conv - the conversion table */
static void
test_conv(void)
{
	GString *out;
	size_t i, errors;

	for (i = 0; i < G_N_ELEMENTS(conv_cases); i++) {
		out = jis_to_utf8(conv_cases[i].input,
		    strlen(conv_cases[i].input), &errors);
		tap_str(out->str, conv_cases[i].want, conv_cases[i].name);
		tap_int((long long)errors, (long long)conv_cases[i].errors,
		    conv_cases[i].name);
		g_string_free(out, TRUE);
	}
}

/* test_same_as_glibc - every 94x94 JIS X 0208 cell and every ASCII and
 * JIS X 0201 Roman byte that glibc's ISO-2022-JP reads comes out the
 * same; the cells it does not read are counted */
static void
test_same_as_glibc(void)
{
	static const char *const sets[] = { ESC "$B", ESC "$@", ESC "(B",
	    ESC "(J" };
	char in[16], *want;
	GString *out;
	size_t errors, differ, glibc, ours, s;
	int c1, c2;

	differ = glibc = ours = 0;
	for (s = 0; s < G_N_ELEMENTS(sets); s++)
		for (c1 = 0x21; c1 <= 0x7e; c1++)
			for (c2 = 0x21; c2 <= 0x7e; c2++) {
				if (s >= 2 && c2 > 0x21)
					break;	/* one byte */
				g_snprintf(in, sizeof(in), "%s%c%c" ASCII,
				    sets[s], c1, s < 2 ? c2 : 'x');
				want = g_convert(in, -1, "UTF-8",
				    "ISO-2022-JP", NULL, NULL, NULL);
				out = jis_to_utf8(in, strlen(in), &errors);
				if (want != NULL) {
					glibc++;
					if (strcmp(want, out->str) != 0 ||
					    errors != 0)
						differ++;
				} else if (errors == 0)
					ours++;
				g_free(want);
				g_string_free(out, TRUE);
			}
	tap_int((long long)differ, 0, "every character glibc reads reads "
	    "the same");
	tap_ok(glibc > 7000, "glibc read %zu cells", glibc);
	/* NEC row 13 (83 characters) and rows 89-92 (374). */
	tap_int((long long)ours, 2 * (83 + 374), "vendor cells read only "
	    "here, under ESC $ B and ESC $ @");
}

/* test_label - jis_label() */
static void
test_label(void)
{
	tap_ok(jis_label("ISO-2022-JP"), "label: ISO-2022-JP");
	tap_ok(jis_label("csISO2022JP"), "label: csISO2022JP");
	tap_ok(jis_label("cp50221"), "label: CP50221");
	tap_ok(jis_label("ISO-2022-JP-MS"), "label: ISO-2022-JP-MS");
	tap_ok(!jis_label("ISO-2022-JP-2"), "label: not ISO-2022-JP-2");
	tap_ok(!jis_label("shift_jis"), "label: not Shift_JIS");
	tap_ok(!jis_label(NULL), "label: not NULL");
}

/* Base64 of KANJI "-!-\"" ASCII (①②) and of KANJI "$3$s" ASCII. */
#define W_NEC "GyRCLSEtIhsoQg=="
#define W_PLAIN "GyRCJDMkcxsoQg=="

/* jis_header(), then GMime's decoding of what it gives. */
static const struct {
	const char *name;
	const char *input;
	const char *want;	/* NULL: left to GMime as it is */
	const char *decoded;	/* GMime's reading of the result */
} header_cases[] = {
	{ "vendor characters in a B word",
	    "=?ISO-2022-JP?B?" W_NEC "?= x", "=?UTF-8?Q?=E2=91=A0=E2=91=A1?= x",
	    "①② x" },
	{ "plain ISO-2022-JP word: left to GMime",
	    "Re: =?iso-2022-jp?B?" W_PLAIN "?=", NULL, "Re: こん" },
	{ "no encoded word", "plain ascii", NULL, "plain ascii" },
	{ "other charsets untouched",
	    "=?utf-8?q?caf=C3=A9?= =?ISO-2022-JP?B?" W_NEC "?=",
	    "=?utf-8?q?caf=C3=A9?= =?UTF-8?Q?=E2=91=A0=E2=91=A1?=", "café①②" },
	{ "Q word, language tag",
	    "=?ISO-2022-JP*ja?Q?=1B$B-!=1B(B_a?=", "=?UTF-8?Q?=E2=91=A0=20a?=",
	    "① a" },
	{ "escapes spanning adjacent words",
	    "=?ISO-2022-JP?Q?=1B$B-!?=\r\n =?ISO-2022-JP?Q?-\"=1B(B?= end",
	    "=?UTF-8?Q?=E2=91=A0=E2=91=A1?= end", "①② end" },
	{ "CP50221 label: GMime has no converter",
	    "=?CP50221?B?" W_PLAIN "?=", "=?UTF-8?Q?=E3=81=93=E3=82=93?=", "こん" },
	{ "katakana by ESC ( I: glibc would pass the escape through",
	    "=?ISO-2022-JP?Q?=1B(I1=1B(B?=", "=?UTF-8?Q?=EF=BD=B1?=", "ｱ" },
	{ "a padded UTF-8 B word before: a Q word, read whole",
	    "=?utf-8?b?4pGgIA==?= =?ISO-2022-JP?B?" W_NEC "?=",
	    "=?utf-8?b?4pGgIA==?= =?UTF-8?Q?=E2=91=A0=E2=91=A1?=",
	    "① ①②" },
	{ "adjacent JIS words: one word",
	    "=?ISO-2022-JP?B?GyRCLSEbKEIg?= =?ISO-2022-JP?B?GyRCMCEbKEI=?=",
	    "=?UTF-8?Q?=E2=91=A0=20=E4=BA=9C?=", "① 亜" },
	{ "unterminated word", "=?ISO-2022-JP?B?" W_NEC, NULL, NULL },
	{ "empty word", "=?ISO-2022-JP?B?" "?=", NULL, NULL },
	{ "bare =?", "=?", NULL, NULL },
};

/* test_header - the header table */
static void
test_header(void)
{
	GMimeParserOptions *opt;
	char *got, *dec, name[128];
	size_t i;

	opt = g_mime_parser_options_new();
	for (i = 0; i < G_N_ELEMENTS(header_cases); i++) {
		got = jis_header(header_cases[i].input);
		tap_str(got, header_cases[i].want, header_cases[i].name);
		if (header_cases[i].decoded != NULL) {
			dec = g_mime_utils_header_decode_text(opt,
			    got != NULL ? got : header_cases[i].input);
			g_snprintf(name, sizeof(name), "%s: decoded",
			    header_cases[i].name);
			tap_str(dec, header_cases[i].decoded, name);
			g_free(dec);
		}
		g_free(got);
	}
	g_mime_parser_options_free(opt);
}

/* test_header_long - a long run becomes one long UTF-8 word that GMime
 * reads back whole */
static void
test_header_long(void)
{
	GMimeParserOptions *opt;
	GString *raw, *want;
	char *got, *dec, *b64;
	int i;

	raw = g_string_new(KANJI);
	want = g_string_new(NULL);
	for (i = 0; i < 100; i++) {
		g_string_append(raw, "-!0!");
		g_string_append(want, "①亜");
	}
	g_string_append(raw, ASCII);
	b64 = g_base64_encode((const guchar *)raw->str, raw->len);
	g_string_printf(raw, "=?ISO-2022-JP?B?%s?=", b64);
	got = jis_header(raw->str);
	tap_ok(got != NULL && strstr(got, "?= =?") == NULL,
	    "long: one word");
	opt = g_mime_parser_options_new();
	dec = g_mime_utils_header_decode_text(opt, got);
	tap_str(dec, want->str, "long: read back whole");
	g_mime_parser_options_free(opt);
	g_free(dec);
	g_free(got);
	g_free(b64);
	g_string_free(raw, TRUE);
	g_string_free(want, TRUE);
}

/* test_sweep - every byte after each set's escape: valid UTF-8, and
 * every input byte accounted for (no loss of the rest of the text) */
static void
test_sweep(void)
{
	static const char *const sets[] = { "", ESC "$B", ESC "(I",
	    ESC "(J", ESC "$(D", "\x0e" };
	char in[16];
	GString *out;
	size_t s, bad, errors, n;
	int b;

	bad = 0;
	for (s = 0; s < G_N_ELEMENTS(sets); s++)
		for (b = 0; b < 256; b++) {
			n = (size_t)g_snprintf(in, sizeof(in), "%s%cz" ASCII
			    "end", sets[s], b == 0 ? 1 : b);
			out = jis_to_utf8(in, n, &errors);
			if (!g_utf8_validate(out->str, (gssize)out->len, NULL)
			    || !g_str_has_suffix(out->str, "end"))
				bad++;
			g_string_free(out, TRUE);
		}
	tap_int((long long)bad, 0, "sweep: valid UTF-8, the end kept");
}

int
main(void)
{
	message_init();		/* GMime, for the header round trips */
	test_conv();
	test_same_as_glibc();
	test_label();
	test_header();
	test_header_long();
	test_sweep();
	message_shutdown();
	return tap_done();
}
