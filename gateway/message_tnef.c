/*
 * message_tnef.c - the winmail.dat part of message: a TNEF container
 * (tnef.h) is listed as the files it holds, and its body is the message's
 * when the message has no other.  Part of the message module (include/
 * message_priv.h): GMime types stay inside the message files.
 */
#include <string.h>

#include <gmime/gmime.h>

#include "message.h"
#include "message_priv.h"
#include "tnef.h"

/*
 * msg_part_bytes - the decoded content of part, at most max bytes (new);
 * NULL when it cannot be read or is longer
 */
static GByteArray *
msg_part_bytes(GMimePart *part, uint64_t max)
{
	GMimeDataWrapper *dw;
	GMimeStream *mem;
	GByteArray *bytes = NULL;

	dw = g_mime_part_get_content(part);
	if (dw == NULL || g_mime_data_wrapper_get_stream(dw) == NULL)
		return NULL;
	/* The decoded size first, so that nothing over max is held. */
	mem = g_mime_stream_null_new();
	if (g_mime_data_wrapper_write_to_stream(dw, mem) == -1 ||
	    GMIME_STREAM_NULL(mem)->written > max) {
		g_object_unref(mem);
		return NULL;
	}
	g_object_unref(mem);
	mem = g_mime_stream_mem_new();
	/* The array outlives the stream, which then must not free it. */
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	if (g_mime_data_wrapper_write_to_stream(dw, mem) == -1) {
		g_byte_array_unref(bytes);
		bytes = NULL;
	}
	g_object_unref(mem);
	return bytes;
}

/* msg_tnef_add - a winmail.dat that decodes: its files into m, its body
 * into *tb (the first one only) */
bool
msg_tnef_add(struct msg_ctx *c, struct message *m, GMimePart *part,
    struct msg_tnef_body *tb)
{
	struct message_attachment *a;
	struct tnef_file *f;
	struct tnef *t;
	struct gw_error err;
	GByteArray *bytes;
	char *type;
	guint i;
	bool yes;

	type = g_mime_content_type_get_mime_type(
	    g_mime_object_get_content_type(GMIME_OBJECT(part)));
	yes = tnef_is_tnef(type, g_mime_part_get_filename(part));
	g_free(type);
	if (!yes)
		return false;
	bytes = msg_part_bytes(part, c->limits->max_size);
	if (bytes == NULL)
		return false;
	yes = tnef_decode(bytes->data, bytes->len, c->limits->max_body,
	    c->limits->max_parts, &t, &err) == GW_OK;
	g_byte_array_unref(bytes);
	if (!yes)
		return false;
	for (i = 0; i < t->files->len; i++) {
		f = g_ptr_array_index(t->files, i);
		a = g_new0(struct message_attachment, 1);
		a->filename = g_strdup(f->name);
		a->content_type = g_strdup(f->content_type);
		a->size = f->size;
		g_ptr_array_add(m->attachments, a);
	}
	if (tb != NULL && tb->text == NULL && tb->html == NULL) {
		tb->text = t->text;
		tb->html = t->html;
		tb->cut = t->cut;
		t->text = t->html = NULL;
	}
	tnef_free(&t);
	return true;
}

/* msg_blank - does s hold nothing but white space */
static bool
msg_blank(const GString *s)
{
	size_t i;

	for (i = 0; s != NULL && i < s->len; i++)
		if (!g_ascii_isspace(s->str[i]))
			return false;
	return true;
}

/* msg_tnef_body - the winmail.dat body as the message's when it has none
 * (text blank, no HTML); frees *tb either way */
void
msg_tnef_body(struct msg_tnef_body *tb, GString **text, GString **html,
    GArray **pieces, bool *cut)
{
	if ((tb->text != NULL || tb->html != NULL) && msg_blank(*text) &&
	    (*html == NULL || (*html)->len == 0)) {
		if (*text != NULL)
			g_string_free(*text, TRUE);
		if (*html != NULL)
			g_string_free(*html, TRUE);
		if (*pieces != NULL)
			g_array_free(*pieces, TRUE);
		*text = tb->text != NULL ? g_string_new(tb->text) : NULL;
		*html = tb->html != NULL ? g_string_new(tb->html) : NULL;
		*pieces = NULL;
		*cut = *cut || tb->cut;
	}
	g_free(tb->text);
	g_free(tb->html);
	tb->text = tb->html = NULL;
}
