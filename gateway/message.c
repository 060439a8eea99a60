/*
 * message.c - read one RFC 5322 message and reduce it to a struct message.
 *
 * The raw bytes are read and scanned by spool (spool.h), which bounds what
 * GMime is given: a message with too many part or field lines is parsed
 * only up to the line where the scanner cut it (limits_hit).
 *
 * Then GMime parses from the spool's file descriptor
 * with persist_stream, so part contents stay on disk: attachments are only
 * ever streamed into a counting null stream, and text bodies are read
 * through a decoding filter up to a cap.
 *
 * The MIME tree is walked here, not with g_mime_message_get_body(), so
 * that the choice of body follows what mail clients send:
 * multipart/alternative gives its last text/plain and last text/html,
 * multipart/related its root, multipart/mixed (and any other multipart)
 * its inline text parts in order, appended (Apple Mail splits a body
 * around inline images).  Everything else is an attachment, and
 * message/rfc822 parts become forwards, parsed into their own struct
 * message.
 *
 * Text is converted to UTF-8 by iconv under the declared charset; when
 * there is none, or the label is the usual lie (ASCII, Latin-1 or UTF-8
 * on bytes that are not), uchardet names the charset, and Windows-1252
 * is the last resort.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <gmime/gmime.h>
#include <uchardet/uchardet.h>

#include "message.h"
#include "spool.h"

#define MESSAGE_HEADER_MAX	65536	/* bytes kept of one header field */

/* Used when a caller passes no limits (fuzzers). */
static const struct message_limits default_limits = {
	.max_size = 32 * 1024 * 1024,
	.max_depth = 32,
	.max_parts = 1000,
	.max_body = 1024 * 1024,
};

/* State of one parse, shared by the message and its forwards. */
struct ctx {
	const struct message_limits *limits;
	GMimeParserOptions *options;
	unsigned warnings;	/* parser warnings, via the callback */
	int parts;		/* MIME objects walked */
	bool limits_hit;
	bool io_error;		/* a body could not be read back */
};

/* The bodies being collected for one message (or one alternative). */
struct body {
	GString *text;
	GString *html;
	bool text_cut;
	bool html_cut;
};

static void walk(struct ctx *, struct message *, struct body *,
    GMimeObject *, int, bool);
static struct message *extract(struct ctx *, GMimeMessage *, int);

/*
 * Windows-1252 bytes 0x80-0x9f; 0xfffd where the code page leaves a hole.
 * The rest of the code page is ISO 8859-1, i.e. the byte value itself.
 */
static const uint16_t cp1252_high[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178
};

/* parser_warning - GMime parser callback: count malformations */
static void
parser_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
    gpointer user_data)
{
	struct ctx *c = user_data;

	(void)offset;
	(void)item;
	c->warnings++;
	if (code == GMIME_CRIT_NESTING_OVERFLOW)
		c->limits_hit = true;	/* GMime's own depth cap */
}

/* utf8_fit - the longest prefix of s (len bytes) of at most max bytes that
 * does not end inside a UTF-8 sequence */
static size_t
utf8_fit(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/*
 * header_text - a header value made safe: valid UTF-8, line breaks of
 * folding removed, other control characters turned into spaces, trimmed,
 * cut at MESSAGE_HEADER_MAX.  New string, or NULL when s is NULL or
 * nothing is left.
 */
static char *
header_text(const char *s)
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
	n = utf8_fit(out->str, n, MESSAGE_HEADER_MAX);
	g_string_truncate(out, n);
	if (out->len == 0) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

/* append_unichar - append ch to out as UTF-8 */
static void
append_unichar(GString *out, gunichar ch)
{
	char u[6];

	g_string_append_len(out, u, g_unichar_to_utf8(ch, u));
}

/*
 * normalize - body bytes, mostly UTF-8 already, made clean: invalid
 * sequences, NUL and control characters other than tab and newline become
 * U+FFFD, CRLF and lone CR become LF, a leading BOM goes.  New GString.
 */
static GString *
normalize(const char *s, size_t len)
{
	GString *out;
	unsigned char c;
	gunichar ch;
	size_t i, n;

	out = g_string_sized_new(len + 1);
	i = 0;
	while (i < len) {
		c = (unsigned char)s[i];
		if (c < 0x80) {
			if (c == '\r') {
				g_string_append_c(out, '\n');
				if (i + 1 < len && s[i + 1] == '\n')
					i++;
			} else if (c == '\n' || c == '\t' ||
			    (c >= 0x20 && c != 0x7f))
				g_string_append_c(out, (char)c);
			else
				append_unichar(out, 0xfffd);
			i++;
			continue;
		}
		ch = g_utf8_get_char_validated(s + i, (gssize)(len - i));
		if (ch == (gunichar)-1 || ch == (gunichar)-2) {
			append_unichar(out, 0xfffd);
			i++;
			continue;
		}
		n = (size_t)g_utf8_skip[c];
		if (ch == 0xfeff && out->len == 0)
			;	/* a byte order mark says nothing here */
		else if (ch <= 0x9f)
			append_unichar(out, 0xfffd);
		else
			g_string_append_len(out, s + i, (gssize)n);
		i += n;
	}
	return out;
}

/* utf8_census - count valid multi-byte UTF-8 sequences and invalid bytes */
static void
utf8_census(const char *s, size_t len, size_t *good_r, size_t *bad_r)
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

/* from_cp1252 - Windows-1252 (so also ISO 8859-1 and ASCII) to UTF-8 */
static GString *
from_cp1252(const char *s, size_t len)
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
			append_unichar(out, cp1252_high[c - 0x80]);
		else
			append_unichar(out, c);
	}
	return out;
}

static GString *iconv_lenient(GIConv, const char *, size_t, size_t *);

/* superset - the charset mailers really mean by a label (canonical
 * name, as g_mime_charset_canon_name() or uchardet spell it) */
static const char *
superset(const char *canon)
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
 * detect_charset - what uchardet makes of undeclared 8-bit bytes, when it
 * is not a Western charset (those are read as Windows-1252 anyway) and
 * there are enough 8-bit bytes to judge by; else NULL.  Static string.
 */
static const char *
detect_charset(const char *s, size_t len)
{
	static const char *const western[] = { "ascii", "us-ascii",
	    "utf-8", "iso-8859-1", "iso-8859-15", "windows-1252", NULL };
	static char found[64];
	const char *const *w;
	uchardet_t ud;
	size_t i, high;

	for (i = high = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			high++;
	if (high < 8)
		return NULL;
	if ((ud = uchardet_new()) == NULL)
		return NULL;
	found[0] = '\0';
	if (uchardet_handle_data(ud, s, len) == 0) {
		uchardet_data_end(ud);
		g_strlcpy(found, uchardet_get_charset(ud), sizeof(found));
	}
	uchardet_delete(ud);
	for (w = western; *w != NULL; w++)
		if (g_ascii_strcasecmp(found, *w) == 0)
			return NULL;
	return found[0] != '\0' ? found : NULL;
}

/*
 * guess_utf8 - bytes with no (believable) charset: UTF-8 when they look
 * like UTF-8 (more valid sequences than stray bytes), what uchardet
 * detects when that converts cleanly, else Windows-1252, the usual
 * charset of undeclared 8-bit mail.
 */
static GString *
guess_utf8(const char *s, size_t len)
{
	const char *found;
	GString *out;
	GIConv cd;
	size_t good, bad, errors;

	utf8_census(s, len, &good, &bad);
	if (bad == 0 || good > bad)
		return g_string_new_len(s, (gssize)len);
	if ((found = detect_charset(s, len)) != NULL &&
	    (cd = g_iconv_open("UTF-8",
	    g_mime_charset_iconv_name(superset(found)))) != (GIConv)-1) {
		out = iconv_lenient(cd, s, len, &errors);
		g_iconv_close(cd);
		if (out != NULL && errors == 0)
			return out;
		if (out != NULL)
			g_string_free(out, TRUE);
	}
	return from_cp1252(s, len);
}

/*
 * iconv_lenient - convert with cd; an invalid byte becomes U+FFFD and is
 * counted in *errors_r; an incomplete sequence at the end (a cut body) is
 * dropped.  Gives up (NULL) when most of the input is invalid.
 */
static GString *
iconv_lenient(GIConv cd, const char *s, size_t len, size_t *errors_r)
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
		append_unichar(out, 0xfffd);
		in++;
		inleft--;
		if (++*errors_r > 64 && *errors_r > len / 8) {
			g_string_free(out, TRUE);
			return NULL;
		}
	}
	return out;
}

/* is_charset - is canon (a canonical charset name) one of the list */
static bool
is_charset(const char *canon, const char *const *list)
{
	for (; *list != NULL; list++)
		if (g_ascii_strcasecmp(canon, *list) == 0)
			return true;
	return false;
}

/*
 * to_utf8 - decoded body bytes in the declared charset (NULL: none) to
 * UTF-8, not yet normalised.  Mail often lies about its charset: text
 * that is valid UTF-8 is taken as UTF-8 whatever the label, ASCII and
 * Latin-1 labels are read as Windows-1252 (as browsers do), and a few
 * East Asian labels as the supersets that mailers actually send.
 */
static GString *
to_utf8(const char *s, size_t len, const char *charset)
{
	static const char *const guessed[] = { "utf-8", "utf8", "us-ascii",
	    "ascii", "iso-8859-1", "latin1", "windows-1252", "cp1252",
	    "x-unknown", "unknown-8bit", NULL };
	const char *canon;
	GString *out;
	GIConv cd;
	size_t good, bad, errors;

	if (charset == NULL || *charset == '\0')
		return guess_utf8(s, len);
	canon = g_mime_charset_canon_name(charset);
	if (canon == NULL || is_charset(canon, guessed))
		return guess_utf8(s, len);
	utf8_census(s, len, &good, &bad);
	if (good > 0 && bad == 0)
		return g_string_new_len(s, (gssize)len);

	cd = g_iconv_open("UTF-8", g_mime_charset_iconv_name(superset(canon)));
	if (cd == (GIConv)-1)
		return guess_utf8(s, len);
	out = iconv_lenient(cd, s, len, &errors);
	g_iconv_close(cd);
	if (out == NULL)
		return guess_utf8(s, len);
	return out;
}

/*
 * unflow - undo RFC 3676 format=flowed: a line ending in a space goes on
 * in the next line of the same quote depth (delsp: that space was only
 * added for transport); space-stuffing is removed, quote marks are
 * written as ">" per level plus one space.  New GString.
 */
static GString *
unflow(const char *s, size_t len, bool delsp)
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
			g_string_append_len(out, ">>>>>>>>>>>>>>>>", depth < 16 ?
			    depth : 16);
			g_string_append_c(out, ' ');
		}
		if (n > 0 && p[n - 1] == ' ' &&
		    !(n == 3 && memcmp(p, "-- ", 3) == 0)) {
			g_string_append_len(out, p, (gssize)(delsp ? n - 1 : n));
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

/* is_flowed - text/plain; format=flowed, and whether delsp=yes */
static bool
is_flowed(GMimeObject *obj, bool *delsp_r)
{
	const char *format, *delsp;

	format = g_mime_object_get_content_type_parameter(obj, "format");
	if (format == NULL || g_ascii_strcasecmp(format, "flowed") != 0)
		return false;
	delsp = g_mime_object_get_content_type_parameter(obj, "delsp");
	*delsp_r = delsp != NULL && g_ascii_strcasecmp(delsp, "yes") == 0;
	return true;
}

/*
 * part_text - the text of a leaf part as clean UTF-8, at most cap bytes;
 * *cut_r is set when something was left out, *ioerr_r when the spool
 * could not be read.  Only about 4 * cap raw bytes are read, however
 * large the part.  New string, *len_r its length.
 */
static char *
part_text(GMimePart *part, size_t cap, bool *cut_r, bool *ioerr_r,
    size_t *len_r)
{
	GMimeDataWrapper *dw;
	GMimeStream *filtered;
	GMimeFilter *decoder;
	GMimeContentEncoding enc;
	GByteArray *raw;
	GString *utf8, *clean;
	ssize_t n;
	size_t rawcap, keep;
	bool more, delsp;
	char buf[4096];

	*len_r = 0;
	dw = g_mime_part_get_content(part);
	if (dw == NULL || g_mime_data_wrapper_get_stream(dw) == NULL)
		return g_strdup("");

	g_mime_stream_reset(g_mime_data_wrapper_get_stream(dw));
	filtered = g_mime_stream_filter_new(g_mime_data_wrapper_get_stream(dw));
	enc = g_mime_data_wrapper_get_encoding(dw);
	if (enc == GMIME_CONTENT_ENCODING_BASE64 ||
	    enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	    enc == GMIME_CONTENT_ENCODING_UUENCODE) {
		decoder = g_mime_filter_basic_new(enc, FALSE);
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered),
		    decoder);
		g_object_unref(decoder);
	}

	/* A UTF-32 character takes 4 bytes for at least 1 byte of UTF-8. */
	rawcap = cap > (SIZE_MAX - 16) / 4 ? SIZE_MAX - 16 : cap * 4 + 4;
	raw = g_byte_array_new();
	more = false;
	for (;;) {
		n = g_mime_stream_read(filtered, buf, sizeof(buf));
		if (n < 0)
			*ioerr_r = true;	/* not a short body: defer */
		if (n <= 0)
			break;
		if ((size_t)n > rawcap - raw->len) {
			n = (ssize_t)(rawcap - raw->len);
			more = true;
		}
		g_byte_array_append(raw, (const guint8 *)buf, (guint)n);
		if (more)
			break;
	}
	g_object_unref(filtered);

	utf8 = to_utf8((const char *)raw->data, raw->len,
	    g_mime_object_get_content_type_parameter(GMIME_OBJECT(part),
	    "charset"));
	g_byte_array_unref(raw);
	clean = normalize(utf8->str, utf8->len);
	g_string_free(utf8, TRUE);
	if (is_flowed(GMIME_OBJECT(part), &delsp)) {
		utf8 = clean;
		clean = unflow(utf8->str, utf8->len, delsp);
		g_string_free(utf8, TRUE);
	}

	keep = utf8_fit(clean->str, clean->len, cap);
	if (keep < clean->len || more)
		*cut_r = true;
	g_string_truncate(clean, keep);
	*len_r = clean->len;
	return g_string_free(clean, FALSE);
}

/*
 * body_append - add len bytes of s to *dst (created when NULL), after a
 * newline when *dst already holds text, keeping *dst within max bytes
 */
static void
body_append(GString **dst, bool *cut, const char *s, size_t len, size_t max)
{
	size_t room;

	if (*dst == NULL)
		*dst = g_string_new(NULL);
	if (len == 0)
		return;
	if ((*dst)->len > 0 && (*dst)->str[(*dst)->len - 1] != '\n') {
		if ((*dst)->len >= max) {
			*cut = true;
			return;
		}
		g_string_append_c(*dst, '\n');
	}
	room = max > (*dst)->len ? max - (*dst)->len : 0;
	if (len > room) {
		len = utf8_fit(s, len, room);
		*cut = true;
	}
	g_string_append_len(*dst, s, (gssize)len);
}

/* body_free - free the strings of a body */
static void
body_free(struct body *b)
{
	if (b->text != NULL)
		g_string_free(b->text, TRUE);
	if (b->html != NULL)
		g_string_free(b->html, TRUE);
	b->text = b->html = NULL;
}

/* body_read - append the text of a text/plain or text/html leaf to b */
static void
body_read(struct ctx *c, struct body *b, GMimePart *part, bool html)
{
	GString **dst;
	bool *cut;
	size_t max, used, len;
	char *s;

	dst = html ? &b->html : &b->text;
	cut = html ? &b->html_cut : &b->text_cut;
	max = c->limits->max_body;
	used = *dst != NULL ? (*dst)->len : 0;
	s = part_text(part, used < max ? max - used : 0, cut, &c->io_error,
	    &len);
	body_append(dst, cut, s, len, max);
	g_free(s);
}

/*
 * multipart_rescue - a multipart whose boundary GMime could not find (a
 * folded "boundary=" without indentation, a missing parameter) has no
 * parts, and its whole content lands in the prologue.  Bouncing readable
 * mail for that would be wrong.  When the prologue opens with a "--"
 * delimiter line, that is the boundary: parse the prologue again as a
 * multipart with it and walk the result.  Otherwise keep the prologue as
 * plain text.
 */
static void
multipart_rescue(struct ctx *c, struct message *m, struct body *b,
    GMimeMultipart *mp, int depth)
{
	const char *pro = g_mime_multipart_get_prologue(mp);
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(mp));
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeObject *part;
	GString *utf8, *clean, *src;
	const char *p, *eol;

	if (pro == NULL)
		return;
	for (p = pro; *p != '\0' && g_ascii_isspace(*p); p++)
		;
	if (*p == '\0')
		return;
	eol = strchr(p, '\n');
	if (p[0] == '-' && p[1] == '-' && eol != NULL && eol - p > 2 &&
	    eol - p < 200 && ct != NULL &&
	    g_mime_content_type_get_parameter(ct, "boundary") == NULL) {
		src = g_string_new("Content-Type: ");
		g_string_append(src, g_mime_content_type_get_media_type(ct));
		g_string_append_c(src, '/');
		g_string_append(src, g_mime_content_type_get_media_subtype(ct));
		g_string_append(src, "; boundary=\"");
		g_string_append_len(src, p + 2, eol - p - 2);
		while (src->len > 0 && (src->str[src->len - 1] == '\r' ||
		    src->str[src->len - 1] == ' '))
			g_string_truncate(src, src->len - 1);
		g_string_append(src, "\"\n\n");
		g_string_append(src, p);
		stream = g_mime_stream_mem_new_with_buffer(src->str, src->len);
		parser = g_mime_parser_new_with_stream(stream);
		part = g_mime_parser_construct_part(parser, c->options);
		g_object_unref(parser);
		g_object_unref(stream);
		g_string_free(src, TRUE);
		if (part != NULL && GMIME_IS_MULTIPART(part) &&
		    g_mime_multipart_get_count(GMIME_MULTIPART(part)) > 0) {
			walk(c, m, b, part, depth + 1, false);
			g_object_unref(part);
			return;
		}
		if (part != NULL)
			g_object_unref(part);
	}
	utf8 = to_utf8(p, strlen(p), NULL);
	clean = normalize(utf8->str, utf8->len);
	g_string_free(utf8, TRUE);
	body_append(&b->text, &b->text_cut, clean->str, clean->len,
	    c->limits->max_body);
	g_string_free(clean, TRUE);
}

/* mime_type - "type/subtype" of obj, lowercase, no parameters (new) */
static char *
mime_type(GMimeObject *obj)
{
	GMimeContentType *ct;
	char *s, *t;

	ct = g_mime_object_get_content_type(obj);
	if (ct == NULL)
		return g_strdup("application/octet-stream");
	s = g_mime_content_type_get_mime_type(ct);
	t = header_text(s);
	g_free(s);
	if (t == NULL)
		return g_strdup("application/octet-stream");
	s = g_ascii_strdown(t, -1);
	g_free(t);
	return s;
}

/* attachment_free - free one struct message_attachment (GDestroyNotify) */
static void
attachment_free(gpointer p)
{
	struct message_attachment *a = p;

	g_free(a->filename);
	g_free(a->content_type);
	g_free(a);
}

/* attachment_add - list a leaf part as an attachment; its decoded size is
 * counted by streaming it into a null stream, never held in memory */
static void
attachment_add(struct message *m, GMimePart *part)
{
	struct message_attachment *a;
	GMimeDataWrapper *dw;
	GMimeStream *null;
	char *name;

	a = g_new0(struct message_attachment, 1);
	name = header_text(g_mime_part_get_filename(part));
	a->filename = name != NULL ? name : g_strdup("");
	a->content_type = mime_type(GMIME_OBJECT(part));
	dw = g_mime_part_get_content(part);
	if (dw != NULL && g_mime_data_wrapper_get_stream(dw) != NULL) {
		null = g_mime_stream_null_new();
		if (g_mime_data_wrapper_write_to_stream(dw, null) != -1)
			a->size = GMIME_STREAM_NULL(null)->written;
		g_object_unref(null);
	}
	g_ptr_array_add(m->attachments, a);
}

/*
 * is_body - is this leaf a message body rather than an attachment:
 * text/plain or text/html, not Content-Disposition: attachment, and no
 * file name (a top-level part may have one: it is the whole message)
 */
static bool
is_body(GMimeObject *obj, bool top, bool *html_r)
{
	GMimeContentType *ct;
	GMimeContentDisposition *disp;
	const char *name;

	ct = g_mime_object_get_content_type(obj);
	if (ct == NULL)
		return false;
	if (g_mime_content_type_is_type(ct, "text", "plain"))
		*html_r = false;
	else if (g_mime_content_type_is_type(ct, "text", "html"))
		*html_r = true;
	else
		return false;
	disp = g_mime_object_get_content_disposition(obj);
	if (disp != NULL && g_mime_content_disposition_is_attachment(disp))
		return false;
	name = g_mime_part_get_filename(GMIME_PART(obj));
	return top || name == NULL || *name == '\0';
}

/* related_root - the root part of a multipart/related: the one named by
 * the start parameter, else the first */
static int
related_root(GMimeMultipart *mp)
{
	const char *start, *cid;
	char *want;
	int i, n, root;

	start = g_mime_object_get_content_type_parameter(GMIME_OBJECT(mp),
	    "start");
	if (start == NULL)
		return 0;
	want = g_strstrip(g_strdup(start));
	if (*want == '<') {
		memmove(want, want + 1, strlen(want));
		if (*want != '\0' && want[strlen(want) - 1] == '>')
			want[strlen(want) - 1] = '\0';
	}
	root = 0;
	n = g_mime_multipart_get_count(mp);
	for (i = 0; i < n; i++) {
		cid = g_mime_object_get_content_id(
		    g_mime_multipart_get_part(mp, i));
		if (cid != NULL && strcmp(cid, want) == 0) {
			root = i;
			break;
		}
	}
	g_free(want);
	return root;
}

/*
 * walk_alternative - each alternative is collected on its own; the last
 * one with text/plain and the last one with text/html win (RFC 2046: the
 * last is the richest); their bodies are appended to b
 */
static void
walk_alternative(struct ctx *c, struct message *m, struct body *b,
    GMimeMultipart *mp, int depth)
{
	struct body *alt;
	int i, n, text, html;
	size_t max;

	n = g_mime_multipart_get_count(mp);
	if (n <= 0)
		return;
	alt = g_new0(struct body, (size_t)n);
	text = html = -1;
	for (i = 0; i < n; i++) {
		walk(c, m, &alt[i], g_mime_multipart_get_part(mp, i),
		    depth + 1, false);
		if (alt[i].text != NULL && alt[i].text->len > 0)
			text = i;
		if (alt[i].html != NULL && alt[i].html->len > 0)
			html = i;
	}
	max = c->limits->max_body;
	if (text != -1) {
		body_append(&b->text, &b->text_cut, alt[text].text->str,
		    alt[text].text->len, max);
		b->text_cut |= alt[text].text_cut;
	}
	if (html != -1) {
		body_append(&b->html, &b->html_cut, alt[html].html->str,
		    alt[html].html->len, max);
		b->html_cut |= alt[html].html_cut;
	}
	for (i = 0; i < n; i++)
		body_free(&alt[i]);
	g_free(alt);
}

/*
 * forward_mend - Exchange, turning an attached Outlook item into
 * message/rfc822, writes a blank line before the Content-Type and
 * MIME-Version fields, so they land in the body and the whole MIME
 * source would read as the forward's text.  When a forward has neither
 * field in its header and its body opens with "Content-Type:", parse the
 * body as the forward's MIME part.  A multipart with parts, or a part
 * whose Content-Type is a real "type/subtype", replaces the plain-text
 * default; otherwise the body stays as it is (text about headers).
 */
static void
forward_mend(struct ctx *c, GMimeMessage *inner)
{
	GMimeObject *root, *part;
	GMimeDataWrapper *dw;
	GMimeStream *raw;
	GMimeParser *parser;
	const char *v;
	char head[13];
	bool ok;

	root = g_mime_message_get_mime_part(inner);
	if (root == NULL || !GMIME_IS_PART(root) ||
	    g_mime_object_get_header(GMIME_OBJECT(inner), "MIME-Version") !=
	    NULL || g_mime_object_get_header(root, "Content-Type") != NULL)
		return;
	dw = g_mime_part_get_content(GMIME_PART(root));
	if (dw == NULL || (raw = g_mime_data_wrapper_get_stream(dw)) == NULL ||
	    g_mime_data_wrapper_get_encoding(dw) !=
	    GMIME_CONTENT_ENCODING_DEFAULT)
		return;
	if (g_mime_stream_reset(raw) == -1 ||
	    g_mime_stream_read(raw, head, sizeof(head)) != sizeof(head) ||
	    g_ascii_strncasecmp(head, "Content-Type:", sizeof(head)) != 0)
		goto out;
	(void)g_mime_stream_reset(raw);
	parser = g_mime_parser_new_with_stream(raw);
	g_mime_parser_set_persist_stream(parser, TRUE);
	part = g_mime_parser_construct_part(parser, c->options);
	g_object_unref(parser);
	if (part == NULL)
		goto out;
	v = g_mime_object_get_header(part, "Content-Type");
	ok = GMIME_IS_MULTIPART(part) ?
	    g_mime_multipart_get_count(GMIME_MULTIPART(part)) > 0 :
	    v != NULL && g_regex_match_simple("^\\s*[\\w.+-]+/[\\w.+-]+"
	    "\\s*(;|$)", v, 0, 0);
	if (ok)
		g_mime_message_set_mime_part(inner, part);
	g_object_unref(part);
out:
	(void)g_mime_stream_reset(raw);
}

/* forward_add - a message/rfc822 part becomes a forward of m */
static void
forward_add(struct ctx *c, struct message *m, GMimeMessagePart *part,
    int depth)
{
	GMimeMessage *inner;

	inner = g_mime_message_part_get_message(part);
	if (inner == NULL)
		return;
	forward_mend(c, inner);
	g_ptr_array_add(m->forwards, extract(c, inner, depth + 1));
}

/* header_count - header fields of a parsed message; GMime files the
 * Content-* ones under the root part, not the message */
static int
header_count(GMimeMessage *gmsg)
{
	GMimeHeaderList *headers;
	GMimeObject *root;
	int n = 0;

	headers = g_mime_object_get_header_list(GMIME_OBJECT(gmsg));
	if (headers != NULL)
		n += g_mime_header_list_get_count(headers);
	root = g_mime_message_get_mime_part(gmsg);
	headers = root != NULL ? g_mime_object_get_header_list(root) : NULL;
	if (headers != NULL)
		n += g_mime_header_list_get_count(headers);
	return n;
}

/*
 * forward_decode - a message/rfc822 part sent with a base64 or
 * quoted-printable transfer encoding (against RFC 2046, but SwiftMailer,
 * some webmailers and Outlook do it) is a leaf to GMime.  Decode it to a
 * temporary file, bounded by the same line scanner as the outer message,
 * and parse that as a forward.  False when it is no message after all;
 * the caller then lists it as an attachment.
 */
static bool
forward_decode(struct ctx *c, struct message *m, GMimePart *part, int depth)
{
	GMimeDataWrapper *dw;
	GMimeStream *fs, *bounded;
	GMimeParser *parser;
	GMimeMessage *gmsg;
	struct gw_error err;
	struct spool_scan sc;
	uint64_t size, start, end;
	int fd;
	bool ok;

	dw = g_mime_part_get_content(part);
	if (dw == NULL || g_mime_data_wrapper_get_stream(dw) == NULL)
		return false;
	if ((fd = spool_tmpfile()) == -1)
		return false;
	fs = g_mime_stream_fs_new(fd);	/* owns fd */
	ok = false;
	if (g_mime_data_wrapper_write_to_stream(dw, fs) == -1 ||
	    g_mime_stream_flush(fs) == -1)
		goto out;
	spool_scan_init(&sc, c->limits->max_parts);
	size = (uint64_t)g_mime_stream_tell(fs);
	if (spool_scan_file(fd, 0, &size, &sc, &err) != GW_OK ||
	    !sc.nonspace || spool_scan_check(&sc, &err) != GW_OK)
		goto out;
	(void)spool_bounds(&sc, 0, size, &start, &end);
	bounded = g_mime_stream_substream(fs, (gint64)start, (gint64)end);
	parser = g_mime_parser_new_with_stream(bounded);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_persist_stream(parser, TRUE);
	gmsg = g_mime_parser_construct_message(parser, c->options);
	g_object_unref(parser);
	g_object_unref(bounded);
	if (gmsg == NULL)
		goto out;
	/* As in parse_stream(): a message has at least one header field. */
	if (header_count(gmsg) > 0) {
		if (end < size)
			c->limits_hit = m->limits_hit = true;
		forward_mend(c, gmsg);
		g_ptr_array_add(m->forwards, extract(c, gmsg, depth + 1));
		ok = true;
	}
	g_object_unref(gmsg);
out:
	g_object_unref(fs);
	return ok;
}

/*
 * walk - visit obj at depth: bodies go to b (NULL: collect attachments
 * and forwards only, as in the non-root parts of multipart/related),
 * attachments and forwards to m.  top: obj is the message's own root.
 */
static void
walk(struct ctx *c, struct message *m, struct body *b, GMimeObject *obj,
    int depth, bool top)
{
	GMimeMultipart *mp;
	GMimeContentType *ct;
	int i, n, root;
	bool html;

	if (obj == NULL)
		return;
	if (depth > c->limits->max_depth || c->parts >= c->limits->max_parts) {
		c->limits_hit = m->limits_hit = true;
		return;
	}
	c->parts++;

	if (GMIME_IS_MESSAGE_PART(obj)) {
		forward_add(c, m, GMIME_MESSAGE_PART(obj), depth);
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		mp = GMIME_MULTIPART(obj);
		ct = g_mime_object_get_content_type(obj);
		if (b != NULL && g_mime_multipart_get_count(mp) == 0) {
			multipart_rescue(c, m, b, mp, depth);
			return;
		}
		if (b != NULL && ct != NULL &&
		    g_mime_content_type_is_type(ct, "multipart",
		    "alternative")) {
			walk_alternative(c, m, b, mp, depth);
			return;
		}
		root = -1;
		if (b != NULL && ct != NULL &&
		    g_mime_content_type_is_type(ct, "multipart", "related"))
			root = related_root(mp);
		n = g_mime_multipart_get_count(mp);
		for (i = 0; i < n; i++)
			walk(c, m, root == -1 || root == i ? b : NULL,
			    g_mime_multipart_get_part(mp, i), depth + 1,
			    false);
		return;
	}
	if (!GMIME_IS_PART(obj))
		return;
	ct = g_mime_object_get_content_type(obj);
	if (ct != NULL && (g_mime_content_type_is_type(ct, "message",
	    "rfc822") || g_mime_content_type_is_type(ct, "message",
	    "global")) && forward_decode(c, m, GMIME_PART(obj), depth))
		return;
	if (b != NULL && is_body(obj, top, &html))
		body_read(c, b, GMIME_PART(obj), html);
	else
		attachment_add(m, GMIME_PART(obj));
}

/* first_token_is - does the header value start with word (case-insensitive,
 * ended by white space, ';', '(' or the end) */
static bool
first_token_is(const char *value, const char *word)
{
	size_t n;

	while (*value == ' ' || *value == '\t')
		value++;
	n = strlen(word);
	if (g_ascii_strncasecmp(value, word, n) != 0)
		return false;
	value += n;
	return *value == '\0' || *value == ' ' || *value == '\t' ||
	    *value == ';' || *value == '(' || *value == '\r' ||
	    *value == '\n';
}

/* local_part_is - is the local part of addr (maybe in <>) one of names */
static bool
local_part_is(const char *addr, const char *const *names)
{
	const char *at, *end;
	size_t n, i;

	if (addr == NULL)
		return false;
	while (*addr == ' ' || *addr == '\t' || *addr == '<')
		addr++;
	at = strrchr(addr, '@');
	end = at != NULL ? at : addr + strlen(addr);
	while (end > addr && (end[-1] == '>' || end[-1] == ' '))
		end--;
	n = (size_t)(end - addr);
	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n &&
		    g_ascii_strncasecmp(addr, names[i], n) == 0)
			return true;
	return false;
}

/* is_mailer_daemon - is the local part of addr (maybe in <>) MAILER-DAEMON */
static bool
is_mailer_daemon(const char *addr)
{
	static const char *const daemons[] = { "mailer-daemon", NULL };

	return local_part_is(addr, daemons);
}

/*
 * bounce_by_headers - old MTAs send bounces without multipart/report or
 * Auto-Submitted.  Under a real MTA the null envelope sender catches
 * them (message_automatic); these header signs catch the rest when the
 * envelope is not at hand (Return-Path is written from it at delivery).
 */
static const char *
bounce_by_headers(GMimeObject *obj, const char *from_addr, const char *subject)
{
	static const char *const postmasters[] = { "postmaster",
	    "post_master", "mailer-daemon", "mailerdaemon", "mail-daemon",
	    "maildaemon", NULL };
	const char *v;

	v = g_mime_object_get_header(obj, "Return-Path");
	if (v != NULL) {
		while (*v == ' ' || *v == '\t')
			v++;
		if (strcmp(v, "<>") == 0 || is_mailer_daemon(v))
			return "Return-Path: <> (bounce)";
	}
	/* "From: MAILER-DAEMON <>" has no address to look at. */
	v = g_mime_object_get_header(obj, "From");
	if (v != NULL) {
		while (*v == ' ' || *v == '\t' || *v == '"')
			v++;
		if (g_ascii_strncasecmp(v, "mailer-daemon", 13) == 0)
			return "From: MAILER-DAEMON";
	}
	if (g_mime_object_get_header(obj, "X-Failed-Recipients") != NULL)
		return "X-Failed-Recipients header (bounce)";
	/*
	 * Anchored: a person at postmaster@ forwarding or answering about a
	 * bounce ("Fwd: Undeliverable ...", "Re: ...") is not a bounce.
	 */
	if (subject != NULL && local_part_is(from_addr, postmasters) &&
	    g_regex_match_simple("^\\s*(\\[[^]]*\\]\\s*)?(undeliver|"
	    "delivery (status|fail|notif|problem|report)|returned mail|"
	    "mail delivery|failure notice|non-?delivery|"
	    "(message|mail) could not be delivered|delivery has failed)",
	    subject, G_REGEX_CASELESS, 0))
		return "bounce from postmaster";
	return NULL;
}

/* header_automatic - why the headers of obj say "automatic", or NULL */
static const char *
header_automatic(GMimeObject *obj, const char *from_addr, const char *subject)
{
	static const struct {
		const char *word;
		const char *why;
	} auto_submitted[] = {
		{ "auto-replied", "Auto-Submitted: auto-replied" },
		{ "auto-generated", "Auto-Submitted: auto-generated" },
		{ "auto-notified", "Auto-Submitted: auto-notified" },
	}, precedence[] = {
		{ "bulk", "Precedence: bulk" },
		{ "junk", "Precedence: junk" },
		{ "list", "Precedence: list" },
	};
	const char *v, *p;
	size_t i;

	v = g_mime_object_get_header(obj, "Auto-Submitted");
	if (v != NULL) {
		for (p = v; *p == ' ' || *p == '\t'; p++)
			;
		if (*p != '\0' && !first_token_is(p, "no")) {
			for (i = 0; i < G_N_ELEMENTS(auto_submitted); i++)
				if (first_token_is(p, auto_submitted[i].word))
					return auto_submitted[i].why;
			return "Auto-Submitted (not \"no\")";
		}
	}
	v = g_mime_object_get_header(obj, "Precedence");
	if (v != NULL)
		for (i = 0; i < G_N_ELEMENTS(precedence); i++)
			if (first_token_is(v, precedence[i].word))
				return precedence[i].why;
	if (g_mime_object_get_header(obj, "X-Autoreply") != NULL)
		return "X-Autoreply header";
	if (g_mime_object_get_header(obj, "X-Autorespond") != NULL)
		return "X-Autorespond header";
	if (is_mailer_daemon(from_addr))
		return "From: MAILER-DAEMON";
	return bounce_by_headers(obj, from_addr, subject);
}

/* first_mailbox - the address of the first mailbox in list, groups
 * included (new), or NULL */
static char *
first_mailbox(InternetAddressList *list, int depth)
{
	InternetAddress *ia;
	char *s;
	int i, n;

	if (list == NULL || depth > 4)
		return NULL;
	n = internet_address_list_length(list);
	for (i = 0; i < n; i++) {
		ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			s = header_text(internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(ia)));
			if (s != NULL)
				return s;
		} else if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			s = first_mailbox(internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(ia)), depth + 1);
			if (s != NULL)
				return s;
		}
	}
	return NULL;
}

/* all_mailboxes - append every mailbox address in list, groups
 * included, to out (at most MESSAGE_FROM_MAX in all) */
static void
all_mailboxes(InternetAddressList *list, int depth, GPtrArray *out)
{
	InternetAddress *ia;
	const char *addr;
	char *s;
	int i, n;

	if (list == NULL || depth > 4)
		return;
	n = internet_address_list_length(list);
	for (i = 0; i < n && out->len < MESSAGE_FROM_MAX; i++) {
		ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			addr = internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(ia));
			/* "From: Foo <>" names nobody: not an address. */
			s = addr != NULL ? header_text(addr) : NULL;
			if (s != NULL)
				g_ptr_array_add(out, s);
		} else if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			all_mailboxes(internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(ia)), depth + 1, out);
		}
	}
}

/*
 * from_list - the addresses of every From field (new, NULL-terminated).
 * GMime keeps one address list for From; a message may carry several
 * From fields, and each one's addresses count, so that a forged second
 * From cannot hide behind an allowed first one.
 */
static char **
from_list(struct ctx *c, GMimeMessage *gmsg)
{
	GMimeHeaderList *headers;
	GMimeHeader *h;
	InternetAddressList *list;
	GPtrArray *out = g_ptr_array_new();
	int i, n, fields = 0;

	headers = g_mime_object_get_header_list(GMIME_OBJECT(gmsg));
	n = headers != NULL ? g_mime_header_list_get_count(headers) : 0;
	for (i = 0; i < n && out->len < MESSAGE_FROM_MAX; i++) {
		h = g_mime_header_list_get_header_at(headers, i);
		if (h == NULL || g_ascii_strcasecmp(g_mime_header_get_name(h),
		    "From") != 0)
			continue;
		fields++;
		list = internet_address_list_parse(c->options,
		    g_mime_header_get_raw_value(h));
		if (list != NULL) {
			all_mailboxes(list, 0, out);
			g_object_unref(list);
		}
	}
	if (fields == 0)
		all_mailboxes(g_mime_message_get_addresses(gmsg,
		    GMIME_ADDRESS_TYPE_FROM), 0, out);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* authres_list - the Authentication-Results field bodies (new,
 * NULL-terminated), unfolded, each cut like any header */
static char **
authres_list(GMimeObject *obj)
{
	GMimeHeaderList *headers;
	GMimeHeader *h;
	GPtrArray *out = g_ptr_array_new();
	const char *raw;
	char *s;
	int i, n;

	headers = g_mime_object_get_header_list(obj);
	n = headers != NULL ? g_mime_header_list_get_count(headers) : 0;
	for (i = 0; i < n && out->len < MESSAGE_AUTHRES_MAX; i++) {
		h = g_mime_header_list_get_header_at(headers, i);
		if (h == NULL || g_ascii_strcasecmp(g_mime_header_get_name(h),
		    "Authentication-Results") != 0)
			continue;
		raw = g_mime_header_get_raw_value(h);
		s = header_text(raw != NULL ? raw : "");
		if (s != NULL)
			g_ptr_array_add(out, s);
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/*
 * address_append - list as a person reads it: Name <addr>, without the
 * RFC 5322 quotes a comma or a dot needs ("Foo, Bar" shows as Foo, Bar),
 * but quoted when the name holds '<', '>', '@' or '"', so that a name
 * cannot pass for an address; groups as name: members;
 */
static void
address_append(GString *out, InternetAddressList *list, int depth)
{
	InternetAddress *ia;
	const char *name, *addr;
	int i, n;

	if (list == NULL || depth > 4)
		return;
	n = internet_address_list_length(list);
	for (i = 0; i < n; i++) {
		ia = internet_address_list_get_address(list, i);
		name = internet_address_get_name(ia);
		if (i > 0)
			g_string_append(out, ", ");
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			InternetAddressList *members =
			    internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(ia));

			g_string_append_printf(out, "%s:",
			    name != NULL ? name : "");
			if (members != NULL &&
			    internet_address_list_length(members) > 0) {
				g_string_append_c(out, ' ');
				address_append(out, members, depth + 1);
			}
			g_string_append_c(out, ';');
			continue;
		}
		addr = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia));
		if (addr == NULL)
			addr = "";
		if (name == NULL || *name == '\0' || strcmp(name, addr) == 0) {
			g_string_append(out, addr);
			continue;
		}
		if (strpbrk(name, "<>@\"") != NULL) {
			g_string_append_c(out, '"');
			for (; *name; name++) {
				if (*name == '"' || *name == '\\')
					g_string_append_c(out, '\\');
				g_string_append_c(out, *name);
			}
			g_string_append_c(out, '"');
		} else
			g_string_append(out, name);
		if (*addr)
			g_string_append_printf(out, " <%s>", addr);
	}
}

/* address_display - address_append into a new string */
static char *
address_display(InternetAddressList *list)
{
	GString *out = g_string_new(NULL);

	address_append(out, list, 0);
	return g_string_free(out, FALSE);
}

/* decoded_header - a header with RFC 2047 and 8-bit text decoded (new),
 * or NULL */
static char *
decoded_header(struct ctx *c, GMimeObject *obj, const char *name)
{
	const char *raw;
	char *dec, *s;

	raw = g_mime_object_get_header(obj, name);
	if (raw == NULL)
		return NULL;
	dec = g_mime_utils_header_decode_text(c->options, raw);
	s = header_text(dec != NULL ? dec : raw);
	g_free(dec);
	return s;
}

/* addresses - display string of an address header, and optionally its
 * first address; the decoded raw header when GMime finds no address */
static char *
addresses(struct ctx *c, GMimeMessage *gmsg, GMimeAddressType type,
    const char *name, char **first_r)
{
	InternetAddressList *list;
	char *s, *t;

	list = g_mime_message_get_addresses(gmsg, type);
	if (list == NULL || internet_address_list_length(list) == 0)
		return decoded_header(c, GMIME_OBJECT(gmsg), name);
	s = address_display(list);
	/*
	 * "To: =?utf-8?q?=C3=A9quipe?=" has no address: GMime keeps the
	 * encoded word as one, undecoded.
	 */
	if (s != NULL && strstr(s, "=?") != NULL) {
		t = g_mime_utils_header_decode_text(c->options, s);
		g_free(s);
		s = t;
	}
	t = header_text(s);
	g_free(s);
	if (t == NULL)
		t = decoded_header(c, GMIME_OBJECT(gmsg), name);
	if (first_r != NULL)
		*first_r = first_mailbox(list, 0);
	return t;
}

/* message_id - Message-ID without angle brackets (new), or NULL */
static char *
message_id(GMimeMessage *gmsg)
{
	const char *id;
	char *s;
	size_t n;

	id = g_mime_message_get_message_id(gmsg);
	if (id == NULL)
		id = g_mime_object_get_header(GMIME_OBJECT(gmsg), "Message-ID");
	s = header_text(id);
	if (s == NULL)
		return NULL;
	if (*s == '<')
		memmove(s, s + 1, strlen(s));
	n = strlen(s);
	if (n > 0 && s[n - 1] == '>')
		s[n - 1] = '\0';
	g_strstrip(s);
	if (*s == '\0') {
		g_free(s);
		return NULL;
	}
	return s;
}

/* message_new - an empty struct message */
static struct message *
message_new(void)
{
	struct message *m;

	m = g_new0(struct message, 1);
	m->attachments = g_ptr_array_new_with_free_func(attachment_free);
	m->forwards = g_ptr_array_new();
	return m;
}

/* extract - a struct message from a parsed GMime message whose root part
 * is at depth */
static struct message *
extract(struct ctx *c, GMimeMessage *gmsg, int depth)
{
	struct message *m;
	struct body b;
	GMimeObject *obj, *root;
	GMimeContentType *ct;

	m = message_new();
	obj = GMIME_OBJECT(gmsg);
	m->from = addresses(c, gmsg, GMIME_ADDRESS_TYPE_FROM, "From",
	    &m->from_addr);
	m->from_addrs = from_list(c, gmsg);
	m->auth_results = authres_list(obj);
	m->to = addresses(c, gmsg, GMIME_ADDRESS_TYPE_TO, "To", NULL);
	m->cc = addresses(c, gmsg, GMIME_ADDRESS_TYPE_CC, "Cc", NULL);
	m->date = decoded_header(c, obj, "Date");
	m->subject = header_text(g_mime_message_get_subject(gmsg));
	m->message_id = message_id(gmsg);
	m->in_reply_to = header_text(g_mime_object_get_header(obj,
	    "In-Reply-To"));
	m->references = header_text(g_mime_object_get_header(obj,
	    "References"));

	memset(&b, 0, sizeof(b));
	root = g_mime_message_get_mime_part(gmsg);
	if (root != NULL) {
		ct = g_mime_object_get_content_type(root);
		if (ct != NULL &&
		    g_mime_content_type_is_type(ct, "multipart", "report"))
			m->automatic =
			    "multipart/report (delivery or read report)";
		walk(c, m, &b, root, depth, true);
	}
	if (m->automatic == NULL)
		m->automatic = header_automatic(obj, m->from_addr,
		    m->subject);
	if (b.text != NULL && b.text->len > 0)
		m->text = g_string_free(b.text, FALSE);
	else if (b.text != NULL)
		g_string_free(b.text, TRUE);
	if (b.html != NULL && b.html->len > 0)
		m->html = g_string_free(b.html, FALSE);
	else if (b.html != NULL)
		g_string_free(b.html, TRUE);
	m->truncated = b.text_cut || b.html_cut;
	return m;
}

/* parse_stream - parse the message in stream; size is the raw size, cut
 * tells that the scanner kept part of it from GMime */
static enum gw_status
parse_stream(GMimeStream *stream, const struct message_limits *limits,
    uint64_t size, bool cut, struct message **msg_r, struct gw_error *err)
{
	static const char *fallback[] = { "UTF-8", "windows-1252",
	    "iso-8859-1", NULL };
	struct ctx c;
	GMimeParser *parser;
	GMimeMessage *gmsg;
	struct message *msg;
	enum gw_status rc;

	memset(&c, 0, sizeof(c));
	c.limits = limits;
	c.options = g_mime_parser_options_new();
	g_mime_parser_options_set_rfc2047_compliance_mode(c.options,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(c.options,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(c.options,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_allow_addresses_without_domain(c.options,
	    TRUE);
	g_mime_parser_options_set_fallback_charsets(c.options, fallback);
	/*
	 * GMime copies the options into every header list, callback and
	 * user data included, so &c must outlive every GMime object made
	 * here: all are unreferenced before this function returns.
	 */
	g_mime_parser_options_set_warning_callback(c.options, parser_warning,
	    &c);

	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_persist_stream(parser, TRUE);
	gmsg = g_mime_parser_construct_message(parser, c.options);
	if (gmsg == NULL) {
		rc = gw_error_set(err, GW_EDATA,
		    "message is not in RFC 5322 format (no header found)");
		goto out;
	}
	if (header_count(gmsg) <= 0) {
		rc = gw_error_set(err, GW_EDATA, "message has no header");
		goto out;
	}
	msg = extract(&c, gmsg, 1);
	if (c.io_error) {
		message_free(&msg);
		rc = gw_error_set(err, GW_ETEMP,
		    "cannot read the spooled message back");
		goto out;
	}
	msg->size = size;
	msg->warnings = c.warnings;
	if (c.limits_hit || cut)
		msg->limits_hit = true;
	*msg_r = msg;
	rc = GW_OK;
out:
	if (gmsg != NULL)
		g_object_unref(gmsg);
	g_object_unref(parser);
	g_mime_parser_options_free(c.options);
	return rc;
}

/* message_init - g_mime_init(); once, before any parse */
void
message_init(void)
{
	g_mime_init();
}

/* message_shutdown - g_mime_shutdown() */
void
message_shutdown(void)
{
	g_mime_shutdown();
}

/* message_parse_spool - parse the message that spool_input() read */
enum gw_status
message_parse_spool(const struct spool *sp,
    const struct message_limits *limits, struct message **msg_r,
    struct gw_error *err)
{
	GMimeStream *stream;
	enum gw_status rc;
	uint64_t start, end;
	bool cut;
	int sfd;

	*msg_r = NULL;
	if (limits == NULL)
		limits = &default_limits;
	if (sp->size == 0 || !sp->scan.nonspace)
		return gw_error_set(err, GW_EDATA, "message is empty");
	if ((rc = spool_scan_check(&sp->scan, err)) != GW_OK)
		return rc;
	cut = spool_bounds(&sp->scan, (uint64_t)sp->start, sp->size, &start,
	    &end);
	/* The stream owns its own descriptor; the spool keeps sp->fd. */
	if ((sfd = fcntl(sp->fd, F_DUPFD_CLOEXEC, 0)) == -1)
		return gw_error_set(err, GW_ETEMP,
		    "cannot read the message: %s", g_strerror(errno));
	stream = g_mime_stream_fs_new_with_bounds(sfd, (gint64)start,
	    (gint64)end);
	rc = parse_stream(stream, limits, sp->size, cut, msg_r, err);
	g_object_unref(stream);
	return rc;
}

/* message_parse_fd - read the message on fd (file or pipe) and parse it */
enum gw_status
message_parse_fd(int fd, const struct message_limits *limits,
    struct message **msg_r, struct gw_error *err)
{
	struct spool sp;
	enum gw_status rc;

	*msg_r = NULL;
	if (limits == NULL)
		limits = &default_limits;
	rc = spool_input(fd, limits->max_size, limits->max_parts, &sp, err);
	if (rc == GW_OK)
		rc = message_parse_spool(&sp, limits, msg_r, err);
	spool_close(&sp);
	return rc;
}

/* message_parse_mem - parse a message held in memory */
enum gw_status
message_parse_mem(const char *buf, size_t len,
    const struct message_limits *limits, struct message **msg_r,
    struct gw_error *err)
{
	GMimeStream *stream;
	struct spool_scan sc;
	enum gw_status rc;
	uint64_t start, end;
	bool cut;

	*msg_r = NULL;
	if (limits == NULL)
		limits = &default_limits;
	if (buf == NULL)
		len = 0;
	if ((uint64_t)len > limits->max_size)
		return gw_error_set(err, GW_ETOOBIG,
		    "message is %zu bytes, over the %" PRIu64
		    "-byte size limit", len, limits->max_size);
	spool_scan_init(&sc, limits->max_parts);
	spool_scan_feed(&sc, buf, len);
	if (len == 0 || !sc.nonspace)
		return gw_error_set(err, GW_EDATA, "message is empty");
	if ((rc = spool_scan_check(&sc, err)) != GW_OK)
		return rc;
	cut = spool_bounds(&sc, 0, len, &start, &end);
	stream = g_mime_stream_mem_new_with_buffer(buf + start,
	    (size_t)(end - start));
	rc = parse_stream(stream, limits, len, cut, msg_r, err);
	g_object_unref(stream);
	return rc;
}

/* message_automatic - why to discard rather than deliver, or NULL */
const char *
message_automatic(const struct message *msg, const char *envelope_sender)
{
	const char *s;

	if (msg != NULL && msg->automatic != NULL)
		return msg->automatic;
	if (envelope_sender == NULL)
		return NULL;
	for (s = envelope_sender; *s == ' ' || *s == '\t'; s++)
		;
	if (*s == '\0' || strcmp(s, "<>") == 0)
		return "null envelope sender";
	if (is_mailer_daemon(s))
		return "envelope sender MAILER-DAEMON";
	return NULL;
}

/* message_free - free *msg_r and its forwards; NULL-safe */
void
message_free(struct message **msg_r)
{
	struct message *m;
	struct message *fw;
	guint i;

	if (msg_r == NULL || *msg_r == NULL)
		return;
	m = *msg_r;
	*msg_r = NULL;
	g_free(m->from);
	g_free(m->from_addr);
	g_strfreev(m->from_addrs);
	g_strfreev(m->auth_results);
	g_free(m->to);
	g_free(m->cc);
	g_free(m->date);
	g_free(m->subject);
	g_free(m->message_id);
	g_free(m->in_reply_to);
	g_free(m->references);
	g_free(m->text);
	g_free(m->html);
	g_ptr_array_unref(m->attachments);
	for (i = 0; i < m->forwards->len; i++) {
		fw = g_ptr_array_index(m->forwards, i);
		message_free(&fw);
	}
	g_ptr_array_unref(m->forwards);
	g_free(m);
}
