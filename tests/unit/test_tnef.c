/*
 * test_tnef.c - unit tests for the tnef module (TAP): which parts are
 * TNEF, the stream check, decoding files and bodies from winmail.dat
 * streams built here, and hostile streams (bogus lengths and counts, a
 * cut compressed RTF, a named-property bomb), which must fail or decode
 * without a crash, a hang, or a byte on standard output.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "message.h"
#include "tap.h"
#include "tnef.h"

#define PT_LONG		0x0003
#define PT_STRING8	0x001e
#define PT_UNICODE	0x001f
#define PT_BINARY	0x0102
#define PR_BODY		0x1000
#define PR_RTF		0x1009
#define PR_BODY_HTML	0x1013
#define PR_CPID		0x3fde
#define PR_LONG_NAME	0x3707

/* le - append n little-endian bytes of v */
static void
le(GByteArray *b, uint64_t v, int n)
{
	guint8 c;

	while (n-- > 0) {
		c = (guint8)(v & 0xff);
		g_byte_array_append(b, &c, 1);
		v >>= 8;
	}
}

/* attr - one TNEF attribute: level, id, length, data, checksum */
static void
attr(GByteArray *b, int level, uint32_t id, const void *data, size_t len)
{
	const guint8 *p = data;
	unsigned sum = 0;
	size_t i;

	le(b, (uint64_t)level, 1);
	le(b, id, 4);
	le(b, len, 4);
	g_byte_array_append(b, p, (guint)len);
	for (i = 0; i < len; i++)
		sum += p[i];
	le(b, sum & 0xffff, 2);
}

/* prop - one MAPI property (a counted value for strings and binaries) */
static void
prop(GByteArray *b, unsigned type, unsigned id, const void *v, size_t len)
{
	le(b, (uint32_t)id << 16 | type, 4);
	if (type == PT_LONG) {
		g_byte_array_append(b, v, 4);
		return;
	}
	le(b, 1, 4);
	le(b, len, 4);
	g_byte_array_append(b, v, (guint)len);
	while (len++ % 4 != 0)
		le(b, 0, 1);
}

/* head - signature, key, version, OEM code page 1252 */
static GByteArray *
head(void)
{
	GByteArray *b = g_byte_array_new(), *v = g_byte_array_new();

	le(b, 0x223e9f78, 4);
	le(b, 0x0101, 2);
	le(v, 0x00010000, 4);
	attr(b, 1, 0x00089006, v->data, v->len);
	g_byte_array_set_size(v, 0);
	le(v, 1252, 4);
	le(v, 0, 4);
	attr(b, 1, 0x00069007, v->data, v->len);
	g_byte_array_unref(v);
	return b;
}

/* props - the message's MAPI block of n properties already in p */
static void
props(GByteArray *b, uint32_t id, int n, const GByteArray *p)
{
	GByteArray *m = g_byte_array_new();

	le(m, (uint64_t)n, 4);
	g_byte_array_append(m, p->data, p->len);
	attr(b, id == 0x00069003 ? 1 : 2, id, m->data, m->len);
	g_byte_array_unref(m);
}

/* file - one attachment: title (8.3), data, and a long name in the MAPI
 * block (Unicode when utf16 is not NULL, else 8-bit long8) */
static void
file(GByteArray *b, const char *title, const char *data, size_t len,
    const char *long8, const char *utf16, size_t ulen)
{
	GByteArray *p = g_byte_array_new();
	static const guint8 rend[14] = { 1, 0, 0xff, 0xff, 0xff, 0xff };

	attr(b, 2, 0x00069002, rend, sizeof(rend));
	if (title != NULL)
		attr(b, 2, 0x00018010, title, strlen(title) + 1);
	if (data != NULL)
		attr(b, 2, 0x0006800f, data, len);
	if (long8 != NULL || utf16 != NULL) {
		if (utf16 != NULL)
			prop(p, PT_UNICODE, PR_LONG_NAME, utf16, ulen);
		else
			prop(p, PT_STRING8, PR_LONG_NAME, long8,
			    strlen(long8) + 1);
		props(b, 0x00069005, 1, p);
	}
	g_byte_array_unref(p);
}

/* lzfu - compressed RTF of s, as literals (the CRC is not checked) */
static GByteArray *
lzfu(const char *s)
{
	GByteArray *body = g_byte_array_new(), *out = g_byte_array_new();
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++) {
		if (i % 8 == 0)
			le(body, 0, 1);
		le(body, (guint8)s[i], 1);
	}
	le(out, body->len + 12, 4);
	le(out, n, 4);
	le(out, 0x75465a4c, 4);
	le(out, 0, 4);
	g_byte_array_append(out, body->data, body->len);
	g_byte_array_unref(body);
	return out;
}

/* decode - tnef_decode() with the stream b, 1 MB bodies, 100 files */
static struct tnef *
decode(const GByteArray *b, const char *name)
{
	struct tnef *t = NULL;
	struct gw_error err;

	if (tnef_decode(b->data, b->len, 1 << 20, 100, &t, &err) != GW_OK)
		printf("# %s: %s\n", name, err.text);
	return t;
}

/* file_is - file i of t is name, type, size */
static void
file_is(const struct tnef *t, guint i, const char *name, const char *type,
    uint64_t size, const char *what)
{
	const struct tnef_file *f;

	if (t == NULL || i >= t->files->len) {
		tap_ok(0, "%s: file %u exists", what, i);
		return;
	}
	f = g_ptr_array_index(t->files, i);
	tap_str(f->name, name, what);
	tap_str(f->content_type, type, what);
	tap_int((long long)f->size, (long long)size, what);
}

static void
test_is_tnef(void)
{
	tap_ok(tnef_is_tnef("application/ms-tnef", NULL), "ms-tnef");
	tap_ok(tnef_is_tnef("application/VND.MS-TNEF", "x"), "vnd.ms-tnef");
	tap_ok(tnef_is_tnef("application/octet-stream", "WinMail.DAT"),
	    "a file named winmail.dat, any case");
	tap_ok(tnef_is_tnef(NULL, "C:\\Temp\\winmail.dat"), "with a path");
	tap_ok(!tnef_is_tnef("application/pdf", "report.pdf"), "a PDF");
	tap_ok(!tnef_is_tnef(NULL, "winmail.dat.exe"), "winmail.dat.exe");
	tap_ok(!tnef_is_tnef(NULL, NULL), "nothing");
}

static void
test_check(void)
{
	GByteArray *b = head();
	size_t n;
	int i;

	tap_ok(tnef_check(b->data, b->len, 10), "check: a good stream");
	tap_ok(!tnef_check(b->data, 5, 10), "check: too short");
	tap_ok(tnef_check(b->data, b->len - 0, 10) &&
	    !tnef_check(b->data, b->len - 1, 10), "check: cut checksum");
	b->data[0] ^= 1;
	tap_ok(!tnef_check(b->data, b->len, 10), "check: bad signature");
	b->data[0] ^= 1;
	b->data[6 + 9] ^= 1;	/* the first attribute's data */
	tap_ok(!tnef_check(b->data, b->len, 10), "check: bad checksum");
	b->data[6 + 9] ^= 1;
	n = b->len;
	le(b, 1, 1);
	le(b, 0x00069003, 4);
	le(b, 0x80000000u, 4);	/* 2 GB: a negative length to libytnef */
	le(b, 0, 4);
	tap_ok(!tnef_check(b->data, b->len, 10), "check: 2 GB attribute");
	g_byte_array_set_size(b, n);
	le(b, 0, 8);		/* trailing bytes, fewer than a header */
	tap_ok(tnef_check(b->data, b->len, 10), "check: 8 bytes of padding");
	g_byte_array_set_size(b, n);
	attr(b, 1, 0x00069003, "", 0);
	tap_ok(!tnef_check(b->data, b->len, 10), "check: empty attribute");
	g_byte_array_set_size(b, n);
	for (i = 0; i < 11; i++)
		file(b, "A.TXT", "x", 1, NULL, NULL, 0);
	tap_ok(tnef_check(b->data, b->len, 11) &&
	    !tnef_check(b->data, b->len, 10), "check: max_files");
	g_byte_array_unref(b);
}

static void
test_files(void)
{
	GByteArray *b = head();
	struct tnef *t;
	/* "Überweisung.xlsx" in UTF-16LE, NUL-terminated */
	static const char u16[] = "\xdc\0b\0e\0r\0w\0e\0i\0s\0u\0n\0g\0.\0x\0"
	    "l\0s\0x\0\0";

	file(b, "QUARTE~1.PDF", "%PDF-1.4", 8, "Quarterly report.pdf", NULL, 0);
	file(b, "BERWEI~1.XLS", "PK\3\4", 4, NULL, u16, sizeof(u16) - 1);
	file(b, "M\xc4RZ.TXT", "abc", 3, NULL, NULL, 0);
	file(b, NULL, NULL, 0, "M\xe4rz 2025.docx", NULL, 0);
	file(b, NULL, NULL, 0, NULL, NULL, 0);	/* a rendering slot */
	t = decode(b, "files");
	tap_ok(t != NULL, "files: decoded");
	tap_int(t != NULL ? t->files->len : 0, 4, "files: four listed");
	file_is(t, 0, "Quarterly report.pdf", "application/pdf", 8,
	    "files: the long name, not the 8.3 one");
	file_is(t, 1, "\xc3\x9c" "berweisung.xlsx", "application/"
	    "vnd.openxmlformats-officedocument.spreadsheetml.sheet", 4,
	    "files: a Unicode long name");
	file_is(t, 2, "M\xc3\x84RZ.TXT", "text/plain", 3,
	    "files: the 8.3 title in the code page");
	file_is(t, 3, "M\xc3\xa4rz 2025.docx", "application/"
	    "vnd.openxmlformats-officedocument.wordprocessingml.document", 0,
	    "files: a name and no data");
	tap_ok(t != NULL && t->text == NULL && t->html == NULL,
	    "files: no body");
	tnef_free(&t);
	tnef_free(&t);
	tap_ok(t == NULL, "tnef_free: NULL-safe, NULLs the pointer");
	g_byte_array_unref(b);
}

/* body - a stream whose message block holds the properties in p (n) */
static struct tnef *
body(const GByteArray *p, int n, const char *name)
{
	GByteArray *b = head();
	struct tnef *t;

	props(b, 0x00069003, n, p);
	t = decode(b, name);
	g_byte_array_unref(b);
	return t;
}

static void
test_bodies(void)
{
	GByteArray *p = g_byte_array_new(), *rtf;
	struct tnef *t;
	uint32_t cp = 65001, cp1252 = 1252;
	static const char html[] = "<p>Gr\xc3\xbc\xc3\x9f" "e</p>";

	prop(p, PT_LONG, PR_CPID, &cp, 4);
	prop(p, PT_BINARY, PR_BODY_HTML, html, strlen(html));
	prop(p, PT_STRING8, PR_BODY, "plain", 6);
	t = body(p, 3, "html");
	tap_str(t != NULL ? t->html : NULL, html, "PR_BODY_HTML in UTF-8 wins");
	tap_ok(t != NULL && t->text == NULL, "html: no text beside");
	tnef_free(&t);

	g_byte_array_set_size(p, 0);
	prop(p, PT_LONG, PR_CPID, &cp1252, 4);
	rtf = lzfu("{\\rtf1\\ansi\\ansicpg1252 Caf\\'e9\\par second line\\par}");
	prop(p, PT_BINARY, PR_RTF, rtf->data, rtf->len);
	t = body(p, 2, "rtf");
	tap_str(t != NULL ? t->text : NULL, "Caf\xc3\xa9\nsecond line",
	    "compressed RTF as text");
	tnef_free(&t);
	g_byte_array_unref(rtf);

	prop(p, PT_STRING8, PR_BODY, "Outlook's own text", 19);
	t = body(p, 3, "rtf+body");
	tap_str(t != NULL ? t->text : NULL, "Outlook's own text",
	    "PR_BODY wins over the text of RTF");
	tnef_free(&t);

	g_byte_array_set_size(p, 0);
	rtf = lzfu("{\\rtf1\\fromhtml1 {\\*\\htmltag <p>}hi{\\*\\htmltag </p>}}");
	prop(p, PT_BINARY, PR_RTF, rtf->data, rtf->len);
	prop(p, PT_STRING8, PR_BODY, "hi", 3);
	t = body(p, 2, "fromhtml");
	tap_str(t != NULL ? t->html : NULL, "<p>hi</p>",
	    "HTML encapsulated in RTF wins over PR_BODY");
	tnef_free(&t);
	g_byte_array_unref(rtf);

	/* "MELA" (uncompressed) claiming 1 MB: libytnef would copy 1 MB. */
	g_byte_array_set_size(p, 0);
	rtf = g_byte_array_new();
	le(rtf, 12 + 10, 4);
	le(rtf, 1 << 20, 4);
	le(rtf, 0x414c454d, 4);
	le(rtf, 0, 4);
	g_byte_array_append(rtf, (const guint8 *)"{\\rtf1 ok}", 10);
	prop(p, PT_BINARY, PR_RTF, rtf->data, rtf->len);
	t = body(p, 1, "mela");
	tap_str(t != NULL ? t->text : NULL, "ok",
	    "uncompressed RTF claiming more than it holds");
	tnef_free(&t);
	g_byte_array_unref(rtf);

	/* LZFu claiming 1 GB out of a few bytes, and a cut stream. */
	g_byte_array_set_size(p, 0);
	rtf = lzfu("{\\rtf1 abc}");
	rtf->data[4] = 0;
	rtf->data[7] = 0x40;	/* 1 GB */
	prop(p, PT_BINARY, PR_RTF, rtf->data, rtf->len);
	t = body(p, 1, "lzfu 1 GB");
	tap_ok(t != NULL && t->text == NULL && t->html == NULL,
	    "compressed RTF claiming 1 GB: no body, no crash");
	tnef_free(&t);
	g_byte_array_unref(rtf);
	g_byte_array_set_size(p, 0);
	rtf = lzfu("{\\rtf1 abcdefghijklmnopqrstuvwxyz}");
	rtf->data[4] = 200;	/* more out than the stream gives */
	g_byte_array_append(rtf, (const guint8 *)"\xff", 1);
	rtf->data[0]++;		/* a flag byte of references, then the end */
	prop(p, PT_BINARY, PR_RTF, rtf->data, rtf->len);
	t = body(p, 1, "lzfu cut");
	tap_ok(t != NULL, "a cut compressed RTF stream: decoded, no crash");
	tnef_free(&t);
	g_byte_array_unref(rtf);
	g_byte_array_unref(p);
}

/* bomb - a MAPI block with a named property that claims n names */
static GByteArray *
bomb(uint32_t n)
{
	GByteArray *b = head(), *p = g_byte_array_new();
	static const guint8 guid[16];

	le(p, (uint32_t)0x8001 << 16 | PT_LONG, 4);
	g_byte_array_append(p, guid, sizeof(guid));
	le(p, n, 4);		/* how many names follow */
	le(p, 4, 4);
	le(p, 0x41, 4);
	props(b, 0x00069003, 1, p);
	g_byte_array_unref(p);
	return b;
}

static void
test_hostile(void)
{
	GByteArray *b;
	struct tnef *t = NULL;
	struct gw_error err;
	gint64 t0;
	enum gw_status rc;
	char buf[256];
	int saved, fd;
	ssize_t n;

	/* 0x7fffffff names: calloc(32 GB), then a free loop over them. */
	b = bomb(0x7fffffff);
	t0 = g_get_monotonic_time();
	rc = tnef_decode(b->data, b->len, 1 << 20, 100, &t, &err);
	tap_ok(g_get_monotonic_time() - t0 < (TNEF_SECONDS + 5) *
	    G_USEC_PER_SEC, "named-property bomb: bounded time (rc %d)", rc);
	tnef_free(&t);
	g_byte_array_unref(b);

	/* libytnef printf()s "ERROR ..." on a bad MAPI block: not to us. */
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open("/dev/null", O_RDONLY);
	{
		char path[] = "test_tnef.XXXXXX";
		int tmp = g_mkstemp(path);

		unlink(path);
		dup2(tmp, STDOUT_FILENO);
		b = bomb(3);
		rc = tnef_decode(b->data, b->len, 1 << 20, 100, &t, &err);
		fflush(stdout);
		dup2(saved, STDOUT_FILENO);
		n = pread(tmp, buf, sizeof(buf), 0);
		close(tmp);
		g_byte_array_unref(b);
	}
	close(fd);
	close(saved);
	tap_ok(rc == GW_EDATA && t == NULL, "a bad MAPI block: GW_EDATA");
	tap_int(n, 0, "nothing on standard output");

	b = g_byte_array_new();
	g_byte_array_append(b, (const guint8 *)"GIF89a", 6);
	rc = tnef_decode(b->data, b->len, 1 << 20, 100, &t, &err);
	tap_ok(rc == GW_EDATA && t == NULL, "not TNEF: GW_EDATA (%s)",
	    err.text);
	g_byte_array_unref(b);
}

/* resum - make the checksums of b right again where the lengths fit, so
 * that a mutation reaches libytnef's property parser */
static void
resum(GByteArray *b)
{
	size_t p, size, i;
	unsigned sum;

	for (p = 6; b->len - p >= 11; p += 11 + size) {
		size = (size_t)b->data[p + 5] | (size_t)b->data[p + 6] << 8 |
		    (size_t)b->data[p + 7] << 16 | (size_t)b->data[p + 8] << 24;
		if (size > b->len - p - 11)
			return;
		for (sum = 0, i = 0; i < size; i++)
			sum += b->data[p + 9 + i];
		b->data[p + 9 + size] = sum & 0xff;
		b->data[p + 10 + size] = (sum >> 8) & 0xff;
	}
}

/* test_mutations - mutated copies of a good stream: each decodes or
 * fails; a decoded one has UTF-8 names and bodies */
static void
test_mutations(void)
{
	GByteArray *good = head(), *p = g_byte_array_new(), *rtf, *b;
	GRand *r = g_rand_new_with_seed(6);
	struct tnef *t;
	struct gw_error err;
	const struct tnef_file *f;
	int i, k, bad = 0, decoded = 0;
	guint j, pos;

	rtf = lzfu("{\\rtf1\\ansi caf\\'e9 \\u8364? text\\par}");
	prop(p, PT_BINARY, PR_RTF, rtf->data, rtf->len);
	prop(p, PT_STRING8, PR_BODY, "caf\xe9", 5);
	props(good, 0x00069003, 2, p);
	file(good, "A.PDF", "%PDF", 4, "A long name.pdf", NULL, 0);
	file(good, "B.TXT", "text", 4, NULL, "B\0\0", 4);
	for (i = 0; i < 400; i++) {
		b = g_byte_array_new();
		g_byte_array_append(b, good->data, good->len);
		for (k = g_rand_int_range(r, 1, 6); k > 0 && b->len > 8; k--) {
			pos = (guint)g_rand_int_range(r, 6, (gint32)b->len);
			if (k % 3 == 0)
				g_byte_array_set_size(b, pos);
			else
				b->data[pos] = (guint8)g_rand_int(r);
		}
		if (i % 4 != 0)
			resum(b);
		t = NULL;
		if (tnef_decode(b->data, b->len, 1 << 20, 100, &t, &err) ==
		    GW_OK) {
			decoded++;
			for (j = 0; j < t->files->len; j++) {
				f = g_ptr_array_index(t->files, j);
				if (!g_utf8_validate(f->name, -1, NULL))
					bad++;
			}
			if ((t->text != NULL && !g_utf8_validate(t->text, -1,
			    NULL)) || (t->html != NULL &&
			    !g_utf8_validate(t->html, -1, NULL)))
				bad++;
		} else if (t != NULL) {
			bad++;
		}
		tnef_free(&t);
		g_byte_array_unref(b);
	}
	printf("# %d of 400 mutated streams decoded\n", decoded);
	tap_int(bad, 0, "400 mutated streams: clean results");
	g_rand_free(r);
	g_byte_array_unref(rtf);
	g_byte_array_unref(p);
	g_byte_array_unref(good);
}

int
main(void)
{
	message_init();		/* GMime's charset tables */
	test_is_tnef();
	test_check();
	test_files();
	test_bodies();
	test_hostile();
	test_mutations();
	message_shutdown();
	return tap_done();
}
