/*
 * reply.c - what the note API's answer means: HTTP status + JSON error
 * body -> enum gw_status and one line of reason (see reply.h).
 *
 * Pure: no I/O, no libcurl.  The contract's error body is
 * {"error","message","code"[,"details"][,"retryAfter"]}; real servers add
 * RFC 7807 "type"/"title"/"detail" or a bare "error" string, so each
 * field is looked for under the names servers use, and anything that is
 * not that JSON (an HTML page from a proxy, an empty body) is read as
 * "no answer from the API itself".
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-c/json.h>

#include "log.h"
#include "reply.h"
#include "secret.h"

#define REPLY_DETAILS_MAX 5	/* details entries quoted */
#define REPLY_JSON_DEPTH 32

/* reply_parse - the answer as a JSON object, or NULL */
struct json_object *
reply_parse(const char *body, size_t len)
{
	struct json_tokener *tok;
	struct json_object *obj;

	if (body == NULL || len == 0 || len > (size_t)G_MAXINT)
		return NULL;
	tok = json_tokener_new_ex(REPLY_JSON_DEPTH);
	if (tok == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, body, (int)len);
	if (obj != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(obj, json_type_object))) {
		json_object_put(obj);
		obj = NULL;
	}
	/* Trailing bytes after the object (other than white space) are
	 * tolerated: the object itself is complete. */
	json_tokener_free(tok);
	return obj;
}

/* reply_jstr - a string member of obj, or NULL */
static const char *
reply_jstr(struct json_object *obj, const char *name)
{
	struct json_object *v;

	if (obj == NULL || !json_object_object_get_ex(obj, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* reply_message - what an error answer says: message, detail (RFC 7807)
 * or error, the first one present; NULL when none is */
const char *
reply_message(struct json_object *obj)
{
	const char *m = reply_jstr(obj, "message");

	if (m == NULL)
		m = reply_jstr(obj, "detail");
	if (m == NULL)
		m = reply_jstr(obj, "error");
	return m;
}

/* reply_jretry - retryAfter (or retry_after) in seconds, or -1 */
static long
reply_jretry(struct json_object *obj)
{
	static const char *const names[] = { "retryAfter", "retry_after",
	    "retry-after" };
	struct json_object *v;
	const char *s;
	char *end;
	long n;
	size_t i;

	for (i = 0; obj != NULL && i < G_N_ELEMENTS(names); i++) {
		if (!json_object_object_get_ex(obj, names[i], &v))
			continue;
		switch (json_object_get_type(v)) {
		case json_type_int:
		case json_type_double:
			/* json-c saturates out-of-range values */
			n = (long)json_object_get_int64(v);
			if (n >= 0)
				return MIN(n, REPLY_RETRY_MAX);
			break;
		case json_type_string:
			s = json_object_get_string(v);
			errno = 0;
			n = strtol(s, &end, 10);
			if (end != s && *end == '\0' && errno == 0 && n >= 0)
				return MIN(n, REPLY_RETRY_MAX);
			break;
		default:
			break;
		}
	}
	return -1;
}

/* reply_details - "field: message; ..." from a details member, or "" */
static void
reply_details(struct json_object *obj, GString *out)
{
	struct json_object *d, *e;
	const char *field, *msg;
	size_t i, n;

	if (obj == NULL || !json_object_object_get_ex(obj, "details", &d))
		return;
	if (json_object_is_type(d, json_type_string)) {
		g_string_append(out, json_object_get_string(d));
		return;
	}
	if (json_object_is_type(d, json_type_object)) {
		/* {"field": "message", ...} or a single {field, message} */
		field = reply_jstr(d, "field");
		msg = reply_jstr(d, "message");
		if (field != NULL || msg != NULL) {
			g_string_append_printf(out, "%s%s%s", field ? field : "",
			    field && msg ? ": " : "", msg ? msg : "");
			return;
		}
		n = 0;
		json_object_object_foreach(d, k, val) {
			if (n++ >= REPLY_DETAILS_MAX)
				break;
			if (out->len > 0)
				g_string_append(out, "; ");
			/*
			 * XXX a non-string value is re-serialised, so a key
			 * holding '"' or '\\' comes back escaped and could be
			 * split into runs too short to redact.  '/' is not
			 * escaped (NOSLASHESCAPE); ixk_ keys hold neither.
			 */
			g_string_append_printf(out, "%s: %s", k,
			    json_object_is_type(val, json_type_string) ?
			    json_object_get_string(val) :
			    json_object_to_json_string_ext(val,
			    JSON_C_TO_STRING_PLAIN |
			    JSON_C_TO_STRING_NOSLASHESCAPE));
		}
		return;
	}
	if (!json_object_is_type(d, json_type_array))
		return;
	n = json_object_array_length(d);
	for (i = 0; i < n && i < REPLY_DETAILS_MAX; i++) {
		e = json_object_array_get_idx(d, i);
		if (out->len > 0)
			g_string_append(out, "; ");
		if (json_object_is_type(e, json_type_string)) {
			g_string_append(out, json_object_get_string(e));
			continue;
		}
		field = reply_jstr(e, "field");
		msg = reply_jstr(e, "message");
		if (msg == NULL)
			msg = reply_jstr(e, "error");
		g_string_append_printf(out, "%s%s%s", field ? field : "",
		    field && msg ? ": " : "", msg ? msg : "");
	}
	if (n > REPLY_DETAILS_MAX)
		g_string_append_printf(out, "; (%zu more)",
		    n - REPLY_DETAILS_MAX);
}

/* reply_contains - case-insensitive substring test (ASCII) */
static int
reply_contains(const char *hay, const char *needle)
{
	char *h;
	int r;

	if (hay == NULL)
		return 0;
	h = g_ascii_strdown(hay, -1);
	r = strstr(h, needle) != NULL;
	g_free(h);
	return r;
}

/* reply_field_is - s names field (case-insensitive, ASCII) */
static int
reply_field_is(const char *s, const char *field)
{
	return s != NULL && g_ascii_strcasecmp(s, field) == 0;
}

/*
 * reply_details_name - the details member of obj names field: an entry's
 * "field" (array or single object), a key of a details object, or a
 * details string that mentions it
 */
static int
reply_details_name(struct json_object *obj, const char *field)
{
	struct json_object *d, *e;
	size_t i, n;

	if (obj == NULL || !json_object_object_get_ex(obj, "details", &d))
		return 0;
	switch (json_object_get_type(d)) {
	case json_type_string:
		return reply_contains(json_object_get_string(d), field);
	case json_type_object:
		if (reply_field_is(reply_jstr(d, "field"), field))
			return 1;
		json_object_object_foreach(d, k, val) {
			(void)val;
			if (reply_field_is(k, field))
				return 1;
		}
		return 0;
	case json_type_array:
		n = json_object_array_length(d);
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(d, i);
			if (json_object_is_type(e, json_type_string) ?
			    reply_contains(json_object_get_string(e), field) :
			    reply_field_is(reply_jstr(e, "field"), field))
				return 1;
		}
		return 0;
	default:
		return 0;
	}
}

/* reply_markup_refused - a 400/422 whose details name body_html (pure) */
bool
reply_markup_refused(long http_status, const char *body, size_t len)
{
	struct json_object *obj;
	int r;

	if (http_status != 400 && http_status != 422)
		return false;
	obj = reply_parse(body, len);
	r = reply_details_name(obj, "body_html");
	if (obj != NULL)
		json_object_put(obj);
	return r != 0;
}

/*
 * reply_problem - the problem code of an error body as sent, or NULL.  It
 * is lowercased only after redaction, which compares the key's bytes.
 */
static char *
reply_problem(struct json_object *obj)
{
	/* Not "error": the contract puts the reason phrase there. */
	static const char *const names[] = { "problem", "type", "code",
	    "error_code", "errorCode" };
	const char *s;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(names); i++) {
		s = reply_jstr(obj, names[i]);
		if (s != NULL && *s != '\0')
			return g_strdup(s);
	}
	return NULL;
}

/*
 * reply_names_ticket - text mentions a ticket: "ticket" other than as a
 * path segment, so "Cannot POST /api/v1/api/v1/tickets/T1/messages" (a
 * route quoted back) does not count
 */
static int
reply_names_ticket(const char *text)
{
	char *low;
	const char *p;
	int r = 0;

	if (text == NULL)
		return 0;
	low = g_ascii_strdown(text, -1);
	for (p = low; (p = strstr(p, "ticket")) != NULL; p++)
		if (p == low || p[-1] != '/') {
			r = 1;
			break;
		}
	g_free(low);
	return r;
}

/*
 * reply_about_ticket - a 404 answer says the ticket does not exist: its
 * message, detail, error or problem code mentions a ticket
 */
int
reply_about_ticket(struct json_object *obj)
{
	static const char *const names[] = { "message", "detail", "error",
	    "problem", "code", "error_code", "errorCode" };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(names); i++)
		if (reply_names_ticket(reply_jstr(obj, names[i])))
			return 1;
	return 0;
}

/*
 * reply_clean - untrusted server text made fit for an error text or a log
 * line: every run of the key redacted first, then cut to max bytes and
 * made one line.  In that order: cutting first can leave a piece of the
 * key too short to recognise as a whole copy.  New string, g_free().
 */
char *
reply_clean(const struct secret *key, const char *text, size_t max)
{
	char *r, *s;

	if (text == NULL)
		return g_strdup("");
	r = secret_redact(key, text);
	s = log_sanitize(r, max);
	secret_wipe(r, strlen(r));
	g_free(r);
	return s;
}

/* reply_classify_403 - which 403: read-only key or no entitlement */
static enum gw_status
reply_classify_403(const char *problem, const char *msg, struct gw_error *err)
{
	if (reply_contains(problem, "scope") || reply_contains(msg, "scope") ||
	    reply_contains(msg, "read-only") || reply_contains(msg, "read only"))
		return gw_error_set(err, GW_EAUTH, "API key refused (403 "
		    "insufficient_scope): the key in key_file is read-only; "
		    "a read-write key is needed");
	if (reply_contains(problem, "forbidden") ||
	    reply_contains(problem, "entitle") || reply_contains(msg, "entitle"))
		return gw_error_set(err, GW_EAUTH, "API key refused (403 "
		    "forbidden): the workspace has no API access entitlement");
	return gw_error_set(err, GW_EAUTH, "API key refused (403%s%s): the "
	    "key in key_file is read-only or the workspace has no API access",
	    problem != NULL ? " " : "", problem != NULL ? problem : "");
}

/* reply_classify - HTTP status + answer -> status and text (pure) */
enum gw_status
reply_classify(long http_status, const char *body, size_t len,
    long retry_after_header, const struct secret *key, long *retry_after_r,
    struct gw_error *err)
{
	struct json_object *obj = NULL;
	GString *det = NULL;
	char *msg = NULL, *details = NULL, *problem = NULL, *tmp, *red;
	const char *m;
	long ra;
	enum gw_status st;

	if (retry_after_r != NULL)
		*retry_after_r = -1;
	if (http_status >= 200 && http_status <= 299) {
		gw_error_clear(err);
		return GW_OK;
	}

	obj = reply_parse(body, len);
	m = reply_message(obj);
	/*
	 * Everything quoted from the answer is redacted before it is cut:
	 * a server may echo the Authorization header it refused.  json-c
	 * has already decoded \u escapes, so an escaped key is caught too.
	 */
	msg = reply_clean(key, m, REPLY_TEXT_MAX);
	det = g_string_new(NULL);
	reply_details(obj, det);
	details = reply_clean(key, det->str, REPLY_TEXT_MAX + 20);
	secret_wipe(det->str, det->allocated_len);
	tmp = reply_problem(obj);
	red = tmp != NULL ? secret_redact(key, tmp) : NULL;
	if (tmp != NULL) {
		secret_wipe(tmp, strlen(tmp));
		g_free(tmp);
	}
	tmp = red != NULL ? g_ascii_strdown(red, -1) : NULL;
	if (red != NULL) {
		secret_wipe(red, strlen(red));
		g_free(red);
	}
	/* An RFC 7807 type URI: its last segment is the code. */
	m = tmp != NULL ? strrchr(tmp, '/') : NULL;
	problem = log_sanitize(m != NULL ? m + 1 : tmp, 40);
	g_free(tmp);
	ra = reply_jretry(obj);
	if (ra < 0 && retry_after_header >= 0)
		ra = MIN(retry_after_header, REPLY_RETRY_MAX);

	switch (http_status) {
	case 400:
	case 422:
		st = gw_error_set(err, GW_EDATA, "API refused the note (%ld)%s%s"
		    "%s%s", http_status, *msg ? ": " : "", msg,
		    *details ? "; " : "", details);
		break;
	case 404:
		/*
		 * Bounce only when the API itself says the ticket does not
		 * exist.  A 404 page from a web server (HTML, empty, cut
		 * short), or the API's own 404 for a path it does not know
		 * ("No such route": base_url ending in /api/v1), means a
		 * wrong base_url: bouncing would return every mail.
		 */
		if (obj == NULL)
			st = gw_error_set(err, GW_ETEMP, "API answered 404 "
			    "without its JSON error body; base_url may be "
			    "wrong");
		else if (reply_about_ticket(obj))
			st = gw_error_set(err, GW_ENOTICKET,
			    "ticket not found (API 404)");
		else
			st = gw_error_set(err, GW_ETEMP, "API answered 404%s%s "
			    "(not about the ticket); base_url may be wrong",
			    *msg ? ": " : "", msg);
		break;
	case 413:
		st = gw_error_set(err, GW_ETOOBIG,
		    "API refused the note as too large (413)%s%s",
		    *msg ? ": " : "", msg);
		break;
	case 401:
		st = gw_error_set(err, GW_EAUTH, "API key refused (401 "
		    "unauthorized): the key in key_file is invalid or revoked");
		break;
	case 403:
		st = reply_classify_403(*problem ? problem : NULL, msg, err);
		break;
	case 408:
		st = gw_error_set(err, GW_ETIMEOUT,
		    "API request timeout (408)%s%s", *msg ? ": " : "", msg);
		break;
	case 429:
		if (ra >= 0)
			st = gw_error_set(err, GW_ERATELIMIT,
			    "API rate limit (429); retry after %lds", ra);
		else
			st = gw_error_set(err, GW_ERATELIMIT,
			    "API rate limit (429); retry later");
		break;
	default:
		if (http_status >= 500 && http_status <= 599)
			st = gw_error_set(err, GW_ETEMP,
			    "API server error (%ld)%s%s", http_status,
			    *msg ? ": " : "", msg);
		else if (http_status >= 300 && http_status <= 399)
			st = gw_error_set(err, GW_ETEMP,
			    "unexpected redirect (%ld) from the API; base_url "
			    "may be wrong", http_status);
		else if (http_status >= 400 && http_status <= 499)
			st = gw_error_set(err, GW_ETEMP,
			    "unexpected API answer (%ld)%s%s", http_status,
			    *msg ? ": " : "", msg);
		else
			st = gw_error_set(err, GW_ETEMP,
			    "unexpected API answer (HTTP status %ld)",
			    http_status);
		/* A 503 with Retry-After: say when. */
		if (ra >= 0 && err != NULL) {
			char when[48];

			(void)g_snprintf(when, sizeof(when),
			    "; retry after %lds", ra);
			if (strlen(err->text) + strlen(when) <
			    sizeof(err->text))
				g_strlcat(err->text, when, sizeof(err->text));
		}
		break;
	}
	if (retry_after_r != NULL)
		*retry_after_r = ra;

	if (obj != NULL)
		json_object_put(obj);
	g_string_free(det, TRUE);
	g_free(details);
	g_free(problem);
	g_free(msg);
	return st;
}
