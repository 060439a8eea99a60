/*
 * note.c - turn a parsed message into the internal note the API receives.
 *
 * The note is built twice from the same walk: once as plain text and once
 * as HTML.  Everything this file writes into the HTML itself (the header
 * blocks, the attachment lists, the notices) is escaped here; the message's
 * own HTML only ever passes through html_sanitize().
 *
 * Size: when body_text + body_html would exceed max_bytes, the bodies are
 * rendered again with a byte budget per body (shared by the message and its
 * forwards, first come first served), found by a binary search on the
 * budget so that as much of the text as possible survives.  Text is cut on
 * a UTF-8 boundary; HTML is cut in its sanitised form, outside any tag or
 * entity, with the elements the cut left open closed (html_cut.h); a
 * text-only body's HTML is html_from_text() of the cut text, rendered once
 * and cut.  No step of the search parses HTML again.
 * If even the header blocks and attachment lists do not fit, the text note
 * is cut as a whole and the HTML made from it.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <json-c/json.h>

#include "charset.h"
#include "headblock.h"
#include "history.h"
#include "html.h"
#include "html_cut.h"
#include "message.h"
#include "note.h"
#include "reply.h"

#define NOTE_HEADER_MAX 1024	/* bytes kept of one header value */
#define NOTE_MAX_DEPTH 32	/* forwards nested deeper are not rendered */
#define NOTE_LINE_BACKTRACK 240	/* bytes a text cut may back up to a line end */
#define NOTE_JSON_PIECE (64 * 1024) /* bytes of a body json-c escapes at once */

static const char note_fwd_line[] =
    "---------- Forwarded message ----------";
static const char note_limits_line[] =
    "[Some MIME parts were skipped: the message is nested too deeply "
    "or has too many parts]";
static const char note_parser_cut_line[] =
    "[Part of the message text was too long and was cut]";

/* A message prepared once: its text and sanitised HTML, and its forwards. */
struct note_prep {
	char *text;		/* body text, "" when none */
	char *html;		/* sanitised HTML, or NULL when text-only */
	struct html_cut_text *ft; /* text-only: the HTML of text, rendered
				 * once for every cut; else NULL */
	struct html_cut *cut;	/* html scanned once for the size search's
				 * cuts (note_prep_cuts()), or NULL */
	GPtrArray *forwards;	/* of struct note_prep * */
};

/* What one rendering may still spend on bodies. */
struct note_budget {
	size_t text;
	size_t html;
	bool cut;		/* some body was shortened */
};

/*
 * note_line_cut - a cut at n moved back to just after a line break when
 * one is near (NOTE_LINE_BACKTRACK bytes), so no half line is left
 */
static size_t
note_line_cut(const char *s, size_t n)
{
	size_t i;

	for (i = n; i > 0 && n - i < NOTE_LINE_BACKTRACK; i--)
		if (s[i - 1] == '\n')
			return i;
	return n;
}

/* note_valid_ref - s as valid UTF-8: s itself, or a repaired copy left
 * in *tmp_r (g_free it; NULL when s was valid) */
static const char *
note_valid_ref(const char *s, char **tmp_r)
{
	*tmp_r = NULL;
	if (g_utf8_validate(s, -1, NULL))
		return s;
	*tmp_r = g_utf8_make_valid(s, -1);
	return *tmp_r;
}

/* note_valid - s (may be NULL) as valid UTF-8; new string */
static char *
note_valid(const char *s)
{
	if (s == NULL)
		return g_strdup("");
	return g_utf8_make_valid(s, -1);
}

/*
 * note_header_value - a header value on one line: valid UTF-8, control
 * characters and line breaks as spaces, runs of white space folded, cut at
 * NOTE_HEADER_MAX bytes.  New string.
 */
static char *
note_header_value(const char *s)
{
	GString *out;
	char *v;
	const char *p;
	bool space;

	v = note_valid(s);
	out = g_string_sized_new(strlen(v));
	space = false;
	for (p = v; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c < 0x20 || c == 0x7f || g_unichar_isspace(c)) {
			space = true;
			continue;
		}
		if (space && out->len > 0)
			g_string_append_c(out, ' ');
		space = false;
		g_string_append_len(out, p, g_utf8_next_char(p) - p);
		if (out->len > NOTE_HEADER_MAX) {
			g_string_truncate(out, charset_utf8_fit(out->str,
			    out->len, NOTE_HEADER_MAX));
			g_string_append(out, " ...");
			break;
		}
	}
	g_free(v);
	return g_string_free(out, FALSE);
}

/*
 * note_text_take - s (taken, may be NULL) as note text: valid UTF-8, CRLF
 * and CR as LF, no trailing white space.  All of it only shortens the
 * text, so it is done in place: a 1 MB body is not copied.  Returns s, or
 * its repaired copy when it was not valid UTF-8 (s is then freed).
 */
static char *
note_text_take(char *s)
{
	char *v, *p, *q;

	if (s == NULL)
		return g_strdup("");
	(void)note_valid_ref(s, &v);
	if (v != NULL) {
		g_free(s);
		s = v;
	}
	/* Bytes before the first CR stay where they are. */
	p = strchr(s, '\r');
	if (p == NULL)
		p = s + strlen(s);
	for (q = p; *p != '\0'; p++) {
		if (*p == '\r') {
			*q++ = '\n';
			if (p[1] == '\n')
				p++;
		} else
			*q++ = *p;
	}
	while (q > s && g_ascii_isspace(q[-1]))
		q--;
	*q = '\0';
	return s;
}

/* note_text_body - note_text_take() of a copy of s.  New string. */
static char *
note_text_body(const char *s)
{
	return note_text_take(g_strdup(s != NULL ? s : ""));
}

/* note_blank - true when s has nothing but white space */
static bool
note_blank(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (!g_ascii_isspace(*s))
			return false;
	return true;
}

/* note_prep_free - free a prepared message tree */
static void
note_prep_free(gpointer data)
{
	struct note_prep *prep = data;

	if (prep == NULL)
		return;
	html_cut_text_free(&prep->ft);
	html_cut_free(&prep->cut);
	g_free(prep->text);
	g_free(prep->html);
	g_ptr_array_free(prep->forwards, TRUE);
	g_free(prep);
}

/* note_rstrip_len - len of s[0, len) without trailing white space */
static size_t
note_rstrip_len(const char *s, size_t len)
{
	while (len > 0 && g_ascii_isspace(s[len - 1]))
		len--;
	return len;
}

/*
 * note_join_text - new text, the separator line, the history; takes
 * both.  New string.
 */
static char *
note_join_text(char *fresh, char *hist)
{
	char *r;

	fresh[note_rstrip_len(fresh, strlen(fresh))] = '\0';
	r = g_strconcat(fresh, fresh[0] != '\0' ? "\n\n" : "",
	    HISTORY_SEPARATOR "\n", hist, NULL);
	g_free(fresh);
	g_free(hist);
	return r;
}

/*
 * note_join_html - new HTML, the separator paragraph, the history in a
 * blockquote (sanitised fragments in, one out); takes both.  New string.
 */
static char *
note_join_html(char *fresh, char *hist)
{
	char *r;

	r = g_strconcat(fresh, fresh[0] != '\0' ? "\n" : "",
	    "<p>" HISTORY_SEPARATOR "</p>\n<blockquote>", hist,
	    "</blockquote>", NULL);
	g_free(fresh);
	g_free(hist);
	return r;
}

/*
 * note_prep_split - set the quoted history of the prepared bodies apart.
 * The HTML is cut on its own tree (html_split_history(), made by
 * html_render() into parts, whose two halves this takes); the text part
 * by its lines, or, when the text was made from the HTML, from the two
 * HTML halves, so both bodies cut at the same place.  A text-only message
 * gets its HTML here, since html_from_text() of the joined text would
 * not put the history in a blockquote.
 */
static void
note_prep_split(bool fwd, struct html_parts *parts, bool text_from_html,
    struct note_prep *prep)
{
	char *hn, *hh, *tn, *th;
	size_t at, end, len;

	if (prep->html != NULL && parts->fresh != NULL) {
		hn = parts->fresh;
		hh = parts->hist;
		parts->fresh = parts->hist = NULL;
		if (text_from_html) {
			/* The halves' text, read by html_render() from the
			 * tree it parsed: no parse of either half. */
			tn = parts->fresh_text != NULL ? parts->fresh_text :
			    html_to_text(hn, strlen(hn));
			th = parts->hist_text != NULL ? parts->hist_text :
			    html_to_text(hh, strlen(hh));
			parts->fresh_text = parts->hist_text = NULL;
			g_free(prep->text);
			prep->text = note_join_text(note_text_body(tn),
			    note_text_body(th));
			g_free(tn);
			g_free(th);
		}
		g_free(prep->html);
		prep->html = note_join_html(hn, hh);
	}
	if (text_from_html)
		return;
	len = strlen(prep->text);
	at = history_split_text(prep->text, len, fwd, &end);
	if (at >= len)
		return;
	/* New text after the history (a bottom-posted reply) joins the new
	 * text above the separator. */
	tn = g_strndup(prep->text, note_rstrip_len(prep->text, at));
	if (end < len) {
		hn = tn;
		tn = g_strconcat(hn, hn[0] != '\0' ? "\n\n" : "",
		    prep->text + end, NULL);
		g_free(hn);
	}
	th = g_strndup(prep->text + at, note_rstrip_len(prep->text + at,
	    end - at));
	if (prep->html == NULL)
		prep->html = note_join_html(html_from_text(tn),
		    html_from_text(th));
	g_free(prep->text);
	prep->text = note_join_text(tn, th);
}

/* note_append_free - append s to out and free it */
static void
note_append_free(GString *out, char *s)
{
	g_string_append(out, s);
	g_free(s);
}

/*
 * note_pieces - when the text and HTML bodies of msg come from different
 * parts (msg->pieces), both bodies made from all of them in order: a
 * text piece as HTML through html_from_text(), an HTML one as text.  One
 * parse of all the pieces (html_render_pieces()) gives each HTML piece's
 * text and *parts, the render of the joined HTML split as split, which
 * is left empty when that HTML is blank (*has_html false).  New text, or
 * NULL when msg has no pieces.
 */
static char *
note_pieces(const struct message *msg, enum html_split split,
    struct html_parts *parts, bool *has_html)
{
	const struct message_piece *p;
	GString *t, *run;
	char **src, **texts, *s;
	size_t *len;
	guint i, n, m, *at;

	if (msg->pieces == NULL || msg->text == NULL || msg->html == NULL)
		return NULL;
	/* The HTML pieces, each a source of its own, and between them
	 * the text pieces as HTML, a run of them one source: only an
	 * HTML piece's text is read back (at[i]: piece i's source). */
	n = msg->pieces->len;
	src = g_new0(char *, n + 1);
	at = g_new0(guint, n);
	run = NULL;
	m = 0;
	for (i = 0; i < n; i++) {
		p = &g_array_index(msg->pieces, struct message_piece, i);
		if (p->html_len == 0) {
			s = g_strndup(msg->text + p->text_off, p->text_len);
			if (run == NULL)
				run = g_string_new(NULL);
			note_append_free(run, html_from_text(s));
			g_free(s);
			continue;
		}
		if (run != NULL)
			src[m++] = g_string_free(run, FALSE);
		run = NULL;
		at[i] = m;
		src[m++] = g_strndup(msg->html + p->html_off, p->html_len);
	}
	if (run != NULL)
		src[m++] = g_string_free(run, FALSE);
	len = g_new(size_t, m + 1);
	*has_html = false;
	for (i = 0; i < m; i++) {
		len[i] = strlen(src[i]);
		if (!note_blank(src[i]))
			*has_html = true;
	}
	html_render_pieces((const char *const *)src, len, m, true, split,
	    parts, &texts);
	g_strfreev(src);
	g_free(len);
	if (!*has_html)
		html_parts_clear(parts);
	t = g_string_new(NULL);
	for (i = 0; i < n; i++) {
		p = &g_array_index(msg->pieces, struct message_piece, i);
		if (p->text_len > 0 || p->html_len == 0)
			s = g_strndup(msg->text + p->text_off, p->text_len);
		else {
			s = texts[at[i]];
			texts[at[i]] = NULL;	/* one HTML piece a source */
		}
		if (t->len > 0 && t->str[t->len - 1] != '\n' && *s != '\n')
			g_string_append_c(t, '\n');
		g_string_append(t, s);
		g_free(s);
	}
	for (i = 0; i < m; i++)
		g_free(texts[i]);
	g_free(texts);
	g_free(at);
	return g_string_free(t, FALSE);
}

/*
 * note_prep_new - text and sanitised HTML of msg and its forwards.  *room
 * is what the note can still show, in bytes of bodies: forwards after it
 * is spent are not prepared, since none of their text could appear.
 * Without that bound, 30 forwards of 1 MB of HTML each cost a minute of
 * sanitising and ran into the time budget on every retry.  A text-only
 * body's HTML is rendered up to max_bytes (html_cut_text_new()).  take,
 * when not NULL, is &msg->text, which the text may then take (and set
 * NULL) instead of copying it.
 */
static struct note_prep *
note_prep_new(const struct message *msg, int depth, bool split,
    size_t *room, size_t max_bytes, char **take)
{
	struct note_prep *prep;
	struct html_parts parts;
	char *tmp, *text, *pieces;
	const char *html;
	size_t used;
	guint i;
	bool text_from_html = false, fwd, has_html;

	prep = g_new0(struct note_prep, 1);
	prep->forwards = g_ptr_array_new_with_free_func(note_prep_free);
	memset(&parts, 0, sizeof(parts));
	/* Only the message's own history: a forward is content whole. */
	split = split && depth == 0;
	fwd = split && history_subject_forward(msg->subject);
	tmp = NULL;
	pieces = note_pieces(msg, !split || fwd ? HTML_SPLIT_NONE :
	    HTML_SPLIT_HTML, &parts, &has_html);
	html = pieces == NULL && msg->html != NULL ?
	    note_valid_ref(msg->html, &tmp) : NULL;
	if (pieces == NULL)
		has_html = html != NULL && !note_blank(html);
	if (pieces == NULL && has_html) {
		/* One parse for the sanitised HTML, its text and its
		 * history; the source goes as soon as it is read. */
		html_render(html, strlen(html), true, !split || fwd ?
		    HTML_SPLIT_NONE : msg->text == NULL ||
		    note_blank(msg->text) ? HTML_SPLIT_ALL : HTML_SPLIT_HTML,
		    &parts);
		html = NULL;
		g_free(tmp);
		tmp = NULL;
	}
	if (pieces != NULL) {
		prep->text = note_text_take(pieces);
		pieces = NULL;
	}
	else if (msg->text != NULL && !note_blank(msg->text) &&
	    take != NULL && *take == msg->text) {
		prep->text = note_text_take(*take);
		*take = NULL;
	} else if (msg->text != NULL && !note_blank(msg->text))
		prep->text = note_text_body(msg->text);
	else if (has_html) {
		prep->text = note_text_body(parts.text);
		text_from_html = true;
	} else
		prep->text = g_strdup("");
	g_free(tmp);
	g_free(pieces);
	if (has_html) {
		prep->html = parts.san;
		parts.san = NULL;
		/*
		 * HTML that shows nothing once sanitised (a lone script, an
		 * empty div) must not hide a real text part.  The text of
		 * the sanitised HTML shows all the source's text does (the
		 * sanitizer drops only what html_to_text() drops), so only
		 * a blank source text needs the sanitised one read again.
		 */
		if (!note_blank(prep->text) && note_blank(parts.text)) {
			text = html_to_text(prep->html, strlen(prep->html));
			if (note_blank(text)) {
				g_free(prep->html);
				prep->html = NULL;
			}
			g_free(text);
		}
	}
	if (split)
		note_prep_split(fwd, &parts, text_from_html, prep);
	html_parts_clear(&parts);
	if (prep->html == NULL)
		prep->ft = html_cut_text_new(prep->text, max_bytes);
	used = strlen(prep->text) + (prep->html != NULL ?
	    strlen(prep->html) : 0);
	*room -= MIN(used, *room);
	if (depth < NOTE_MAX_DEPTH && msg->forwards != NULL)
		for (i = 0; i < msg->forwards->len && *room > 0; i++)
			g_ptr_array_add(prep->forwards, note_prep_new(
			    g_ptr_array_index(msg->forwards, i), depth + 1,
			    split, room, max_bytes, NULL));
	return prep;
}

/*
 * note_has_content - anything to post: a subject, a body, a file, a
 * forward, or content we left out (a body cut before its first visible
 * text, such as 1 MB of data: URI image; parts past the MIME limits).  A
 * bounce saying "no text" would be wrong for those: the note says what
 * was cut.  A subject alone is content: agents reply "Re: [#T30] please
 * close" with an empty body, and the note's header block carries it.
 */
static bool
note_has_content(const struct message *msg, const struct note_prep *prep)
{
	char *subject;
	bool has;

	subject = msg->subject != NULL ? note_header_value(msg->subject) :
	    NULL;
	has = subject != NULL && subject[0] != '\0';
	g_free(subject);
	return has || !note_blank(prep->text) ||
	    (msg->attachments != NULL && msg->attachments->len > 0) ||
	    (msg->forwards != NULL && msg->forwards->len > 0) ||
	    msg->truncated || msg->limits_hit || msg->fields_skipped > 0;
}

/* note_size - "532 bytes", "1.2 KB", "3.0 MB", "1.1 GB" (locale-free) */
static void
note_size(GString *out, uint64_t size)
{
	static const char *const units[] = { "KB", "MB", "GB", "TB" };
	uint64_t unit, tenths;
	size_t i;

	if (size < 1024) {
		g_string_append_printf(out, "%u %s", (unsigned)size,
		    size == 1 ? "byte" : "bytes");
		return;
	}
	unit = 1024;
	for (i = 0; i < G_N_ELEMENTS(units) - 1; i++) {
		if (size / unit < 1024)
			break;
		unit *= 1024;
	}
	/* Rounded to tenths; 1023.96 KB reads "1024.0 KB", which is fine. */
	tenths = size / unit * 10 + (size % unit * 10 + unit / 2) / unit;
	g_string_append_printf(out, "%llu.%u %s",
	    (unsigned long long)(tenths / 10), (unsigned)(tenths % 10),
	    units[i]);
}

/* note_attachment_label - "name (type, size)", ", incomplete" before the
 * ")" for a partial file; new string */
static char *
note_attachment_label(const struct message_attachment *att)
{
	GString *out;
	char *name, *type;

	name = note_header_value(att->filename);
	type = note_header_value(att->content_type);
	out = g_string_new(name[0] != '\0' ? name : "(unnamed)");
	g_string_append(out, " (");
	if (type[0] != '\0')
		g_string_append_printf(out, "%s, ", type);
	note_size(out, att->size);
	g_string_append(out, att->partial ? ", incomplete)" : ")");
	g_free(name);
	g_free(type);
	return g_string_free(out, FALSE);
}

/* note_sep - a blank line before the next block, unless it is the first */
static void
note_sep(GString *t)
{
	if (t->len > 0)
		g_string_append_c(t, '\n');
}

/* note_headers - the From/Date/Subject/To/Cc block in text and HTML */
static void
note_headers(const struct message *msg, const char *title, GString *t,
    GString *h)
{
	const struct {
		const char *name;
		const char *value;
	} rows[] = {
		{ "From", msg->from },
		{ "Date", msg->date },
		{ "Subject", msg->subject },
		{ "To", msg->to },
		{ "Cc", msg->cc },
	};
	char *v, *e;
	size_t i;
	bool first;

	first = true;
	if (title != NULL) {
		g_string_append_printf(t, "%s\n", title);
		g_string_append_printf(h, "<p>%s", title);
		first = false;
	}
	for (i = 0; i < G_N_ELEMENTS(rows); i++) {
		if (rows[i].value == NULL)
			continue;
		v = note_header_value(rows[i].value);
		e = html_escape(v);
		g_string_append_printf(t, "%s: %s\n", rows[i].name, v);
		g_string_append_printf(h, "%s<b>%s:</b> %s",
		    first ? "<p>" : "<br>\n", rows[i].name, e);
		first = false;
		g_free(v);
		g_free(e);
	}
	if (!first)
		g_string_append(h, "</p>\n");
}

/* note_body - one message's header block, body, files and forwards */
static void
note_body(const struct message *msg, const struct note_prep *prep,
    const char *title, struct note_budget *b, GString *t, GString *h)
{
	struct message_attachment *att;
	char *html, *label, *e;
	size_t len, n, hlen;
	guint i;

	note_headers(msg, title, t, h);

	len = strlen(prep->text);
	n = charset_utf8_fit(prep->text, len, MIN(len, b->text));
	if (n < len) {
		b->cut = true;
		n = note_line_cut(prep->text, n);
		while (n > 0 && g_ascii_isspace(prep->text[n - 1]))
			n--;
	}
	b->text -= n;
	/* Appended in place: a body is the note's largest string. */
	if (n > 0) {
		note_sep(t);
		g_string_append_len(t, prep->text, (gssize)n);
		g_string_append_c(t, '\n');
	}
	if (prep->html != NULL) {
		len = strlen(prep->html);
		if (len <= b->html) {
			hlen = len;
			g_string_append_len(h, prep->html, (gssize)len);
			b->html -= len;
		} else {
			/* Cut on the sanitised output, never parsed again. */
			html = prep->cut != NULL ? html_cut_at(prep->cut,
			    b->html) : html_cut_html(prep->html, len, b->html);
			hlen = strlen(html);
			g_string_append_len(h, html, (gssize)hlen);
			g_free(html);
			b->html = 0;
			b->cut = true;
		}
	} else
		hlen = html_cut_text_append(h, prep->ft, n);
	if (hlen > 0 && h->str[h->len - 1] != '\n')
		g_string_append_c(h, '\n');

	if (msg->attachments != NULL && msg->attachments->len > 0) {
		note_sep(t);
		g_string_append(t, "Attachments:\n");
		g_string_append(h, "<p><b>Attachments:</b></p>\n<ul>\n");
		for (i = 0; i < msg->attachments->len; i++) {
			att = g_ptr_array_index(msg->attachments, i);
			label = note_attachment_label(att);
			e = html_escape(label);
			g_string_append_printf(t, "- %s\n", label);
			g_string_append_printf(h, "<li>%s</li>\n", e);
			g_free(label);
			g_free(e);
		}
		g_string_append(h, "</ul>\n");
	}

	for (i = 0; i < prep->forwards->len; i++) {
		note_sep(t);
		g_string_append(h, "<blockquote>\n");
		note_body(g_ptr_array_index(msg->forwards, i),
		    g_ptr_array_index(prep->forwards, i), note_fwd_line, b, t,
		    h);
		g_string_append(h, "</blockquote>\n");
	}
	/* Forwards left unprepared (too deep, or past the note's room). */
	if (msg->forwards != NULL && prep->forwards->len < msg->forwards->len)
		b->cut = true;
}

/* note_notice - one bracketed line at the end of both bodies */
static void
note_notice(const char *line, GString *t, GString *h)
{
	char *e;

	e = html_escape(line);
	note_sep(t);
	g_string_append_printf(t, "%s\n", line);
	g_string_append_printf(h, "<p><i>%s</i></p>\n", e);
	g_free(e);
}

/*
 * note_build - render msg with budget per body kind (SIZE_MAX: whole);
 * max_bytes only goes into the truncation notice.  Returns the new note.
 */
static struct note *
note_build(const struct message *msg, const struct note_prep *prep,
    size_t budget, size_t max_bytes)
{
	struct note_budget b = { .text = budget, .html = budget, .cut = false };
	struct note *note;
	GString *t, *h;
	char *line;

	t = g_string_new(NULL);
	h = g_string_new(NULL);
	note_body(msg, prep, NULL, &b, t, h);
	if (msg->fields_skipped > 0) {
		line = g_strdup_printf("[%" PRIu64 " header field%s beyond "
		    "the first %d %s skipped]", msg->fields_skipped,
		    msg->fields_skipped == 1 ? "" : "s", HEADBLOCK_MAX_FIELDS,
		    msg->fields_skipped == 1 ? "was" : "were");
		note_notice(line, t, h);
		g_free(line);
	}
	if (msg->limits_hit)
		note_notice(note_limits_line, t, h);
	/* Our own cut says more than the parser's, and subsumes it. */
	if (msg->truncated && !b.cut)
		note_notice(note_parser_cut_line, t, h);
	if (b.cut) {
		line = g_strdup_printf("[Note truncated: the message is longer "
		    "than the note limit of %zu bytes]", max_bytes);
		note_notice(line, t, h);
		g_free(line);
	}
	note = g_new0(struct note, 1);
	note->truncated = b.cut || msg->truncated;
	note->body_text = g_string_free(t, FALSE);
	note->body_html = g_string_free(h, FALSE);
	return note;
}

/* note_fits - body_text + body_html within max_bytes */
static bool
note_fits(const struct note *note, size_t max_bytes)
{
	return strlen(note->body_text) + strlen(note->body_html) <= max_bytes;
}

/*
 * note_squeeze - last resort when even an empty-bodied note is too big
 * (huge header blocks or attachment lists): cut the whole text note and
 * make the HTML from it.  Always fits, if need be as two empty strings.
 */
static struct note *
note_squeeze(struct note *big, size_t max_bytes)
{
	struct note *note;
	char *line, *cut;
	size_t len, n;

	note = g_new0(struct note, 1);
	note->truncated = true;
	line = g_strdup_printf("[Note truncated: the message is longer than "
	    "the note limit of %zu bytes]\n", max_bytes);
	len = strlen(big->body_text);
	n = max_bytes / 2;
	for (;;) {
		n = charset_utf8_fit(big->body_text, len, MIN(n, len));
		cut = g_strndup(big->body_text, n);
		note->body_text = g_strconcat(cut, n > 0 ? "\n" : "", line,
		    NULL);
		note->body_html = html_from_text(note->body_text);
		g_free(cut);
		if (note_fits(note, max_bytes))
			break;
		g_free(note->body_text);
		g_free(note->body_html);
		if (n == 0) {
			note->body_text = g_strdup("");
			note->body_html = g_strdup("");
			break;
		}
		n = n * 3 / 4;
	}
	g_free(line);
	note_free(&big);
	return note;
}

/* note_prep_cuts - before the size search: each HTML body scanned once
 * for its cuts (html_cut_new()), which then rescan a few KB each */
static void
note_prep_cuts(struct note_prep *prep)
{
	guint i;

	if (prep->html != NULL && prep->cut == NULL)
		prep->cut = html_cut_new(prep->html, strlen(prep->html));
	for (i = 0; i < prep->forwards->len; i++)
		note_prep_cuts(g_ptr_array_index(prep->forwards, i));
}

/*
 * note_prep_least - bytes the bodies of a note built whole from prep
 * have at least: each text whole, each HTML whole, at least what was
 * rendered of a text-only body's HTML
 */
static size_t
note_prep_least(const struct note_prep *prep)
{
	size_t n;
	guint i;

	n = strlen(prep->text);
	if (prep->html != NULL)
		n += strlen(prep->html);
	else
		n += html_cut_text_least(prep->ft);
	for (i = 0; i < prep->forwards->len; i++)
		n += note_prep_least(g_ptr_array_index(prep->forwards, i));
	return n;
}

/* note_render_with - note_render(); take as for note_prep_new() */
static enum gw_status
note_render_with(const struct message *msg, size_t max_bytes,
    bool split_history, char **take, struct note **note_r,
    struct gw_error *err)
{
	struct note_prep *prep;
	struct note *note;
	size_t lo, hi, mid, room, step;
	enum gw_status rc;

	*note_r = NULL;
	if (msg == NULL)
		return gw_error_set(err, GW_ESOFTWARE, "note: no message");
	room = max_bytes;
	prep = note_prep_new(msg, 0, split_history, &room, max_bytes, take);
	if (!note_has_content(msg, prep)) {
		rc = gw_error_set(err, GW_EDATA,
		    "message has no subject, text, HTML or attachments");
		goto out;
	}

	/* Built whole only when it may fit: the whole of a 1 MB text and
	 * of its HTML held twice the note's size. */
	note = note_prep_least(prep) <= max_bytes ? note_build(msg, prep,
	    SIZE_MAX, max_bytes) : NULL;
	if (note == NULL || !note_fits(note, max_bytes)) {
		/*
		 * The largest budget that fits.  Output grows with the budget
		 * (near enough: a re-sanitised cut may differ by a closing
		 * tag), and only budgets seen to fit are kept.
		 */
		note_free(&note);
		note_prep_cuts(prep);
		lo = 0;
		hi = max_bytes;
		/* To within 1/256 of the cap: each step sanitises again. */
		step = MAX(max_bytes / 256, 1);
		while (hi - lo >= step) {
			mid = lo + (hi - lo + 1) / 2;
			note = note_build(msg, prep, mid, max_bytes);
			if (note_fits(note, max_bytes))
				lo = mid;
			else
				hi = mid - 1;
			note_free(&note);
		}
		note = note_build(msg, prep, lo, max_bytes);
		if (!note_fits(note, max_bytes))
			note = note_squeeze(note, max_bytes);
	}
	*note_r = note;
	rc = GW_OK;
out:
	note_prep_free(prep);
	return rc;
}

/* note_render - the note for msg, within max_bytes */
enum gw_status
note_render(const struct message *msg, size_t max_bytes, bool split_history,
    struct note **note_r, struct gw_error *err)
{
	return note_render_with(msg, max_bytes, split_history, NULL, note_r,
	    err);
}

/* note_render_take - note_render(), msg->text taken (NULL after) */
enum gw_status
note_render_take(struct message *msg, size_t max_bytes, bool split_history,
    struct note **note_r, struct gw_error *err)
{
	if (msg == NULL)
		return note_render(msg, max_bytes, split_history, note_r, err);
	return note_render_with(msg, max_bytes, split_history, &msg->text,
	    note_r, err);
}

/* note_plain_html - body_html rebuilt from body_text, <p> and <br> only */
void
note_plain_html(struct note *note)
{
	if (note == NULL)
		return;
	g_free(note->body_html);
	note->body_html = html_from_text_plain(note->body_text);
}

/*
 * note_json_member - append ,"key":value (no comma for the first member)
 * to out, value a JSON string as json-c prints it plain with no slash
 * escaping; false on failure.  value goes through json-c in pieces of
 * NOTE_JSON_PIECE bytes, each printed and appended without its quotes:
 * json-c escapes byte by byte, so the pieces print as the whole would,
 * and its copy and print buffer hold one piece, not the body.
 */
static bool
note_json_member(GString *out, const char *key, const char *value)
{
	struct json_object *v;
	const char *s;
	size_t len, rest, n;

	g_string_append(out, out->len > 1 ? ",\"" : "\"");
	g_string_append(out, key);
	g_string_append(out, "\":\"");
	rest = strlen(value);
	while (rest > 0) {
		n = charset_utf8_fit(value, rest, MIN(rest, NOTE_JSON_PIECE));
		if (n == 0)	/* not UTF-8: no boundary in the piece */
			n = MIN(rest, NOTE_JSON_PIECE);
		v = json_object_new_string_len(value, (int)n);
		if (v == NULL)
			return false;
		s = json_object_to_json_string_length(v,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
		    &len);
		if (s == NULL || len < 2) {
			json_object_put(v);
			return false;
		}
		g_string_append_len(out, s + 1, (gssize)(len - 2));
		json_object_put(v);
		value += n;
		rest -= n;
	}
	g_string_append_c(out, '"');
	return true;
}

/*
 * note_to_json - the request body, serialised plain.  The object is
 * printed one member at a time, each body in pieces, into a buffer sized
 * for it: json-c printing the whole object at once held the note three
 * times more (its copy of each body, its print buffer and ours).  The
 * keys are plain ASCII, so the bytes are those json-c prints for the
 * object.
 */
enum gw_status
note_to_json(const struct note *note, char **json_r, size_t *len_r,
    struct gw_error *err)
{
	const char *text, *html;
	char *tmp_text, *tmp_html;
	GString *out;
	size_t guess;

	*json_r = NULL;
	if (len_r != NULL)
		*len_r = 0;
	/* Copied only when invalid: json-c copies them anyway. */
	text = note_valid_ref(note->body_text != NULL ? note->body_text : "",
	    &tmp_text);
	html = note_valid_ref(note->body_html != NULL ? note->body_html : "",
	    &tmp_html);
	/* Escaping lengthens a little: room for 1/16 more, then doubling. */
	guess = strlen(text) + strlen(html);
	guess += guess / 16 + 128;
	out = g_string_sized_new(guess);
	g_string_append_c(out, '{');
	if (!note_json_member(out, "type", "internal_note") ||
	    !note_json_member(out, "body_html", html) ||
	    !note_json_member(out, "body_text", text)) {
		g_string_free(out, TRUE);
		g_free(tmp_text);
		g_free(tmp_html);
		return gw_error_set(err, GW_ESOFTWARE,
		    "json-c: cannot serialise the note");
	}
	g_string_append_c(out, '}');
	g_free(tmp_text);
	g_free(tmp_html);
	if (len_r != NULL)
		*len_r = out->len;
	/* GString rounds up to a power of 2: give back the slack. */
	guess = out->len + 1;
	*json_r = g_realloc(g_string_free(out, FALSE), guess);
	return GW_OK;
}

/*
 * note_text_from_json - note->body_text again from json, note_to_json()'s
 * output: main frees the bodies once the JSON holds them, and needs the
 * text back only when the API refuses the HTML (note_plain_html())
 */
enum gw_status
note_text_from_json(struct note *note, const char *json, size_t len,
    struct gw_error *err)
{
	struct json_object *obj, *v;
	enum gw_status rc;

	/* The parser api_describe() reads the same JSON with. */
	obj = reply_parse(json, len);
	if (obj != NULL && json_object_object_get_ex(obj, "body_text", &v) &&
	    json_object_is_type(v, json_type_string)) {
		g_free(note->body_text);
		note->body_text = g_strndup(json_object_get_string(v),
		    (gsize)json_object_get_string_len(v));
		rc = GW_OK;
	} else
		rc = gw_error_set(err, GW_ESOFTWARE,
		    "json-c: no body_text in the note's JSON");
	json_object_put(obj);
	return rc;
}

/* note_free - free *note_r and set it to NULL */
void
note_free(struct note **note_r)
{
	if (note_r == NULL || *note_r == NULL)
		return;
	g_free((*note_r)->body_text);
	g_free((*note_r)->body_html);
	g_free(*note_r);
	*note_r = NULL;
}
