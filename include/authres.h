/*
 * authres.h - parse one Authentication-Results header field (RFC 8601).
 *
 * Pure: text in, plain structs out; no I/O, no global state.  The value
 * is the field body as it appears after "Authentication-Results:"
 * (unfolded or not: CR, LF and tabs count as white space).  RFC 5322
 * comments "(...)", nested and with quoted-pairs, are skipped wherever
 * CFWS is allowed; quoted-string values are unquoted.
 *
 * Owns: struct authres and everything it points to.  Names (method,
 * result, ptype, property) are lowercased; the authserv-id and property
 * values are kept as written (compare them case-insensitively where
 * they are domain names).
 *
 * Used error codes: GW_EDATA (authres_parse: not a valid field, e.g. no
 * authserv-id, or a resinfo that cannot be read).  A field with
 * "none" as its only result parses to zero results.
 *
 * Reentrancy: fully reentrant.
 */
#ifndef GW_AUTHRES_H
#define GW_AUTHRES_H

#include <stddef.h>

#include "status.h"

#define AUTHRES_MAX_RESULTS 64	/* resinfos kept per field; more: EDATA */
#define AUTHRES_MAX_PROPS 16	/* properties kept per resinfo */

struct authres_prop {
	char *ptype;		/* "header", "smtp", "body", "policy" ... */
	char *property;		/* "d", "from", "mailfrom", "i" ... */
	char *value;		/* unquoted, as written */
};

struct authres_result {
	char *method;		/* "dkim", "dmarc", "spf", "arc" ... */
	char *result;		/* "pass", "fail", "none", "neutral" ... */
	char *reason;		/* reason= value, or NULL */
	size_t nprops;
	struct authres_prop *props;
};

struct authres {
	char *authserv_id;	/* as written, never NULL or empty */
	size_t nresults;
	struct authres_result *results;
};

/*
 * authres_parse - parse one field body.  *ar_r is new, free with
 * authres_free(); NULL on failure.
 */
enum gw_status authres_parse(const char *value, struct authres **ar_r,
    struct gw_error *err);

/*
 * authres_prop - the value of ptype.property in res (both matched
 * case-insensitively), the first one if several; NULL when absent.
 * Borrowed, valid until authres_free().
 */
const char *authres_prop(const struct authres_result *res, const char *ptype,
    const char *property);

/* authres_free - free *ar_r and set it to NULL; NULL-safe */
void authres_free(struct authres **ar_r);

#endif /* GW_AUTHRES_H */
