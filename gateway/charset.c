/*
 * charset.c - bytes in some charset to clean UTF-8 (see charset.h).
 *
 * Text is converted by iconv under the declared charset; when there is
 * none, or the label is the usual lie (ASCII, Latin-1 or UTF-8 on bytes
 * that are not), uchardet names the charset, and Windows-1252 is the last
 * resort.  Charset labels are read through GMime's alias tables
 * (g_mime_charset_canon_name(), g_mime_charset_iconv_name()), so that a
 * label means here what it means to the MIME parser.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <gmime/gmime.h>
#include <uchardet/uchardet.h>

#include "charset.h"
#include "jis.h"

/*
 * Windows-1252 bytes 0x80-0x9f; 0xfffd where the code page leaves a hole.
 * The rest of the code page is ISO 8859-1, i.e. the byte value itself.
 */
static const uint16_t charset_cp1252_high[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178
};

/* charset_plain - a byte that charset_normalize() keeps as it is: tab,
 * LF, printable ASCII */
static inline bool
charset_plain(unsigned char c)
{
	return (unsigned char)(c - 0x20) < 0x5f || c == '\n' || c == '\t';
}

/* charset_append_unichar - append ch to out as UTF-8 */
static void
charset_append_unichar(GString *out, gunichar ch)
{
	char u[6];

	g_string_append_len(out, u, g_unichar_to_utf8(ch, u));
}

/* charset_utf8_fit - the longest prefix of s (len bytes) of at most max
 * bytes that does not end inside a UTF-8 sequence */
size_t
charset_utf8_fit(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/*
 * charset_line - a header value made safe: valid UTF-8, line breaks of
 * folding removed, other control characters turned into spaces, trimmed,
 * cut at max bytes.  New string, or NULL when s is NULL or nothing is
 * left.
 */
char *
charset_line(const char *s, size_t max)
{
	GString *out;
	char *valid;
	const char *p;
	gunichar ch;
	size_t n;

	if (s == NULL)
		return NULL;
	valid = g_utf8_make_valid(s, -1);
	out = g_string_sized_new(strlen(valid));
	for (p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		ch = g_utf8_get_char(p);
		if (ch == '\r' || ch == '\n')
			continue;
		if (ch < 0x20 || (ch >= 0x7f && ch <= 0x9f))
			g_string_append_c(out, ' ');
		else
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
	}
	g_free(valid);
	g_strstrip(out->str);
	n = strlen(out->str);
	n = charset_utf8_fit(out->str, n, max);
	g_string_truncate(out, n);
	if (out->len == 0) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

/*
 * charset_normalize_from - charset_normalize() of s from byte i on,
 * appended to out, stopped once out is longer than max bytes: a prefix of
 * the whole output, since each input byte is rewritten on its own
 */
static void
charset_normalize_from(const char *s, size_t len, size_t i, GString *out,
    size_t max)
{
	unsigned char c;
	gunichar ch;
	size_t n, end;

	while (i < len && out->len <= max) {
		/* A run of bytes kept as they are, appended at once, as
		 * many as the byte-by-byte loop would append. */
		end = max - out->len < len - i ? i + (max - out->len) + 1 :
		    len;
		for (n = i; n < end && charset_plain((unsigned char)s[n]); n++)
			;
		if (n > i) {
			g_string_append_len(out, s + i, (gssize)(n - i));
			i = n;
			continue;
		}
		c = (unsigned char)s[i];
		if (c < 0x80) {
			if (c == '\r') {
				g_string_append_c(out, '\n');
				if (i + 1 < len && s[i + 1] == '\n')
					i++;
			} else
				charset_append_unichar(out, 0xfffd);
			i++;
			continue;
		}
		ch = g_utf8_get_char_validated(s + i, (gssize)(len - i));
		if (ch == (gunichar)-1 || ch == (gunichar)-2) {
			charset_append_unichar(out, 0xfffd);
			i++;
			continue;
		}
		n = (size_t)g_utf8_skip[c];
		if (ch == 0xfeff && out->len == 0)
			;	/* a byte order mark says nothing here */
		else if (ch <= 0x9f)
			charset_append_unichar(out, 0xfffd);
		else
			g_string_append_len(out, s + i, (gssize)n);
		i += n;
	}
}

/* charset_normalize_max - charset_normalize() stopped once the output is
 * longer than max bytes (new) */
static GString *
charset_normalize_max(const char *s, size_t len, size_t max)
{
	GString *out;

	out = g_string_sized_new(MIN(len, max) + 1);
	charset_normalize_from(s, len, 0, out, max);
	return out;
}

/*
 * charset_normalize_shrink - charset_normalize_from() of buf from byte 0,
 * written over buf itself for as long as no byte needs more room than it
 * takes (a control character or an invalid or C1 sequence becomes the
 * 3 bytes of U+FFFD).  The length written; *stop_r is where it stopped:
 * len, or the byte that needs more room, or past max bytes of output.
 */
static size_t
charset_normalize_shrink(char *buf, size_t len, size_t max, size_t *stop_r)
{
	unsigned char c;
	gunichar ch;
	size_t i, w, n, end;

	i = w = 0;
	while (i < len && w <= max) {
		end = max - w < len - i ? i + (max - w) + 1 : len;
		for (n = i; n < end && charset_plain((unsigned char)buf[n]);
		    n++)
			;
		if (n > i) {
			memmove(buf + w, buf + i, n - i);
			w += n - i;
			i = n;
			continue;
		}
		c = (unsigned char)buf[i];
		if (c == '\r') {
			buf[w++] = '\n';
			if (i + 1 < len && buf[i + 1] == '\n')
				i++;
			i++;
			continue;
		}
		if (c < 0x80)
			break;
		ch = g_utf8_get_char_validated(buf + i, (gssize)(len - i));
		if (ch == (gunichar)-1 || ch == (gunichar)-2)
			break;
		n = (size_t)g_utf8_skip[c];
		if (ch == 0xfeff && w == 0) {
			i += n;
			continue;
		}
		if (ch <= 0x9f)
			break;
		memmove(buf + w, buf + i, n);
		w += n;
		i += n;
	}
	*stop_r = i;
	return w;
}

/* charset_normalize - mostly UTF-8 made clean (charset.h) */
GString *
charset_normalize(const char *s, size_t len)
{
	return charset_normalize_max(s, len, SIZE_MAX);
}

/* charset_utf8_census - count valid multi-byte UTF-8 sequences and
 * invalid bytes */
static void
charset_utf8_census(const char *s, size_t len, size_t *good_r, size_t *bad_r)
{
	gunichar ch;
	size_t i;

	*good_r = *bad_r = 0;
	i = 0;
	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		ch = g_utf8_get_char_validated(s + i, (gssize)(len - i));
		if (ch == (gunichar)-1 || ch == (gunichar)-2) {
			(*bad_r)++;
			i++;
		} else {
			(*good_r)++;
			i += (size_t)g_utf8_skip[(unsigned char)s[i]];
		}
	}
}

/* charset_from_cp1252 - Windows-1252 (so also ISO 8859-1 and ASCII) to
 * UTF-8 */
static GString *
charset_from_cp1252(const char *s, size_t len)
{
	GString *out;
	unsigned char c;
	size_t i;

	out = g_string_sized_new(len + len / 2 + 1);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c < 0x80)
			g_string_append_c(out, (char)c);
		else if (c < 0xa0)
			charset_append_unichar(out,
			    charset_cp1252_high[c - 0x80]);
		else
			charset_append_unichar(out, c);
	}
	return out;
}

/* charset_superset - the charset mailers really mean by a label (canonical
 * name, as g_mime_charset_canon_name() or uchardet spell it) */
static const char *
charset_superset(const char *canon)
{
	static const char *const supersets[][2] = {
		{ "gb2312", "GB18030" }, { "gbk", "GB18030" },
		{ "euc-kr", "CP949" }, { "ks_c_5601-1987", "CP949" },
		/* GMime's canonical names: "shift_jis" and "sjis" become
		 * "shift-jis", "windows-31j" becomes "CP31j". */
		{ "shift_jis", "CP932" }, { "shift-jis", "CP932" },
		{ "x-sjis", "CP932" }, { "ms_kanji", "CP932" },
		{ "cp31j", "CP932" }, { "iso-8859-8-i", "ISO-8859-8" },
		{ "tis-620", "CP874" }, { "iso-8859-11", "CP874" },
		/* uchardet says KOI8-R for Ukrainian too; KOI8-U has its
		 * letters where KOI8-R has box drawing. */
		{ "koi8-r", "KOI8-U" }
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(supersets); i++)
		if (g_ascii_strcasecmp(canon, supersets[i][0]) == 0)
			return supersets[i][1];
	return canon;
}

/*
 * uchardet's calls, looked up on first use.  uchardet is C++: linked, it
 * would bring libstdc++ to every start, while only a body of undeclared
 * 8-bit text needs it.
 */
struct charset_uchardet {
	bool tried;		/* dlopen() was tried */
	bool ok;		/* ... and found every call */
	uchardet_t (*create)(void);
	int (*handle_data)(uchardet_t, const char *, size_t);
	void (*data_end)(uchardet_t);
	const char *(*get_charset)(uchardet_t);
	void (*destroy)(uchardet_t);
};

static struct charset_uchardet charset_ud;

/* charset_uchardet_load - dlopen() uchardet once; NULL when it cannot
 * be loaded (no detection then, as when it has no answer) */
static const struct charset_uchardet *
charset_uchardet_load(void)
{
	struct charset_uchardet *u = &charset_ud;
	void *lib;

	if (u->tried)
		return u->ok ? u : NULL;
	u->tried = true;
	lib = dlopen(CHARSET_UCHARDET_SO, RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL)
		return NULL;
	u->create = (uchardet_t (*)(void))dlsym(lib, "uchardet_new");
	u->handle_data = (int (*)(uchardet_t, const char *, size_t))
	    dlsym(lib, "uchardet_handle_data");
	u->data_end = (void (*)(uchardet_t))dlsym(lib, "uchardet_data_end");
	u->get_charset = (const char *(*)(uchardet_t))dlsym(lib,
	    "uchardet_get_charset");
	u->destroy = (void (*)(uchardet_t))dlsym(lib, "uchardet_delete");
	u->ok = u->create != NULL && u->handle_data != NULL &&
	    u->data_end != NULL && u->get_charset != NULL &&
	    u->destroy != NULL;
	/* Loaded for good: the process is short and calls it again. */
	return u->ok ? u : NULL;
}

/* charset_detect - what uchardet makes of undeclared 8-bit bytes */
const char *
charset_detect(const char *s, size_t len, char *found, size_t size)
{
	static const char *const western[] = { "ascii", "us-ascii",
	    "utf-8", "iso-8859-1", "iso-8859-15", "windows-1252", NULL };
	const char *const *w;
	const struct charset_uchardet *u;
	uchardet_t ud;
	size_t i, high;

	for (i = high = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			high++;
	if (high < 8 || size == 0)
		return NULL;
	u = charset_uchardet_load();
	if (u == NULL)
		return NULL;
	ud = u->create();
	if (ud == NULL)
		return NULL;
	found[0] = '\0';
	if (u->handle_data(ud, s, len) == 0) {
		u->data_end(ud);
		g_strlcpy(found, u->get_charset(ud), size);
	}
	u->destroy(ud);
	for (w = western; *w != NULL; w++)
		if (g_ascii_strcasecmp(found, *w) == 0)
			return NULL;
	return found[0] != '\0' ? found : NULL;
}

/*
 * charset_iconv_lenient - convert with cd; an invalid byte becomes U+FFFD
 * and is counted in *errors_r; an incomplete sequence at the end (a cut
 * body) is dropped.  Gives up (NULL) when most of the input is invalid.
 */
static GString *
charset_iconv_lenient(GIConv cd, const char *s, size_t len, size_t *errors_r)
{
	GString *out;
	char buf[4096], *in, *o;
	gsize inleft, oleft, r;

	*errors_r = 0;
	out = g_string_sized_new(len * 2 + 1);
	in = (char *)s;	/* g_iconv() does not write through it */
	inleft = len;
	while (inleft > 0) {
		o = buf;
		oleft = sizeof(buf);
		r = g_iconv(cd, &in, &inleft, &o, &oleft);
		g_string_append_len(out, buf, (gssize)(o - buf));
		if (r != (gsize)-1 || errno == E2BIG)
			continue;
		if (errno != EILSEQ)
			break;
		charset_append_unichar(out, 0xfffd);
		in++;
		inleft--;
		if (++*errors_r > 64 && *errors_r > len / 8) {
			g_string_free(out, TRUE);
			return NULL;
		}
	}
	return out;
}

/*
 * charset_guess - bytes with no (believable) charset: UTF-8 when they look
 * like UTF-8 (more valid sequences than stray bytes; NULL: s itself), what
 * uchardet detects when that converts cleanly, else Windows-1252, the
 * usual charset of undeclared 8-bit mail.
 */
static GString *
charset_guess(const char *s, size_t len)
{
	const char *found;
	GString *out;
	GIConv cd;
	size_t good, bad, errors;
	char buf[64];

	charset_utf8_census(s, len, &good, &bad);
	if (bad == 0 || good > bad)
		return NULL;
	found = charset_detect(s, len, buf, sizeof(buf));
	if (found != NULL && (cd = g_iconv_open("UTF-8",
	    g_mime_charset_iconv_name(charset_superset(found)))) !=
	    (GIConv)-1) {
		out = charset_iconv_lenient(cd, s, len, &errors);
		g_iconv_close(cd);
		if (out != NULL && errors == 0)
			return out;
		if (out != NULL)
			g_string_free(out, TRUE);
	}
	return charset_from_cp1252(s, len);
}

/* charset_codepage - the charset name of a Windows code page number */
const char *
charset_codepage(unsigned long cp, char *buf, size_t size)
{
	static const struct {
		unsigned long cp;
		const char *name;
	} names[] = {
		{ 65001, "utf-8" }, { 20127, "us-ascii" }, { 932, "shift_jis" },
		{ 936, "gbk" }, { 54936, "gb18030" }, { 949, "euc-kr" },
		{ 950, "big5" }, { 874, "windows-874" }, { 20866, "koi8-r" },
		{ 21866, "koi8-u" }, { 50220, "iso-2022-jp" },
		{ 50221, "iso-2022-jp" }, { 50222, "iso-2022-jp" },
		{ 51932, "euc-jp" }, { 51949, "euc-kr" }, { 10000, "macintosh" }
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(names); i++)
		if (names[i].cp == cp) {
			g_strlcpy(buf, names[i].name, size);
			return buf;
		}
	if (cp >= 1250 && cp <= 1258)
		g_snprintf(buf, size, "windows-%lu", cp);
	else if (cp >= 28591 && cp <= 28606)
		g_snprintf(buf, size, "iso-8859-%lu", cp - 28590);
	else
		g_snprintf(buf, size, "CP%lu", cp);
	return buf;
}

/* charset_in_list - is canon (a canonical charset name) one of the list */
static bool
charset_in_list(const char *canon, const char *const *list)
{
	for (; *list != NULL; list++)
		if (g_ascii_strcasecmp(canon, *list) == 0)
			return true;
	return false;
}

/*
 * charset_jis - ISO-2022-JP: glibc's converter when it finds no error and
 * leaves no escape or SO/SI unread (so that plain text reads as it always
 * did), else CP50221 (jis.h), which has the vendor characters glibc stops
 * at
 */
static GString *
charset_jis(const char *s, size_t len)
{
	GString *out;
	GIConv cd;
	size_t errors;

	cd = g_iconv_open("UTF-8", "ISO-2022-JP");
	if (cd != (GIConv)-1) {
		out = charset_iconv_lenient(cd, s, len, &errors);
		g_iconv_close(cd);
		/* glibc passes the escapes it does not know (ESC ( I,
		 * ESC $ ( D) and SO/SI through, as control characters. */
		if (out != NULL && errors == 0 && !jis_unread(out->str,
		    out->len))
			return out;
		if (out != NULL)
			g_string_free(out, TRUE);
	}
	out = jis_to_utf8(s, len, &errors);
	if (errors > 64 && errors > len / 8) {
		g_string_free(out, TRUE);
		return charset_guess(s, len);
	}
	return out;
}

/*
 * charset_decode - bytes in the declared charset to UTF-8; NULL when s
 * itself is taken as UTF-8.  Mail often lies about its charset: text
 * that is valid UTF-8 is taken as UTF-8 whatever the label, ASCII and
 * Latin-1 labels are read as Windows-1252 (as browsers do), and a few
 * East Asian labels as the supersets that mailers actually send.
 */
static GString *
charset_decode(const char *s, size_t len, const char *charset)
{
	static const char *const guessed[] = { "utf-8", "utf8", "us-ascii",
	    "ascii", "iso-8859-1", "latin1", "windows-1252", "cp1252",
	    "x-unknown", "unknown-8bit", NULL };
	const char *canon;
	GString *out;
	GIConv cd;
	size_t good, bad, errors;

	if (charset == NULL || *charset == '\0')
		return charset_guess(s, len);
	canon = g_mime_charset_canon_name(charset);
	if (canon == NULL || charset_in_list(canon, guessed))
		return charset_guess(s, len);
	charset_utf8_census(s, len, &good, &bad);
	if (good > 0 && bad == 0)
		return NULL;
	if (jis_label(charset) || jis_label(canon))
		return charset_jis(s, len);

	cd = g_iconv_open("UTF-8",
	    g_mime_charset_iconv_name(charset_superset(canon)));
	if (cd == (GIConv)-1)
		return charset_guess(s, len);
	out = charset_iconv_lenient(cd, s, len, &errors);
	g_iconv_close(cd);
	if (out == NULL)
		return charset_guess(s, len);
	return out;
}

/* charset_to_utf8 - bytes in the declared charset to UTF-8 (charset.h) */
GString *
charset_to_utf8(const char *s, size_t len, const char *charset)
{
	GString *out;

	out = charset_decode(s, len, charset);
	return out != NULL ? out : g_string_new_len(s, (gssize)len);
}

/*
 * charset_body_max - charset_to_utf8() then charset_normalize(), the
 * latter stopped past max bytes; text taken as UTF-8 is not copied first
 */
static GString *
charset_body_max(const char *s, size_t len, const char *charset, size_t max)
{
	GString *utf8, *clean;

	utf8 = charset_decode(s, len, charset);
	if (utf8 == NULL)
		return charset_normalize_max(s, len, max);
	clean = charset_normalize_max(utf8->str, utf8->len, max);
	g_string_free(utf8, TRUE);
	return clean;
}

/*
 * charset_text_ratio - at most how many input bytes charset_text() turns
 * into one byte of output: 2 (CRLF) for UTF-8, undeclared text and the
 * 8-bit charsets that keep ASCII, 4 (UTF-32) for the rest and for
 * format=flowed, which unflowing shortens
 */
size_t
charset_text_ratio(const char *charset, const char *format)
{
	static const char *const narrow[] = { "utf-8", "utf8", "us-ascii",
	    "ascii", "latin1", "x-unknown", "unknown-8bit", NULL };
	static const char *const prefixes[] = { "iso-8859-", "windows-cp125",
	    "cp125", "koi8-", NULL };
	const char *canon;
	size_t i;

	if (format != NULL && g_ascii_strcasecmp(format, "flowed") == 0)
		return 4;
	if (charset == NULL || *charset == '\0')
		return 2;
	canon = g_mime_charset_canon_name(charset);
	if (canon == NULL)
		return 4;
	if (charset_in_list(canon, narrow))
		return 2;
	for (i = 0; prefixes[i] != NULL; i++)
		if (g_ascii_strncasecmp(canon, prefixes[i],
		    strlen(prefixes[i])) == 0)
			return 2;
	return 4;
}

/* charset_body - charset_to_utf8() then charset_normalize() */
GString *
charset_body(const char *s, size_t len, const char *charset)
{
	return charset_body_max(s, len, charset, SIZE_MAX);
}

/* charset_fit - clean cut to at most cap bytes on a UTF-8 boundary,
 * *cut_r set when that left something out; returns clean */
static GString *
charset_fit(GString *clean, size_t cap, bool *cut_r)
{
	size_t keep;

	keep = charset_utf8_fit(clean->str, clean->len, cap);
	if (keep < clean->len)
		*cut_r = true;
	g_string_truncate(clean, keep);
	return clean;
}

/* charset_text - a text body part as clean UTF-8 of at most cap bytes */
GString *
charset_text(const char *s, size_t len, const char *charset,
    const char *format, const char *delsp, size_t cap, bool *cut_r)
{
	GString *clean, *flowed;
	bool unflow;

	/*
	 * Only the first cap bytes are kept: normalising stops past them
	 * (charset_utf8_fit() looks at byte cap), unless unflowing, which
	 * shortens the text, comes between.
	 */
	unflow = format != NULL && g_ascii_strcasecmp(format, "flowed") == 0;
	clean = charset_body_max(s, len, charset, unflow ? SIZE_MAX : cap);
	if (unflow) {
		flowed = clean;
		clean = charset_unflow(flowed->str, flowed->len,
		    delsp != NULL && g_ascii_strcasecmp(delsp, "yes") == 0);
		g_string_free(flowed, TRUE);
	}
	return charset_fit(clean, cap, cut_r);
}

/*
 * charset_gstring_take - a GString made of buf (g_malloc'd, len bytes and
 * room for a NUL), not a copy: g_string_new_take() of GLib 2.78, which
 * fills the same public fields.  The bytes past len go back first: read
 * up to 2 or 4 times the cap, they would stay resident.
 */
static GString *
charset_gstring_take(char *buf, size_t len)
{
	GString *out;

	buf = g_realloc(buf, len + 1);
	buf[len] = '\0';
	out = g_string_new(NULL);
	g_free(out->str);
	out->str = buf;
	out->len = len;
	out->allocated_len = len + 1;
	return out;
}

/* charset_text_take - charset_text() of buf, rewritten where it is when
 * it can be (charset.h) */
GString *
charset_text_take(char *buf, size_t len, const char *charset,
    const char *format, const char *delsp, size_t cap, bool *cut_r)
{
	GString *clean, *utf8;
	size_t stop, w;

	if (format != NULL && g_ascii_strcasecmp(format, "flowed") == 0) {
		clean = charset_text(buf, len, charset, format, delsp, cap,
		    cut_r);
		g_free(buf);
		return clean;
	}
	utf8 = charset_decode(buf, len, charset);
	if (utf8 != NULL) {
		clean = charset_normalize_max(utf8->str, utf8->len, cap);
		g_string_free(utf8, TRUE);
		g_free(buf);
	} else {
		/* Taken as UTF-8: cleaned where it is until a byte needs
		 * more room, the rest as charset_text() does. */
		w = charset_normalize_shrink(buf, len, cap, &stop);
		if (stop >= len || w > cap) {
			clean = charset_gstring_take(buf, w);
		} else {
			clean = g_string_sized_new(MIN(len, cap) + 1);
			g_string_append_len(clean, buf, (gssize)w);
			charset_normalize_from(buf, len, stop, clean, cap);
			g_free(buf);
		}
	}
	return charset_fit(clean, cap, cut_r);
}

/*
 * charset_unflow - undo RFC 3676 format=flowed: a line ending in a space
 * goes on in the next line of the same quote depth (delsp: that space was
 * only added for transport); space-stuffing is removed, quote marks are
 * written as ">" per level plus one space.
 */
GString *
charset_unflow(const char *s, size_t len, bool delsp)
{
	GString *out;
	const char *line, *end, *p;
	size_t n;
	int depth, open;	/* open: depth of a paragraph going on, or -1 */

	out = g_string_sized_new(len + 1);
	open = -1;
	for (line = s; line < s + len; line = end + 1) {
		end = memchr(line, '\n', (size_t)(s + len - line));
		if (end == NULL)
			end = s + len;
		for (p = line, depth = 0; p < end && *p == '>'; p++)
			depth++;
		if (p < end && *p == ' ')
			p++;	/* space-stuffing, or the space after '>' */
		n = (size_t)(end - p);
		if (open != -1 && open != depth) {
			g_string_append_c(out, '\n');
			open = -1;
		}
		if (open == -1 && depth > 0) {
			g_string_append_len(out, ">>>>>>>>>>>>>>>>",
			    depth < 16 ? depth : 16);
			g_string_append_c(out, ' ');
		}
		if (n > 0 && p[n - 1] == ' ' &&
		    !(n == 3 && memcmp(p, "-- ", 3) == 0)) {
			g_string_append_len(out, p,
			    (gssize)(delsp ? n - 1 : n));
			open = depth;
		} else {
			g_string_append_len(out, p, (gssize)n);
			if (end < s + len)
				g_string_append_c(out, '\n');
			open = -1;
		}
	}
	return out;
}
