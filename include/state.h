/*
 * state.h - the state directory ([delivery] state_dir): the delivery
 * journal, the shared API pause and the circuit breaker.
 *
 * Owns: every file under state_dir.  Layout:
 *   journal/<key>   one record per mail, named by its idempotency key
 *                   (hex): "posted", "ambiguous" or "attempt" + a time
 *   inflight/<key>  flock(2)ed while one process delivers that mail
 *   tmp/            records being written (write, fsync, rename: a
 *                   crash leaves at most a stray file, removed by age)
 *   pause           "until <epoch>": the API said 429
 *   breaker         "<failures> <open-until> <backoff>", changed only
 *                   under flock(2) on "lock"
 *   probe           flock(2)ed by the one half-open probe
 *   expire.stamp    when records were last expired (at most hourly)
 * Every file is replaced by rename(2), so a reader never sees half of
 * one and kill -9 at any point leaves either the old or the new state.
 * Beyond log and status, state uses safefile for the path rule that
 * state_dir must pass, the one the key files pass.
 *
 * Used error codes: state_open() GW_ECONFIG (state_dir unsafe, not ours,
 * not creatable); state_record() and state_mail_lock() GW_ETEMP (local
 * I/O, another process delivering the same mail); state_gate()
 * GW_ERATELIMIT (paused) and GW_ENETWORK (circuit open).
 *
 * Reentrancy: one struct state per process; not thread-safe.
 */
#ifndef GW_STATE_H
#define GW_STATE_H

#include <stdbool.h>
#include <time.h>

#include "status.h"

#define STATE_BREAKER_FAILURES 5	/* consecutive failures that open it */
#define STATE_BREAKER_FIRST 30		/* seconds open the first time */
#define STATE_BREAKER_MAX 600		/* ... doubling up to this */
#define STATE_PAUSE_MAX (24 * 3600)	/* the longest 429 pause kept */
#define STATE_PAUSE_DEFAULT 60		/* a 429 that names no delay */

enum state_record {
	STATE_NONE = 0,		/* never tried (or expired) */
	STATE_POSTED,		/* a 2xx was seen: never post again */
	STATE_AMBIGUOUS,	/* sent, no answer: the API may have it */
	STATE_ATTEMPT		/* written before the POST; left behind only
				 * when the process died during it */
};

enum state_event {
	STATE_EV_SUCCESS,	/* the API answered (not 5xx/429) */
	STATE_EV_FAILURE,	/* 5xx, network error, timeout */
	STATE_EV_NEUTRAL	/* 429 (the pause handles it), no request */
};

struct state;

/*
 * state_open - check dir (owned by the effective uid, no group or other
 * bits, on a safe path; created 0700 when missing and its parent is
 * safe), make its subdirectories, expire old records at most once an
 * hour.  *st_r is new, free with state_close().  Used error codes:
 * GW_ECONFIG.
 */
enum gw_status state_open(const char *dir, int journal_days,
    struct state **st_r, struct gw_error *err);

/* state_close - release the locks held, free *st_r, set it NULL */
void state_close(struct state **st_r);

/* state_lookup - the journal record for key (hex), STATE_NONE if none */
enum state_record state_lookup(const struct state *st, const char *key);

/*
 * state_record - write the record for key atomically (fsync'd).  Never
 * replaces "posted" with anything else; STATE_NONE removes the record.
 * Used error codes: GW_ETEMP.
 */
enum gw_status state_record(struct state *st, const char *key,
    enum state_record rec, struct gw_error *err);

/*
 * state_mail_lock - take the per-mail lock for key, waiting at most
 * wait_ms; held until state_close().  Used error codes: GW_ETEMP.
 */
enum gw_status state_mail_lock(struct state *st, const char *key,
    int wait_ms, struct gw_error *err);

/*
 * state_gate - may this process send a request now?  GW_OK, possibly as
 * the one half-open probe (the probe lock is then held until
 * state_report()); GW_ERATELIMIT "API rate-limited until HH:MM:SS UTC";
 * GW_ENETWORK "API unavailable, circuit open until HH:MM:SS UTC".
 */
enum gw_status state_gate(struct state *st, time_t now,
    struct gw_error *err);

/* state_pause - record a 429: no request until now + seconds (capped) */
void state_pause(struct state *st, time_t now, long seconds);

/*
 * state_report - count the request's outcome in the breaker: a success
 * closes it, STATE_BREAKER_FAILURES consecutive failures open it.
 * Failures to write are logged, never fatal.
 */
void state_report(struct state *st, enum state_event ev, time_t now);

/* state_record_name - "posted", "ambiguous", "attempt" or "none" */
const char *state_record_name(enum state_record rec);

#endif /* GW_STATE_H */
