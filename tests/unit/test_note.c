/*
 * test_note.c - note_render() and note_to_json(): header blocks, derived
 * bodies, escaping, forwards, attachment lists, size caps, exact JSON.
 *
 * Messages are built by hand (no GMime), and freed by test_msg_free()
 * so this test does not depend on message.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "message.h"
#include "note.h"
#include "tap.h"

#define MAX_BIG ((size_t)1 << 20)

/* test_msg_free - free one hand-made message and its forwards */
static void
test_msg_free(gpointer data)
{
	struct message *msg = data;

	if (msg == NULL)
		return;
	g_free(msg->from);
	g_free(msg->from_addr);
	g_free(msg->to);
	g_free(msg->cc);
	g_free(msg->date);
	g_free(msg->subject);
	g_free(msg->message_id);
	g_free(msg->in_reply_to);
	g_free(msg->references);
	g_free(msg->text);
	g_free(msg->html);
	if (msg->pieces != NULL)
		g_array_free(msg->pieces, TRUE);
	g_ptr_array_free(msg->attachments, TRUE);
	g_ptr_array_free(msg->forwards, TRUE);
	g_free(msg);
}

/* test_msg - a message with the usual headers (any may be NULL) */
static struct message *
test_msg(const char *from, const char *date, const char *subject,
    const char *text, const char *html)
{
	struct message *msg;

	msg = g_new0(struct message, 1);
	msg->from = g_strdup(from);
	msg->date = g_strdup(date);
	msg->subject = g_strdup(subject);
	msg->text = g_strdup(text);
	msg->html = g_strdup(html);
	msg->attachments = g_ptr_array_new_with_free_func(message_attachment_free);
	msg->forwards = g_ptr_array_new_with_free_func(test_msg_free);
	return msg;
}

/* test_add_att - append an attachment */
static void
test_add_att(struct message *msg, const char *name, const char *type,
    uint64_t size)
{
	struct message_attachment *att;

	att = g_new0(struct message_attachment, 1);
	att->filename = g_strdup(name);
	att->content_type = g_strdup(type);
	att->size = size;
	g_ptr_array_add(msg->attachments, att);
}

/* test_render - note_render or NULL; *rc_r gets the status */
static struct note *
test_render(const struct message *msg, size_t max, enum gw_status *rc_r)
{
	struct gw_error err;
	struct note *note = NULL;

	gw_error_clear(&err);
	*rc_r = note_render(msg, max, true, &note, &err);
	return note;
}

/* has - substring test, NULL-safe */
static int
has(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

/* Header blocks and text bodies: body_text must match exactly. */
static const struct {
	const char *name;
	const char *from, *date, *subject, *to, *cc;
	const char *text;
	const char *want;
} text_cases[] = {
	{ .name = "from date subject",
	  .from = "Ann Lee <ann@example.com>",
	  .date = "Tue, 4 Mar 2025 10:15:00 +0100",
	  .subject = "Printer on fire",
	  .text = "Hello,\nit burns.\n\nAnn\n",
	  .want = "From: Ann Lee <ann@example.com>\n"
		  "Date: Tue, 4 Mar 2025 10:15:00 +0100\n"
		  "Subject: Printer on fire\n"
		  "\n"
		  "Hello,\nit burns.\n\nAnn\n" },
	{ .name = "to and cc shown",
	  .from = "a@example.com", .date = "D", .subject = "S",
	  .to = "Support <support@helpdesk.example>",
	  .cc = "b@example.com, c@example.com",
	  .text = "x",
	  .want = "From: a@example.com\nDate: D\nSubject: S\n"
		  "To: Support <support@helpdesk.example>\n"
		  "Cc: b@example.com, c@example.com\n\nx\n" },
	{ .name = "absent date and subject omitted",
	  .from = "a@example.com", .text = "x",
	  .want = "From: a@example.com\n\nx\n" },
	{ .name = "no headers at all",
	  .text = "only a body",
	  .want = "only a body\n" },
	{ .name = "header line breaks and tabs folded",
	  .from = "a@example.com", .subject = "one\r\n two\tthree\x01",
	  .text = "x",
	  .want = "From: a@example.com\nSubject: one two three\n\nx\n" },
	{ .name = "crlf body becomes lf, trailing blank lines dropped",
	  .from = "a@example.com", .text = "l1\r\nl2\rl3\r\n\r\n\r\n",
	  .want = "From: a@example.com\n\nl1\nl2\nl3\n" },
	{ .name = "invalid utf-8 repaired",
	  .subject = "caf\xe9", .text = "na\xefve",
	  .want = "Subject: caf\xef\xbf\xbd\n\nna\xef\xbf\xbdve\n" },
};

/* test_text_cases - exact body_text for header/body combinations */
static void
test_text_cases(void)
{
	enum gw_status rc;
	struct message *msg;
	struct note *note;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(text_cases); i++) {
		msg = test_msg(text_cases[i].from, text_cases[i].date,
		    text_cases[i].subject, text_cases[i].text, NULL);
		msg->to = g_strdup(text_cases[i].to);
		msg->cc = g_strdup(text_cases[i].cc);
		note = test_render(msg, MAX_BIG, &rc);
		tap_int(rc, GW_OK, text_cases[i].name);
		tap_str(note ? note->body_text : NULL, text_cases[i].want,
		    text_cases[i].name);
		tap_ok(note != NULL && !note->truncated, "%s: not truncated",
		    text_cases[i].name);
		tap_ok(note != NULL && g_utf8_validate(note->body_html, -1,
		    NULL), "%s: html is UTF-8", text_cases[i].name);
		note_free(&note);
		test_msg_free(msg);
	}
}

/* test_header_html - the HTML header block is escaped markup we made */
static void
test_header_html(void)
{
	enum gw_status rc;
	struct message *msg;
	struct note *note;

	msg = test_msg("\"O'Brien & Co\" <ob@example.com>", "D",
	    "<b>hi</b>", "x", NULL);
	note = test_render(msg, MAX_BIG, &rc);
	tap_int(rc, GW_OK, "header html: rendered");
	tap_ok(has(note->body_html, "<p><b>From:</b> "),
	    "header html: starts with the From row");
	tap_ok(has(note->body_html, "O&#39;Brien &amp; Co&quot; "
	    "&lt;ob@example.com&gt;") || has(note->body_html,
	    "O&#x27;Brien &amp; Co&quot; &lt;ob@example.com&gt;"),
	    "header html: From escaped");
	tap_ok(has(note->body_html, "<b>Subject:</b> &lt;b&gt;hi&lt;/b&gt;"),
	    "header html: Subject escaped");
	tap_ok(!has(note->body_html, "<b>hi</b>"),
	    "header html: no markup from the Subject");
	note_free(&note);
	test_msg_free(msg);
}

/* test_bodies - which part becomes what */
static void
test_bodies(void)
{
	enum gw_status rc;
	struct message *msg;
	struct note *note;

	/* Text only: escaped HTML. */
	msg = test_msg("a@example.com", NULL, NULL,
	    "see <script>alert(1)</script> & \"this\"", NULL);
	note = test_render(msg, MAX_BIG, &rc);
	tap_int(rc, GW_OK, "text only: rendered");
	tap_ok(has(note->body_text, "see <script>alert(1)</script> & \"this\""),
	    "text only: text kept verbatim");
	tap_ok(has(note->body_html, "&lt;script&gt;alert(1)&lt;/script&gt;"),
	    "text only: <script> escaped in html");
	tap_ok(!has(note->body_html, "<script"), "text only: no <script");
	tap_ok(has(note->body_html, "&amp;"), "text only: & escaped");
	note_free(&note);
	test_msg_free(msg);

	/* HTML only: readable text, sanitised HTML. */
	msg = test_msg("a@example.com", NULL, NULL, NULL,
	    "<html><head><style>p{color:red}</style></head><body>"
	    "<p>Hello <b>world</b></p><script>alert(1)</script>"
	    "<img src=x onerror=alert(2)></body></html>");
	note = test_render(msg, MAX_BIG, &rc);
	tap_int(rc, GW_OK, "html only: rendered");
	tap_ok(has(note->body_text, "Hello world"),
	    "html only: text made from html");
	tap_ok(!has(note->body_text, "color:red") &&
	    !has(note->body_text, "alert"),
	    "html only: no style or script in text");
	tap_ok(has(note->body_html, "<b>world</b>"),
	    "html only: markup kept");
	tap_ok(!has(note->body_html, "<script") &&
	    !has(note->body_html, "onerror") &&
	    !has(note->body_html, "<style"),
	    "html only: sanitised");
	note_free(&note);
	test_msg_free(msg);

	/* Both: each is used as such. */
	msg = test_msg("a@example.com", NULL, NULL, "plain version",
	    "<div dir=\"ltr\">rich <i>version</i></div>");
	note = test_render(msg, MAX_BIG, &rc);
	tap_int(rc, GW_OK, "both: rendered");
	tap_str(note->body_text, "From: a@example.com\n\nplain version\n",
	    "both: text is the text part");
	tap_ok(has(note->body_html, "<i>version</i>") &&
	    !has(note->body_html, "plain version"),
	    "both: html is the html part");
	note_free(&note);
	test_msg_free(msg);

	/* HTML that sanitises to nothing: the text part makes the HTML. */
	msg = test_msg("a@example.com", NULL, NULL, "the real words",
	    "<html><head><style>p{}</style></head><body><script>x()</script>"
	    "<div> </div></body></html>");
	note = test_render(msg, MAX_BIG, &rc);
	tap_ok(rc == GW_OK && has(note->body_html, "the real words"),
	    "empty sanitised html: html made from the text");
	note_free(&note);
	test_msg_free(msg);

	/* Blank text part, real HTML: the HTML wins for the text too. */
	msg = test_msg("a@example.com", NULL, NULL, " \r\n",
	    "<p>from html</p>");
	note = test_render(msg, MAX_BIG, &rc);
	tap_ok(rc == GW_OK && has(note->body_text, "from html"),
	    "blank text: text made from html");
	note_free(&note);
	test_msg_free(msg);
}

/* test_forward - a forwarded message keeps its own header block */
static void
test_forward(void)
{
	enum gw_status rc;
	struct message *msg, *fwd, *fwd2;
	struct note *note;

	msg = test_msg("Agent <agent@example.com>", "D1", "Fwd: invoice",
	    "FYI, see below.", NULL);
	fwd = test_msg("Customer <cust@example.org>", "D2", "invoice",
	    "Where is my invoice?", NULL);
	fwd->to = g_strdup("agent@example.com");
	test_add_att(fwd, "invoice.pdf", "application/pdf", 2048);
	fwd2 = test_msg("Billing <billing@example.net>", "D3", "old", NULL,
	    "<p>inner <b>html</b></p>");
	g_ptr_array_add(fwd->forwards, fwd2);
	g_ptr_array_add(msg->forwards, fwd);
	test_add_att(msg, "note.txt", "text/plain", 12);
	note = test_render(msg, MAX_BIG, &rc);
	tap_int(rc, GW_OK, "forward: rendered");
	tap_str(note->body_text,
	    "From: Agent <agent@example.com>\nDate: D1\nSubject: Fwd: invoice\n"
	    "\nFYI, see below.\n"
	    "\nAttachments:\n- note.txt (text/plain, 12 bytes)\n"
	    "\n---------- Forwarded message ----------\n"
	    "From: Customer <cust@example.org>\nDate: D2\nSubject: invoice\n"
	    "To: agent@example.com\n"
	    "\nWhere is my invoice?\n"
	    "\nAttachments:\n- invoice.pdf (application/pdf, 2.0 KB)\n"
	    "\n---------- Forwarded message ----------\n"
	    "From: Billing <billing@example.net>\nDate: D3\nSubject: old\n"
	    "\ninner html\n",
	    "forward: text");
	tap_ok(has(note->body_html, "<blockquote>") &&
	    has(note->body_html, "Customer &lt;cust@example.org&gt;") &&
	    has(note->body_html, "<b>html</b>") &&
	    has(note->body_html, "<li>invoice.pdf (application/pdf, 2.0 KB)"
	    "</li>"),
	    "forward: html");
	note_free(&note);
	test_msg_free(msg);

	/* A forward alone is a note. */
	msg = test_msg("a@example.com", NULL, "Fwd", NULL, NULL);
	g_ptr_array_add(msg->forwards, test_msg("b@example.com", NULL, NULL,
	    "inner", NULL));
	note = test_render(msg, MAX_BIG, &rc);
	tap_ok(rc == GW_OK && has(note->body_text, "inner"),
	    "forward only: a note");
	note_free(&note);
	test_msg_free(msg);
}

/* Attachment labels: name, type and human size. */
static const struct {
	const char *name;
	const char *filename, *type;
	uint64_t size;
	const char *want;
} att_cases[] = {
	{ "zero", "empty.txt", "text/plain", 0,
	  "- empty.txt (text/plain, 0 bytes)" },
	{ "one", "a", "text/plain", 1, "- a (text/plain, 1 byte)" },
	{ "bytes", "b.bin", "application/octet-stream", 532,
	  "- b.bin (application/octet-stream, 532 bytes)" },
	{ "1023", "c", "x/y", 1023, "- c (x/y, 1023 bytes)" },
	{ "1 KB", "c", "x/y", 1024, "- c (x/y, 1.0 KB)" },
	{ "1.5 KB", "c", "x/y", 1536, "- c (x/y, 1.5 KB)" },
	{ "1.2 MB", "report.pdf", "application/pdf", 1258291,
	  "- report.pdf (application/pdf, 1.2 MB)" },
	{ "3 GB", "dump", "x/y", UINT64_C(3) << 30, "- dump (x/y, 3.0 GB)" },
	{ "unnamed", "", "image/png", 10, "- (unnamed) (image/png, 10 bytes)" },
	{ "null name", NULL, "image/png", 10,
	  "- (unnamed) (image/png, 10 bytes)" },
	{ "no type", "x", "", 10, "- x (10 bytes)" },
	{ "newline in name", "a\nFrom: evil", "text/plain", 1,
	  "- a From: evil (text/plain, 1 byte)" },
	{ "utf-8 name", "r\xc3\xa9sum\xc3\xa9.pdf", "application/pdf", 100,
	  "- r\xc3\xa9sum\xc3\xa9.pdf (application/pdf, 100 bytes)" },
};

/* test_attachments - the list in text and html */
static void
test_attachments(void)
{
	enum gw_status rc;
	struct message *msg;
	struct note *note;
	char *want;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(att_cases); i++) {
		msg = test_msg("a@example.com", NULL, NULL, NULL, NULL);
		test_add_att(msg, att_cases[i].filename, att_cases[i].type,
		    att_cases[i].size);
		note = test_render(msg, MAX_BIG, &rc);
		want = g_strdup_printf("From: a@example.com\n\nAttachments:\n"
		    "%s\n", att_cases[i].want);
		tap_str(note ? note->body_text : NULL, want,
		    att_cases[i].name);
		g_free(want);
		note_free(&note);
		test_msg_free(msg);
	}

	msg = test_msg("a@example.com", NULL, NULL, NULL, NULL);
	test_add_att(msg, "scan.pdf", "application/octet-stream", 855);
	((struct message_attachment *)g_ptr_array_index(msg->attachments,
	    0))->partial = true;
	note = test_render(msg, MAX_BIG, &rc);
	tap_str(note ? note->body_text : NULL, "From: a@example.com\n\n"
	    "Attachments:\n- scan.pdf (application/octet-stream, 855 bytes, "
	    "incomplete)\n", "partial file: incomplete");
	tap_ok(note != NULL && has(note->body_html, "<li>scan.pdf "
	    "(application/octet-stream, 855 bytes, incomplete)</li>"),
	    "partial file: incomplete in html");
	note_free(&note);
	test_msg_free(msg);

	msg = test_msg("a@example.com", NULL, NULL, "x", NULL);
	test_add_att(msg, "<img src=x onerror=alert(1)>.png", "image/png", 5);
	note = test_render(msg, MAX_BIG, &rc);
	tap_ok(has(note->body_html, "<ul>") &&
	    has(note->body_html, "<li>&lt;img src=x onerror=alert(1)&gt;.png"
	    " (image/png, 5 bytes)</li>") &&
	    !has(note->body_html, "<img"),
	    "attachment name escaped in html");
	note_free(&note);
	test_msg_free(msg);
}

/* test_truncate_one - render msg at max and check the invariants */
static void
test_truncate_one(const char *name, struct message *msg, size_t max,
    bool want_cut)
{
	enum gw_status rc;
	struct note *note;
	size_t total;

	note = test_render(msg, max, &rc);
	tap_int(rc, GW_OK, name);
	if (note == NULL)
		return;
	total = strlen(note->body_text) + strlen(note->body_html);
	tap_ok(total <= max, "%s: %zu bytes within %zu", name, total, max);
	tap_ok(g_utf8_validate(note->body_text, -1, NULL) &&
	    g_utf8_validate(note->body_html, -1, NULL), "%s: valid UTF-8",
	    name);
	tap_int(note->truncated, want_cut, name);
	if (want_cut && max >= 600)
		tap_ok(has(note->body_text, "[Note truncated") &&
		    has(note->body_html, "[Note truncated"),
		    "%s: says it was truncated", name);
	note_free(&note);
}

/* test_truncate - size caps on text, html, forwards, huge headers */
static void
test_truncate(void)
{
	struct message *msg;
	GString *big;
	enum gw_status rc;
	struct note *note;
	size_t i;

	/* Two-byte characters, so a cut can land inside one. */
	big = g_string_new(NULL);
	for (i = 0; i < 5000; i++)
		g_string_append(big, "\xc3\xa9");
	g_string_append(big, "<tail>");
	msg = test_msg("a@example.com", "D", "S", big->str, NULL);
	test_truncate_one("text fits", msg, MAX_BIG, false);
	test_truncate_one("text cut 2001", msg, 2001, true);
	test_truncate_one("text cut 4000", msg, 4000, true);
	test_truncate_one("text cut 700", msg, 700, true);
	test_truncate_one("text tiny 10", msg, 10, true);
	test_truncate_one("text zero", msg, 0, true);

	/* Keeps most of the budget for the body. */
	note = test_render(msg, 4000, &rc);
	tap_ok(note != NULL && strlen(note->body_text) > 1000,
	    "text cut 4000: body mostly kept (%zu)",
	    note ? strlen(note->body_text) : 0);
	tap_ok(note != NULL && !has(note->body_text, "<tail>"),
	    "text cut 4000: the tail is gone");
	note_free(&note);
	test_msg_free(msg);

	/* HTML, cut inside nested markup. */
	g_string_truncate(big, 0);
	g_string_append(big, "<div><table><tr><td><ul>");
	for (i = 0; i < 400; i++)
		g_string_append_printf(big, "<li><a href=\"https://e.example/"
		    "%zu\">l\xc3\xa9nk %zu</a> &amp; more</li>", i, i);
	g_string_append(big, "</ul></td></tr></table></div>");
	msg = test_msg("a@example.com", "D", "S", NULL, big->str);
	test_truncate_one("html cut 3000", msg, 3000, true);
	test_truncate_one("html cut 777", msg, 777, true);
	note = test_render(msg, 5000, &rc);
	tap_ok(note != NULL && has(note->body_html, "</ul>") &&
	    has(note->body_html, "</table>"),
	    "html cut: open elements closed");
	note_free(&note);
	test_msg_free(msg);

	/* A big forward and a huge header block. */
	msg = test_msg("a@example.com", "D", "S", "short", NULL);
	g_string_truncate(big, 0);
	for (i = 0; i < 3000; i++)
		g_string_append(big, "line of forwarded text\n");
	g_ptr_array_add(msg->forwards, test_msg("b@example.com", "D", "S",
	    big->str, NULL));
	test_truncate_one("forward cut", msg, 5000, true);
	note = test_render(msg, 5000, &rc);
	tap_ok(note != NULL && has(note->body_text, "short") &&
	    has(note->body_text, "Forwarded message"),
	    "forward cut: outer body and forward header kept");
	note_free(&note);
	for (i = 0; i < 200; i++)
		test_add_att(msg, "some-long-attachment-name.pdf",
		    "application/pdf", 1000);
	test_truncate_one("attachment list too big", msg, 3000, true);
	test_msg_free(msg);

	/*
	 * Forwards after the body has filled the note are not even
	 * prepared (sanitising 30 forwards of 1 MB of HTML took a minute):
	 * none of them shows, and the note says it was cut.
	 */
	g_string_truncate(big, 0);
	for (i = 0; i < 600; i++)
		g_string_append(big, "abcdefghij\n");
	msg = test_msg("a@example.com", "D", "S", big->str, NULL);
	for (i = 0; i < 3; i++)
		g_ptr_array_add(msg->forwards, test_msg("late@example.com",
		    "D", "S", "late text", "<p>late html</p>"));
	note = test_render(msg, 5000, &rc);
	tap_ok(note != NULL && note->truncated &&
	    !has(note->body_text, "late@example.com") &&
	    !has(note->body_html, "late@example.com") &&
	    has(note->body_text, "[Note truncated"),
	    "forwards past a full note: left out, the note says it was cut");
	note_free(&note);
	test_msg_free(msg);

	/* A text cut ends on a whole line, right before the notice. */
	g_string_truncate(big, 0);
	for (i = 0; i < 1000; i++)
		g_string_append(big, "abcdefghij\n");
	msg = test_msg("a@example.com", NULL, NULL, big->str, NULL);
	note = test_render(msg, 3000, &rc);
	tap_ok(note != NULL && has(note->body_text, "abcdefghij\n\n"
	    "[Note truncated: the message is longer than the note limit of "
	    "3000 bytes]\n") && !has(note->body_text, "\n\n\n"),
	    "text cut: on a line end, one blank line before the notice");
	note_free(&note);
	msg->truncated = true;
	note = test_render(msg, 3000, &rc);
	tap_ok(note != NULL && !has(note->body_text, "too long and was cut"),
	    "text cut: our notice replaces the parser's");
	note_free(&note);
	test_msg_free(msg);

	/* The parser already cut a body; the note says so. */
	msg = test_msg("a@example.com", NULL, NULL, "cut by the parser", NULL);
	msg->truncated = true;
	msg->limits_hit = true;
	note = test_render(msg, MAX_BIG, &rc);
	tap_ok(note != NULL && note->truncated &&
	    has(note->body_text, "too long and was cut") &&
	    has(note->body_text, "MIME parts were skipped") &&
	    has(note->body_html, "MIME parts were skipped"),
	    "parser cut and limits hit: noted");
	note_free(&note);
	test_msg_free(msg);

	g_string_free(big, TRUE);
}

/* test_empty - nothing to post is GW_EDATA; a subject alone is content */
static void
test_empty(void)
{
	static const struct {
		const char *name;
		const char *subject, *text, *html;
		enum gw_status want;
	} cases[] = {
		{ "no bodies, no subject", NULL, NULL, NULL, GW_EDATA },
		{ "empty text, no subject", NULL, "", NULL, GW_EDATA },
		{ "blank text, empty subject", "", " \r\n\t\n", NULL,
		  GW_EDATA },
		{ "empty html, blank subject", " \t\r\n ", NULL,
		  "<html><body> </body></html>", GW_EDATA },
		{ "blank both, no subject", NULL, "\n", "<p></p>", GW_EDATA },
		{ "one char, no subject", NULL, "x", NULL, GW_OK },
		{ "subject only", "Re: [#T30] please close", NULL, NULL, GW_OK },
		{ "subject, blank bodies", "S", "\n", "<div><br></div>", GW_OK },
	};
	struct gw_error err;
	struct message *msg;
	struct note *note;
	enum gw_status rc;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		msg = test_msg("a@example.com", "D", cases[i].subject,
		    cases[i].text, cases[i].html);
		note = NULL;
		gw_error_clear(&err);
		rc = note_render(msg, MAX_BIG, true, &note, &err);
		tap_int(rc, cases[i].want, cases[i].name);
		tap_ok((rc == GW_OK) == (note != NULL), "%s: note iff OK",
		    cases[i].name);
		if (rc == GW_EDATA)
			tap_ok(err.code == GW_EDATA &&
			    has(err.text, "no subject, text"), "%s: error "
			    "text", cases[i].name);
		note_free(&note);
		test_msg_free(msg);
	}

	/* The subject is the content: the header block is the note. */
	msg = test_msg("Agent <agent@example.com>", "Mon, 2 Mar 2026",
	    "Re: [#T30] please close <now> & \"then\"", NULL, NULL);
	note = test_render(msg, MAX_BIG, &rc);
	tap_int(rc, GW_OK, "subject only: a note");
	if (note != NULL) {
		tap_str(note->body_text, "From: Agent <agent@example.com>\n"
		    "Date: Mon, 2 Mar 2026\nSubject: Re: [#T30] please close "
		    "<now> & \"then\"\n", "subject only: text is the header "
		    "block");
		tap_str(note->body_html, "<p><b>From:</b> Agent &lt;agent@"
		    "example.com&gt;<br>\n<b>Date:</b> Mon, 2 Mar 2026<br>\n"
		    "<b>Subject:</b> Re: [#T30] please close &lt;now&gt; &amp; "
		    "&quot;then&quot;</p>\n", "subject only: HTML is the "
		    "header block, escaped");
	}
	note_free(&note);
	test_msg_free(msg);

	msg = test_msg("a@example.com", "D", "S", NULL, NULL);
	test_add_att(msg, "scan.pdf", "application/pdf", 99);
	note = test_render(msg, MAX_BIG, &rc);
	tap_int(rc, GW_OK, "attachment only: a note");
	note_free(&note);
	test_msg_free(msg);

	/*
	 * A body cut by the parser (1 MB of data: URI before the text) or
	 * parts skipped at the MIME limits: the mail had content we did not
	 * show, so it is not empty; the note says what was left out.
	 */
	msg = test_msg("a@example.com", "D", "S", NULL,
	    "<p><img src=\"data:image/png;base64,AAAA");
	msg->truncated = true;
	note = test_render(msg, MAX_BIG, &rc);
	tap_int(rc, GW_OK, "HTML cut before any text: a note, no bounce");
	tap_ok(note != NULL && has(note->body_text, "was cut"),
	    "HTML cut before any text: the note says it was cut");
	note_free(&note);
	test_msg_free(msg);
	msg = test_msg("a@example.com", "D", "S", NULL, NULL);
	msg->limits_hit = true;
	note = test_render(msg, MAX_BIG, &rc);
	tap_int(rc, GW_OK, "every part past the MIME limits: a note, no "
	    "bounce");
	tap_ok(note != NULL && has(note->body_text, "skipped"),
	    "MIME limits: the note says parts were skipped");
	note_free(&note);
	test_msg_free(msg);
	note_free(NULL);
	note_free(&note);
	tap_ok(note == NULL, "note_free: NULL-safe");
}

/* Exact JSON bytes. */
static const struct {
	const char *name;
	const char *text, *html;
	const char *want;
} json_cases[] = {
	{ "plain", "hi\n", "<p>hi</p>",
	  "{\"type\":\"internal_note\",\"body_html\":\"<p>hi</p>\","
	  "\"body_text\":\"hi\\n\"}" },
	{ "unicode quote backslash slash",
	  "caf\xc3\xa9 \"q\" back\\slash a/b </p>\ttab",
	  "<a href=\"https://x.example/a\">\xe2\x82\xac</a>",
	  "{\"type\":\"internal_note\","
	  "\"body_html\":\"<a href=\\\"https://x.example/a\\\">\xe2\x82\xac</a>\","
	  "\"body_text\":\"caf\xc3\xa9 \\\"q\\\" back\\\\slash a/b </p>\\ttab\"}" },
	{ "control characters", "a\x01" "b\x1f" "c\r",
	  "",
	  "{\"type\":\"internal_note\",\"body_html\":\"\","
	  "\"body_text\":\"a\\u0001b\\u001fc\\r\"}" },
	{ "invalid utf-8 repaired", "\xff" "x", "\xc3",
	  "{\"type\":\"internal_note\",\"body_html\":\"\xef\xbf\xbd\","
	  "\"body_text\":\"\xef\xbf\xbdx\"}" },
	{ "emoji", "\xf0\x9f\x94\xa5", "",
	  "{\"type\":\"internal_note\",\"body_html\":\"\","
	  "\"body_text\":\"\xf0\x9f\x94\xa5\"}" },
};

/* test_json - note_to_json byte for byte */
static void
test_json(void)
{
	struct gw_error err;
	struct note note;
	char *json;
	size_t i, len;
	enum gw_status rc;

	for (i = 0; i < G_N_ELEMENTS(json_cases); i++) {
		note.body_text = (char *)(uintptr_t)json_cases[i].text;
		note.body_html = (char *)(uintptr_t)json_cases[i].html;
		note.truncated = false;
		json = NULL;
		len = 0;
		rc = note_to_json(&note, &json, &len, &err);
		tap_int(rc, GW_OK, json_cases[i].name);
		tap_str(json, json_cases[i].want, json_cases[i].name);
		tap_int((long long)len, json ? (long long)strlen(json) : -1,
		    "length without the NUL");
		g_free(json);
	}
}

/* test_end_to_end - render then serialise: valid, stable */
static void
test_end_to_end(void)
{
	struct gw_error err;
	struct message *msg;
	struct note *note;
	char *json, *json2;
	size_t len;
	enum gw_status rc;

	msg = test_msg("Zo\xc3\xab <zoe@example.com>", "D", "R\xc3\xa9: [#T1]",
	    "a/b \"c\" \\ d", NULL);
	note = test_render(msg, MAX_BIG, &rc);
	json = json2 = NULL;
	rc = note_to_json(note, &json, &len, &err);
	tap_int(rc, GW_OK, "end to end: json");
	tap_ok(json != NULL && g_str_has_prefix(json,
	    "{\"type\":\"internal_note\",\"body_html\":\"<p><b>From:</b> "
	    "Zo\xc3\xab &lt;zoe@example.com&gt;"),
	    "end to end: prefix");
	tap_ok(json != NULL && has(json, "\"body_text\":\"From: Zo\xc3\xab "
	    "<zoe@example.com>\\nDate: D\\nSubject: R\xc3\xa9: [#T1]\\n\\n"
	    "a/b \\\"c\\\" \\\\ d\\n\"}"),
	    "end to end: body_text");
	(void)note_to_json(note, &json2, &len, &err);
	tap_str(json2, json, "end to end: stable");
	g_free(json);
	g_free(json2);
	note_free(&note);
	test_msg_free(msg);
}

/* test_plain_html - body_html rebuilt from body_text, <p>/<br> only */
static void
test_plain_html(void)
{
	struct message *msg;
	struct note *note;
	enum gw_status rc;

	msg = test_msg("a@example.com", "D", "S", "see https://x.example/\n"
	    "> quoted <b>", "<table><tr><td>rich</td></tr></table>");
	note = test_render(msg, MAX_BIG, &rc);
	if (tap_int(rc, GW_OK, "plain html: rendered") && note != NULL) {
		note_plain_html(note);
		tap_str(note->body_html, "<p>From: a@example.com<br>\n"
		    "Date: D<br>\nSubject: S</p>\n<p>see https://x.example/"
		    "</p>\n<p>--- Quoted history ---<br>\n"
		    "&gt; quoted &lt;b&gt;</p>", "plain html: the text, "
		    "escaped, in <p> and <br> (the quote set apart)");
	}
	note_free(&note);
	note_plain_html(NULL);
	tap_ok(1, "plain html: NULL-safe");
	test_msg_free(msg);
}

/* test_split_switch - split_history sets the history apart, or not */
static void
test_split_switch(void)
{
	struct message *msg;
	struct note *note;
	struct gw_error err;
	enum gw_status rc;
	int on;

	msg = test_msg("a@example.com", "D", "Re: S", "Yes.\n\nOn Mon, Ann "
	    "<a@b.c> wrote:\n> q?\n", NULL);
	for (on = 0; on <= 1; on++) {
		rc = note_render(msg, MAX_BIG, on, &note, &err);
		if (!tap_int(rc, GW_OK, "split switch: rendered"))
			continue;
		tap_ok((strstr(note->body_text, "\nYes.\n\n--- Quoted "
		    "history ---\nOn Mon") != NULL) == on,
		    "split switch %d: body_text", on);
		tap_ok((strstr(note->body_html, "<p>--- Quoted history ---"
		    "</p>\n<blockquote>") != NULL) == on,
		    "split switch %d: body_html", on);
		note_free(&note);
	}
	test_msg_free(msg);
}

/* test_piece - append a piece: ranges of msg->text and msg->html */
static void
test_piece(struct message *msg, size_t to, size_t tl, size_t ho, size_t hl)
{
	struct message_piece p = { to, tl, ho, hl };

	if (msg->pieces == NULL)
		msg->pieces = g_array_new(FALSE, FALSE, sizeof(p));
	g_array_append_val(msg->pieces, p);
}

/*
 * test_pieces - text/plain and text/html siblings (message.pieces): both
 * bodies carry every piece, in order, each in its own form
 */
static void
test_pieces(void)
{
	enum gw_status rc;
	struct message *msg;
	struct note *note;
	const char *t, *h;

	/* text "alpha first\ngamma last\n", html "<p>beta <b>mid</b></p>" */
	msg = test_msg("a@example.com", NULL, NULL,
	    "alpha first\ngamma <last>\n", "<p>beta <b>mid</b></p>");
	test_piece(msg, 0, 12, 0, 0);
	test_piece(msg, 0, 0, 0, strlen(msg->html));
	test_piece(msg, 12, strlen(msg->text) - 12, 0, 0);
	note = test_render(msg, MAX_BIG, &rc);
	tap_int(rc, GW_OK, "pieces: rendered");
	t = note != NULL ? note->body_text : "";
	h = note != NULL ? note->body_html : "";
	tap_ok(has(t, "alpha first") && has(t, "beta mid") &&
	    has(t, "gamma <last>") && strstr(t, "alpha") < strstr(t, "beta") &&
	    strstr(t, "beta") < strstr(t, "gamma"),
	    "pieces: body_text has all three in order");
	tap_ok(has(h, "alpha first") && has(h, "<b>mid</b>") &&
	    has(h, "gamma &lt;last&gt;") && strstr(h, "alpha") <
	    strstr(h, "beta") && strstr(h, "beta") < strstr(h, "gamma"),
	    "pieces: body_html has all three in order, text escaped");
	if (note == NULL || !has(t, "beta mid"))
		printf("#   text: %s\n#   html: %s\n", t, h);
	note_free(&note);
	test_msg_free(msg);
}

/*
 * test_take_and_json - note_render_take() renders what note_render()
 * does and leaves msg->text NULL; note_text_from_json() gets body_text
 * back from the JSON byte for byte, big bodies and escapes included
 */
static void
test_take_and_json(void)
{
	static const size_t caps[] = { MAX_BIG, 16384, 4000 };
	struct gw_error err;
	struct message *msg;
	struct note *a, *b, *c;
	GString *big;
	char *json, *json2;
	size_t i, k, len;
	enum gw_status rc;

	big = g_string_new("Hello \"you\" \\ \x01\x1f caf\xc3\xa9\r\n\r\n");
	for (i = 0; big->len < 300 * 1024; i++)
		g_string_append_printf(big, "%s line %zu of the text, "
		    "https://x.example/%zu\t<b>&amp;</b>\r\n", i % 7 == 0 ?
		    "> " : "", i, i);
	for (k = 0; k < G_N_ELEMENTS(caps); k++) {
		msg = test_msg("a@example.com", "D", "S", big->str, NULL);
		a = test_render(msg, caps[k], &rc);
		c = NULL;
		gw_error_clear(&err);
		rc = note_render_take(msg, caps[k], true, &c, &err);
		tap_ok(rc == GW_OK, "take, cap %zu: rendered", caps[k]);
		tap_ok(msg->text == NULL, "take, cap %zu: msg->text taken",
		    caps[k]);
		tap_ok(a != NULL && c != NULL && strcmp(a->body_text,
		    c->body_text) == 0 && strcmp(a->body_html, c->body_html) ==
		    0 && a->truncated == c->truncated, "take, cap %zu: the "
		    "note note_render() makes", caps[k]);
		json = json2 = NULL;
		b = g_new0(struct note, 1);
		if (a != NULL && note_to_json(a, &json, &len, &err) == GW_OK) {
			rc = note_text_from_json(b, json, len, &err);
			tap_ok(rc == GW_OK, "from json, cap %zu: parsed",
			    caps[k]);
			tap_ok(b->body_text != NULL && strcmp(b->body_text,
			    a->body_text) == 0, "from json, cap %zu: body_text "
			    "as it was", caps[k]);
		} else
			tap_ok(0, "from json, cap %zu: no JSON", caps[k]);
		note_free(&a);
		note_free(&b);
		note_free(&c);
		g_free(json);
		g_free(json2);
		test_msg_free(msg);
	}
	g_string_free(big, TRUE);

	b = g_new0(struct note, 1);
	gw_error_clear(&err);
	rc = note_text_from_json(b, "{\"body_html\":\"x\"}", 18, &err);
	tap_int(rc, GW_ESOFTWARE, "from json: no body_text is an error");
	rc = note_text_from_json(b, "{\"body_text\":\"cut", 17, &err);
	tap_int(rc, GW_ESOFTWARE, "from json: truncated JSON is an error");
	tap_ok(b->body_text == NULL, "from json: body_text left alone");
	note_free(&b);
	msg = NULL;
	rc = note_render_take(msg, MAX_BIG, true, &a, &err);
	tap_int(rc, GW_ESOFTWARE, "take: NULL message");
}

int
main(void)
{
	test_pieces();
	test_split_switch();
	test_plain_html();
	test_text_cases();
	test_header_html();
	test_bodies();
	test_forward();
	test_attachments();
	test_truncate();
	test_empty();
	test_json();
	test_end_to_end();
	test_take_and_json();
	return tap_done();
}
