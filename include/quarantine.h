/*
 * quarantine.h - the mails the helpdesk did not get ([delivery]
 * quarantine_dir): kept whole, with why, so that an administrator can
 * look, fix and re-deliver them (mail2note --quarantine, --replay,
 * --purge-quarantine).
 *
 * Owns: every file under quarantine_dir.  Layout:
 *   <id>.eml    the mail as the MTA handed it over, byte for byte, 0600
 *   <id>.json   its sidecar: time, queue id, envelope, Message-ID,
 *               ticket, outcome, DSN, reason, size, replays
 * A mail is in the quarantine once its sidecar exists: the .eml is
 * created O_EXCL (so two processes never share an id), written and
 * fsync'd first, the sidecar last (g_file_set_contents_full(), durable),
 * so a listing never shows half a mail.  A crash leaves at most a lone
 * .eml or a sidecar's temporary file, removed by --purge-quarantine once
 * a day old.  An
 * id is "YYYYMMDD-HHMMSS-xxxxxx" (UTC, 6 random hex digits): it sorts by
 * age and is safe in a path.
 *
 * The total size of the .eml files is bounded by quarantine_max_size:
 * a mail that does not fit is not kept (quarantine_store() says so; the
 * caller bounces it anyway and logs that).
 *
 * Used error codes: GW_ECONFIG (the directory is unsafe or not ours, an
 * unknown id), GW_ETEMP (local I/O: the caller must not lose the mail).
 *
 * Reentrancy: one struct quarantine per process; not thread-safe.
 * Concurrent processes each write their own files.
 */
#ifndef GW_QUARANTINE_H
#define GW_QUARANTINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "status.h"

struct spool;

#define QUARANTINE_ID_LEN 22		/* YYYYMMDD-HHMMSS-xxxxxx */
#define QUARANTINE_STRAY_AGE (24 * 3600) /* crash leftovers: lone .eml */

/* What the sidecar holds.  Strings are UTF-8 or NULL (unknown). */
struct quarantine_meta {
	char id[QUARANTINE_ID_LEN + 1];
	time_t time;		/* when it was stored */
	char *queue_id;
	char *sender;		/* envelope; "" for <> */
	char *recipient;
	char *extension;
	char *message_id;
	char *ticket;
	char *outcome;		/* "bounced", "refused", "discarded" */
	char *dsn;		/* "5.1.1"; NULL for a discard */
	char *reason;
	uint64_t size;		/* bytes of the .eml */
	int replays;		/* --replay runs that did not deliver it */
	time_t replayed;	/* the last one, 0: never */
};

struct quarantine;

/*
 * quarantine_open - check dir like state_dir (owned by the effective
 * uid, mode 0700, on a safe path; created 0700 when missing and its
 * parent is safe) and make tmp/.  max_size 0 keeps nothing.  *q_r is
 * new, free with quarantine_close().  Used error codes: GW_ECONFIG.
 */
enum gw_status quarantine_open(const char *dir, uint64_t max_size,
    struct quarantine **q_r, struct gw_error *err);

/* quarantine_close - free *q_r, set it NULL; NULL-safe */
void quarantine_close(struct quarantine **q_r);

/*
 * quarantine_store - keep the mail of sp (all of it, the part past the
 * size cap included) with meta (its id and size are filled in here).
 * GW_OK with *kept_r true when stored, false when it did not fit in
 * quarantine_max_size (nothing is left behind); GW_ETEMP when it could
 * not be written.
 */
enum gw_status quarantine_store(struct quarantine *q, struct spool *sp,
    struct quarantine_meta *meta, bool *kept_r, struct gw_error *err);

/* quarantine_id_valid - is id shaped like an id (checked before it is
 * used in a path) */
bool quarantine_id_valid(const char *id);

/*
 * quarantine_load - the sidecar of id into *meta (free with
 * quarantine_meta_clear()) and, when fd_r is not NULL, the .eml opened
 * read-only in *fd_r.  GW_ECONFIG for an unknown or malformed id.
 */
enum gw_status quarantine_load(struct quarantine *q, const char *id,
    struct quarantine_meta *meta, int *fd_r, struct gw_error *err);

/* quarantine_update - rewrite the sidecar of meta->id (after a replay
 * that failed).  Used error codes: GW_ETEMP. */
enum gw_status quarantine_update(struct quarantine *q,
    const struct quarantine_meta *meta, struct gw_error *err);

/* quarantine_remove - delete id (sidecar first).  GW_ETEMP on failure. */
enum gw_status quarantine_remove(struct quarantine *q, const char *id,
    struct gw_error *err);

/*
 * quarantine_list - one line per mail, oldest first, to fp:
 * "ID AGE SENDER TICKET REASON" (AGE like 45s, 12m, 3h, 2d; SENDER <>
 * for the null sender; "-" for what is unknown); then a "# N mails,
 * SIZE" line.  Used error codes: GW_ETEMP.
 */
enum gw_status quarantine_list(struct quarantine *q, time_t now, FILE *fp,
    struct gw_error *err);

/*
 * quarantine_purge - remove the mails stored more than days days ago
 * (0: all), and stray files; *count_r and *bytes_r say what went.
 * Used error codes: GW_ETEMP.
 */
enum gw_status quarantine_purge(struct quarantine *q, time_t now, int days,
    unsigned *count_r, uint64_t *bytes_r, struct gw_error *err);

/* quarantine_meta_clear - free the strings of meta, zero it */
void quarantine_meta_clear(struct quarantine_meta *meta);

#endif /* GW_QUARANTINE_H */
