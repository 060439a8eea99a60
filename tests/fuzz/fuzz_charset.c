/*
 * fuzz_charset.c - LLVMFuzzerTestOneInput over the charset module: the
 * first byte picks a charset label, the second the flags (delsp, the cut
 * of a header line), the rest is the text.  Every result must keep the
 * contract of charset.h: valid UTF-8, no NUL, no control character but
 * tab and newline in body text, none at all in a header line, cuts on a
 * character boundary.  The text also goes through jis.c alone (CP50221,
 * valid UTF-8) and jis_header().  Built as a plain program with tests/fuzz/driver.c
 * by `make build/fuzz_charset` (the generic fuzz_% rule), which replays
 * files; under libFuzzer use -dict=tests/fuzz/charset.dict.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "charset.h"
#include "jis.h"
#include "message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_check - the charset.h contract for one result */
static void
fuzz_check(const char *what, const char *s, size_t len, bool oneline)
{
	size_t i;

	if (!g_utf8_validate(s, (gssize)len, NULL))
		g_error("%s: not UTF-8", what);
	if (strlen(s) != len)
		g_error("%s: holds a NUL", what);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && (oneline ||
		    (s[i] != '\n' && s[i] != '\t')))
			g_error("%s: control character 0x%02x", what,
			    (unsigned char)s[i]);
}

/* LLVMFuzzerTestOneInput - one text under one label through everything */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const labels[] = { NULL, "", "utf-8", "us-ascii",
	    "iso-8859-1", "windows-1252", "iso-8859-2", "iso-8859-8-i",
	    "euc-kr", "ks_c_5601-1987", "shift_jis", "windows-31j", "gb2312",
	    "gbk", "big5", "koi8-r", "tis-620", "iso-2022-jp", "utf-16",
	    "utf-16le", "utf-32", "utf-7", "x-unknown", "x-bogus" };
	static bool ready;
	const char *label, *text;
	GString *raw, *body, *flowed;
	char found[64], *line, *str, *jis, *p;
	size_t len, max, fit, errors;
	bool delsp, cut, tcut;

	if (!ready) {
		message_init();		/* GMime's charset tables */
		ready = true;
	}
	if (size < 2)
		return 0;
	label = labels[data[0] % G_N_ELEMENTS(labels)];
	delsp = (data[1] & 0x80) != 0;
	max = data[1] & 0x7f;
	text = (const char *)data + 2;
	len = size - 2;

	/* Mostly UTF-8, not yet clean: only run it (the sanitizers judge). */
	raw = charset_to_utf8(text, len, label);
	g_string_free(raw, TRUE);

	body = charset_body(text, len, label);
	fuzz_check("body", body->str, body->len, false);
	flowed = charset_unflow(body->str, body->len, delsp);
	fuzz_check("unflow", flowed->str, flowed->len, false);
	fit = charset_utf8_fit(flowed->str, flowed->len, max);
	if (fit > max || fit > flowed->len ||
	    !g_utf8_validate(flowed->str, (gssize)fit, NULL))
		g_error("utf8_fit: %zu of %zu at most %zu", fit, flowed->len,
		    max);
	g_string_free(flowed, TRUE);
	g_string_free(body, TRUE);

	cut = false;
	body = charset_text(text, len, label, delsp ? "flowed" : "fixed",
	    "yes", max, &cut);
	fuzz_check("text", body->str, body->len, false);
	if (body->len > max)
		g_error("text: %zu bytes, cap %zu", body->len, max);
	/* In place, the same text. */
	tcut = false;
	p = g_malloc(len + 1);
	memcpy(p, text, len);
	raw = charset_text_take(p, len, label, delsp ? "flowed" : "fixed",
	    "yes", max, &tcut);
	if (raw->len != body->len || tcut != cut ||
	    memcmp(raw->str, body->str, body->len) != 0)
		g_error("text_take: not the text of charset_text()");
	g_string_free(raw, TRUE);
	g_string_free(body, TRUE);

	/* CP50221 alone (charset.c reaches it only when glibc fails). */
	raw = jis_to_utf8(text, len, &errors);
	if (errors > len)
		g_error("jis: %zu errors in %zu bytes", errors, len);
	for (p = raw->str; p < raw->str + raw->len; p += strlen(p) + 1)
		if (!g_utf8_validate(p, -1, NULL))	/* NULs pass */
			g_error("jis: not UTF-8");
	g_string_free(raw, TRUE);

	str = g_strndup(text, len);	/* a header value ends at a NUL */
	jis = jis_header(str);
	if (jis != NULL && strlen(jis) > 8 * strlen(str) + 16)
		g_error("jis_header: %zu bytes from %zu", strlen(jis),
		    strlen(str));
	g_free(jis);
	line = charset_line(str, max);
	if (line != NULL) {
		fuzz_check("line", line, strlen(line), true);
		/* Trimmed before the cut: only the start is sure. */
		if (strlen(line) > max || *line == '\0' || *line == ' ')
			g_error("line: bad cut or trim");
	}
	g_free(line);
	g_free(str);

	if (charset_detect(text, len, found, sizeof(found)) != NULL &&
	    strlen(found) >= sizeof(found))
		g_error("detect: unterminated");
	return 0;
}
