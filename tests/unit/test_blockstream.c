/*
 * test_blockstream.c - unit tests for the blockstream module (TAP): on
 * a file of a few blocks, the same random reads, seeks, resets and
 * substreams give the same bytes and answers from a blockstream as from
 * GMime's own GMimeStreamFs.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <gmime/gmime.h>

#include "blockstream.h"
#include "spool.h"
#include "tap.h"

#define FILE_SIZE	(3 * BLOCKSTREAM_BLOCK + 1234)
#define STREAMS		4

/* same_read - read n bytes from both; false when they differ */
static bool
same_read(GMimeStream *a, GMimeStream *b, size_t n)
{
	char *x = g_malloc(n + 1), *y = g_malloc(n + 1);
	ssize_t ra, rb;
	bool same;

	ra = g_mime_stream_read(a, x, n);
	rb = g_mime_stream_read(b, y, n);
	same = ra == rb && (ra <= 0 || memcmp(x, y, (size_t)ra) == 0);
	g_free(x);
	g_free(y);
	return same;
}

/* same_state - position, end of stream and length agree */
static bool
same_state(GMimeStream *a, GMimeStream *b)
{
	return g_mime_stream_tell(a) == g_mime_stream_tell(b) &&
	    g_mime_stream_eos(a) == g_mime_stream_eos(b) &&
	    g_mime_stream_length(a) == g_mime_stream_length(b);
}

/* test_like_fs - random operations on both kinds of stream */
static void
test_like_fs(int fd, int fd2, gint64 start, gint64 end, const char *what)
{
	GMimeStream *bs[STREAMS], *fs[STREAMS];
	GRand *r = g_rand_new_with_seed(7);
	gint64 off, s, e;
	int i, k, nstreams = 1, bad = 0, op;

	bs[0] = blockstream_new(fd, start, end);
	fs[0] = g_mime_stream_fs_new_with_bounds(fd2, start, end);
	for (i = 0; i < 3000; i++) {
		k = g_rand_int_range(r, 0, nstreams);
		op = g_rand_int_range(r, 0, 10);
		if (op < 5) {
			if (!same_read(bs[k], fs[k], (size_t)(op == 0 ?
			    g_rand_int_range(r, 1, 2 * BLOCKSTREAM_BLOCK) :
			    g_rand_int_range(r, 1, 9000))))
				bad++;
		} else if (op == 5) {
			off = g_rand_int_range(r, -100, FILE_SIZE + 100);
			if (g_mime_stream_seek(bs[k], off,
			    GMIME_STREAM_SEEK_SET) != g_mime_stream_seek(fs[k],
			    off, GMIME_STREAM_SEEK_SET))
				bad++;
		} else if (op == 6) {
			off = g_rand_int_range(r, -5000, 5000);
			if (g_mime_stream_seek(bs[k], off,
			    GMIME_STREAM_SEEK_CUR) != g_mime_stream_seek(fs[k],
			    off, GMIME_STREAM_SEEK_CUR))
				bad++;
		} else if (op == 7) {
			off = g_rand_int_range(r, -5000, 10);
			if (g_mime_stream_seek(bs[k], off,
			    GMIME_STREAM_SEEK_END) != g_mime_stream_seek(fs[k],
			    off, GMIME_STREAM_SEEK_END))
				bad++;
		} else if (op == 8) {
			if (g_mime_stream_reset(bs[k]) !=
			    g_mime_stream_reset(fs[k]))
				bad++;
		} else if (nstreams < STREAMS) {
			s = g_rand_int_range(r, 0, FILE_SIZE);
			e = g_rand_int_range(r, (gint32)s, FILE_SIZE + 1);
			bs[nstreams] = g_mime_stream_substream(bs[k], s, e);
			fs[nstreams] = g_mime_stream_substream(fs[k], s, e);
			nstreams++;
		}
		if (!same_state(bs[k], fs[k]))
			bad++;
	}
	tap_int(bad, 0, what);
	/* Substreams keep the file open after the first stream is gone. */
	g_object_unref(bs[0]);
	if (nstreams > 1)
		tap_ok(g_mime_stream_reset(bs[1]) == 0 &&
		    g_mime_stream_reset(fs[1]) == 0 && same_read(bs[1],
		    fs[1], 100), "%s: a substream outlives its parent", what);
	for (k = 1; k < nstreams; k++)
		g_object_unref(bs[k]);
	for (k = nstreams - 1; k >= 0; k--)
		g_object_unref(fs[k]);
	g_rand_free(r);
}

int
main(void)
{
	GRand *r = g_rand_new_with_seed(3);
	GMimeStream *bs;
	char *data, buf[8];
	int fd, i;

	g_mime_init();
	data = g_malloc(FILE_SIZE);
	for (i = 0; i < FILE_SIZE; i++)
		data[i] = (char)g_rand_int_range(r, 0, 256);
	fd = spool_tmpfile();
	tap_ok(fd != -1 && write(fd, data, FILE_SIZE) == FILE_SIZE,
	    "a file of three blocks and some");
	test_like_fs(dup(fd), dup(fd), 0, -1, "unbounded: as GMimeStreamFs");
	test_like_fs(dup(fd), dup(fd), 1000, 2 * BLOCKSTREAM_BLOCK + 77,
	    "bounded: as GMimeStreamFs");

	bs = blockstream_new(dup(fd), 0, -1);
	errno = 0;
	tap_ok(g_mime_stream_write(bs, "x", 1) == -1 && errno == EBADF,
	    "read-only: a write fails with EBADF");
	tap_ok(g_mime_stream_read(bs, buf, sizeof(buf)) == sizeof(buf) &&
	    memcmp(buf, data, sizeof(buf)) == 0, "the file is unchanged");
	g_object_unref(bs);
	(void)close(fd);
	g_free(data);
	g_rand_free(r);
	g_mime_shutdown();
	return tap_done();
}
