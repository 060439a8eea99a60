/*
 * blockstream.c - a read-only GMime stream reading its file in large
 * blocks through one cache shared with its substreams (see
 * blockstream.h for why).  The methods follow GMimeStreamFs's, with
 * pread(2) into the cache instead of lseek(2) and read(2) per call.
 */
#include <sys/stat.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "blockstream.h"
#include "spool.h"

/* The file and its cached block, shared by a stream and its substreams. */
struct blockstream_cache {
	int fd;
	int refs;
	char *buf;		/* BLOCKSTREAM_BLOCK bytes, allocated on use */
	gint64 at;		/* file offset of buf[0] */
	size_t len;		/* bytes of buf that hold the file */
};

typedef struct {
	GMimeStream parent;
	struct blockstream_cache *cache;
	gboolean eos;		/* a read found the end of the file */
} BlockStream;

typedef struct {
	GMimeStreamClass parent_class;
} BlockStreamClass;

GType block_stream_get_type(void);

G_DEFINE_TYPE(BlockStream, block_stream, GMIME_TYPE_STREAM)

/* blockstream_cache_unref - drop one reference; the last closes fd */
static void
blockstream_cache_unref(struct blockstream_cache *c)
{
	if (c == NULL || --c->refs > 0)
		return;
	if (c->fd != -1)
		(void)close(c->fd);
	g_free(c->buf);
	g_free(c);
}

/* blockstream_fill - read len bytes at off into buf, through the cache
 * for reads smaller than a block */
static ssize_t
blockstream_fill(struct blockstream_cache *c, char *buf, size_t len,
    gint64 off)
{
	size_t done = 0, k;
	ssize_t n;

	while (done < len) {
		if (c->len > 0 && off >= c->at &&
		    off < c->at + (gint64)c->len) {
			k = (size_t)(c->at + (gint64)c->len - off);
			k = k < len - done ? k : len - done;
			memcpy(buf + done, c->buf + (off - c->at), k);
			done += k;
			off += (gint64)k;
			continue;
		}
		if (len - done >= BLOCKSTREAM_BLOCK) {
			n = spool_pread_full(c->fd, buf + done, len - done,
			    (off_t)off);
			if (n == -1)
				return done > 0 ? (ssize_t)done : -1;
			return (ssize_t)(done + (size_t)n);
		}
		if (c->buf == NULL)
			c->buf = g_malloc(BLOCKSTREAM_BLOCK);
		c->len = 0;
		n = spool_pread_full(c->fd, c->buf, BLOCKSTREAM_BLOCK,
		    (off_t)off);
		if (n == -1)
			return done > 0 ? (ssize_t)done : -1;
		if (n == 0)
			break;
		c->at = off;
		c->len = (size_t)n;
	}
	return (ssize_t)done;
}

/* blockstream_read - GMimeStreamFs's read, from the cache */
static ssize_t
blockstream_read(GMimeStream *stream, char *buf, size_t len)
{
	BlockStream *bs = (BlockStream *)stream;
	ssize_t n;

	if (stream->bound_end != -1 &&
	    stream->position >= stream->bound_end) {
		errno = EINVAL;
		return -1;
	}
	if (stream->bound_end != -1 &&
	    (gint64)len > stream->bound_end - stream->position)
		len = (size_t)(stream->bound_end - stream->position);
	n = blockstream_fill(bs->cache, buf, len, stream->position);
	if (n > 0)
		stream->position += n;
	else if (n == 0)
		bs->eos = TRUE;
	return n;
}

/* blockstream_write - read-only */
static ssize_t
blockstream_write(GMimeStream *stream, const char *buf, size_t len)
{
	(void)stream;
	(void)buf;
	(void)len;
	errno = EBADF;
	return -1;
}

/* blockstream_flush - nothing to flush */
static int
blockstream_flush(GMimeStream *stream)
{
	(void)stream;
	return 0;
}

/* blockstream_close - the descriptor goes with the last reference */
static int
blockstream_close(GMimeStream *stream)
{
	(void)stream;
	return 0;
}

/* blockstream_eos - a read found the end of the file */
static gboolean
blockstream_eos(GMimeStream *stream)
{
	return ((BlockStream *)stream)->eos;
}

/* blockstream_reset - back to the start bound (g_mime_stream_reset()
 * sets the position) */
static int
blockstream_reset(GMimeStream *stream)
{
	((BlockStream *)stream)->eos = FALSE;
	stream->position = stream->bound_start;
	return 0;
}

/* blockstream_size - the file's size, or -1 */
static gint64
blockstream_size(const BlockStream *bs)
{
	struct stat st;

	if (fstat(bs->cache->fd, &st) == -1)
		return -1;
	return (gint64)st.st_size;
}

/* blockstream_seek - GMimeStreamFs's seek, with fstat(2) for its lseek
 * to the end */
static gint64
blockstream_seek(GMimeStream *stream, gint64 offset, GMimeSeekWhence whence)
{
	BlockStream *bs = (BlockStream *)stream;
	gint64 real;

	switch (whence) {
	case GMIME_STREAM_SEEK_SET:
		real = offset;
		break;
	case GMIME_STREAM_SEEK_CUR:
		real = stream->position + offset;
		break;
	case GMIME_STREAM_SEEK_END:
		if (offset > 0 || (stream->bound_end == -1 && !bs->eos)) {
			real = blockstream_size(bs);
			if (real == -1)
				return -1;
			real += offset;
			if (real < 0) {
				errno = EINVAL;
				return -1;
			}
		} else if (bs->eos && stream->bound_end == -1)
			real = stream->position + offset;
		else
			real = stream->bound_end + offset;
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (real < stream->bound_start) {
		errno = EINVAL;
		return -1;
	}
	if (real == stream->position)
		return real;
	if (stream->bound_end != -1 && real > stream->bound_end) {
		errno = EINVAL;
		return -1;
	}
	if ((stream->bound_end != -1 && real < stream->bound_end) ||
	    (bs->eos && real < stream->position))
		bs->eos = FALSE;
	stream->position = real;
	return real;
}

/* blockstream_tell - the position */
static gint64
blockstream_tell(GMimeStream *stream)
{
	return stream->position;
}

/* blockstream_length - bytes between the bounds (the end of the file
 * when unbounded) */
static gint64
blockstream_length(GMimeStream *stream)
{
	gint64 end;

	if (stream->bound_end != -1)
		return stream->bound_end - stream->bound_start;
	end = blockstream_size((BlockStream *)stream);
	if (end < stream->bound_start) {
		errno = EINVAL;
		return -1;
	}
	return end - stream->bound_start;
}

/* blockstream_sub - a stream over the same cache, bounded */
static GMimeStream *
blockstream_sub(struct blockstream_cache *c, gint64 start, gint64 end)
{
	BlockStream *bs;

	bs = g_object_new(block_stream_get_type(), NULL);
	bs->cache = c;
	c->refs++;
	g_mime_stream_construct(GMIME_STREAM(bs), start, end);
	return GMIME_STREAM(bs);
}

/* blockstream_substream - the class's substream method */
static GMimeStream *
blockstream_substream(GMimeStream *stream, gint64 start, gint64 end)
{
	return blockstream_sub(((BlockStream *)stream)->cache, start, end);
}

/* block_stream_finalize - drop the cache reference */
static void
block_stream_finalize(GObject *object)
{
	BlockStream *bs = (BlockStream *)object;

	blockstream_cache_unref(bs->cache);
	bs->cache = NULL;
	G_OBJECT_CLASS(block_stream_parent_class)->finalize(object);
}

static void
block_stream_class_init(BlockStreamClass *klass)
{
	GMimeStreamClass *sc = GMIME_STREAM_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = block_stream_finalize;
	sc->read = blockstream_read;
	sc->write = blockstream_write;
	sc->flush = blockstream_flush;
	sc->close = blockstream_close;
	sc->eos = blockstream_eos;
	sc->reset = blockstream_reset;
	sc->seek = blockstream_seek;
	sc->tell = blockstream_tell;
	sc->length = blockstream_length;
	sc->substream = blockstream_substream;
}

static void
block_stream_init(BlockStream *bs)
{
	bs->cache = NULL;
	bs->eos = FALSE;
}

/* blockstream_new - a read-only stream over fd, which it owns */
GMimeStream *
blockstream_new(int fd, gint64 start, gint64 end)
{
	struct blockstream_cache *c;
	GMimeStream *s;

	c = g_new0(struct blockstream_cache, 1);
	c->fd = fd;
	c->refs = 1;
	s = blockstream_sub(c, start, end);
	blockstream_cache_unref(c);	/* the stream holds it now */
	return s;
}
