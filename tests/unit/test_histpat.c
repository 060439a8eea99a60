/*
 * test_histpat.c - the history patterns (gateway/histpat.c): each one on
 * lines it must and must not match, traps for the filters run before it
 * (letters that match ASCII ones without case, Unicode spaces, U+FF1A,
 * U+00A0, a NUL), and on every line of the samples and of the reply
 * parsers' fixtures (these also upper-cased and quoted) the filtered
 * answer against the pattern's own.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "histpat.h"
#include "tap.h"

struct pat_case {
	enum histpat p;
	const char *line;
	bool want;
};

static const struct pat_case pat_cases[] = {
	{ HISTPAT_ORIGINAL, "-----Original Message-----", true },
	{ HISTPAT_ORIGINAL, "  > *** ORIGINAL MESSAGE ***", true },
	{ HISTPAT_ORIGINAL, "\xe3\x80\x80-----Original Message-----", true },
	{ HISTPAT_ORIGINAL, "The original message was lost", false },
	{ HISTPAT_FORWARD, "---------- Forwarded message ---------", true },
	{ HISTPAT_FORWARD, "Begin forwarded message:", true },
	{ HISTPAT_FORWARD, "Forwarded messages are welcome", false },
	{ HISTPAT_RULE, "________________________________", true },
	{ HISTPAT_RULE, "\t=====  ", true },
	{ HISTPAT_RULE, "----- x", false },
	{ HISTPAT_SIG, "-- ", true },
	{ HISTPAT_SIG, "__", true },
	{ HISTPAT_SIG, " -- ", false },
	{ HISTPAT_SENT, "Sent from my iPhone", true },
	{ HISTPAT_SENT, "\xc5\xbf" "ent from my iPhone", true },
	{ HISTPAT_SENT, "\xe3\x80\x80Sent from my iPhone", true },
	{ HISTPAT_SENT, "  (Sent from my phone)", true },
	{ HISTPAT_SENT, "iPad from mobile", true },
	{ HISTPAT_SENT, "Get Outlook for Android", true },
	{ HISTPAT_SENT, "The printer on floor 3 jams, again.", false },
	{ HISTPAT_FROM, "From: Ann <a@b.c>", true },
	{ HISTPAT_FROM, "> **Von:** Ann", true },
	{ HISTPAT_FROM, "From the desk of Ann:", false },
	{ HISTPAT_FIELD, "Sent: Monday", true },
	{ HISTPAT_FIELD, "\xe2\x84\xaa" "opie: Ann", true },
	{ HISTPAT_FIELD, "件名\xef\xbc\x9a x", true },
	{ HISTPAT_FIELD, "Nothing: here", false },
	{ HISTPAT_ON, "On Mon, Jan 6, 2025", true },
	{ HISTPAT_ON, "> Am 6.1.2025", true },
	{ HISTPAT_ON, "Once upon a time", false },
	{ HISTPAT_VERB, "Ann wrote:", true },
	{ HISTPAT_VERB, "Ann WROTE\xef\xbc\x9a", true },
	{ HISTPAT_VERB, "Ann wrote\xe3\x80\x80:", true },
	{ HISTPAT_VERB, "Ann a \xc3\xa9" "crit\xc2\xa0:", true },
	{ HISTPAT_VERB, "Ann wrote: yes", false },
	{ HISTPAT_VERB_BARE, "On Mon Ann wrote --", true },
	{ HISTPAT_VERB_BARE, "On Mon Ann escribi\xc3\xb3", true },
	{ HISTPAT_VERB_BARE, "On Mon Ann wrote:", false },
	{ HISTPAT_VERB_MID, "Am Mo schrieb Ann:", true },
	{ HISTPAT_VERB_MID, "Am Mo schrieb Ann", false },
	{ HISTPAT_WROTE_ON, "Ann <a@b.c> schrieb am Mo, 6.1.2025:", true },
	{ HISTPAT_WROTE_ON, "Ann schrieb am Mo, 6.1.2025:", false },
	{ HISTPAT_DATE, "at 10:32", true },
	{ HISTPAT_DATE, "in 1999", true },
	{ HISTPAT_DATE, "no date", false },
	{ HISTPAT_VIA, "Ann via Some List wrote :  ", true },
	{ HISTPAT_VIA, "Ann via Some List said:", false },
	{ HISTPAT_DATED, "2014-01-09 15:22 GMT+01:00 Ann <a@b.c>:", true },
	{ HISTPAT_DATED, "2014-01-09 15:22 GMT+01:00 Ann <a@b.c>", false },
	{ HISTPAT_DATED_LOOSE, "2013/10/2 Ann <a@b.c>", true },
	{ HISTPAT_DATED_LOOSE, "2013/10/2 Ann <a@b.c> :", true },
	{ HISTPAT_DATED_LOOSE, "2013/10/2 Ann a@b.c", false },
	{ HISTPAT_ISO, "2016-03-03 17:21 GMT+01:00 Ann", true },
	{ HISTPAT_ISO, "> 2016-03-03 17:21 GMT+01:00 Ann", true },
	{ HISTPAT_ISO, "On 2016-03-03 17:21 GMT+01:00 Ann", false },
	{ HISTPAT_FWD_SUBJECT, "[list] Fwd: hello", true },
	{ HISTPAT_FWD_SUBJECT, "Re: hello", false },
};

/* test_cases - the table, and a NUL that ends what the patterns see */
static void
test_cases(void)
{
	const struct pat_case *c;
	size_t i;
	char name[160];
	static const char nul[] = "-- \0 more";

	for (i = 0; i < G_N_ELEMENTS(pat_cases); i++) {
		c = &pat_cases[i];
		g_snprintf(name, sizeof(name), "pattern %d on \"%s\"", (int)c->p,
		    c->line);
		tap_ok(histpat_match(c->p, c->line, strlen(c->line)) ==
		    c->want, "%s", name);
	}
	tap_ok(histpat_match(HISTPAT_SIG, nul, sizeof(nul) - 1),
	    "a NUL ends the line the patterns see");
	tap_int((long long)histpat_clip(nul, sizeof(nul) - 1), 3,
	    "histpat_clip() stops at the NUL");
}

/* check_line - does every filtered pattern answer as the pattern alone on
 * s[0, len)?  Counts the lines and the first mismatch */
static void
check_line(const char *s, size_t len, size_t *lines, GString *bad)
{
	size_t n = histpat_clip(s, len);
	int p;

	if (!g_utf8_validate(s, (gssize)len, NULL))
		return;
	(*lines)++;
	for (p = 0; p < HISTPAT_COUNT; p++)
		if (histpat_match(p, s, len) != histpat_regex_n(p, s, n) &&
		    bad->len == 0)
			g_string_printf(bad, "pattern %d on \"%.*s\"", p,
			    (int)len, s);
}

/* check_file - check_line() on each line of path, as it is (and
 * upper-cased and quoted when variants); lines without a space, colon or
 * dash (base64) and lines of more than HISTPAT_LINE_MAX bytes are left */
static void
check_file(const char *path, bool variants, GHashTable *seen, size_t *lines,
    GString *bad)
{
	char *data, *line, *up, *q, **v;
	size_t i, len;

	if (!g_file_get_contents(path, &data, &len, NULL))
		return;
	v = g_strsplit(data, "\n", -1);
	for (i = 0; v[i] != NULL; i++) {
		line = v[i];
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len > HISTPAT_LINE_MAX || strpbrk(line, " :-") == NULL ||
		    g_hash_table_contains(seen, line))
			continue;
		g_hash_table_add(seen, g_strdup(line));
		check_line(line, len, lines, bad);
		if (!variants)
			continue;
		up = g_ascii_strup(line, (gssize)len);
		check_line(up, len, lines, bad);
		q = g_strconcat("> ", line, NULL);
		check_line(q, len + 2, lines, bad);
		g_free(up);
		g_free(q);
	}
	g_strfreev(v);
	g_free(data);
}

/* test_folder - check_file() on every file of dir */
static void
test_folder(const char *dir, bool variants)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, NULL);
	GString *bad = g_string_new(NULL);
	const char *name;
	size_t lines = 0;
	char *path;
	GDir *d;

	d = g_dir_open(dir, 0, NULL);
	if (d == NULL) {
		tap_ok(1, "%s # SKIP not found", dir);
		goto out;
	}
	while ((name = g_dir_read_name(d)) != NULL) {
		path = g_build_filename(dir, name, NULL);
		check_file(path, variants, seen, &lines, bad);
		g_free(path);
	}
	g_dir_close(d);
	tap_ok(lines > 0 && bad->len == 0,
	    "%s: %zu lines, filters and patterns agree", dir, lines);
	if (bad->len > 0)
		printf("#   first mismatch: %s\n", bad->str);
out:
	g_string_free(bad, TRUE);
	g_hash_table_destroy(seen);
}

int
main(void)
{
	const char *corpus;
	char *dir;

	test_cases();
	/* The samples as they are; not under ASan, where their 50 k lines
	 * take 10 s (its allocator behind each GMatchInfo): the fixtures
	 * run the same code there. */
	if (g_strcmp0(getenv("M2N_PASS"), "asan") == 0)
		tap_ok(1, "samples # SKIP under ASan");
	else
		test_folder("samples", false);
	corpus = getenv("M2N_CORPUS");
	if (corpus == NULL)
		corpus = "tests/corpus";
	dir = g_build_filename(corpus, "crisp-email-reply-parser", "fixtures",
	    NULL);
	test_folder(dir, true);
	g_free(dir);
	dir = g_build_filename(corpus, "github-email_reply_parser", "emails",
	    NULL);
	test_folder(dir, true);
	g_free(dir);
	return tap_done();
}
