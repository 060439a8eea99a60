/*
 * status.h - outcome classes and the one table that maps them to an exit
 * code, an RFC 3463 enhanced status code and a short text.
 *
 * Owns: enum gw_status, struct gw_error.  status.c is the only file that
 * includes <sysexits.h>.
 *
 * Policy: only GW_EDATA, GW_ETOOBIG, GW_ENOTICKET and GW_ENOPERM are
 * permanent (the MTA bounces the mail).  Everything else maps to EX_TEMPFAIL (75), the only
 * code that both Postfix and Exim treat as "retry".
 *
 * Reentrancy: the table is read-only; gw_error_set() writes only *err.
 */
#ifndef GW_STATUS_H
#define GW_STATUS_H

#include <stdarg.h>
#include <stdbool.h>

enum gw_status {
	GW_OK = 0,	/* delivered (or deliberately discarded) */
	GW_ETEMP,	/* API 5xx, garbage answer, local I/O: 75, 4.3.0 */
	GW_ENETWORK,	/* refused, reset, DNS, TLS: 75, 4.4.1 */
	GW_ETIMEOUT,	/* no complete answer within the budget: 75, 4.4.2 */
	GW_ERATELIMIT,	/* API 429: 75, 4.4.5 */
	GW_EAUTH,	/* API 401/403: our key is bad, revoked, read-only: 75, 4.7.0 */
	GW_ECONFIG,	/* config or key file problem, bad argv: 75, 4.3.5 */
	GW_ESOFTWARE,	/* "cannot happen": 75, 4.3.0 */
	GW_EDATA,	/* unparseable/empty message, API 400/422: 65, 5.6.0 */
	GW_ETOOBIG,	/* message over the cap, API 413: 65, 5.3.4 */
	GW_ENOTICKET,	/* no valid ticket id, API 404: 67, 5.1.1 */
	GW_ENOPERM,	/* sender refused by [sender] policy (refused = bounce): 77, 5.7.1 */
	GW_STATUS_COUNT
};

#define GW_ERROR_TEXT_MAX 256

/*
 * An error: the class plus a fixed-size text, so error paths never
 * allocate.  The text never contains the API key or message bodies.
 */
struct gw_error {
	enum gw_status code;
	char text[GW_ERROR_TEXT_MAX];
};

/* gw_error_set - fill *err (may be NULL) and return code */
enum gw_status gw_error_set(struct gw_error *err, enum gw_status code,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* gw_error_clear - reset *err to GW_OK and an empty text */
void gw_error_clear(struct gw_error *err);

/* status_exit - sysexits(3) code for a status (0 for GW_OK) */
int status_exit(enum gw_status code);

/* status_dsn - RFC 3463 code ("5.1.1"); "2.0.0" for GW_OK */
const char *status_dsn(enum gw_status code);

/* status_name - short symbolic name ("ENOTICKET") for logs and tests */
const char *status_name(enum gw_status code);

/*
 * status_settle - make err agree with the status st a function returned,
 * and return st: GW_OK clears it; any other st becomes err->code (a text
 * set for another code is kept: it says what happened).  After it, err
 * alone decides the exit code and the DSN line.
 */
enum gw_status status_settle(enum gw_status st, struct gw_error *err);

/* status_is_permanent - true when the MTA will bounce the message */
bool status_is_permanent(enum gw_status code);

/*
 * status_format_line - the one stderr line for a failure: "<dsn> <text>",
 * control characters replaced, cut to at most 200 bytes (UTF-8 safe), no
 * newline.  buf must hold at least 201 bytes.
 */
void status_format_line(const struct gw_error *err, char *buf, unsigned size);

#endif /* GW_STATUS_H */
