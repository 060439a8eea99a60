/*
 * spool.h - the raw bytes of one message: a seekable copy of the input,
 * and the line scan that bounds what GMime is given.
 *
 * Owns: reading the input (stdin is a pipe under Postfix and Exim), the
 * unlinked temporary files in spool_get_dir(), and the line scanner.  GMime
 * builds one object per MIME part and per header field, about 1-2 KB
 * each, with no cap of its own: ten megabytes of "--b" lines or "X:y"
 * lines would cost gigabytes.  The top header block is bounded by
 * headblock (headblock.h), which the scanner runs too: it finds where
 * the header ends as Python's email does, and leaves out header fields
 * past HEADBLOCK_MAX_FIELDS.  In the rest, the scanner counts lines that could
 * open a part ("--...") or a header field ("name:") and, past a generous
 * bound, says where the parse must stop (cut).  It also sums the bytes of
 * header fields, whose address lists GMime turns into objects too: past
 * SPOOL_FIELD_BYTES the message is refused.
 *
 * The spool outlives the parse: main keeps it, so that a mail that is
 * going to bounce can be copied whole into the quarantine, the part past
 * the size cap included (spool_copy()).
 *
 * Used error codes: GW_ETEMP (local I/O), GW_ETOOBIG (over the size cap,
 * or header fields over SPOOL_FIELD_BYTES).
 *
 * Reentrancy: no global state.
 */
#ifndef GW_SPOOL_H
#define GW_SPOOL_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "headblock.h"
#include "status.h"

#define SPOOL_CHUNK		65536	/* read(2) size */
#define SPOOL_SCAN_FIELDS	50000	/* "name:" lines GMime may see */
#define SPOOL_SCAN_DASHES	20000	/* "--" lines, plus 4 per MIME part */
/*
 * Bytes of header fields (and their folded lines) GMime may see, nested
 * messages included: it builds an object per address, about 25 bytes of
 * memory per byte of address list.  Exim refuses headers over 1 MB and
 * Postfix cuts a field at 100 KB, so no real mail comes near.
 */
#define SPOOL_FIELD_BYTES	(4 * 1024 * 1024)

enum spool_scan_state {
	SPOOL_BOL,		/* at the start of a line */
	SPOOL_DASH,		/* saw one '-' */
	SPOOL_NAME,		/* inside something like a field name */
	SPOOL_NAMEWS,		/* blanks after that name */
	SPOOL_REST		/* nothing more to learn on this line */
};

/* What the line scanner learns about the raw bytes. */
struct spool_scan {
	uint64_t off;		/* bytes fed */
	uint64_t line;		/* offset where the current line starts */
	uint64_t cut;		/* give GMime only [0, cut); UINT64_MAX: all */
	uint64_t dashes;	/* lines starting with "--" */
	uint64_t fields;	/* lines looking like "name:" */
	uint64_t max_dashes;
	uint64_t max_fields;
	uint64_t field_bytes;	/* in field lines and their folds */
	bool fields_over;	/* ... over SPOOL_FIELD_BYTES */
	bool in_field;		/* this line is a field or a fold of one */
	bool was_field;		/* ... and so was the line before */
	uint64_t lead;		/* white space before the first other byte */
	enum spool_scan_state state;
	bool nonspace;		/* some byte was not white space */
	bool cr;		/* some byte was a CR */
	bool lf;		/* some byte was an LF */
	uint64_t cr_run;	/* CRs just before this byte */
	uint64_t lone_cr;	/* CRs that no LF follows: line ends */
	struct headblock head;	/* the top header block */
};

/* One message's raw bytes. */
struct spool {
	int fd;			/* regular file: the message from start on */
	off_t start;
	uint64_t size;		/* bytes of it in fd (the first max_size + a
				 * chunk when over) */
	bool over;		/* the input is larger than max_size */
	int src;		/* when over and read from a pipe: the input,
				 * its rest unread (not ours to close); -1 */
	struct spool_scan scan;	/* over the size bytes */
};

/*
 * spool_pread_full - pread(2) len bytes of fd at offset at into buf,
 * retrying EINTR and short reads; fewer only at the end of the file.
 * The bytes read, or -1 with errno set.
 */
ssize_t spool_pread_full(int fd, char *buf, size_t len, off_t at);

/* spool_scan_init - a scanner for a message of at most max_parts parts */
void spool_scan_init(struct spool_scan *sc, int max_parts);

/* spool_scan_feed - run the scanner over the next len bytes */
void spool_scan_feed(struct spool_scan *sc, const char *buf, size_t len);

/* spool_scan_end - the input ended (a header block or CRs at its end);
 * spool_input() and spool_scan_file() call it */
void spool_scan_end(struct spool_scan *sc);

/* spool_scan_check - GW_ETOOBIG when the header fields are too big */
enum gw_status spool_scan_check(const struct spool_scan *sc,
    struct gw_error *err);

/*
 * spool_bounds - the bytes GMime may see of a message of size bytes that
 * the scanner sc saw from offset base: [*start_r, *end_r), the leading
 * white space skipped and the scanner's cut applied.  True when the cut
 * left something out.
 */
bool spool_bounds(const struct spool_scan *sc, uint64_t base, uint64_t size,
    uint64_t *start_r, uint64_t *end_r);

/*
 * spool_scan_file - run sc over at most *size bytes of fd from start
 * (pread, the offset is not moved); *size becomes the bytes read.
 */
enum gw_status spool_scan_file(int fd, off_t start, uint64_t *size,
    struct spool_scan *sc, struct gw_error *err);

/*
 * spool_lone_cr - true when sc saw a CR that no LF follows (after more
 * CRs: "\r\r\n" is one line end): a whole message with CR line ends (old
 * Mac OS mailers, some gateways' delivery reports), or header lines with
 * LF added by an MTA to such a message.  GMime reads a run of lines with
 * CR ends as one line; Python's email and mail clients end a line at a
 * lone CR, so the parse is given LF instead (spool_lone_cr_to_lf()),
 * with the same length, and scanned again.
 */
bool spool_lone_cr(const struct spool_scan *sc);

/* spool_lone_cr_to_lf - replace every CR of buf that no LF follows
 * (after more CRs) with an LF, in place */
void spool_lone_cr_to_lf(char *buf, size_t len);

/*
 * spool_read - the spooled bytes of sp (sp->size of them from sp->start)
 * in a new NUL-terminated buffer (g_free), *len_r its length.  Used error
 * codes: GW_ETEMP, GW_ETOOBIG.
 */
enum gw_status spool_read(const struct spool *sp, char **buf_r,
    size_t *len_r, struct gw_error *err);

/*
 * spool_set_dir - the directory for spool_tmpfile() ([delivery]
 * spool_dir; NULL or "": $TMPDIR, else /tmp).  Process-wide, set once by
 * main() after the config was read; copied.
 */
void spool_set_dir(const char *dir);

/* spool_get_dir - the directory spool_tmpfile() uses (borrowed) */
const char *spool_get_dir(void);

/* spool_tmpfile - an unlinked, close-on-exec file in spool_get_dir(), or
 * -1 with errno set */
int spool_tmpfile(void);

/*
 * spool_input - make the message on fd seekable and scan it: a regular
 * file is used in place from its offset (dup'ed), anything else is copied
 * to spool_tmpfile(), reading no further than a chunk past max_size.
 * GW_ETOOBIG when the message is over max_size: *sp is then still filled
 * (sp->over), so that spool_copy() can keep the whole mail.  On other
 * errors sp->fd is -1.  Release with spool_close().
 */
enum gw_status spool_input(int fd, uint64_t max_size, int max_parts,
    struct spool *sp, struct gw_error *err);

/*
 * spool_copy - write the whole message to out: the spooled bytes, then,
 * when it was over the cap, the rest of the input.  At most max bytes:
 * GW_ETOOBIG (nothing more is read) when the message is larger.
 * *written_r is the bytes written.  Used error codes: GW_ETEMP,
 * GW_ETOOBIG.
 */
enum gw_status spool_copy(struct spool *sp, int out, uint64_t max,
    uint64_t *written_r, struct gw_error *err);

/* spool_close - close sp->fd (not sp->src); safe to call twice */
void spool_close(struct spool *sp);

#endif /* GW_SPOOL_H */
