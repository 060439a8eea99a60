/*
 * api.h - POST one internal note to the helpdesk and classify the answer.
 *
 * Owns: libcurl.  The ticket id is percent-encoded into the path; the key
 * goes only into the Authorization header (never into a URL, a log line
 * or an error text).  The response body is capped (API_MAX_RESPONSE).
 * The whole exchange is bounded by timeout.  api_post() never waits out
 * a 429: it says when to retry (res->retry_after), and main decides
 * ([delivery] max_wait).
 *
 * Outcome -> status: 2xx GW_OK; 400/422 GW_EDATA (with the API's message
 * and details; res->markup_refused when the details name body_html, so
 * the caller may post again with plain HTML); 404 GW_ENOTICKET when the API's JSON answer says the
 * ticket does not exist (its message, detail, error or problem code
 * mentions a ticket), GW_ETEMP for any other 404 (a web server's page, or
 * the API's "No such route": base_url is wrong, and bouncing would return
 * every mail); 413 GW_ETOOBIG; 401/403 GW_EAUTH;
 * 408 GW_ETIMEOUT; 429 GW_ERATELIMIT; 5xx and anything unexpected
 * GW_ETEMP; connect/DNS/TLS/reset GW_ENETWORK; timeout GW_ETIMEOUT.  A 2xx
 * whose body is not JSON is still GW_OK (with a warning): the server said
 * Created, and deferring would post the note twice.
 *
 * A 2xx whose body was cut short (reset or timeout after the headers) is
 * GW_OK too, for the same reason; any other status with a cut body is
 * classified by its status.  3xx is never followed: GW_ETEMP.
 *
 * Used error codes: per function below.  An unreadable ca_file is
 * GW_ENETWORK ("TLS: cannot use the CA file").
 *
 * Proxies: the environment's http(s)_proxy variables are ignored, so a
 * run by hand behaves like a run under pipe(8).  CURLOPT_VERBOSE is never
 * set (it would print the Authorization header).
 *
 * Reentrancy: api_global_init() once, first in main.
 */
#ifndef GW_API_H
#define GW_API_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

struct secret;

#define API_MAX_RESPONSE (64 * 1024)	/* bytes of answer kept */

struct api_config {
	const char *base_url;	/* no trailing slash needed */
	const char *ca_file;	/* NULL: system store */
	long timeout;		/* seconds, whole exchange */
	long connect_timeout;	/* seconds */
	const struct secret *key;
	const char *user_agent;	/* "mail2note/VERSION" */
};

struct api_result {
	long http_status;	/* 0 when no answer */
	long elapsed_ms;
	long retry_after;	/* seconds from retryAfter/Retry-After, or -1 */
	bool ambiguous;		/* the request was sent but no answer came
				 * (timeout, reset, cut or empty answer): the
				 * API may have stored the note */
	bool markup_refused;	/* a 400/422 whose details name body_html
				 * (reply_markup_refused()) */
};

/*
 * api_global_init - SIGPIPE ignored (CURLOPT_NOSIGNAL leaves SIGPIPE to
 * us: a write to a reset connection must be an error, not a kill).
 * curl_global_init() (and OpenSSL's initialisation) waits for the first
 * transfer, so that the runs that post nothing (-n, a discard, a refusal,
 * --check-config) do not pay for it; a failure there is GW_ESOFTWARE.
 * Call secret_init() before it: the key lives in libsodium's guarded
 * memory.
 */
void api_global_init(void);

/* api_global_cleanup - curl_global_cleanup(), when a transfer set
 * libcurl up */
void api_global_cleanup(void);

/*
 * api_url - base_url + "/api/v1/tickets/" + escaped(ticket) + "/messages";
 * new string, caller g_free()s.
 */
char *api_url(const char *base_url, const char *ticket);

/*
 * api_post - send body (JSON, len bytes; borrowed, must stay valid for
 * the call); fills *res (may be NULL).  Used error codes: every status
 * of api_classify(), plus GW_ENETWORK and GW_ETIMEOUT (transfer failed),
 * GW_ETEMP (out of memory, garbled answer), GW_ECONFIG (base_url not
 * absolute http(s) or refused by libcurl, a key with spaces or control
 * characters) and GW_ESOFTWARE (missing argument, libcurl refused an
 * option, malformed idempotency key).
 */
enum gw_status api_post(const struct api_config *cfg, const char *ticket,
    const char *body, size_t len, const char *idempotency_key,
    struct api_result *res, struct gw_error *err);

/* The ticket id of a probe without TICKET, and the probe's note type. */
#define API_CHECK_PROBE_ID "mail2note-check"
#define API_CHECK_PROBE_TYPE "mail2note_check"

/*
 * api_check - mail2note --check-api: POST {"type":"mail2note_check"} to
 * ticket (NULL: API_CHECK_PROBE_ID), a note the contract obliges the API
 * to refuse (400, wrong type, no bodies), so no note is ever created,
 * whether the API checks the body or the ticket first.  *report_r gets
 * one line per finding, "ok: ...", "info: ..." (not a problem) or
 * "problem: ...": reachability, TLS (https only), then
 * api_check_judge()'s lines.  New string, caller g_free()s; NULL only
 * when cfg or its key is missing.  Server text is redacted (secret_redact()); the key is
 * never in it.  Used error codes: GW_OK (no problem line), else the
 * first problem's: those of api_check_judge(), GW_ENETWORK and
 * GW_ETIMEOUT (no answer), GW_ECONFIG (base_url, key file) and
 * GW_ESOFTWARE (missing argument).
 */
enum gw_status api_check(const struct api_config *cfg, const char *ticket,
    char **report_r, struct gw_error *err);

/*
 * api_check_judge - pure: the answer to the probe sent to url -> finding
 * lines (new string in *lines_r, caller g_free()s).  ticket: the TICKET
 * given, or NULL when the probe id was used.
 *   400/422: key accepted with write scope, route OK, probe refused as
 *     expected (with a TICKET: an "info:" line, the ticket is unverified).
 *   404 whose JSON message names the ticket: route OK; a problem only
 *     for a given TICKET (GW_ECONFIG).
 *   any other 404: the route is wrong (GW_ECONFIG), with a hint when the
 *     path holds /api/v1 twice.
 *   2xx: the API accepted an invalid note (GW_ESOFTWARE).
 *   anything else: reply_classify()'s text and status (GW_EAUTH,
 *     GW_ERATELIMIT with the retry delay, GW_ETIMEOUT, GW_ETEMP); a
 *     permanent one becomes GW_ETEMP, so a problem always means 75.
 */
enum gw_status api_check_judge(const char *url, const char *ticket,
    long http_status, const char *body, size_t len, long retry_after_header,
    const struct secret *key, char **lines_r, struct gw_error *err);

/*
 * api_describe - the --dry-run output: one JSON object with method, url,
 * headers (Authorization shown as "Bearer [redacted]") and the body
 * parsed back into an object (a body that is not a JSON object is shown
 * as a string).  body_json: the body is a JSON object as json-c prints
 * it plain (note_to_json()), put in as it is, not parsed and printed
 * again.  Keys in a fixed order; Idempotency-Key only when given.
 * Never NULL.  New string, caller g_free()s.
 */
char *api_describe(const struct api_config *cfg, const char *ticket,
    const char *body, size_t len, const char *idempotency_key,
    bool body_json);

#endif /* GW_API_H */
