/*
 * test_uuencode.c - unit tests for the uuencode module (TAP): blocks that
 * are taken out of the text (one, two, base64, CRLF, cut short, hostile
 * names) and text that must stay text ("begin 644 meetings" in prose,
 * almost-uuencode, long lines); each case is fed whole, then one byte at
 * a time, which must give the same result.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "message.h"
#include "tap.h"
#include "uuencode.h"

/* bytes 0..99 uuencoded (two full lines and a short one) */
#define UU100 "M``$\"`P0%!@<(\"0H+#`T.#Q`1$A,4%187&!D:&QP='A\\@(2(C)\"4F)R@I*BLL\n" \
	"M+2XO,#$R,S0U-C<X.3H[/#T^/T!!0D-$149'2$E*2TQ-3D]045)35%565UA9\n" \
	"*6EM<75Y?8&%B8P``\n"
/* "hi there!\n" uuencoded: 10 bytes, one line */
#define UU10 "*:&D@=&AE<F4A\"@``\n"
/* bytes 0..99 in base64, as uuencode -m writes them */
#define B64_100 \
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss\n" \
	"LS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZ\n" \
	"WltcXV5fYGFiYw==\n"

struct want_file {
	const char *name;
	long long size;
	bool partial;
};

struct uu_case {
	const char *name;
	const char *input;
	size_t len;		/* 0: strlen(input) */
	const char *charset;
	const char *text;	/* the text given back */
	int files;
	struct want_file file[3];
};

static const struct uu_case cases[] = {
	{
		.name = "one block between text",
		.input = "Here is the logo:\n\nbegin 644 logo.gif\n" UU100
		    "`\nend\n\nRegards,\nAnn\n",
		.text = "Here is the logo:\n\n[uuencoded file: logo.gif]\n"
		    "\nRegards,\nAnn\n",
		.files = 1,
		.file = { { "logo.gif", 100, false } },
	},
	{
		.name = "two blocks, a small one (sure only at its end)",
		.input = "a\nbegin 0644 one.bin\n" UU100 "`\nend\nb\n"
		    "begin 600 two.txt\n" UU10 "`\nend\nc\n",
		.text = "a\n[uuencoded file: one.bin]\nb\n"
		    "[uuencoded file: two.txt]\nc\n",
		.files = 2,
		.file = { { "one.bin", 100, false },
		    { "two.txt", 10, false } },
	},
	{
		.name = "CRLF line ends",
		.input = "hi\r\nbegin 644 f.bin\r\n"
		    "M``$\"`P0%!@<(\"0H+#`T.#Q`1$A,4%187&!D:&QP='A\\@(2(C)\"4F)R@I*BLL\r\n"
		    "`\r\nend\r\nbye\r\n",
		.text = "hi\r\n[uuencoded file: f.bin]\nbye\r\n",
		.files = 1,
		.file = { { "f.bin", 45, false } },
	},
	{
		.name = "\"end\" without the zero-length line",
		.input = "begin 644 f\n" UU100 "end\n",
		.text = "[uuencoded file: f]\n",
		.files = 1,
		.file = { { "f", 100, false } },
	},
	{
		.name = "a space as the zero-length line, trailing blanks",
		.input = "begin 644 f \n" UU10 " \nend  \nx\n",
		.text = "[uuencoded file: f]\nx\n",
		.files = 1,
		.file = { { "f", 10, false } },
	},
	{
		.name = "empty file",
		.input = "begin 644 empty\n`\nend\n",
		.text = "[uuencoded file: empty]\n",
		.files = 1,
		.file = { { "empty", 0, false } },
	},
	{
		.name = "cut short at the end of the part: partial",
		.input = "see below\nbegin 644 cut.jpg\n" UU100,
		.text = "see below\n[uuencoded file: cut.jpg (incomplete)]\n",
		.files = 1,
		.file = { { "cut.jpg", 100, true } },
	},
	{
		.name = "cut short by text: partial, the text stays",
		.input = "begin 644 cut.jpg\n" UU100 "-- \nAnn\n",
		.text = "[uuencoded file: cut.jpg (incomplete)]\n-- \nAnn\n",
		.files = 1,
		.file = { { "cut.jpg", 100, true } },
	},
	{
		.name = "zero-length line, then text without \"end\": whole",
		.input = "begin 644 f\n" UU100 "`\nThanks\n",
		.text = "[uuencoded file: f]\nThanks\n",
		.files = 1,
		.file = { { "f", 100, false } },
	},
	{
		.name = "begin-base64 (uuencode -m)",
		.input = "x\nbegin-base64 644 data.bin\n" B64_100 "====\ny\n",
		.text = "x\n[uuencoded file: data.bin]\ny\n",
		.files = 1,
		.file = { { "data.bin", 100, false } },
	},
	{
		.name = "begin-base64 without ====: partial",
		.input = "begin-base64 644 data.bin\n" B64_100 "y\n",
		.text = "[uuencoded file: data.bin (incomplete)]\ny\n",
		.files = 1,
		.file = { { "data.bin", 100, true } },
	},
	{
		.name = "a path: the base name only",
		.input = "begin 644 ../../etc/passwd\n" UU10 "`\nend\n",
		.text = "[uuencoded file: passwd]\n",
		.files = 1,
		.file = { { "passwd", 10, false } },
	},
	{
		.name = "a DOS path: the base name only",
		.input = "begin 644 C:\\My Documents\\plan v2.doc\n" UU10
		    "`\nend\n",
		.text = "[uuencoded file: plan v2.doc]\n",
		.files = 1,
		.file = { { "plan v2.doc", 10, false } },
	},
	{
		.name = "a name ending in /: unnamed",
		.input = "begin 644 dir/\n" UU10 "`\nend\n",
		.text = "[uuencoded file: (unnamed)]\n",
		.files = 1,
		.file = { { "", 10, false } },
	},
	{
		.name = "control characters in the name",
		.input = "begin 644 a\033[2Jb\x7f.txt\n" UU10 "`\nend\n",
		.text = "[uuencoded file: a?[2Jb?.txt]\n",
		.files = 1,
		.file = { { "a\xef\xbf\xbd[2Jb\xef\xbf\xbd.txt", 10, false } },
	},
	{
		.name = "a Latin-1 name in a Latin-1 part",
		.input = "begin 644 caf\xe9.jpg\n" UU10 "`\nend\n",
		.charset = "iso-8859-1",
		.text = "[uuencoded file: caf\xe9.jpg]\n",
		.files = 1,
		.file = { { "caf\xc3\xa9.jpg", 10, false } },
	},
	/* Text that must stay text. */
	{
		.name = "prose: begin 644 meetings",
		.input = "We will begin 644 meetings soon.\n"
		    "begin 644 meetings with the board\nnext week.\nend\n",
		.text = "We will begin 644 meetings soon.\n"
		    "begin 644 meetings with the board\nnext week.\nend\n",
	},
	{
		.name = "a begin line alone at the end",
		.input = "begin 644 meetings",
		.text = "begin 644 meetings",
	},
	{
		.name = "a begin line and end",
		.input = "begin 644 meetings\nend\n",
		.text = "begin 644 meetings\nend\n",
	},
	{
		.name = "begin, a zero-length line and prose",
		.input = "begin 644 meetings\n\nThe agenda:\n",
		.text = "begin 644 meetings\n\nThe agenda:\n",
	},
	{
		.name = "a small block never ended: given back as text",
		.input = "begin 644 x\n" UU10 "and more\n",
		.text = "begin 644 x\n" UU10 "and more\n",
	},
	{
		.name = "modes: 5 digits, not octal, none",
		.input = "begin 06444 f\n" UU100 "`\nend\nbegin 648 f\n" UU100
		    "`\nend\nbegin f\n" UU100 "`\nend\n",
		.text = "begin 06444 f\n" UU100 "`\nend\nbegin 648 f\n" UU100
		    "`\nend\nbegin f\n" UU100 "`\nend\n",
	},
	{
		.name = "two spaces before the name",
		.input = "begin 644  f\n" UU100 "`\nend\n",
		.text = "begin 644  f\n" UU100 "`\nend\n",
	},
	{
		.name = "a line of the wrong length",
		.input = "begin 644 f\nM``$\"`P0%!@<(\"0H+#`T\nend\n",
		.text = "begin 644 f\nM``$\"`P0%!@<(\"0H+#`T\nend\n",
	},
	{
		.name = "upper-case begin, or indented",
		.input = "BEGIN 644 f\n" UU10 "`\nend\n begin 644 f\n" UU10
		    "`\nend\n",
		.text = "BEGIN 644 f\n" UU10 "`\nend\n begin 644 f\n" UU10
		    "`\nend\n",
	},
	{
		.name = "a NUL byte in a data line",
		.input = "begin 644 f\n*:&D@=&AE<F4\000\"@``\n`\nend\n",
		.len = sizeof("begin 644 f\n*:&D@=&AE<F4\000\"@``\n`\nend\n") -
		    1,
		.text = "begin 644 f\n*:&D@=&AE<F4\000\"@``\n`\nend\n",
	},
};

/* run - feed c whole (step 0) or in pieces of step bytes */
static void
run(const struct uu_case *c, size_t step)
{
	struct uuencode *uu;
	struct message_attachment *a;
	GByteArray *text;
	GPtrArray *files;
	size_t len, off, n;
	char *got, *label;
	int i;

	len = c->len != 0 ? c->len : strlen(c->input);
	uu = uuencode_new(c->charset);
	text = g_byte_array_new();
	files = g_ptr_array_new();
	for (off = 0; off < len; off += n) {
		n = step == 0 ? len : MIN(step, len - off);
		uuencode_feed(uu, c->input + off, n, text);
	}
	uuencode_finish(uu, text);
	uuencode_take(uu, files);
	uuencode_free(&uu);
	tap_ok(uu == NULL, "%s: free NULLs", c->name);

	label = g_strdup_printf("%s (step %zu): text", c->name, step);
	got = g_strndup((const char *)text->data, text->len);
	if (c->len != 0)
		tap_ok(text->len == c->len &&
		    memcmp(text->data, c->text, c->len) == 0, "%s", label);
	else
		tap_str(got, c->text, label);
	g_free(got);
	g_free(label);
	tap_int(files->len, c->files, c->name);
	for (i = 0; i < c->files && i < (int)files->len; i++) {
		a = g_ptr_array_index(files, i);
		tap_str(a->filename, c->file[i].name, c->name);
		tap_str(a->content_type, "application/octet-stream", c->name);
		tap_int((long long)a->size, c->file[i].size, c->name);
		tap_int(a->partial, c->file[i].partial, c->name);
		message_attachment_free(a);
	}
	g_ptr_array_unref(files);
	g_byte_array_unref(text);
}

/* test_long_lines - a line over UUENCODE_LINE_MAX is text, and ends a
 * block */
static void
test_long_lines(void)
{
	struct uuencode *uu;
	GByteArray *text;
	GPtrArray *files;
	GString *in;

	in = g_string_new("begin 644 f\n" UU100);
	g_string_append_c(in, 'M');
	while (in->len < 3 * UUENCODE_LINE_MAX)
		g_string_append(in, "``");
	g_string_append(in, "\nbegin 644 ");
	while (in->len < 5 * UUENCODE_LINE_MAX)
		g_string_append(in, "n");
	g_string_append(in, "\n" UU100 "`\nend\n");
	uu = uuencode_new(NULL);
	text = g_byte_array_new();
	files = g_ptr_array_new_with_free_func(g_free);
	uuencode_feed(uu, in->str, 5000, text);
	uuencode_feed(uu, in->str + 5000, in->len - 5000, text);
	uuencode_finish(uu, text);
	uuencode_take(uu, files);
	tap_int(files->len, 1, "long lines: one file (the first block)");
	/* The long data line ends the first block: marker, the long line,
	 * then the second begin line is too long to begin a block. */
	tap_int(text->len, in->len - strlen("begin 644 f\n" UU100) +
	    strlen("[uuencoded file: f (incomplete)]\n"),
	    "long lines: kept as text");
	uuencode_free(&uu);
	uuencode_free(&uu);
	g_ptr_array_set_free_func(files, NULL);
	{
		struct message_attachment *a = g_ptr_array_index(files, 0);

		message_attachment_free(a);
	}
	g_ptr_array_unref(files);
	g_byte_array_unref(text);
	g_string_free(in, TRUE);
}

/* test_big_block - a 4 MB block costs no memory: only its marker is left */
static void
test_big_block(void)
{
	struct uuencode *uu;
	GByteArray *text;
	GPtrArray *files;
	struct message_attachment *a;
	char line[64];
	int i;

	uu = uuencode_new("us-ascii");
	text = g_byte_array_new();
	files = g_ptr_array_new();
	uuencode_feed(uu, "begin 644 big.iso\n", 18, text);
	memset(line, 'M', 61);
	line[61] = '\n';
	for (i = 0; i < 100000; i++)
		uuencode_feed(uu, line, 62, text);
	uuencode_feed(uu, "`\nend\n", 6, text);
	uuencode_finish(uu, text);
	uuencode_take(uu, files);
	tap_int(text->len, strlen("[uuencoded file: big.iso]\n"),
	    "big block: only the marker");
	tap_int(files->len, 1, "big block: one file");
	a = g_ptr_array_index(files, 0);
	tap_int((long long)a->size, 4500000, "big block: size");
	uuencode_free(&uu);
	message_attachment_free(a);
	g_ptr_array_unref(files);
	g_byte_array_unref(text);
}

/* test_files_max - blocks past UUENCODE_FILES_MAX are taken out but not
 * listed */
static void
test_files_max(void)
{
	struct uuencode *uu;
	GByteArray *text;
	GPtrArray *files;
	static const char block[] = "begin 644 f\n" UU10 "`\nend\n";
	int i;

	uu = uuencode_new(NULL);
	text = g_byte_array_new();
	files = g_ptr_array_new_with_free_func(NULL);
	for (i = 0; i < UUENCODE_FILES_MAX + 10; i++)
		uuencode_feed(uu, block, sizeof(block) - 1, text);
	uuencode_finish(uu, text);
	tap_int(text->len, (UUENCODE_FILES_MAX + 10) *
	    strlen("[uuencoded file: f]\n"), "files max: every block out");
	uuencode_free(&uu);	/* frees the files not taken */
	tap_ok(files->len == 0, "files max: nothing taken");
	g_ptr_array_unref(files);
	g_byte_array_unref(text);
}

/* scan - the text and the file names and sizes of input, fed in pieces of
 * random length (step 0: whole), as one string */
static char *
scan(const char *input, size_t len, GRand *r)
{
	struct uuencode *uu;
	struct message_attachment *a;
	GByteArray *text;
	GPtrArray *files;
	GString *out;
	size_t off, n;
	guint i;

	uu = uuencode_new(NULL);
	text = g_byte_array_new();
	files = g_ptr_array_new();
	for (off = 0; off < len; off += n) {
		/* Not inside MIN(), which would draw twice. */
		n = r == NULL ? len : (size_t)g_rand_int_range(r, 1, 200);
		n = MIN(n, len - off);
		uuencode_feed(uu, input + off, n, text);
	}
	uuencode_finish(uu, text);
	uuencode_take(uu, files);
	uuencode_free(&uu);
	out = g_string_new_len((const char *)text->data, text->len);
	for (i = 0; i < files->len; i++) {
		a = g_ptr_array_index(files, i);
		g_string_append_printf(out, "\n|%s %llu %d", a->filename,
		    (unsigned long long)a->size, a->partial);
		message_attachment_free(a);
	}
	g_ptr_array_unref(files);
	g_byte_array_unref(text);
	return g_string_free(out, FALSE);
}

/*
 * test_random - random mixtures of begin, data, end and prose lines give
 * the same result however they are split, and every prose line comes out
 */
static void
test_random(void)
{
	static const char *const lines[] = {
		"begin 644 a.bin\n", "begin-base64 600 b\n",
		"M``$\"`P0%!@<(\"0H+#`T.#Q`1$A,4%187&!D:&QP='A\\@(2(C)\"4F)R@I*BLL\n",
		UU10, "`\n", "end\n", "====\n", "\n", "\r\n",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss\n",
		"WltcXV5fYGFiYw==\n", "prose line\n", "Prose: two\r\n",
		"begin 644 \n", "MMMM\n",
	};
	GRand *r;
	GString *in;
	char *whole, *split;
	int round, i, bad = 0, lost = 0;

	r = g_rand_new_with_seed(8);
	for (round = 0; round < 2000; round++) {
		in = g_string_new(NULL);
		for (i = g_rand_int_range(r, 1, 40); i > 0; i--)
			g_string_append(in, lines[g_rand_int_range(r, 0,
			    (gint32)G_N_ELEMENTS(lines))]);
		if (g_rand_boolean(r))
			g_string_truncate(in, (gsize)g_rand_int_range(r, 0,
			    (gint32)in->len + 1));
		whole = scan(in->str, in->len, NULL);
		split = scan(in->str, in->len, r);
		if (strcmp(whole, split) != 0 && bad++ == 0)
			printf("# differs:\n# %s\n# %s\n", whole, split);
		/* Prose lines never go (each is a text line of its own). */
		if (strstr(in->str, "prose line\n") != NULL &&
		    strstr(whole, "prose line\n") == NULL)
			lost++;
		g_free(whole);
		g_free(split);
		g_string_free(in, TRUE);
	}
	g_rand_free(r);
	tap_int(bad, 0, "random: the same whatever the split");
	tap_int(lost, 0, "random: prose never taken");
}

int
main(void)
{
	size_t i;

	message_init();
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		run(&cases[i], 0);
		run(&cases[i], 1);
		run(&cases[i], 7);
	}
	test_long_lines();
	test_big_block();
	test_files_max();
	test_random();
	uuencode_free(NULL);
	message_shutdown();
	return tap_done();
}
