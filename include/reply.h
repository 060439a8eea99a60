/*
 * reply.h - what the note API's answer means: the HTTP status and the
 * error body (JSON per the contract, or anything a proxy sends) become an
 * enum gw_status and one line of reason, with every copy of the API key
 * redacted from the server text quoted.
 *
 * Owns: the reading of the contract's error body
 * ({"error","message","code"[,"details"][,"retryAfter"]}, and what real
 * servers send instead); nothing here does I/O.  api uses it for a
 * delivery and for --check-api.
 *
 * Used error codes: per function below.
 *
 * Reentrancy: all functions are pure and reentrant.
 */
#ifndef GW_REPLY_H
#define GW_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

struct json_object;
struct secret;

#define REPLY_TEXT_MAX 100	/* bytes of server text in a reason */
#define REPLY_RETRY_MAX (30L * 24 * 3600) /* cap on a retry delay, s */

/*
 * reply_classify - pure: HTTP status + answer body (may be NULL/not JSON) +
 * Retry-After header value in seconds (-1 if none) -> status and text.
 * Server text quoted in the error text has every run of key (may be
 * NULL: nothing to redact) replaced by "[key]" before it is cut.
 * *retry_after_r (may be NULL) gets the retry delay used, or -1.
 * Used error codes: GW_OK (2xx), GW_EDATA (400, 422), GW_ENOTICKET (404
 * with a JSON body about the ticket), GW_ETOOBIG (413), GW_EAUTH (401,
 * 403), GW_ETIMEOUT (408), GW_ERATELIMIT (429), GW_ETEMP (anything else).
 */
enum gw_status reply_classify(long http_status, const char *body, size_t len,
    long retry_after_header, const struct secret *key, long *retry_after_r,
    struct gw_error *err);

/*
 * reply_markup_refused - pure: true for a 400 or 422 answer whose details
 * name the field body_html (an entry's "field", a key of a details
 * object, or a details string mentioning it): the API refused our HTML,
 * and the same note with HTML rebuilt from the text may pass.
 */
bool reply_markup_refused(long http_status, const char *body, size_t len);

/*
 * reply_parse - the answer as a JSON object (depth-limited), or NULL when
 * it is not one; free with json_object_put().
 */
struct json_object *reply_parse(const char *body, size_t len);

/* reply_message - the server's message ("message", "detail", "error",
 * "title"), or NULL; points into obj */
const char *reply_message(struct json_object *obj);

/*
 * reply_about_ticket - true when the answer (a 404) says the ticket does
 * not exist: a problem code or a message naming the ticket, not a route
 * ("No such route", "Cannot POST /api/v1/api/v1/...").
 */
int reply_about_ticket(struct json_object *obj);

/*
 * reply_clean - untrusted server text made fit for a reason or a log
 * line: every run of key redacted first, then cut to max bytes on one
 * line.  NULL gives "".  New string, g_free().
 */
char *reply_clean(const struct secret *key, const char *text, size_t max);

#endif /* GW_REPLY_H */
