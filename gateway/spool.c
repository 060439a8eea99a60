/*
 * spool.c - a seekable copy of the input message and the line scanner
 * that bounds what GMime is given (see spool.h for why).
 *
 * The scanner runs once over the raw bytes, as they are copied from a
 * pipe or read back from a regular file: it counts the bytes, notices an
 * empty message, counts the lines that could open a MIME part or a header
 * field and sums the bytes of header fields.  It never allocates, and
 * jumps with memchr() over the rest of a line once that line can tell it
 * nothing more.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "spool.h"

/* spool_scan_init - a scanner whose bounds follow max_parts */
void
spool_scan_init(struct spool_scan *sc, int max_parts)
{
	uint64_t parts;

	memset(sc, 0, sizeof(*sc));
	sc->cut = UINT64_MAX;
	sc->state = SPOOL_BOL;
	parts = max_parts > 0 ? (uint64_t)max_parts : 0;
	sc->max_dashes = SPOOL_SCAN_DASHES + 4 * parts;
	sc->max_fields = SPOOL_SCAN_FIELDS;
	headblock_init(&sc->head, 0);
}

/* spool_scan_count - count one line of a kind; past max, cut before
 * that line.  The top header block is headblock's to bound. */
static void
spool_scan_count(struct spool_scan *sc, uint64_t *count, uint64_t max)
{
	if (!headblock_in_body(&sc->head, sc->line))
		return;
	if (++*count > max && sc->cut == UINT64_MAX)
		sc->cut = sc->line;
}

/* spool_scan_field_bytes - count a finished field line GMime will see;
 * past SPOOL_FIELD_BYTES, mark the message for spool_scan_check() */
static void
spool_scan_field_bytes(struct spool_scan *sc, uint64_t n)
{
	if (sc->cut != UINT64_MAX)
		return;			/* GMime will not see this line */
	if (!headblock_in_body(&sc->head, sc->line))
		return;			/* headblock counts what it keeps */
	sc->field_bytes += n;
	if (sc->field_bytes > SPOOL_FIELD_BYTES)
		sc->fields_over = true;
}

/* spool_is_name_char - could c be part of a header field name (RFC 5322
 * ftext) */
static bool
spool_is_name_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != ':';
}

/*
 * spool_scan_next - the offset of the next ch in buf from i (len when
 * none).  *at caches the last answer plus one (0: none yet): it stays
 * right while i has not passed it, so that each byte is searched once.
 */
static size_t
spool_scan_next(const char *buf, size_t i, size_t len, char ch, size_t *at)
{
	const char *p;

	if (*at == 0 || *at - 1 < i) {
		p = memchr(buf + i, ch, len - i);
		*at = (p != NULL ? (size_t)(p - buf) : len) + 1;
	}
	return *at - 1;
}

/*
 * spool_scan_skip - where the byte loop of spool_scan_feed() must look
 * again, from i: past the rest of a line that can tell it nothing more.
 * That is a line in SPOOL_REST, or in SPOOL_NAME/NAMEWS with no ':' up
 * to its LF (it cannot become a field), once some byte was not white
 * space and no CR run is pending: then only a CR or the LF matters.
 * memchr() finds them, instead of a test per byte (a base64 line is a
 * SPOOL_NAME line to its end).  at[] caches the next LF, ':' and CR.
 * The result is the same as feeding the bytes one by one.
 */
static size_t
spool_scan_skip(struct spool_scan *sc, const char *buf, size_t i, size_t len,
    size_t at[3])
{
	size_t end, cr;

	if (!sc->nonspace || sc->cr_run > 0 || (sc->state != SPOOL_REST &&
	    sc->state != SPOOL_NAME && sc->state != SPOOL_NAMEWS))
		return i;
	end = spool_scan_next(buf, i, len, '\n', &at[0]);
	if (sc->state != SPOOL_REST) {
		/* The line may go on in the next chunk, with a ':'. */
		if (end == len ||
		    spool_scan_next(buf, i, len, ':', &at[1]) < end)
			return i;
		sc->state = SPOOL_REST;
	}
	cr = spool_scan_next(buf, i, len, '\r', &at[2]);
	return cr < end ? cr : end;
}

/* spool_scan_feed - run the scanner over the next len bytes */
void
spool_scan_feed(struct spool_scan *sc, const char *buf, size_t len)
{
	size_t i;
	size_t at[3] = { 0, 0, 0 };
	unsigned char c;

	headblock_feed(&sc->head, buf, len);
	for (i = 0; i < len; i++) {
		i = spool_scan_skip(sc, buf, i, len, at);
		if (i == len)
			break;
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
				spool_scan_field_bytes(sc, sc->off + i + 1 -
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
			else if (spool_is_name_char(c))
				sc->state = SPOOL_NAME;
			else
				sc->state = SPOOL_REST;
			break;
		case SPOOL_DASH:
			if (c == '-') {
				spool_scan_count(sc, &sc->dashes,
				    sc->max_dashes);
				sc->state = SPOOL_REST;
			} else if (c == ':') {
				spool_scan_count(sc, &sc->fields,
				    sc->max_fields);
				sc->in_field = true;
				sc->state = SPOOL_REST;
			} else
				sc->state = spool_is_name_char(c) ?
				    SPOOL_NAME : SPOOL_REST;
			break;
		case SPOOL_NAME:
		case SPOOL_NAMEWS:
			if (c == ':') {
				spool_scan_count(sc, &sc->fields,
				    sc->max_fields);
				sc->in_field = true;
				sc->state = SPOOL_REST;
			} else if (c == ' ' || c == '\t')
				sc->state = SPOOL_NAMEWS;
			else if (sc->state == SPOOL_NAMEWS ||
			    !spool_is_name_char(c))
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

/* spool_scan_end - the input ended */
void
spool_scan_end(struct spool_scan *sc)
{
	headblock_finish(&sc->head);
	/* CRs at the very end end a line too. */
	sc->lone_cr += sc->cr_run;
	sc->cr_run = 0;
}

/* spool_scan_check - refuse what the scan found too big to parse */
enum gw_status
spool_scan_check(const struct spool_scan *sc, struct gw_error *err)
{
	if (sc->fields_over || sc->head.kept_bytes > SPOOL_FIELD_BYTES)
		return gw_error_set(err, GW_ETOOBIG, "message header fields "
		    "are over the %d MiB limit",
		    SPOOL_FIELD_BYTES / (1024 * 1024));
	return GW_OK;
}

/*
 * spool_bounds - what GMime may see.  Leading white space (a blank line,
 * an indented first field) would make GMime see no header at all; such
 * mail is odd but readable, so it is skipped.
 */
bool
spool_bounds(const struct spool_scan *sc, uint64_t base, uint64_t size,
    uint64_t *start_r, uint64_t *end_r)
{
	uint64_t end = sc->cut < size ? sc->cut : size;
	uint64_t lead = sc->lead > end ? end : sc->lead;

	*start_r = base + lead;
	*end_r = base + end;
	return end < size;
}

/* spool_pread_full - pread(2) len bytes of fd at at (spool.h) */
ssize_t
spool_pread_full(int fd, char *buf, size_t len, off_t at)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, buf + done, len - done, at + (off_t)done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;	/* the file shrank */
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* spool_scan_file - run the scanner over size bytes of fd from start */
enum gw_status
spool_scan_file(int fd, off_t start, uint64_t *size, struct spool_scan *sc,
    struct gw_error *err)
{
	char *buf;
	uint64_t done;
	ssize_t n;
	size_t want;

	buf = g_malloc(SPOOL_CHUNK);
	done = 0;
	while (done < *size) {
		want = *size - done < SPOOL_CHUNK ?
		    (size_t)(*size - done) : SPOOL_CHUNK;
		n = spool_pread_full(fd, buf, want, start + (off_t)done);
		if (n == -1) {
			g_free(buf);
			return gw_error_set(err, GW_ETEMP,
			    "cannot read the message: %s", g_strerror(errno));
		}
		spool_scan_feed(sc, buf, (size_t)n);
		done += (uint64_t)n;
		if ((size_t)n < want)
			break;	/* the file shrank */
	}
	spool_scan_end(sc);
	*size = done;
	g_free(buf);
	return GW_OK;
}

/* spool_lone_cr - did sc see a line end made of CRs alone (old Mac OS
 * mailers, some gateways' delivery reports, headers added to those) */
bool
spool_lone_cr(const struct spool_scan *sc)
{
	return sc->lone_cr > 0;
}

/* spool_lone_cr_to_lf - every CR of buf that no LF follows (after more
 * CRs) made an LF, in place */
void
spool_lone_cr_to_lf(char *buf, size_t len)
{
	size_t i, run;

	run = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && buf[i] == '\r') {
			run++;
			continue;
		}
		if (run > 0 && (i == len || buf[i] != '\n'))
			memset(buf + i - run, '\n', run);
		run = 0;
	}
}

/* spool_read - the size spooled bytes of sp into a new buffer */
enum gw_status
spool_read(const struct spool *sp, char **buf_r, size_t *len_r,
    struct gw_error *err)
{
	char *buf;
	size_t len;
	ssize_t n;

	*buf_r = NULL;
	*len_r = 0;
	if (sp->size > (uint64_t)SIZE_MAX - 1)
		return gw_error_set(err, GW_ETOOBIG, "message too large");
	len = (size_t)sp->size;
	buf = g_malloc(len + 1);
	n = spool_pread_full(sp->fd, buf, len, sp->start);
	if (n == -1) {
		g_free(buf);
		return gw_error_set(err, GW_ETEMP,
		    "cannot read the message: %s", g_strerror(errno));
	}
	buf[n] = '\0';
	*buf_r = buf;
	*len_r = (size_t)n;
	return GW_OK;
}

static char *spool_dir;		/* [delivery] spool_dir; NULL: $TMPDIR */

/* spool_set_dir - where spool_tmpfile() creates its files */
void
spool_set_dir(const char *dir)
{
	g_free(spool_dir);
	spool_dir = dir != NULL && dir[0] != '\0' ? g_strdup(dir) : NULL;
}

/* spool_get_dir - spool_set_dir()'s directory, else $TMPDIR or /tmp */
const char *
spool_get_dir(void)
{
	return spool_dir != NULL ? spool_dir : g_get_tmp_dir();
}

/* spool_tmpfile - an unlinked, close-on-exec temporary file in
 * spool_get_dir(), or -1 with errno set */
int
spool_tmpfile(void)
{
	char *path;
	int fd, saved;

	path = g_build_filename(spool_get_dir(), "mail2note-XXXXXX", NULL);
	fd = mkstemp(path);
	saved = errno;
	if (fd != -1) {
		(void)unlink(path);
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	g_free(path);
	errno = saved;
	return fd;
}

/* spool_write_all - write len bytes to fd; -1 with errno on failure */
static int
spool_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* spool_read_some - read(2) that retries on EINTR and waits on EAGAIN */
static ssize_t
spool_read_some(int fd, char *buf, size_t len)
{
	struct pollfd pfd;
	ssize_t n;

	for (;;) {
		n = read(fd, buf, len);
		if (n != -1)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		(void)poll(&pfd, 1, -1);
	}
}

/*
 * spool_pipe - copy fd to an unlinked temporary file, scanning on the
 * way and stopping as soon as max_size is passed (that chunk is kept).
 */
static enum gw_status
spool_pipe(int fd, uint64_t max_size, struct spool *sp, struct gw_error *err)
{
	enum gw_status rc = GW_OK;
	char *buf;
	ssize_t n;

	sp->fd = spool_tmpfile();
	if (sp->fd == -1)
		return gw_error_set(err, GW_ETEMP,
		    "cannot create a spool file in %s: %s", spool_get_dir(),
		    g_strerror(errno));
	buf = g_malloc(SPOOL_CHUNK);
	for (;;) {
		n = spool_read_some(fd, buf, SPOOL_CHUNK);
		if (n == -1) {
			rc = gw_error_set(err, GW_ETEMP,
			    "cannot read the message: %s", g_strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (spool_write_all(sp->fd, buf, (size_t)n) == -1) {
			rc = gw_error_set(err, GW_ETEMP,
			    "cannot write the spool file in %s: %s",
			    spool_get_dir(), g_strerror(errno));
			break;
		}
		sp->size += (uint64_t)n;
		if (sp->size > max_size) {
			sp->over = true;
			sp->src = fd;
			rc = gw_error_set(err, GW_ETOOBIG, "message is over "
			    "the %" PRIu64 "-byte size limit", max_size);
			break;
		}
		spool_scan_feed(&sp->scan, buf, (size_t)n);
	}
	if (rc == GW_OK)
		spool_scan_end(&sp->scan);
	g_free(buf);
	if (rc != GW_OK && !sp->over)
		spool_close(sp);
	return rc;
}

/* spool_input - a seekable, scanned copy of the message on fd */
enum gw_status
spool_input(int fd, uint64_t max_size, int max_parts, struct spool *sp,
    struct gw_error *err)
{
	struct stat st;
	enum gw_status rc;

	memset(sp, 0, sizeof(*sp));
	sp->fd = sp->src = -1;
	spool_scan_init(&sp->scan, max_parts);
	if (fstat(fd, &st) == -1)
		return gw_error_set(err, GW_ETEMP,
		    "cannot read the message: %s", g_strerror(errno));
	sp->start = S_ISREG(st.st_mode) ? lseek(fd, 0, SEEK_CUR) : -1;
	if (sp->start == -1) {
		sp->start = 0;
		return spool_pipe(fd, max_size, sp, err);
	}
	/* A file already: use it in place, no copy. */
	sp->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (sp->fd == -1)
		return gw_error_set(err, GW_ETEMP,
		    "cannot read the message: %s", g_strerror(errno));
	sp->size = st.st_size > sp->start ?
	    (uint64_t)(st.st_size - sp->start) : 0;
	if (sp->size > max_size) {
		sp->over = true;
		return gw_error_set(err, GW_ETOOBIG, "message is %" PRIu64
		    " bytes, over the %" PRIu64 "-byte size limit", sp->size,
		    max_size);
	}
	rc = spool_scan_file(sp->fd, sp->start, &sp->size, &sp->scan, err);
	if (rc != GW_OK)
		spool_close(sp);
	return rc;
}

/* spool_copy_some - pread() or read() what is left into out, at most max
 * bytes in all; -1 on an I/O error, 1 when over max */
static int
spool_copy_some(int in, off_t at, uint64_t limit, int out, uint64_t max,
    uint64_t *written, char *buf)
{
	ssize_t n;
	size_t want;
	uint64_t done = 0;

	while (done < limit) {
		want = limit - done < SPOOL_CHUNK ? (size_t)(limit - done) :
		    SPOOL_CHUNK;
		n = at >= 0 ? pread(in, buf, want, at + (off_t)done) :
		    spool_read_some(in, buf, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		if ((uint64_t)n > max - *written)
			return 1;
		if (spool_write_all(out, buf, (size_t)n) == -1)
			return -1;
		*written += (uint64_t)n;
		done += (uint64_t)n;
	}
	return 0;
}

/* spool_copy - the whole message, spooled part and unread rest, to out */
enum gw_status
spool_copy(struct spool *sp, int out, uint64_t max, uint64_t *written_r,
    struct gw_error *err)
{
	char *buf;
	int rc;

	*written_r = 0;
	if (sp->fd == -1)
		return gw_error_set(err, GW_ETEMP, "the message was not read");
	buf = g_malloc(SPOOL_CHUNK);
	/* A regular file that was too big is still whole in place. */
	rc = spool_copy_some(sp->fd, sp->start, sp->src == -1 && sp->over ?
	    UINT64_MAX : sp->size, out, max, written_r, buf);
	if (rc == 0 && sp->src != -1)
		rc = spool_copy_some(sp->src, -1, UINT64_MAX, out, max,
		    written_r, buf);
	g_free(buf);
	if (rc == 1)
		return gw_error_set(err, GW_ETOOBIG, "message is over %"
		    PRIu64 " bytes", max);
	if (rc == -1)
		return gw_error_set(err, GW_ETEMP, "cannot copy the message: "
		    "%s", g_strerror(errno));
	return GW_OK;
}

/* spool_close - close the spool file */
void
spool_close(struct spool *sp)
{
	if (sp->fd != -1)
		(void)close(sp->fd);
	sp->fd = -1;
}
