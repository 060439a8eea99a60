/*
 * jis.c - ISO-2022-JP as CP50221 (ISO-2022-JP-MS) to UTF-8 (see jis.h).
 *
 * The escapes pick a character set; each character then becomes bytes of
 * a stateless encoding that glibc's iconv reads: JIS X 0208 as EUC-JP
 * (glibc's ISO-2022-JP uses the same table, so every character it reads
 * comes out the same), the vendor rows (13 and 89-92) as CP932 Shift_JIS,
 * JIS X 0212 as EUC-JP-MS (which holds the IBM extensions and the user
 * area there).  Runs of one encoding go to iconv together.  JIS X 0201
 * (Roman, katakana) is a fixed offset and needs no table.
 */
#include <errno.h>
#include <string.h>

#include "jis.h"

/* The character sets an escape (or SO) selects. */
enum jis_set {
	JIS_ASCII,
	JIS_ROMAN,		/* JIS X 0201 Roman: ¥ and ‾ */
	JIS_KANA,		/* JIS X 0201 katakana, half-width */
	JIS_X0208,
	JIS_X0212,
	JIS_KEEP		/* ESC & @: announces JIS X 0208-1990 */
};

/* The encodings iconv reads for us, and their character size. */
enum jis_codec {
	JIS_EUC,
	JIS_CP932,
	JIS_EUCMS,
	JIS_NCODEC
};

static const char *const jis_codec_name[JIS_NCODEC] = {
	"EUC-JP", "CP932", "EUC-JP-MS"
};
static const size_t jis_codec_unit[JIS_NCODEC] = { 2, 2, 3 };

/* The escapes of CP50221 (ESC ( H is an old JIS X 0201 Roman). */
static const struct {
	const char *seq;
	size_t len;
	enum jis_set set;
} jis_escapes[] = {
	{ "\033(B", 3, JIS_ASCII }, { "\033(J", 3, JIS_ROMAN },
	{ "\033(H", 3, JIS_ROMAN }, { "\033(I", 3, JIS_KANA },
	{ "\033$@", 3, JIS_X0208 }, { "\033$B", 3, JIS_X0208 },
	{ "\033$(B", 4, JIS_X0208 }, { "\033$(D", 4, JIS_X0212 },
	{ "\033&@", 3, JIS_KEEP }
};

/* A conversion under way. */
struct jis_conv {
	GIConv cd[JIS_NCODEC];	/* opened when first needed */
	bool tried[JIS_NCODEC];
	GString *run;		/* bytes waiting for iconv */
	enum jis_codec codec;	/* the encoding of run */
	GString *out;
	size_t errors;
};

/* jis_label - a label read as CP50221 (jis.h) */
bool
jis_label(const char *charset)
{
	static const char *const labels[] = { "iso-2022-jp", "csiso2022jp",
	    "iso2022jp", "iso-2022-jp-ms", "cp50220", "cp50221", "cp50222",
	    NULL };
	const char *const *l;

	if (charset == NULL)
		return false;
	for (l = labels; *l != NULL; l++)
		if (g_ascii_strcasecmp(charset, *l) == 0)
			return true;
	return false;
}


/* jis_unread - does glibc's UTF-8 (len bytes) hold an escape or SO/SI
 * that its ISO-2022-JP passed through unread (jis.h) */
bool
jis_unread(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '\033' || s[i] == '\016' || s[i] == '\017')
			return true;
	return false;
}

/* jis_fffd - one U+FFFD for what could not be read, where out is now */
static void
jis_fffd(struct jis_conv *j)
{
	g_string_append(j->out, "\xef\xbf\xbd");
	j->errors++;
}

/* jis_flush - the waiting run through iconv; a character the table lacks
 * becomes U+FFFD */
static void
jis_flush(struct jis_conv *j)
{
	char buf[4096], *in, *o;
	gsize inleft, oleft, r, n;
	GIConv cd;

	if (j->run->len == 0)
		return;
	if (!j->tried[j->codec]) {
		j->cd[j->codec] = g_iconv_open("UTF-8",
		    jis_codec_name[j->codec]);
		j->tried[j->codec] = true;
	}
	cd = j->cd[j->codec];
	in = j->run->str;
	inleft = j->run->len;
	while (inleft > 0) {
		if (cd == (GIConv)-1) {
			jis_fffd(j);
			n = MIN(jis_codec_unit[j->codec], inleft);
			in += n;
			inleft -= n;
			continue;
		}
		o = buf;
		oleft = sizeof(buf);
		r = g_iconv(cd, &in, &inleft, &o, &oleft);
		g_string_append_len(j->out, buf, (gssize)(o - buf));
		if (r != (gsize)-1 || errno == E2BIG)
			continue;
		/* EILSEQ (or EINVAL): a code point outside the table. */
		jis_fffd(j);
		n = MIN(jis_codec_unit[j->codec], inleft);
		in += n;
		inleft -= n;
	}
	g_string_truncate(j->run, 0);
}

/* jis_bad - one U+FFFD in its place, after the waiting run */
static void
jis_bad(struct jis_conv *j)
{
	jis_flush(j);
	jis_fffd(j);
}

/* jis_put - one character of a codec: n bytes for iconv */
static void
jis_put(struct jis_conv *j, enum jis_codec codec, const unsigned char *b,
    size_t n)
{
	if (j->codec != codec || j->run->len >= 4096)
		jis_flush(j);
	j->codec = codec;
	g_string_append_len(j->run, (const char *)b, (gssize)n);
}

/* jis_uni - one character known without a table */
static void
jis_uni(struct jis_conv *j, gunichar ch)
{
	char u[6];

	jis_flush(j);
	g_string_append_len(j->out, u, g_unichar_to_utf8(ch, u));
}

/* jis_escape - the escape at p (n bytes left): its length, the set it
 * selects in *set_r; 0 when it is none of CP50221's */
static size_t
jis_escape(const char *p, size_t n, enum jis_set *set_r)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(jis_escapes); i++)
		if (n >= jis_escapes[i].len &&
		    memcmp(p, jis_escapes[i].seq, jis_escapes[i].len) == 0) {
			*set_r = jis_escapes[i].set;
			return jis_escapes[i].len;
		}
	return 0;
}

/* jis_double - the JIS X 0208 or 0212 character c1 c2 (each 0x21-0x7e) */
static void
jis_double(struct jis_conv *j, enum jis_set set, unsigned char c1,
    unsigned char c2)
{
	unsigned char b[3];

	if (set == JIS_X0212) {
		b[0] = 0x8f;
		b[1] = c1 | 0x80;
		b[2] = c2 | 0x80;
		jis_put(j, JIS_EUCMS, b, 3);
	} else if (c1 == 0x2d || (c1 >= 0x79 && c1 <= 0x7c)) {
		/* The vendor rows: JIS to Shift_JIS, for CP932's table. */
		b[0] = (unsigned char)(((c1 - 0x21) >> 1) + 0x81);
		if (b[0] > 0x9f)
			b[0] += 0x40;
		if (c1 & 1)
			b[1] = (unsigned char)(c2 + 0x1f + (c2 >= 0x60));
		else
			b[1] = (unsigned char)(c2 + 0x7e);
		jis_put(j, JIS_CP932, b, 2);
	} else {
		b[0] = c1 | 0x80;
		b[1] = c2 | 0x80;
		jis_put(j, JIS_EUC, b, 2);
	}
}

/* jis_to_utf8 - ISO-2022-JP as CP50221 to UTF-8 (jis.h) */
GString *
jis_to_utf8(const char *s, size_t len, size_t *errors_r)
{
	struct jis_conv j;
	enum jis_set set, shifted, esc;
	unsigned char c, c2;
	size_t i, n;
	int k;

	memset(&j, 0, sizeof(j));
	j.run = g_string_sized_new(64);
	j.out = g_string_sized_new(len + len / 2 + 1);
	set = shifted = JIS_ASCII;
	i = 0;
	while (i < len) {
		c = (unsigned char)s[i];
		if (c == 0x1b) {
			n = jis_escape(s + i, len - i, &esc);
			if (n == 0) {
				jis_bad(&j);
				i++;
				continue;
			}
			if (esc != JIS_KEEP)
				set = shifted = esc;
			i += n;
			continue;
		}
		if (c == 0x0e || c == 0x0f) {	/* SO, SI */
			set = c == 0x0e ? JIS_KANA : shifted;
			i++;
			continue;
		}
		if (c >= 0x80) {
			jis_bad(&j);
			i++;
			continue;
		}
		if (c < 0x21 || c == 0x7f || set == JIS_ASCII) {
			jis_uni(&j, c);
			i++;
			continue;
		}
		if (set == JIS_ROMAN) {
			jis_uni(&j, c == 0x5c ? 0xa5 : c == 0x7e ? 0x203e : c);
			i++;
			continue;
		}
		if (set == JIS_KANA) {
			if (c <= 0x5f)
				jis_uni(&j, 0xff61 + (gunichar)(c - 0x21));
			else
				jis_bad(&j);
			i++;
			continue;
		}
		if (i + 1 >= len)
			break;		/* cut in the middle: dropped */
		c2 = (unsigned char)s[i + 1];
		if (c2 < 0x21 || c2 > 0x7e) {
			jis_bad(&j);	/* a lone byte; c2 is read anew */
			i++;
			continue;
		}
		jis_double(&j, set, c, c2);
		i += 2;
	}
	jis_flush(&j);
	for (k = 0; k < JIS_NCODEC; k++)
		if (j.tried[k] && j.cd[k] != (GIConv)-1)
			g_iconv_close(j.cd[k]);
	g_string_free(j.run, TRUE);
	*errors_r = j.errors;
	return j.out;
}

/* jis_word - the RFC 2047 word at p ("=?charset?enc?text?="): its end,
 * with charset (a copy, language cut off), encoding and text; NULL when p
 * starts none */
static const char *
jis_word(const char *p, char charset[static 65], char *enc_r,
    const char **text_r, size_t *tlen_r)
{
	const char *q, *t;
	size_t n;

	if (p[0] != '=' || p[1] != '?')
		return NULL;
	p += 2;
	n = strcspn(p, "? \t\r\n");
	if (n == 0 || n > 64 || p[n] != '?')
		return NULL;
	memcpy(charset, p, n);
	charset[n] = '\0';
	charset[strcspn(charset, "*")] = '\0';	/* RFC 2231 language */
	q = p + n + 1;
	if (strchr("BbQq", *q) == NULL || *q == '\0' || q[1] != '?')
		return NULL;
	*enc_r = *q;
	t = q + 2;
	n = strcspn(t, "? \t\r\n");
	if (t[n] != '?' || t[n + 1] != '=')
		return NULL;
	*text_r = t;
	*tlen_r = n;
	return t + n + 2;
}

/* jis_word_bytes - append the decoded text of a word to out */
static void
jis_word_bytes(GString *out, char enc, const char *t, size_t n)
{
	guchar *bin;
	char *copy;
	gsize blen;
	size_t i;
	int hi, lo;

	if (enc == 'B' || enc == 'b') {
		copy = g_strndup(t, n);
		bin = g_base64_decode(copy, &blen);
		g_string_append_len(out, (const char *)bin, (gssize)blen);
		g_free(bin);
		g_free(copy);
		return;
	}
	for (i = 0; i < n; i++) {
		hi = lo = -1;
		if (t[i] == '=' && i + 2 < n) {
			hi = g_ascii_xdigit_value(t[i + 1]);
			lo = g_ascii_xdigit_value(t[i + 2]);
		}
		if (hi >= 0 && lo >= 0) {
			g_string_append_c(out, (char)(hi << 4 | lo));
			i += 2;
		} else
			g_string_append_c(out, t[i] == '_' ? ' ' : t[i]);
	}
}

/* jis_plain - do these bytes of a word labelled charset convert without
 * an error by glibc's ISO-2022-JP, as GMime will convert them */
static bool
jis_plain(const char *charset, const GString *bytes)
{
	gsize n;
	char *u;
	bool plain;

	if (g_ascii_strcasecmp(charset, "iso-2022-jp") != 0 &&
	    g_ascii_strcasecmp(charset, "csiso2022jp") != 0)
		return false;	/* GMime knows no converter for it */
	u = g_convert(bytes->str, (gssize)bytes->len, "UTF-8", "ISO-2022-JP",
	    NULL, &n, NULL);
	plain = u != NULL && !jis_unread(u, n);
	g_free(u);
	return plain;
}

/* jis_append_word - utf8 as one UTF-8 Q word: GMime joins the base64 of
 * adjacent B words before decoding it, and stops at the first padding,
 * so a B word here could hide the next word, or be hidden by the last */
static void
jis_append_word(GString *out, const GString *utf8)
{
	size_t i;
	unsigned char c;

	if (utf8->len == 0)
		return;
	g_string_append(out, "=?UTF-8?Q?");
	for (i = 0; i < utf8->len; i++) {
		c = (unsigned char)utf8->str[i];
		if (g_ascii_isalnum(c))
			g_string_append_c(out, (char)c);
		else
			g_string_append_printf(out, "=%02X", c);
	}
	g_string_append(out, "?=");
}

/* jis_header - JIS words GMime cannot read as UTF-8 words (jis.h) */
char *
jis_header(const char *raw)
{
	GString *out, *bytes, *utf8;
	const char *p, *w, *end, *next, *text, *copied;
	char charset[65], first[65], enc;
	size_t tlen, errors;

	out = NULL;
	bytes = g_string_new(NULL);
	copied = raw;
	for (p = raw, w = strstr(p, "=?"); w != NULL; w = strstr(p, "=?")) {
		end = jis_word(w, charset, &enc, &text, &tlen);
		if (end == NULL) {
			p = w + 2;
			continue;
		}
		if (!jis_label(charset)) {
			p = end;
			continue;
		}
		g_strlcpy(first, charset, sizeof(first));
		g_string_truncate(bytes, 0);
		jis_word_bytes(bytes, enc, text, tlen);
		/* The words that follow across white space go with it. */
		for (;;) {
			next = end + strspn(end, " \t\r\n");
			if (next == end)
				break;
			p = jis_word(next, charset, &enc, &text, &tlen);
			if (p == NULL || !jis_label(charset))
				break;
			jis_word_bytes(bytes, enc, text, tlen);
			end = p;
		}
		p = end;
		if (jis_plain(first, bytes))
			continue;
		if (out == NULL)
			out = g_string_new(NULL);
		g_string_append_len(out, copied, w - copied);
		utf8 = jis_to_utf8(bytes->str, bytes->len, &errors);
		jis_append_word(out, utf8);
		g_string_free(utf8, TRUE);
		copied = end;
	}
	g_string_free(bytes, TRUE);
	if (out == NULL)
		return NULL;
	g_string_append(out, copied);
	return g_string_free(out, FALSE);
}
