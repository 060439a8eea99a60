/*
 * message_body.c - the text of one leaf part, and the bodies it is
 * collected into: decoded (transfer encoding, uuencoded files taken out,
 * charset), capped, appended in order, each append one piece (struct
 * message_piece) so that note can build both bodies from the same
 * content.  Part of the message module (include/message_priv.h).
 */
#include <stdint.h>
#include <string.h>

#include <gmime/gmime.h>

#include "charset.h"
#include "message.h"
#include "message_priv.h"
#include "uuencode.h"

/*
 * msg_part_gstring - the text of a leaf part as clean UTF-8, at most cap
 * bytes; *cut_r is set when something was left out, *ioerr_r when the
 * spool could not be read.  Only about 2 or 4 * cap raw bytes of text
 * are read and kept (charset_text_ratio()); with files, uuencoded files
 * are taken out of the text into files (uuencode.h).  New GString.
 */
static GString *
msg_part_gstring(GMimePart *part, size_t cap, bool *cut_r, bool *ioerr_r,
    GPtrArray *files)
{
	struct uuencode *uu = NULL;
	GMimeDataWrapper *dw;
	GMimeStream *filtered;
	GMimeFilter *decoder;
	GMimeContentEncoding enc;
	GByteArray *raw;
	GMimeObject *obj = GMIME_OBJECT(part);
	GString *clean;
	ssize_t n;
	size_t rawcap, ratio, len;
	bool more;
	char buf[4096];

	dw = g_mime_part_get_content(part);
	if (dw == NULL || g_mime_data_wrapper_get_stream(dw) == NULL)
		return g_string_new(NULL);

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

	/*
	 * A UTF-32 character takes 4 bytes for at least 1 byte of UTF-8, a
	 * CRLF 2 for 1; what is read past that could not be shown.
	 */
	ratio = charset_text_ratio(g_mime_object_get_content_type_parameter(
	    obj, "charset"), g_mime_object_get_content_type_parameter(obj,
	    "format"));
	rawcap = cap > (SIZE_MAX - 16) / ratio ? SIZE_MAX - 16 :
	    cap * ratio + 4;
	raw = g_byte_array_new();
	more = false;
	if (files != NULL)
		uu = uuencode_new(g_mime_object_get_content_type_parameter(obj,
		    "charset"));
	for (;;) {
		n = g_mime_stream_read(filtered, buf, sizeof(buf));
		if (n < 0)
			*ioerr_r = true;	/* not a short body: defer */
		if (n <= 0)
			break;
		if (uu != NULL)
			uuencode_feed(uu, buf, (size_t)n, raw);
		else
			g_byte_array_append(raw, (const guint8 *)buf, (guint)n);
		if (raw->len > rawcap) {
			more = true;
			break;
		}
	}
	g_object_unref(filtered);
	if (uu != NULL) {
		uuencode_finish(uu, raw);
		uuencode_take(uu, files);
		uuencode_free(&uu);
	}
	if (raw->len > rawcap)
		g_byte_array_set_size(raw, (guint)rawcap);

	/* Room for a NUL: the raw bytes may become the text itself. */
	len = raw->len;
	g_byte_array_append(raw, (const guint8 *)"", 1);
	clean = charset_text_take((char *)g_byte_array_free(raw, FALSE), len,
	    g_mime_object_get_content_type_parameter(obj, "charset"),
	    g_mime_object_get_content_type_parameter(obj, "format"),
	    g_mime_object_get_content_type_parameter(obj, "delsp"), cap,
	    cut_r);
	if (more)
		*cut_r = true;
	return clean;
}

/* msg_part_text - msg_part_gstring() as a new string, *len_r its length
 * (message_priv.h) */
char *
msg_part_text(GMimePart *part, size_t cap, bool *cut_r, bool *ioerr_r,
    size_t *len_r, GPtrArray *files)
{
	GString *clean;

	clean = msg_part_gstring(part, cap, cut_r, ioerr_r, files);
	*len_r = clean->len;
	return g_string_free(clean, FALSE);
}

/*
 * msg_body_append - add len bytes of s to *dst (created when NULL), after a
 * newline when *dst already holds text, keeping *dst within max bytes
 */
void
msg_body_append(GString **dst, bool *cut, const char *s, size_t len, size_t max)
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
		len = charset_utf8_fit(s, len, room);
		*cut = true;
	}
	g_string_append_len(*dst, s, (gssize)len);
}

/* msg_body_free - free the strings of a body */
void
msg_body_free(struct msg_body *b)
{
	if (b->text != NULL)
		g_string_free(b->text, TRUE);
	if (b->html != NULL)
		g_string_free(b->html, TRUE);
	if (b->pieces != NULL)
		g_array_free(b->pieces, TRUE);
	b->text = b->html = NULL;
	b->pieces = NULL;
}

/* msg_body_mark - what was appended to b since its bodies were t0 and h0
 * bytes long is one piece of the body */
void
msg_body_mark(struct msg_body *b, size_t t0, size_t h0)
{
	struct message_piece p;

	p.text_off = t0;
	p.text_len = MSG_LEN(b->text) - t0;
	p.html_off = h0;
	p.html_len = MSG_LEN(b->html) - h0;
	if (p.text_len == 0 && p.html_len == 0)
		return;
	if (b->pieces == NULL)
		b->pieces = g_array_new(FALSE, FALSE, sizeof(p));
	g_array_append_val(b->pieces, p);
}

/* msg_body_read - append the text of a text/plain or text/html leaf to b;
 * the files uuencoded in text/plain go to files */
void
msg_body_read(struct msg_ctx *c, struct msg_body *b, GMimePart *part, bool html,
    GPtrArray *files)
{
	GString **dst;
	GString *s;
	bool *cut;
	size_t max, used, len;

	size_t t0 = MSG_LEN(b->text), h0 = MSG_LEN(b->html);

	dst = html ? &b->html : &b->text;
	cut = html ? &b->html_cut : &b->text_cut;
	max = c->limits->max_body;
	used = MSG_LEN(*dst);
	s = msg_part_gstring(part, used < max ? max - used : 0, cut,
	    &c->io_error, html ? NULL : files);
	len = s->len;
	if (used == 0 && len <= max) {
		/* The first text: the body is this string, not a copy. */
		if (*dst != NULL)
			g_string_free(*dst, TRUE);
		*dst = s;
	} else {
		msg_body_append(dst, cut, s->str, len, max);
		g_string_free(s, TRUE);
	}
	msg_body_mark(b, t0, h0);
	if (len > 0 && html)
		b->html_body = true;
	else if (len > 0)
		b->text_body = true;
}
