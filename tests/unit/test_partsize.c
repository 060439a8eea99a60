/*
 * test_partsize.c - unit tests for the partsize module (TAP): the size
 * counted on base64 text is the size GMime's decoder gives, for named
 * cases (line breaks, CRLF, missing padding, garbage, text after the
 * padding, empty) and for random text, fed whole and in pieces; and the
 * sizes a parsed message lists for its attachments (base64,
 * quoted-printable, 7bit, empty) are their decoded sizes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <gmime/gmime.h>

#include "message.h"
#include "partsize.h"
#include "tap.h"

/* gmime_size - what GMime's base64 decoder makes of s, fed in pieces of
 * step bytes (0: whole) */
static uint64_t
gmime_size(const char *s, size_t len, size_t step)
{
	unsigned char out[1024];
	uint64_t size = 0;
	guint32 save = 0;
	int state = 0;
	size_t at, n;

	for (at = 0; at < len; at += n) {
		n = step == 0 || step > len - at ? len - at : step;
		while (n > sizeof(out) / 2)
			n /= 2;
		size += g_mime_encoding_base64_decode_step(
		    (const unsigned char *)s + at, n, out, &state, &save);
	}
	return size;
}

/* count - partsize's answer for s, fed in pieces of step bytes */
static uint64_t
count(const char *s, size_t len, size_t step)
{
	struct partsize_b64 pb;
	size_t at, n;

	partsize_b64_init(&pb);
	for (at = 0; at < len; at += n) {
		n = step == 0 || step > len - at ? len - at : step;
		partsize_b64_feed(&pb, s + at, n);
	}
	return partsize_b64_size(&pb);
}

/* test_cases - named cases: the decoded size, and GMime's */
static void
test_cases(void)
{
	static const struct {
		const char *name;
		const char *in;
		uint64_t size;
	} cases[] = {
		{ "empty", "", 0 },
		{ "line breaks only", "\n\r\n\n", 0 },
		{ "one quartet", "QUJD", 3 },
		{ "padding ==", "QUI=", 2 },
		{ "padding =", "QQ==", 1 },
		{ "line breaks", "QUJD\nREVG\nR0g=\n", 8 },
		{ "CRLF", "QUJD\r\nREVG\r\nR0g=\r\n", 8 },
		{ "missing padding, 3 left", "QUJDREVGR0g", 6 },
		{ "missing padding, 2 left", "QUJDQQ", 3 },
		{ "one character left", "QUJDQ", 3 },
		{ "garbage skipped", "QU*J\tD!RE~VG\x80\xff", 6 },
		{ "text after the padding", "QUI=\n\nthanks, bye\nQUJD\n", 2 },
		{ "padding too early", "Q=UJD", 0 },
		{ "a lone =", "=", 0 },
		{ "url-safe alphabet is garbage", "QU-_QUJD", 3 },
	};
	size_t i, len;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		len = strlen(cases[i].in);
		tap_int((long long)count(cases[i].in, len, 0),
		    (long long)cases[i].size, cases[i].name);
		tap_int((long long)gmime_size(cases[i].in, len, 0),
		    (long long)cases[i].size, "... as GMime decodes it");
		tap_int((long long)count(cases[i].in, len, 1),
		    (long long)cases[i].size, "... fed byte by byte");
	}
}

/* test_random - random base64-ish text of every byte value */
static void
test_random(void)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	GRand *r = g_rand_new_with_seed(42);
	GString *s = g_string_new(NULL);
	int round, i, n, k, bad = 0;
	size_t step;

	for (round = 0; round < 3000; round++) {
		g_string_truncate(s, 0);
		n = g_rand_int_range(r, 0, 400);
		for (i = 0; i < n; i++) {
			k = g_rand_int_range(r, 0, 100);
			if (k < 80)
				g_string_append_c(s, b64[g_rand_int_range(r, 0,
				    64)]);
			else if (k < 88)
				g_string_append(s, k & 1 ? "\r\n" : "\n");
			else if (k < 90)
				g_string_append_c(s, '=');
			else
				g_string_append_c(s, (char)g_rand_int_range(r,
				    0, 256));
		}
		step = (size_t)g_rand_int_range(r, 0, 50);
		if (count(s->str, s->len, step) != gmime_size(s->str, s->len,
		    0) || count(s->str, s->len, 0) != gmime_size(s->str,
		    s->len, step))
			bad++;
	}
	tap_int(bad, 0, "3000 random texts, whole and in pieces: GMime's size");
	g_string_free(s, TRUE);
	g_rand_free(r);
}

/* attachment_size - the size message lists for the one attachment of a
 * mail whose attachment part has this encoding and body; -1 when none */
static long long
attachment_size(const char *cte, const char *body)
{
	struct message *m = NULL;
	struct message_attachment *a;
	struct gw_error err;
	long long size = -1;
	char *mail;

	mail = g_strdup_printf("From: a@example.com\nSubject: s\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=B\n\n"
	    "--B\nContent-Type: text/plain\n\nhello\n"
	    "--B\nContent-Type: application/octet-stream\n"
	    "Content-Disposition: attachment; filename=f.bin\n"
	    "Content-Transfer-Encoding: %s\n\n%s\n--B--\n", cte, body);
	if (message_parse_mem(mail, strlen(mail), NULL, &m, &err) == GW_OK &&
	    m->attachments->len == 1) {
		a = g_ptr_array_index(m->attachments, 0);
		size = (long long)a->size;
	}
	message_free(&m);
	g_free(mail);
	return size;
}

/* test_message - what a parsed message lists */
static void
test_message(void)
{
	/* The last line break before a boundary belongs to the boundary. */
	tap_int(attachment_size("base64", "QUJD\nREVG\nR0g="), 8,
	    "base64 with line breaks: 8 bytes");
	tap_int(attachment_size("base64", "QUJD\r\nREVG\r\nR0g=\r"), 8,
	    "base64 with CRLF: 8 bytes");
	tap_int(attachment_size("base64", "QUJDREVGR0g"), 6,
	    "base64 without its padding: 6 bytes");
	tap_int(attachment_size("base64", "QU*JD REVG!R0g="), 8,
	    "base64 with garbage: 8 bytes");
	tap_int(attachment_size("base64", ""), 0, "empty base64: 0 bytes");
	tap_int(attachment_size("quoted-printable", "caf=C3=A9 =\nbar=3D"),
	    10, "quoted-printable: 10 bytes");
	tap_int(attachment_size("quoted-printable", ""), 0,
	    "empty quoted-printable: 0 bytes");
	tap_int(attachment_size("7bit", "abc\ndef"), 7, "7bit: 7 bytes");
	tap_int(attachment_size("binary", ""), 0, "empty binary: 0 bytes");
}

int
main(void)
{
	message_init();
	test_cases();
	test_random();
	test_message();
	message_shutdown();
	return tap_done();
}
