/*
 * test_headblock.c - unit tests for headblock (TAP): where the header
 * block ends, as Python's email reads it, and which fields are kept.
 *
 * Each case is fed whole, then split in two at every offset, and must
 * give the same result: the kept bytes (the ranges joined), how the
 * header ended, the body (from hb.body on) and the field counts.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "headblock.h"
#include "tap.h"

struct hb_case {
	const char *name;
	const char *in;
	uint64_t max_fields;	/* 0: the default */
	const char *kept;	/* the kept ranges, joined */
	enum headblock_end end;
	const char *body;	/* the input from hb.body on */
	int fields, skipped;
	bool plain;
};

static const struct hb_case cases[] = {
	{ .name = "empty line", .in = "From: a\nSubject: b\n\nbody\n",
	  .kept = "From: a\nSubject: b\n", .end = HEADBLOCK_BLANK,
	  .body = "body\n", .fields = 2, .plain = true },
	{ .name = "CRLF empty line", .in = "From: a\r\nTo: b\r\n\r\nbody\r\n",
	  .kept = "From: a\r\nTo: b\r\n", .end = HEADBLOCK_BLANK,
	  .body = "body\r\n", .fields = 2, .plain = true },
	{ .name = "white space only line ends the header",
	  .in = "From: a\nSubject: b\n   \nNote: kept\nline\n",
	  .kept = "From: a\nSubject: b\n", .end = HEADBLOCK_SPACE,
	  .body = "Note: kept\nline\n", .fields = 2 },
	{ .name = "tab and CRLF white space line",
	  .in = "From: a\r\n\t \r\nbody\r\n", .kept = "From: a\r\n",
	  .end = HEADBLOCK_SPACE, .body = "body\r\n", .fields = 1 },
	{ .name = "text line starts the body, kept",
	  .in = "From: a\nSubject: b\nThis is the body\nline two\n",
	  .kept = "From: a\nSubject: b\n", .end = HEADBLOCK_TEXT,
	  .body = "This is the body\nline two\n", .fields = 2 },
	{ .name = "colon after a blank is text",
	  .in = "From: a\nThis is: text\n", .kept = "From: a\n",
	  .end = HEADBLOCK_TEXT, .body = "This is: text\n", .fields = 1 },
	{ .name = "blanks before the colon: a field (RFC 5322 obs)",
	  .in = "From: a\nSubject : b\n\nx", .kept = "From: a\nSubject : b\n",
	  .end = HEADBLOCK_BLANK, .body = "x", .fields = 2, .plain = true },
	{ .name = ">From line is text", .in = "From: a\n>From here\n",
	  .kept = "From: a\n", .end = HEADBLOCK_TEXT, .body = ">From here\n",
	  .fields = 1 },
	{ .name = "From line inside the header is text",
	  .in = "From: a\nFrom me to you\n", .kept = "From: a\n",
	  .end = HEADBLOCK_TEXT, .body = "From me to you\n", .fields = 1 },
	{ .name = "mbox From_ line first: passed over",
	  .in = "From a@b Mon Jan  1 00:00:00 2024\nFrom: a\n\nbody",
	  .kept = "From: a\n", .end = HEADBLOCK_BLANK, .body = "body",
	  .fields = 1, .plain = true },
	{ .name = "8-bit byte in a name is text",
	  .in = "From: a\nX-J\xe9nk: v\n\nbody\n", .kept = "From: a\n",
	  .end = HEADBLOCK_TEXT, .body = "X-J\xe9nk: v\n\nbody\n",
	  .fields = 1 },
	{ .name = "8-bit value is fine", .in = "Subject: \xe9t\xe9\n\nb",
	  .kept = "Subject: \xe9t\xe9\n", .end = HEADBLOCK_BLANK,
	  .body = "b", .fields = 1, .plain = true },
	{ .name = "folded field",
	  .in = "Subject: a\n b\n\tc\nTo: d\n\nbody", 
	  .kept = "Subject: a\n b\n\tc\nTo: d\n", .end = HEADBLOCK_BLANK,
	  .body = "body", .fields = 2, .plain = true },
	{ .name = "leading white space skipped",
	  .in = "\n \n From: a\n\nbody", .kept = "From: a\n",
	  .end = HEADBLOCK_BLANK, .body = "body", .fields = 1,
	  .plain = true },
	{ .name = "header to the end, no body",
	  .in = "From: a\nSubject: b", .kept = "From: a\nSubject: b",
	  .end = HEADBLOCK_OPEN, .body = "", .fields = 2, .plain = true },
	{ .name = "no field at all", .in = "hello world\nFrom: a\n\n",
	  .kept = "", .end = HEADBLOCK_TEXT,
	  .body = "hello world\nFrom: a\n\n", .fields = 0, .plain = true },
	{ .name = "CR before text is text",
	  .in = "From: a\n\rX\n", .kept = "From: a\n", .end = HEADBLOCK_TEXT,
	  .body = "\rX\n", .fields = 1 },
	{ .name = "fields past the limit skipped, folds with them",
	  .in = "A: 1\nB: 2\nC: 3\n c\nD: 4\n\nbody", .max_fields = 2,
	  .kept = "A: 1\nB: 2\n", .end = HEADBLOCK_BLANK, .body = "body",
	  .fields = 4, .skipped = 2 },
	{ .name = "Content-* and MIME-Version kept past the limit",
	  .in = "A: 1\nB: 2\nMIME-Version: 1.0\nX: y\n"
	    "content-type: text/plain;\n charset=utf-8\nZ: z\n\nbody",
	  .max_fields = 1,
	  .kept = "A: 1\nMIME-Version: 1.0\ncontent-type: text/plain;\n"
	    " charset=utf-8\n",
	  .end = HEADBLOCK_BLANK, .body = "body", .fields = 6, .skipped = 3 },
};

/* run - feed c's input in two pieces split at cut; check what was found */
static int
run(const struct hb_case *c, size_t cut, bool report)
{
	struct headblock hb;
	GString *kept;
	size_t len = strlen(c->in);
	unsigned i;
	int ok;

	headblock_init(&hb, c->max_fields);
	headblock_feed(&hb, c->in, cut);
	headblock_feed(&hb, c->in + cut, len - cut);
	headblock_finish(&hb);
	kept = g_string_new(NULL);
	for (i = 0; i < hb.nkept; i++)
		g_string_append_len(kept, c->in + hb.kept[i].off,
		    (gssize)hb.kept[i].len);
	ok = strcmp(kept->str, c->kept) == 0 && hb.end == c->end &&
	    hb.body <= len && strcmp(c->in + hb.body, c->body) == 0 &&
	    hb.fields == (uint64_t)c->fields &&
	    hb.skipped == (uint64_t)c->skipped &&
	    headblock_plain(&hb) == c->plain &&
	    hb.kept_bytes == kept->len;
	if (report) {
		tap_str(kept->str, c->kept, c->name);
		tap_int(hb.end, c->end, "  how it ended");
		tap_str(hb.body <= len ? c->in + hb.body : "(past the end)",
		    c->body, "  the body");
		tap_int((long long)hb.fields, c->fields, "  fields");
		tap_int((long long)hb.skipped, c->skipped, "  skipped");
		tap_int(headblock_plain(&hb), c->plain, "  plain");
	}
	g_string_free(kept, TRUE);
	return ok;
}

/* test_in_body - lines are the body's once the header ended */
static void
test_in_body(void)
{
	struct headblock hb;

	headblock_init(&hb, 0);
	headblock_feed(&hb, "From: a\n", 8);
	tap_ok(!headblock_in_body(&hb, 8), "open header: not body yet");
	headblock_feed(&hb, "\nX: y\n", 6);
	tap_ok(!headblock_in_body(&hb, 0), "a header line is not body");
	tap_ok(headblock_in_body(&hb, 9), "after the empty line: body");
}

/* test_many - 500000 fields: counted, the first 10000 kept in one range,
 * in bounded time */
static void
test_many(void)
{
	struct headblock hb;
	GString *s = g_string_new("From: a\n");
	int i;

	for (i = 0; i < 500000; i++)
		g_string_append_printf(s, "X-F%d: v\n", i);
	g_string_append(s, "Content-Type: text/plain\n\nbody\n");
	headblock_init(&hb, 0);
	headblock_feed(&hb, s->str, s->len);
	headblock_finish(&hb);
	tap_int((long long)hb.fields, 500002, "500k fields: all counted");
	tap_int((long long)hb.skipped, 500002 - HEADBLOCK_MAX_FIELDS - 1,
	    "500k fields: past the limit skipped, Content-Type kept");
	tap_int(hb.nkept, 2, "500k fields: two ranges");
	tap_str(s->str + hb.body, "body\n", "500k fields: the body found");

	/* Content-* fields past the limit: only a few are kept. */
	g_string_assign(s, "From: a\n");
	for (i = 0; i < 100000; i++)
		g_string_append(s, "Content-X: v\n");
	g_string_append(s, "\nbody\n");
	headblock_init(&hb, 0);
	headblock_feed(&hb, s->str, s->len);
	headblock_finish(&hb);
	tap_int((long long)hb.skipped, 100001 - HEADBLOCK_MAX_FIELDS -
	    HEADBLOCK_MAX_EXTRA, "100k Content-X fields: all but a few "
	    "past the limit skipped");
	tap_int((long long)hb.kept_bytes, 8 + 13 * (HEADBLOCK_MAX_FIELDS - 1 +
	    HEADBLOCK_MAX_EXTRA), "100k Content-X fields: kept bytes");
	g_string_free(s, TRUE);
}

int
main(void)
{
	size_t i, cut, len;
	bool all;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		(void)run(&cases[i], strlen(cases[i].in), true);
		len = strlen(cases[i].in);
		all = true;
		for (cut = 0; cut < len; cut++)
			if (!run(&cases[i], cut, false))
				all = false;
		tap_ok(all, "  %s: the same in two pieces at any split",
		    cases[i].name);
	}
	test_in_body();
	test_many();
	return tap_done();
}
