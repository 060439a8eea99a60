/*
 * test_spool.c - the input spool and the line scanner: a pipe and a
 * regular file give the same bytes and the same scan, the size cap
 * (with the whole mail still copyable), the scanner's cut, lead and
 * field-bytes bounds.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "tap.h"
#include "spool.h"

/* pipe_of - a pipe whose read end delivers data (a child writes it) */
static int
pipe_of(const char *data, size_t len, pid_t *pid_r)
{
	int p[2];
	ssize_t n;

	if (pipe(p) != 0)
		return -1;
	if ((*pid_r = fork()) == 0) {
		(void)close(p[0]);
		while (len > 0 && (n = write(p[1], data, len)) > 0) {
			data += n;
			len -= (size_t)n;
		}
		_exit(0);
	}
	(void)close(p[1]);
	return p[0];
}

/* copy_of - spool_copy() into a temporary file, read back (new) */
static GString *
copy_of(struct spool *sp, uint64_t max, enum gw_status *st_r)
{
	struct gw_error err;
	GString *out = g_string_new(NULL);
	uint64_t written;
	char buf[4096];
	ssize_t n;
	int fd = spool_tmpfile();

	*st_r = spool_copy(sp, fd, max, &written, &err);
	(void)lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		g_string_append_len(out, buf, n);
	(void)close(fd);
	return out;
}

/* test_pipe_and_file - both ways in give the same spool */
static void
test_pipe_and_file(void)
{
	static const char msg[] = "\n  \nFrom: a@b\nSubject: x\n\nbody\n";
	struct spool a, b;
	struct gw_error err;
	enum gw_status st;
	GString *copy;
	pid_t pid;
	int in, fd;

	in = pipe_of(msg, sizeof(msg) - 1, &pid);
	tap_int(spool_input(in, 1024, 10, &a, &err), GW_OK, "pipe spooled");
	(void)close(in);
	(void)waitpid(pid, NULL, 0);
	tap_int(a.size, sizeof(msg) - 1, "pipe: all bytes");
	tap_int(a.src, -1, "pipe: nothing left unread");

	fd = spool_tmpfile();
	tap_ok(write(fd, "XXX", 3) == 3 && write(fd, msg, sizeof(msg) - 1) ==
	    (ssize_t)(sizeof(msg) - 1), "file written");
	(void)lseek(fd, 3, SEEK_SET);	/* the message starts at offset 3 */
	tap_int(spool_input(fd, 1024, 10, &b, &err), GW_OK, "file used");
	tap_int(b.start, 3, "file: from its offset");
	tap_int(b.size, a.size, "file: same size");
	tap_int(b.scan.lead, a.scan.lead, "same lead");
	tap_int(b.scan.lead, 4, "lead: the blank lines before the header");
	tap_int(b.scan.head.fields, 2, "two header fields");
	tap_int(b.scan.head.body, 4 + 21 + 1, "body after the empty line");
	tap_int(b.scan.fields, 0, "header fields are headblock's");
	copy = copy_of(&b, 1024, &st);
	tap_int(st, GW_OK, "file copied");
	tap_str(copy->str, msg, "copy of the file: the message only");
	g_string_free(copy, TRUE);
	copy = copy_of(&a, 1024, &st);
	tap_str(copy->str, msg, "copy of the pipe spool: the message");
	g_string_free(copy, TRUE);
	spool_close(&a);
	spool_close(&b);
	spool_close(&b);
	tap_int(b.fd, -1, "spool_close twice is fine");
	(void)close(fd);
}

/* test_over - over the cap: GW_ETOOBIG, and the copy is still whole */
static void
test_over(void)
{
	struct spool sp;
	struct gw_error err;
	enum gw_status st;
	GString *big = g_string_new("From: a@b\n\n");
	GString *copy;
	pid_t pid;
	int in;

	while (big->len < 300000)
		g_string_append(big, "0123456789abcdef0123456789abcdef\n");
	in = pipe_of(big->str, big->len, &pid);
	tap_int(spool_input(in, 1024, 10, &sp, &err), GW_ETOOBIG,
	    "300 kB through a pipe, cap 1 kB: too big");
	tap_ok(strstr(err.text, "1024-byte size limit") != NULL,
	    "the error names the cap: %s", err.text);
	tap_ok(sp.over && sp.src == in, "over; the pipe's rest is unread");
	tap_ok(sp.size < big->len, "read no more than a chunk past the cap");
	copy = copy_of(&sp, big->len - 1, &st);
	tap_int(st, GW_ETOOBIG, "a copy one byte short of room: too big");
	g_string_free(copy, TRUE);
	spool_close(&sp);
	(void)close(in);
	(void)waitpid(pid, NULL, 0);

	in = pipe_of(big->str, big->len, &pid);
	(void)spool_input(in, 1024, 10, &sp, &err);
	copy = copy_of(&sp, UINT64_MAX, &st);
	tap_int(st, GW_OK, "copy with room");
	tap_ok(copy->len == big->len && memcmp(copy->str, big->str,
	    big->len) == 0, "the copy is the whole mail, rest of the pipe "
	    "included (%zu bytes)", copy->len);
	g_string_free(copy, TRUE);
	spool_close(&sp);
	(void)close(in);
	(void)waitpid(pid, NULL, 0);
	g_string_free(big, TRUE);
}

/* test_scan - the bounds the scanner sets */
static void
test_scan(void)
{
	struct spool_scan sc;
	struct gw_error err;
	GString *s = g_string_new("From: a@b\n\n");
	uint64_t start, end;
	int i;

	spool_scan_init(&sc, 0);
	for (i = 0; i < SPOOL_SCAN_DASHES + 5; i++)
		g_string_append(s, "--b\n");
	spool_scan_feed(&sc, s->str, s->len);
	tap_ok(spool_bounds(&sc, 100, s->len, &start, &end),
	    "too many '--' lines: cut");
	tap_int(end, 100 + 11 + 4 * SPOOL_SCAN_DASHES,
	    "cut before the first line past the bound");
	tap_int(start, 100, "no lead: starts at base");
	tap_int(spool_scan_check(&sc, &err), GW_OK, "a cut is no error");

	spool_scan_init(&sc, 0);
	g_string_assign(s, "X: ");
	while (s->len <= SPOOL_FIELD_BYTES)
		g_string_append(s, "a@b, ");
	g_string_append(s, "\n\nbody\n");
	spool_scan_feed(&sc, s->str, 7);	/* fed in two pieces */
	spool_scan_feed(&sc, s->str + 7, s->len - 7);
	tap_int(spool_scan_check(&sc, &err), GW_ETOOBIG,
	    "header fields over the limit: too big");

	spool_scan_init(&sc, 0);
	spool_scan_feed(&sc, " \t\n", 3);
	tap_ok(!sc.nonspace, "white space only: nonspace false");
	tap_ok(!spool_bounds(&sc, 0, 3, &start, &end) && start == end,
	    "white space only: nothing for GMime");
	g_string_free(s, TRUE);
}

/* ref_count - count one line of a kind; past max, cut before
 * that line.  The top header block is headblock's to bound. */
static void
ref_count(struct spool_scan *sc, uint64_t *count, uint64_t max)
{
	if (!headblock_in_body(&sc->head, sc->line))
		return;
	if (++*count > max && sc->cut == UINT64_MAX)
		sc->cut = sc->line;
}

/* ref_field_bytes - count a finished field line GMime will see;
 * past SPOOL_FIELD_BYTES, mark the message for spool_scan_check() */
static void
ref_field_bytes(struct spool_scan *sc, uint64_t n)
{
	if (sc->cut != UINT64_MAX)
		return;			/* GMime will not see this line */
	if (!headblock_in_body(&sc->head, sc->line))
		return;			/* headblock counts what it keeps */
	sc->field_bytes += n;
	if (sc->field_bytes > SPOOL_FIELD_BYTES)
		sc->fields_over = true;
}

/* ref_is_name_char - could c be part of a header field name (RFC 5322
 * ftext) */
static bool
ref_is_name_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != ':';
}

/* ref_feed - the scanner as it was before its memchr() jumps,
 * one byte at a time: the oracle of test_scan_chunks() */
static void
ref_feed(struct spool_scan *sc, const char *buf, size_t len)
{
	size_t i;
	unsigned char c;

	headblock_feed(&sc->head, buf, len);
	for (i = 0; i < len; i++) {
		c = (unsigned char)buf[i];
		if (c == '\r') {
			sc->cr_run++;
			sc->cr = true;
		} else if (sc->cr_run > 0) {
			/* CRs before an LF are part of that line end. */
			if (c != '\n')
				sc->lone_cr += sc->cr_run;
			sc->cr_run = 0;
		}
		if (c == '\n')
			sc->lf = true;
		if (c != ' ' && (c < '\t' || c > '\r'))
			sc->nonspace = true;
		else if (!sc->nonspace)
			sc->lead++;
		if (c == '\n') {
			if (sc->in_field)
				ref_field_bytes(sc, sc->off + i + 1 -
				    sc->line);
			sc->was_field = sc->in_field;
			sc->in_field = false;
			sc->state = SPOOL_BOL;
			sc->line = sc->off + i + 1;
			continue;
		}
		switch (sc->state) {
		case SPOOL_BOL:
			if ((c == ' ' || c == '\t') && sc->was_field)
				sc->in_field = true;	/* a folded line */
			if (c == '-')
				sc->state = SPOOL_DASH;
			else if (ref_is_name_char(c))
				sc->state = SPOOL_NAME;
			else
				sc->state = SPOOL_REST;
			break;
		case SPOOL_DASH:
			if (c == '-') {
				ref_count(sc, &sc->dashes,
				    sc->max_dashes);
				sc->state = SPOOL_REST;
			} else if (c == ':') {
				ref_count(sc, &sc->fields,
				    sc->max_fields);
				sc->in_field = true;
				sc->state = SPOOL_REST;
			} else
				sc->state = ref_is_name_char(c) ?
				    SPOOL_NAME : SPOOL_REST;
			break;
		case SPOOL_NAME:
		case SPOOL_NAMEWS:
			if (c == ':') {
				ref_count(sc, &sc->fields,
				    sc->max_fields);
				sc->in_field = true;
				sc->state = SPOOL_REST;
			} else if (c == ' ' || c == '\t')
				sc->state = SPOOL_NAMEWS;
			else if (sc->state == SPOOL_NAMEWS ||
			    !ref_is_name_char(c))
				sc->state = SPOOL_REST;
			break;
		case SPOOL_REST:
			break;
		}
	}
	sc->off += len;
	/* A field line still open (a huge one, or the last): count it so far. */
	if (sc->in_field && sc->cut == UINT64_MAX &&
	    headblock_in_body(&sc->head, sc->line) &&
	    sc->field_bytes + (sc->off - sc->line) > SPOOL_FIELD_BYTES)
		sc->fields_over = true;
}

/* scan_same - did two scanners learn the same */
static bool
scan_same(const struct spool_scan *a, const struct spool_scan *b)
{
	return a->off == b->off && a->line == b->line && a->cut == b->cut &&
	    a->dashes == b->dashes && a->fields == b->fields &&
	    a->field_bytes == b->field_bytes &&
	    a->fields_over == b->fields_over && a->in_field == b->in_field &&
	    a->was_field == b->was_field && a->lead == b->lead &&
	    a->state == b->state && a->nonspace == b->nonspace &&
	    a->cr == b->cr && a->lf == b->lf && a->cr_run == b->cr_run &&
	    a->lone_cr == b->lone_cr;
}

/*
 * test_scan_chunks - the scanner's memchr() jumps change nothing: random
 * messages made of the pieces it looks for, fed whole and in random
 * pieces, leave the state the byte-at-a-time scanner leaves
 */
static void
test_scan_chunks(void)
{
	static const char *const bits[] = {
		"\n", "\r", "\r\n", "\r\r\n", " ", "\t", "-", "--", ":",
		"X-Name", "Subject: hi", "  folded", "a:b", "QUJD+/=", "text",
		"--b--", "name :", "x\ty", "\n\n", "\x01", "\xc3\xa9",
	};
	struct spool_scan whole, ref, pieces, ref_pieces;
	GString *s;
	GRand *r;
	size_t i, at, n;
	int round, bad = 0;

	r = g_rand_new_with_seed(10);
	s = g_string_new(NULL);
	for (round = 0; round < 1000; round++) {
		g_string_truncate(s, 0);
		n = (size_t)g_rand_int_range(r, 1, 200);
		for (i = 0; i < n; i++)
			g_string_append(s, bits[g_rand_int_range(r, 0,
			    G_N_ELEMENTS(bits))]);
		spool_scan_init(&whole, 3);
		spool_scan_init(&ref, 3);
		spool_scan_init(&pieces, 3);
		spool_scan_init(&ref_pieces, 3);
		whole.max_fields = ref.max_fields = 20;
		pieces.max_fields = ref_pieces.max_fields = 20;
		spool_scan_feed(&whole, s->str, s->len);
		ref_feed(&ref, s->str, s->len);
		for (at = 0; at < s->len; at += n) {
			n = (size_t)g_rand_int_range(r, 1, 40);
			if (n > s->len - at)
				n = s->len - at;
			spool_scan_feed(&pieces, s->str + at, n);
			ref_feed(&ref_pieces, s->str + at, n);
		}
		spool_scan_end(&whole);
		spool_scan_end(&ref);
		spool_scan_end(&pieces);
		spool_scan_end(&ref_pieces);
		if (!scan_same(&whole, &ref) ||
		    !scan_same(&pieces, &ref_pieces))
			bad++;
	}
	tap_int(bad, 0, "1000 random messages, whole and in pieces: the "
	    "same scan as byte by byte");
	g_string_free(s, TRUE);
	g_rand_free(r);
}

/* test_cr_only - lone CR line ends are told from CRLF and LF (mixed
 * with them too), made LF in place, and read back whole from a spool */
static void
test_cr_only(void)
{
	static const struct {
		const char *in;
		bool lone;
		const char *lf;		/* after spool_lone_cr_to_lf() */
	} cases[] = {
		{ "From: a\rSubject: b\r\rtext\r", true,
		  "From: a\nSubject: b\n\ntext\n" },
		{ "From: a\r\nSubject: b\r\n\r\ntext\r\n", false, NULL },
		{ "From: a\nSubject: b\n\ntext\n", false, NULL },
		{ "From: a\rSubject: b\r\ntext", true,	/* mixed */
		  "From: a\nSubject: b\r\ntext" },
		{ "Return-Path: <>\nFrom: a\rSubject: b\r\rtext\r", true,
		  "Return-Path: <>\nFrom: a\nSubject: b\n\ntext\n" },
		/* CRs before an LF are one line end ("\r\r\n") */
		{ "From: a\r\r\nSubject: b\r\r\n\r\r\ntext", false, NULL },
		{ "From: a\r\r\r", true, "From: a\n\n\n" },
		{ "From: a", false, NULL },
	};
	struct spool_scan sc;
	struct spool sp;
	struct gw_error err;
	char buf[64], *got;
	size_t i, len;
	int fd;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		spool_scan_init(&sc, 10);
		/* Fed in two pieces, split inside a run of CRs or not. */
		len = strlen(cases[i].in);
		spool_scan_feed(&sc, cases[i].in, len / 2);
		spool_scan_feed(&sc, cases[i].in + len / 2, len - len / 2);
		spool_scan_end(&sc);
		tap_ok(spool_lone_cr(&sc) == cases[i].lone,
		    "spool_lone_cr case %zu", i);
		if (cases[i].lf == NULL)
			continue;
		(void)snprintf(buf, sizeof(buf), "%s", cases[i].in);
		spool_lone_cr_to_lf(buf, strlen(buf));
		tap_str(buf, cases[i].lf, "lone CRs made LF");
	}

	fd = spool_tmpfile();
	tap_ok(fd != -1 && write(fd, "XX", 2) == 2 &&
	    write(fd, cases[0].in, strlen(cases[0].in)) ==
	    (ssize_t)strlen(cases[0].in), "CR-only message written");
	memset(&sp, 0, sizeof(sp));
	sp.fd = fd;
	sp.start = 2;
	sp.size = strlen(cases[0].in);
	got = NULL;
	tap_int(spool_read(&sp, &got, &len, &err), GW_OK, "spool_read");
	tap_str(got, cases[0].in, "spool_read: the bytes from start");
	tap_int(len, strlen(cases[0].in), "spool_read: its length");
	g_free(got);
	spool_close(&sp);
}

int
main(void)
{
	test_pipe_and_file();
	test_over();
	test_scan();
	test_scan_chunks();
	test_cr_only();
	return tap_done();
}
