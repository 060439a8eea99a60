/*
 * message.c - read one RFC 5322 message and reduce it to a struct message.
 *
 * The raw bytes are read and scanned by spool (spool.h), which bounds what
 * GMime is given: a message with too many part or field lines is parsed
 * only up to the line where the scanner cut it (limits_hit).
 *
 * Then GMime parses from the spool's file descriptor, read in large
 * blocks (blockstream.h), with persist_stream, so part contents stay on
 * disk: an attachment's size is counted on its encoded bytes
 * (partsize.h) or, for quoted-printable and uuencode, by decoding into a
 * counting null stream, and text bodies are read through a decoding
 * filter up to a cap.
 *
 * The MIME tree is walked here, not with g_mime_message_get_body(), so
 * that the choice of body follows what mail clients send:
 * multipart/alternative gives its last text/plain and last text/html,
 * multipart/related its root, multipart/mixed (and any other multipart)
 * its inline text parts in order, appended (Apple Mail splits a body
 * around inline images); a part is inline unless its disposition says
 * attachment, and an invalid Content-Type is text/plain (RFC 2045).
 * When text and HTML parts are siblings, message.pieces keeps their order
 * so note can build each body from all of them.  A text attachment is
 * shown under its name, up to max_inline_text, and listed too.
 * Everything else is an attachment, and
 * message/rfc822 parts become forwards, parsed into their own struct
 * message.  msg_walk_mime() only traverses and counts parts against the
 * caps, as mblaze's blaze822_walk_mime(); its visitor (msg_visit_body,
 * or msg_visit_other where no body can be) says what a part is.
 *
 * Bytes become UTF-8 in charset (charset.h); whether the mail is an
 * auto-reply or a bounce is judged by automatic (automatic.h) on the
 * header values collected here.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "automatic.h"
#include "blockstream.h"
#include "charset.h"
#include "message.h"
#include "message_priv.h"
#include "partsize.h"
#include "spool.h"


/* Used when a caller passes no limits (fuzzers). */
static const struct message_limits msg_default_limits = {
	.max_size = 32 * 1024 * 1024,
	.max_depth = 32,
	.max_parts = 1000,
	.max_body = 1024 * 1024,
	.max_inline_text = 64 * 1024,
};

/* What a visitor tells msg_walk_mime() to do next. */
enum msg_walk {
	MSG_WALK_CONTINUE,	/* into the parts of this multipart */
	MSG_WALK_PRUNE		/* not into them (the visitor saw to them) */
};

/*
 * One walk over the MIME tree of one message: the visitor and what it
 * collects into.  Traversal (msg_walk_mime) is apart from the policy of
 * what a part is (the visitors msg_visit_body and msg_visit_other).
 */
struct msg_walker {
	struct msg_ctx *c;
	struct message *m;	/* attachments and forwards go here */
	struct msg_body *b;	/* bodies go here (msg_visit_body) */
	GMimeObject *top;	/* the message's root part */
	struct msg_tnef_body *tnef;	/* the first winmail.dat's body */
	enum msg_walk (*visit)(struct msg_walker *, GMimeObject *, int);
};

static void msg_walk_mime(struct msg_walker *, GMimeObject *, int);
static bool msg_ct_invalid(GMimeObject *);
static void msg_prologue_text(struct msg_walker *, const char *);
static struct message *msg_extract(struct msg_ctx *, GMimeMessage *, int);

/* msg_parser_warning - GMime parser callback: count malformations */
static void
msg_parser_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
    gpointer user_data)
{
	struct msg_ctx *c = user_data;

	(void)offset;
	(void)item;
	c->warnings++;
	if (code == GMIME_CRIT_NESTING_OVERFLOW)
		c->limits_hit = true;	/* GMime's own depth cap */
}

/*
 * msg_multipart_rescue - a multipart whose boundary GMime could not find (a
 * folded "boundary=" without indentation, a missing parameter) has no
 * parts, and its whole content lands in the prologue.  Bouncing readable
 * mail for that would be wrong.  When the prologue opens with a "--"
 * delimiter line, that is the boundary: parse the prologue again as a
 * multipart with it and walk the result.  Otherwise keep the prologue as
 * plain text.
 */
static void
msg_multipart_rescue(struct msg_walker *w, GMimeMultipart *mp, int depth)
{
	const char *pro = g_mime_multipart_get_prologue(mp);
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(mp));
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeObject *part;
	GString *src;
	const char *p, *d, *eol;

	if (pro == NULL)
		return;
	for (p = pro; *p != '\0' && g_ascii_isspace(*p); p++)
		;
	if (*p == '\0')
		return;
	/* The unindented "boundary=" line itself opens the body now. */
	d = p;
	eol = strchr(p, '\n');
	if (eol != NULL && g_regex_match_simple("^[\\w*-]+\\s*=", p, 0, 0))
		for (d = eol; *d != '\0' && g_ascii_isspace(*d); d++)
			;
	eol = strchr(d, '\n');
	if (d[0] == '-' && d[1] == '-' && eol != NULL && eol - d > 2 &&
	    eol - d < 200 && ct != NULL &&
	    g_mime_content_type_get_parameter(ct, "boundary") == NULL) {
		src = g_string_new("Content-Type: ");
		g_string_append(src, g_mime_content_type_get_media_type(ct));
		g_string_append_c(src, '/');
		g_string_append(src, g_mime_content_type_get_media_subtype(ct));
		g_string_append(src, "; boundary=\"");
		g_string_append_len(src, d + 2, eol - d - 2);
		while (src->len > 0 && (src->str[src->len - 1] == '\r' ||
		    src->str[src->len - 1] == ' '))
			g_string_truncate(src, src->len - 1);
		g_string_append(src, "\"\n\n");
		g_string_append(src, d);
		stream = g_mime_stream_mem_new_with_buffer(src->str, src->len);
		parser = g_mime_parser_new_with_stream(stream);
		part = g_mime_parser_construct_part(parser, w->c->options);
		g_object_unref(parser);
		g_object_unref(stream);
		g_string_free(src, TRUE);
		if (part != NULL && GMIME_IS_MULTIPART(part) &&
		    g_mime_multipart_get_count(GMIME_MULTIPART(part)) > 0) {
			msg_walk_mime(w, part, depth + 1);
			g_object_unref(part);
			return;
		}
		if (part != NULL)
			g_object_unref(part);
	}
	msg_prologue_text(w, p);
}

/*
 * msg_prologue_shown - should the prologue of multipart obj be shown?
 * Only when its header has two Content-Type fields and the first one
 * says text: the sender's client wrote a text message, and something
 * on the way added a multipart Content-Type below it.  GMime takes the
 * last field, Thunderbird and Python the first: the letter sits in the
 * prologue.  (Other prologues, "This is a multi-part message in MIME
 * format", are never shown.)
 */
static bool
msg_prologue_shown(GMimeObject *obj)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	GMimeContentType *first = NULL;
	GMimeHeader *h;
	bool text;
	int i, n, seen = 0;

	n = hl != NULL ? g_mime_header_list_get_count(hl) : 0;
	for (i = 0; i < n; i++) {
		h = g_mime_header_list_get_header_at(hl, i);
		if (g_ascii_strcasecmp(g_mime_header_get_name(h),
		    "Content-Type") != 0)
			continue;
		if (seen++ == 0)
			first = g_mime_content_type_parse(NULL,
			    g_mime_header_get_value(h));
	}
	text = seen > 1 && first != NULL &&
	    g_mime_content_type_is_type(first, "text", "*");
	if (first != NULL)
		g_object_unref(first);
	return text;
}

/* msg_prologue_text - the text p of a prologue, as a plain text body
 * piece (blank lines at its end dropped: the parts follow) */
static void
msg_prologue_text(struct msg_walker *w, const char *p)
{
	GString *clean;
	size_t t0;

	clean = charset_body(p, strlen(p), NULL);
	while (clean->len > 1 && clean->str[clean->len - 1] == '\n' &&
	    clean->str[clean->len - 2] == '\n')
		g_string_truncate(clean, clean->len - 1);
	t0 = MSG_LEN(w->b->text);
	msg_body_append(&w->b->text, &w->b->text_cut, clean->str, clean->len,
	    w->c->limits->max_body);
	msg_body_mark(w->b, t0, MSG_LEN(w->b->html));
	w->b->text_body = true;
	g_string_free(clean, TRUE);
}

/* msg_mime_type - "type/subtype" of obj, lowercase, no parameters (new) */
static char *
msg_mime_type(GMimeObject *obj)
{
	GMimeContentType *ct;
	char *s, *t;

	ct = g_mime_object_get_content_type(obj);
	if (msg_ct_invalid(obj))
		return g_strdup("text/plain");
	if (ct == NULL)
		return g_strdup("application/octet-stream");
	s = g_mime_content_type_get_mime_type(ct);
	t = msg_header_text(s);
	g_free(s);
	if (t == NULL)
		return g_strdup("application/octet-stream");
	s = g_ascii_strdown(t, -1);
	g_free(t);
	return s;
}

/* message_attachment_free - free one struct message_attachment */
void
message_attachment_free(void *p)
{
	struct message_attachment *a = p;

	g_free(a->filename);
	g_free(a->content_type);
	g_free(a);
}

/*
 * msg_part_size - the decoded size of a leaf part's content, never held
 * in memory: base64 counted on the encoded bytes (partsize.h), no
 * transfer encoding the stream's length; quoted-printable and uuencode
 * decoded into a counting null stream.  0 when the content cannot be read.
 */
static uint64_t
msg_part_size(GMimeDataWrapper *dw)
{
	GMimeStream *raw, *null;
	struct partsize_b64 pb;
	uint64_t size = 0;
	gint64 len;
	ssize_t n;
	char *buf;

	raw = g_mime_data_wrapper_get_stream(dw);
	switch (g_mime_data_wrapper_get_encoding(dw)) {
	case GMIME_CONTENT_ENCODING_BASE64:
		partsize_b64_init(&pb);
		buf = g_malloc(SPOOL_CHUNK);
		n = g_mime_stream_reset(raw);
		while (n != -1 && !g_mime_stream_eos(raw)) {
			n = g_mime_stream_read(raw, buf, SPOOL_CHUNK);
			if (n > 0)
				partsize_b64_feed(&pb, buf, (size_t)n);
		}
		if (n != -1)
			size = partsize_b64_size(&pb);
		g_free(buf);
		(void)g_mime_stream_reset(raw);
		break;
	case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE:
	case GMIME_CONTENT_ENCODING_UUENCODE:
		null = g_mime_stream_null_new();
		if (g_mime_data_wrapper_write_to_stream(dw, null) != -1)
			size = GMIME_STREAM_NULL(null)->written;
		g_object_unref(null);
		break;
	default:
		len = g_mime_stream_length(raw);
		size = len > 0 ? (uint64_t)len : 0;
		break;
	}
	return size;
}

/* msg_attachment_add - list a leaf part as an attachment, with its
 * decoded size (msg_part_size()) */
static void
msg_attachment_add(struct message *m, GMimePart *part)
{
	struct message_attachment *a;
	GMimeDataWrapper *dw;
	char *name;

	a = g_new0(struct message_attachment, 1);
	name = msg_header_text(g_mime_part_get_filename(part));
	a->filename = name != NULL ? name : g_strdup("");
	a->content_type = msg_mime_type(GMIME_OBJECT(part));
	dw = g_mime_part_get_content(part);
	if (dw != NULL && g_mime_data_wrapper_get_stream(dw) != NULL)
		a->size = msg_part_size(dw);
	g_ptr_array_add(m->attachments, a);
}

/*
 * msg_ct_invalid - obj has a Content-Type field that is not "type/subtype"
 * (or is "text" alone): RFC 2045 section 5.2 reads it as text/plain;
 * charset=us-ascii, and so do mail clients
 */
static bool
msg_ct_invalid(GMimeObject *obj)
{
	const char *v;

	v = g_mime_object_get_header(obj, "Content-Type");
	return v != NULL && !g_regex_match_simple(
	    "^\\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+\\s*/\\s*"
	    "[!#$%&'*+.^_`|~0-9A-Za-z-]+\\s*(;|\\(|$)", v, 0, 0);
}

/*
 * msg_is_body - is this leaf a message body rather than an attachment:
 * text/plain or text/html (or an invalid Content-Type, which is
 * text/plain), not Content-Disposition: attachment.  A file name alone
 * does not make an attachment: mail clients show such a part inline
 * (Mutt's "inline; filename=", Netscape's "name=").
 */
static bool
msg_is_body(GMimeObject *obj, bool *html_r)
{
	GMimeContentType *ct;
	GMimeContentDisposition *disp;

	ct = g_mime_object_get_content_type(obj);
	if (msg_ct_invalid(obj))
		*html_r = false;
	else if (ct == NULL)
		return false;
	else if (g_mime_content_type_is_type(ct, "text", "plain"))
		*html_r = false;
	else if (g_mime_content_type_is_type(ct, "text", "html"))
		*html_r = true;
	else
		return false;
	disp = g_mime_object_get_content_disposition(obj);
	return disp == NULL || !g_mime_content_disposition_is_attachment(disp);
}

/*
 * msg_related_root - the root part of a multipart/related (RFC 2387): the
 * one whose Content-ID the start parameter names, else the first whose
 * type is the type parameter, else the first
 */
static int
msg_related_root(GMimeMultipart *mp)
{
	const char *start, *type, *cid;
	char *want, *mt;
	int i, n, root;

	n = g_mime_multipart_get_count(mp);
	start = g_mime_object_get_content_type_parameter(GMIME_OBJECT(mp),
	    "start");
	root = -1;
	if (start != NULL) {
		want = g_strstrip(g_strdup(start));
		if (*want == '<') {
			memmove(want, want + 1, strlen(want));
			if (*want != '\0' && want[strlen(want) - 1] == '>')
				want[strlen(want) - 1] = '\0';
		}
		for (i = 0; i < n && root == -1; i++) {
			cid = g_mime_object_get_content_id(
			    g_mime_multipart_get_part(mp, i));
			if (cid != NULL && strcmp(cid, want) == 0)
				root = i;
		}
		g_free(want);
	}
	type = g_mime_object_get_content_type_parameter(GMIME_OBJECT(mp),
	    "type");
	if (root == -1 && type != NULL) {
		want = g_strstrip(g_strdup(type));
		for (i = 0; i < n && root == -1; i++) {
			mt = msg_mime_type(g_mime_multipart_get_part(mp, i));
			if (g_ascii_strcasecmp(mt, want) == 0)
				root = i;
			g_free(mt);
		}
		g_free(want);
	}
	return root == -1 ? 0 : root;
}

/*
 * msg_walk_alternative - each alternative is collected on its own; the last
 * one with text/plain and the last one with text/html win (RFC 2046: the
 * last is the richest); their bodies are appended to w->b
 */
static void
msg_walk_alternative(struct msg_walker *w, GMimeMultipart *mp, int depth)
{
	struct msg_walker sub = *w;
	struct msg_body *alt, *b = w->b;
	int i, n, text, html;
	size_t max, t0, h0;

	n = g_mime_multipart_get_count(mp);
	if (n <= 0)
		return;
	alt = g_new0(struct msg_body, (size_t)n);
	text = html = -1;
	for (i = 0; i < n; i++) {
		sub.b = &alt[i];
		msg_walk_mime(&sub, g_mime_multipart_get_part(mp, i),
		    depth + 1);
		/* An alternative holding only a text attachment (shown by
		 * msg_text_file) is no body. */
		if (alt[i].text != NULL && alt[i].text->len > 0 &&
		    alt[i].text_body)
			text = i;
		if (alt[i].html != NULL && alt[i].html->len > 0 &&
		    alt[i].html_body)
			html = i;
	}
	max = w->c->limits->max_body;
	t0 = MSG_LEN(b->text);
	h0 = MSG_LEN(b->html);
	if (text != -1) {
		msg_body_append(&b->text, &b->text_cut, alt[text].text->str,
		    alt[text].text->len, max);
		b->text_cut |= alt[text].text_cut;
		b->text_body = true;
	}
	if (html != -1) {
		msg_body_append(&b->html, &b->html_cut, alt[html].html->str,
		    alt[html].html->len, max);
		b->html_cut |= alt[html].html_cut;
		b->html_body = true;
	}
	msg_body_mark(b, t0, h0);
	for (i = 0; i < n; i++)
		msg_body_free(&alt[i]);
	g_free(alt);
}

/*
 * msg_forward_mend - Exchange, turning an attached Outlook item into
 * message/rfc822, writes a blank line before the Content-Type and
 * MIME-Version fields, so they land in the body and the whole MIME
 * source would read as the forward's text.  When a forward has neither
 * field in its header and its body opens with "Content-Type:", parse the
 * body as the forward's MIME part.  A multipart with parts, or a part
 * whose Content-Type is a real "type/subtype", replaces the plain-text
 * default; otherwise the body stays as it is (text about headers).
 */
static void
msg_forward_mend(struct msg_ctx *c, GMimeMessage *inner)
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

/* msg_forward_add - a message/rfc822 part becomes a forward of m */
static void
msg_forward_add(struct msg_ctx *c, struct message *m, GMimeMessagePart *part,
    int depth)
{
	GMimeMessage *inner;

	inner = g_mime_message_part_get_message(part);
	if (inner == NULL)
		return;
	msg_forward_mend(c, inner);
	g_ptr_array_add(m->forwards, msg_extract(c, inner, depth + 1));
}

/*
 * msg_forward_decode - a message/rfc822 part sent with a base64 or
 * quoted-printable transfer encoding (against RFC 2046, but SwiftMailer,
 * some webmailers and Outlook do it) is a leaf to GMime.  Decode it to a
 * temporary file, bounded by the same line scanner as the outer message,
 * and parse that as a forward.  False when it is no message after all;
 * the caller then lists it as an attachment.
 */
static bool
msg_forward_decode(struct msg_ctx *c, struct message *m, GMimePart *part,
    int depth)
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
	fd = spool_tmpfile();
	if (fd == -1)
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
	bounded = msg_head_stream(fs, &sc, 0, start, end);
	parser = g_mime_parser_new_with_stream(bounded);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_persist_stream(parser, TRUE);
	gmsg = g_mime_parser_construct_message(parser, c->options);
	g_object_unref(parser);
	g_object_unref(bounded);
	if (gmsg == NULL)
		goto out;
	/* As in msg_parse_stream(): a message has at least one header field. */
	if (msg_header_count(gmsg) > 0) {
		if (end < size)
			c->limits_hit = m->limits_hit = true;
		msg_forward_mend(c, gmsg);
		g_ptr_array_add(m->forwards, msg_extract(c, gmsg, depth + 1));
		ok = true;
	}
	g_object_unref(gmsg);
out:
	g_object_unref(fs);
	return ok;
}

/*
 * msg_walk_mime - visit obj at depth and then, unless the visitor prunes,
 * the parts of a multipart in order.  A part past the depth or part cap is
 * not visited (limits_hit).
 */
static void
msg_walk_mime(struct msg_walker *w, GMimeObject *obj, int depth)
{
	struct msg_ctx *c = w->c;
	GMimeMultipart *mp;
	int i, n;

	if (obj == NULL)
		return;
	if (depth > c->limits->max_depth || c->parts >= c->limits->max_parts) {
		c->limits_hit = w->m->limits_hit = true;
		return;
	}
	c->parts++;
	if (w->visit(w, obj, depth) != MSG_WALK_CONTINUE ||
	    !GMIME_IS_MULTIPART(obj))
		return;
	mp = GMIME_MULTIPART(obj);
	n = g_mime_multipart_get_count(mp);
	for (i = 0; i < n; i++)
		msg_walk_mime(w, g_mime_multipart_get_part(mp, i), depth + 1);
}

/*
 * msg_is_text_file - an attachment a reader would open as text: any text
 * type, or a .txt, .log, .sh or .csv file sent as some application/ type
 * (octet-stream, x-sh, vnd.ms-excel for a CSV)
 */
static bool
msg_is_text_file(GMimePart *part)
{
	static const char *const ext[] = { ".txt", ".log", ".sh", ".csv" };
	char *mt;
	const char *name;
	size_t i, n;
	bool yes;

	mt = msg_mime_type(GMIME_OBJECT(part));
	yes = g_str_has_prefix(mt, "text/");
	name = g_mime_part_get_filename(part);
	if (!yes && g_str_has_prefix(mt, "application/") && name != NULL) {
		n = strlen(name);
		for (i = 0; i < G_N_ELEMENTS(ext); i++)
			if (n > strlen(ext[i]) && g_ascii_strcasecmp(
			    name + n - strlen(ext[i]), ext[i]) == 0)
				yes = true;
	}
	g_free(mt);
	return yes;
}

/*
 * msg_text_file - show a text attachment in the body: a heading line that
 * names it, then its text up to limits->max_inline_text bytes, then a
 * notice when it was longer.  Text that is mostly not text (a binary file
 * with a text name) is not shown.  The attachment stays listed.
 */
static void
msg_text_file(struct msg_walker *w, GMimePart *part)
{
	struct msg_body *b = w->b;
	size_t t0, h0, len, max, bad;
	const char *p;
	char *name, *s, *head;
	bool cut = false, html;

	max = w->c->limits->max_inline_text;
	if (max == 0 || b == NULL)
		return;
	html = g_mime_content_type_is_type(g_mime_object_get_content_type(
	    GMIME_OBJECT(part)), "text", "html") && !msg_ct_invalid(
	    GMIME_OBJECT(part));
	s = msg_part_text(part, max, &cut, &w->c->io_error, &len,
	    html ? NULL : w->m->attachments);
	for (bad = 0, p = s; (p = strstr(p, "\xef\xbf\xbd")) != NULL; p += 3)
		bad++;
	if (len == 0 || bad * 3 * 8 > len) {
		g_free(s);
		return;
	}
	/* Cut on a line end when one is near. */
	p = cut ? g_strrstr_len(s, (gssize)len, "\n") : NULL;
	if (p != NULL && (size_t)(p - s) >= len / 2)
		len = (size_t)(p - s) + 1;
	name = msg_header_text(g_mime_part_get_filename(part));
	/* A blank line sets the file apart from the text above it. */
	head = g_strdup_printf("%s[Attached file: %s]\n",
	    MSG_LEN(b->text) > 0 ? "\n" : "",
	    name != NULL ? name : "(no name)");
	t0 = MSG_LEN(b->text);
	h0 = MSG_LEN(b->html);
	msg_body_append(&b->text, &b->text_cut, head, strlen(head),
	    w->c->limits->max_body);
	msg_body_mark(b, t0, h0);
	t0 = MSG_LEN(b->text);
	msg_body_append(html ? &b->html : &b->text,
	    html ? &b->html_cut : &b->text_cut, s, len,
	    w->c->limits->max_body);
	msg_body_mark(b, t0, h0);
	g_free(head);
	if (cut) {
		t0 = MSG_LEN(b->text);
		h0 = MSG_LEN(b->html);
		head = g_strdup_printf("[Only the first %zu %s of %s are "
		    "shown]\n", max % 1024 == 0 ? max / 1024 : max,
		    max % 1024 == 0 ? "KB" : "bytes",
		    name != NULL ? name : "the file");
		msg_body_append(&b->text, &b->text_cut, head, strlen(head),
		    w->c->limits->max_body);
		msg_body_mark(b, t0, h0);
		g_free(head);
	}
	g_free(name);
	g_free(s);
}

/* msg_visit_other - a part that cannot hold the body: a forward (a leaf
 * message/rfc822, global or news too, sent encoded: Thunderbird shows
 * message/news as it shows message/rfc822) or an attachment */
static enum msg_walk
msg_visit_other(struct msg_walker *w, GMimeObject *obj, int depth)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	if (GMIME_IS_MESSAGE_PART(obj))
		msg_forward_add(w->c, w->m, GMIME_MESSAGE_PART(obj), depth);
	else if (GMIME_IS_MULTIPART(obj))
		return MSG_WALK_CONTINUE;
	else if (GMIME_IS_PART(obj) && msg_tnef_add(w->c, w->m,
	    GMIME_PART(obj), w->tnef))
		return MSG_WALK_PRUNE;	/* listed as the files it holds */
	else if (GMIME_IS_PART(obj) && !(ct != NULL &&
	    (g_mime_content_type_is_type(ct, "message", "rfc822") ||
	    g_mime_content_type_is_type(ct, "message", "global") ||
	    g_mime_content_type_is_type(ct, "message", "news")) &&
	    msg_forward_decode(w->c, w->m, GMIME_PART(obj), depth))) {
		msg_attachment_add(w->m, GMIME_PART(obj));
		if (msg_is_text_file(GMIME_PART(obj)))
			msg_text_file(w, GMIME_PART(obj));
	}
	return MSG_WALK_PRUNE;
}

/* msg_walk_related - the root part of a multipart/related may hold the
 * body; the others are attachments and forwards */
static void
msg_walk_related(struct msg_walker *w, GMimeMultipart *mp, int depth)
{
	struct msg_walker other = *w;
	int i, n, root;

	other.visit = msg_visit_other;
	root = msg_related_root(mp);
	n = g_mime_multipart_get_count(mp);
	for (i = 0; i < n; i++)
		msg_walk_mime(i == root ? w : &other,
		    g_mime_multipart_get_part(mp, i), depth + 1);
}

/*
 * msg_visit_body - a part that may hold the body: the text parts go to
 * w->b, chosen as msg_walk_alternative() and msg_walk_related() say;
 * anything else is a forward or an attachment, as in msg_visit_other
 */
static enum msg_walk
msg_visit_body(struct msg_walker *w, GMimeObject *obj, int depth)
{
	GMimeContentType *ct;
	GMimeMultipart *mp;
	bool html;

	if (GMIME_IS_MULTIPART(obj)) {
		mp = GMIME_MULTIPART(obj);
		ct = g_mime_object_get_content_type(obj);
		if (g_mime_multipart_get_count(mp) > 0 &&
		    g_mime_multipart_get_prologue(mp) != NULL &&
		    msg_prologue_shown(obj))
			msg_prologue_text(w, g_mime_multipart_get_prologue(mp));
		if (g_mime_multipart_get_count(mp) == 0)
			msg_multipart_rescue(w, mp, depth);
		else if (ct != NULL && g_mime_content_type_is_type(ct,
		    "multipart", "alternative"))
			msg_walk_alternative(w, mp, depth);
		else if (ct != NULL && g_mime_content_type_is_type(ct,
		    "multipart", "related"))
			msg_walk_related(w, mp, depth);
		else
			return MSG_WALK_CONTINUE;
		return MSG_WALK_PRUNE;
	}
	/* A text part is never a forward. */
	if (!GMIME_IS_PART(obj) || !msg_is_body(obj, &html))
		return msg_visit_other(w, obj, depth);
	msg_body_read(w->c, w->b, GMIME_PART(obj), html, w->m->attachments);
	return MSG_WALK_PRUNE;
}

/* msg_pieces_differ - do some pieces have only text and some only HTML, or
 * one kind only while the others have both, so the two bodies disagree */
static bool
msg_pieces_differ(const GArray *pieces)
{
	const struct message_piece *p;
	bool text_only = false, html_only = false;
	guint i;

	for (i = 0; pieces != NULL && i < pieces->len; i++) {
		p = &g_array_index(pieces, struct message_piece, i);
		if (p->html_len == 0)
			text_only = true;
		if (p->text_len == 0)
			html_only = true;
	}
	return text_only || html_only;
}

/* msg_new - an empty struct message */
static struct message *
msg_new(void)
{
	struct message *m;

	m = g_new0(struct message, 1);
	m->attachments = g_ptr_array_new_with_free_func(
	    message_attachment_free);
	m->forwards = g_ptr_array_new();
	return m;
}

/* msg_extract - a struct message from a parsed GMime message whose root part
 * is at depth */
static struct message *
msg_extract(struct msg_ctx *c, GMimeMessage *gmsg, int depth)
{
	struct message *m;
	struct msg_body b;
	struct msg_walker w;
	struct msg_tnef_body tb = { 0 };
	GMimeObject *obj, *root;

	m = msg_new();
	obj = GMIME_OBJECT(gmsg);
	msg_header_fields(c, gmsg, m);

	memset(&b, 0, sizeof(b));
	root = g_mime_message_get_mime_part(gmsg);
	w = (struct msg_walker){ .c = c, .m = m, .b = &b, .top = root,
	    .visit = msg_visit_body, .tnef = &tb };
	msg_walk_mime(&w, root, depth);
	/* An Outlook "Rich Text" mail: the body is in the winmail.dat. */
	msg_tnef_body(&tb, &b.text, &b.html, &b.pieces, &b.text_cut);
	m->automatic = msg_automatic(m, obj, root);
	if (b.text != NULL && b.text->len > 0)
		m->text = g_string_free(b.text, FALSE);
	else if (b.text != NULL)
		g_string_free(b.text, TRUE);
	if (b.html != NULL && b.html->len > 0)
		m->html = g_string_free(b.html, FALSE);
	else if (b.html != NULL)
		g_string_free(b.html, TRUE);
	m->truncated = b.text_cut || b.html_cut;
	if (m->text != NULL && m->html != NULL && msg_pieces_differ(b.pieces)) {
		m->pieces = b.pieces;
		b.pieces = NULL;
	}
	if (b.pieces != NULL)
		g_array_free(b.pieces, TRUE);
	return m;
}

/* msg_parse_stream - parse the message in stream; size is the raw size, cut
 * tells that the scanner kept part of it from GMime, skipped how many
 * header fields headblock left out */
static enum gw_status
msg_parse_stream(GMimeStream *stream, const struct message_limits *limits,
    uint64_t size, bool cut, uint64_t skipped, struct message **msg_r,
    struct gw_error *err)
{
	static const char *fallback[] = { "UTF-8", "windows-1252",
	    "iso-8859-1", NULL };
	struct msg_ctx c;
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
	g_mime_parser_options_set_warning_callback(c.options,
	    msg_parser_warning, &c);

	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_persist_stream(parser, TRUE);
	gmsg = g_mime_parser_construct_message(parser, c.options);
	if (gmsg == NULL) {
		rc = gw_error_set(err, GW_EDATA,
		    "message is not in RFC 5322 format (no header found)");
		goto out;
	}
	if (msg_header_count(gmsg) <= 0) {
		rc = gw_error_set(err, GW_EDATA, "message has no header");
		goto out;
	}
	msg = msg_extract(&c, gmsg, 1);
	if (c.io_error) {
		message_free(&msg);
		rc = gw_error_set(err, GW_ETEMP,
		    "cannot read the spooled message back");
		goto out;
	}
	msg->size = size;
	msg->warnings = c.warnings;
	msg->fields_skipped = skipped;
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
	GMimeStream *whole, *stream;
	enum gw_status rc;
	uint64_t start, end;
	bool cut;
	int sfd;

	*msg_r = NULL;
	if (limits == NULL)
		limits = &msg_default_limits;
	if (sp->size == 0 || !sp->scan.nonspace)
		return gw_error_set(err, GW_EDATA, "message is empty");
	/*
	 * Lone CR line ends: parsed from memory, as LF (see spool.h), where
	 * the scanner's bounds and checks are made again on the LF lines.
	 */
	if (spool_lone_cr(&sp->scan)) {
		char *buf;
		size_t len;

		rc = spool_read(sp, &buf, &len, err);
		if (rc != GW_OK)
			return rc;
		rc = message_parse_mem(buf, len, limits, msg_r, err);
		g_free(buf);
		return rc;
	}
	rc = spool_scan_check(&sp->scan, err);
	if (rc != GW_OK)
		return rc;
	cut = spool_bounds(&sp->scan, (uint64_t)sp->start, sp->size, &start,
	    &end);
	/* The stream owns its own descriptor; the spool keeps sp->fd. */
	sfd = fcntl(sp->fd, F_DUPFD_CLOEXEC, 0);
	if (sfd == -1)
		return gw_error_set(err, GW_ETEMP,
		    "cannot read the message: %s", g_strerror(errno));
	whole = blockstream_new(sfd, (gint64)sp->start,
	    (gint64)(sp->start + (off_t)sp->size));
	stream = msg_head_stream(whole, &sp->scan, (uint64_t)sp->start, start,
	    end);
	rc = msg_parse_stream(stream, limits, sp->size, cut,
	    sp->scan.head.skipped, msg_r, err);
	/* Substreams borrow whole's descriptor: it goes last. */
	g_object_unref(stream);
	g_object_unref(whole);
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
		limits = &msg_default_limits;
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
	GMimeStream *whole, *stream;
	struct spool_scan sc;
	enum gw_status rc;
	uint64_t start, end;
	bool cut;

	*msg_r = NULL;
	if (limits == NULL)
		limits = &msg_default_limits;
	if (buf == NULL)
		len = 0;
	if ((uint64_t)len > limits->max_size)
		return gw_error_set(err, GW_ETOOBIG,
		    "message is %zu bytes, over the %" PRIu64
		    "-byte size limit", len, limits->max_size);
	spool_scan_init(&sc, limits->max_parts);
	spool_scan_feed(&sc, buf, len);
	spool_scan_end(&sc);
	if (len == 0 || !sc.nonspace)
		return gw_error_set(err, GW_EDATA, "message is empty");
	/*
	 * Lone CR line ends: the scanner saw them as part of longer lines,
	 * so its bounds and checks mean little; scan and parse a copy with
	 * LF line ends.
	 */
	if (spool_lone_cr(&sc)) {
		char *lf = g_malloc(len);

		memcpy(lf, buf, len);
		spool_lone_cr_to_lf(lf, len);
		rc = message_parse_mem(lf, len, limits, msg_r, err);
		g_free(lf);
		return rc;
	}
	rc = spool_scan_check(&sc, err);
	if (rc != GW_OK)
		return rc;
	cut = spool_bounds(&sc, 0, len, &start, &end);
	whole = g_mime_stream_mem_new_with_buffer(buf, len);
	stream = msg_head_stream(whole, &sc, 0, start, end);
	rc = msg_parse_stream(stream, limits, len, cut, sc.head.skipped, msg_r,
	    err);
	/* Substreams borrow whole's buffer: it goes last. */
	g_object_unref(stream);
	g_object_unref(whole);
	return rc;
}

/* message_automatic - why to discard rather than deliver, or NULL */
const char *
message_automatic(const struct message *msg, const char *envelope_sender)
{
	if (msg != NULL && msg->automatic != NULL)
		return msg->automatic;
	return automatic_envelope(envelope_sender);
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
	if (m->pieces != NULL)
		g_array_free(m->pieces, TRUE);
	g_ptr_array_unref(m->attachments);
	for (i = 0; i < m->forwards->len; i++) {
		fw = g_ptr_array_index(m->forwards, i);
		message_free(&fw);
	}
	g_ptr_array_unref(m->forwards);
	g_free(m);
}
