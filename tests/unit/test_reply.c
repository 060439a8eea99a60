/*
 * test_reply.c - reply_classify for every kind of answer the API (or a
 * proxy in front of it) can give, the key never leaking into a reason,
 * and which 400/422 answers are about body_html.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "reply.h"
#include "secret.h"
#include "status.h"
#include "tap.h"
#include "answers.h"

struct classify_case {
	const char *name;
	long status;
	const char *body;
	long header_retry;
	enum gw_status want;
	const char *want_text;	/* NULL: not checked */
	long want_retry;
};

static const struct classify_case classify_cases[] = {
	{ "201 JSON", 201, "{\"id\":\"msg_1\"}", -1, GW_OK, "", -1 },
	{ "201 {}", 201, "{}", -1, GW_OK, "", -1 },
	{ "201 empty", 201, "", -1, GW_OK, "", -1 },
	{ "201 NULL", 201, NULL, -1, GW_OK, "", -1 },
	{ "201 HTML", 201, "<html><body>ok</body></html>", -1, GW_OK, "", -1 },
	{ "200", 200, "{}", -1, GW_OK, "", -1 },
	{ "204", 204, NULL, -1, GW_OK, "", -1 },
	{ "400 contract", 400, J400, -1, GW_EDATA,
	  "API refused the note (400): The request contains invalid "
	  "parameters or malformed data; body_html: Invalid HTML", -1 },
	{ "400 type", 400, "{\"error\":\"Bad Request\",\"message\":\"Must use "
	  "type: internal_note only\",\"code\":400}", -1, GW_EDATA,
	  "API refused the note (400): Must use type: internal_note only", -1 },
	{ "400 empty", 400, "", -1, GW_EDATA,
	  "API refused the note (400)", -1 },
	{ "400 HTML", 400, "<html>bad</html>", -1, GW_EDATA,
	  "API refused the note (400)", -1 },
	{ "422 details", 422, "{\"message\":\"Validation failed\",\"details\":"
	  "[{\"field\":\"body_html\",\"message\":\"too long\"},{\"field\":"
	  "\"body_text\",\"message\":\"required\"}]}", -1, GW_EDATA,
	  "API refused the note (422): Validation failed; body_html: too "
	  "long; body_text: required", -1 },
	{ "422 details string", 422, "{\"message\":\"Invalid\",\"details\":"
	  "\"body too long\"}", -1, GW_EDATA,
	  "API refused the note (422): Invalid; body too long", -1 },
	{ "422 details object", 422, "{\"details\":{\"body_html\":\"bad\"}}",
	  -1, GW_EDATA, "API refused the note (422); body_html: bad", -1 },
	{ "422 hostile text", 422, "{\"message\":\"a\\nb\\u0000c\\u001b[31m\"}",
	  -1, GW_EDATA, "API refused the note (422): a?b", -1 },
	{ "404", 404, "{\"error\":\"Not Found\",\"message\":\"Ticket not "
	  "found\",\"code\":404}", -1, GW_ENOTICKET,
	  "ticket not found (API 404)", -1 },
	{ "404 HTML", 404, "<h1>404</h1>", -1, GW_ETEMP,
	  "API answered 404 without its JSON error body; base_url may be "
	  "wrong", -1 },
	{ "404 empty", 404, "", -1, GW_ETEMP,
	  "API answered 404 without its JSON error body; base_url may be "
	  "wrong", -1 },
	{ "404 JSON, other shape", 404, "{\"detail\":\"no such ticket\"}", -1,
	  GW_ENOTICKET, "ticket not found (API 404)", -1 },
	{ "404 problem code about the ticket", 404, "{\"error\":\"Not Found\","
	  "\"problem\":\"ticket_not_found\"}", -1, GW_ENOTICKET,
	  "ticket not found (API 404)", -1 },
	/* A JSON 404 that is not about the ticket: the route (base_url). */
	{ "404 no such route", 404, "{\"error\":\"Not Found\",\"message\":"
	  "\"No such route\",\"code\":404}", -1, GW_ETEMP,
	  "API answered 404: No such route (not about the ticket); base_url "
	  "may be wrong", -1 },
	{ "404 resource not found", 404, "{\"error\":\"Not Found\","
	  "\"message\":\"Resource not found\",\"code\":404,\"problem\":"
	  "\"not_found\"}", -1, GW_ETEMP, "API answered 404: Resource not "
	  "found (not about the ticket); base_url may be wrong", -1 },
	{ "404 only Not Found", 404, "{\"error\":\"Not Found\"}", -1, GW_ETEMP,
	  "API answered 404: Not Found (not about the ticket); base_url may "
	  "be wrong", -1 },
	{ "404 empty object", 404, "{}", -1, GW_ETEMP, "API answered 404 (not "
	  "about the ticket); base_url may be wrong", -1 },
	{ "404 route quoted back", 404, "{\"message\":\"Cannot POST "
	  "/api/v1/api/v1/tickets/T1/messages\"}", -1, GW_ETEMP,
	  "API answered 404: Cannot POST /api/v1/api/v1/tickets/T1/messages "
	  "(not about the ticket); base_url may be wrong", -1 },
	{ "404 hostile route text", 404, "{\"message\":\"no\\nroute\\u001b[31m\"}",
	  -1, GW_ETEMP, "API answered 404: no?route?[31m (not about the "
	  "ticket); base_url may be wrong", -1 },
	{ "413", 413, "", -1, GW_ETOOBIG,
	  "API refused the note as too large (413)", -1 },
	{ "413 JSON", 413, "{\"message\":\"Request body too large\"}", -1,
	  GW_ETOOBIG, "API refused the note as too large (413): Request body "
	  "too large", -1 },
	{ "401", 401, J401, -1, GW_EAUTH, "API key refused (401 "
	  "unauthorized): the key in key_file is invalid or revoked", -1 },
	{ "401 empty", 401, NULL, -1, GW_EAUTH, "API key refused (401 "
	  "unauthorized): the key in key_file is invalid or revoked", -1 },
	{ "403 insufficient_scope", 403, J403 ",\"problem\":"
	  "\"insufficient_scope\"}", -1, GW_EAUTH, "API key refused (403 "
	  "insufficient_scope): the key in key_file is read-only; a "
	  "read-write key is needed", -1 },
	{ "403 forbidden", 403, J403 ",\"problem\":\"forbidden\"}", -1,
	  GW_EAUTH, "API key refused (403 forbidden): the workspace has no "
	  "API access entitlement", -1 },
	{ "403 type URI", 403, "{\"type\":\"https://api.example/problems/"
	  "insufficient_scope\"}", -1, GW_EAUTH, "API key refused (403 "
	  "insufficient_scope): the key in key_file is read-only; a "
	  "read-write key is needed", -1 },
	{ "403 code string", 403, "{\"code\":\"forbidden\"}", -1, GW_EAUTH,
	  "API key refused (403 forbidden): the workspace has no API access "
	  "entitlement", -1 },
	{ "403 error_code", 403, "{\"error_code\":\"INSUFFICIENT_SCOPE\"}", -1,
	  GW_EAUTH, "API key refused (403 insufficient_scope): the key in "
	  "key_file is read-only; a read-write key is needed", -1 },
	{ "403 message read-only", 403, "{\"message\":\"This key is "
	  "read-only\"}", -1, GW_EAUTH, "API key refused (403 "
	  "insufficient_scope): the key in key_file is read-only; a "
	  "read-write key is needed", -1 },
	{ "403 message read only", 403, "{\"message\":\"Key is Read Only"
	  "\"}", -1, GW_EAUTH, "API key refused (403 insufficient_scope): "
	  "the key in key_file is read-only; a read-write key is needed", -1 },
	{ "403 message scope", 403, "{\"message\":\"Insufficient scope for "
	  "POST\"}", -1, GW_EAUTH, "API key refused (403 insufficient_scope):"
	  " the key in key_file is read-only; a read-write key is needed", -1 },
	{ "403 message entitlement", 403, "{\"message\":\"No API access "
	  "Entitlement on this plan\"}", -1, GW_EAUTH, "API key refused (403 "
	  "forbidden): the workspace has no API access entitlement", -1 },
	{ "403 problem entitlement_missing", 403, "{\"problem\":"
	  "\"entitlement_missing\"}", -1, GW_EAUTH, "API key refused (403 "
	  "forbidden): the workspace has no API access entitlement", -1 },
	{ "403 no problem code", 403, J403 "}", -1, GW_EAUTH,
	  "API key refused (403): the key in key_file is read-only or the "
	  "workspace has no API access", -1 },
	{ "403 empty", 403, "", -1, GW_EAUTH,
	  "API key refused (403): the key in key_file is read-only or the "
	  "workspace has no API access", -1 },
	{ "408", 408, "", -1, GW_ETIMEOUT, "API request timeout (408)", -1 },
	{ "429 retryAfter", 429, J429, -1, GW_ERATELIMIT,
	  "API rate limit (429); retry after 3600s", 3600 },
	{ "429 JSON beats header", 429, J429, 60, GW_ERATELIMIT,
	  "API rate limit (429); retry after 3600s", 3600 },
	{ "429 header only", 429, "", 120, GW_ERATELIMIT,
	  "API rate limit (429); retry after 120s", 120 },
	{ "429 HTML header", 429, "<html>slow down</html>", 7, GW_ERATELIMIT,
	  "API rate limit (429); retry after 7s", 7 },
	{ "429 retryAfter string", 429, "{\"retryAfter\":\"30\"}", -1,
	  GW_ERATELIMIT, "API rate limit (429); retry after 30s", 30 },
	{ "429 retryAfter negative", 429, "{\"retryAfter\":-5}", 9,
	  GW_ERATELIMIT, "API rate limit (429); retry after 9s", 9 },
	{ "429 retryAfter huge", 429, "{\"retryAfter\":99999999999999}", -1,
	  GW_ERATELIMIT, "API rate limit (429); retry after 2592000s",
	  2592000 },
	{ "429 nothing", 429, NULL, -1, GW_ERATELIMIT,
	  "API rate limit (429); retry later", -1 },
	{ "500 JSON", 500, "{\"error\":\"Internal Server Error\",\"message\":"
	  "\"An unexpected error occurred\",\"code\":500}", -1, GW_ETEMP,
	  "API server error (500): An unexpected error occurred", -1 },
	{ "500 HTML", 500, HTML500, -1, GW_ETEMP, "API server error (500)", -1 },
	{ "502 empty", 502, "", -1, GW_ETEMP, "API server error (502)", -1 },
	{ "503 Retry-After", 503, "{\"message\":\"maintenance\"}", 120,
	  GW_ETEMP, "API server error (503): maintenance; retry after 120s",
	  120 },
	{ "503 error only", 503, "{\"error\":\"Service Unavailable\"}", -1,
	  GW_ETEMP, "API server error (503): Service Unavailable", -1 },
	{ "599", 599, NULL, -1, GW_ETEMP, "API server error (599)", -1 },
	{ "301", 301, NULL, -1, GW_ETEMP, "unexpected redirect (301) from the "
	  "API; base_url may be wrong", -1 },
	{ "302", 302, "<a href=x>", -1, GW_ETEMP, NULL, -1 },
	{ "304", 304, NULL, -1, GW_ETEMP, NULL, -1 },
	{ "405", 405, "{\"message\":\"Method Not Allowed\"}", -1, GW_ETEMP,
	  "unexpected API answer (405): Method Not Allowed", -1 },
	{ "409", 409, NULL, -1, GW_ETEMP, "unexpected API answer (409)", -1 },
	{ "418", 418, "short and stout", -1, GW_ETEMP,
	  "unexpected API answer (418)", -1 },
	{ "100", 100, NULL, -1, GW_ETEMP,
	  "unexpected API answer (HTTP status 100)", -1 },
	{ "0", 0, NULL, -1, GW_ETEMP,
	  "unexpected API answer (HTTP status 0)", -1 },
	{ "1000", 1000, NULL, -1, GW_ETEMP,
	  "unexpected API answer (HTTP status 1000)", -1 },
	{ "JSON array body", 400, "[1,2]", -1, GW_EDATA,
	  "API refused the note (400)", -1 },
	{ "truncated JSON", 422, "{\"message\":\"cut", -1, GW_EDATA,
	  "API refused the note (422)", -1 },
	{ "trailing newline", 422, "{\"message\":\"x\"}\n", -1, GW_EDATA,
	  "API refused the note (422): x", -1 },
	{ "deep JSON", 500, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", -1, GW_ETEMP,
	  "API server error (500)", -1 },
};

/* test_classify - one row per kind of answer */
static void
test_classify(void)
{
	const struct classify_case *c;
	struct gw_error err;
	enum gw_status st;
	long ra;
	size_t i;
	char name[160];

	for (i = 0; i < G_N_ELEMENTS(classify_cases); i++) {
		c = &classify_cases[i];
		gw_error_clear(&err);
		ra = -42;
		st = reply_classify(c->status, c->body, c->body ?
		    strlen(c->body) : 0, c->header_retry, NULL, &ra, &err);
		(void)g_snprintf(name, sizeof(name), "classify %s: %s",
		    c->name, status_name(c->want));
		if (!tap_int(st, c->want, name))
			printf("#   got %s\n", status_name(st));
		if (c->want_text != NULL) {
			(void)g_snprintf(name, sizeof(name), "classify %s: text",
			    c->name);
			tap_str(err.text, c->want_text, name);
		}
		if (st != GW_OK) {
			(void)g_snprintf(name, sizeof(name),
			    "classify %s: err.code", c->name);
			tap_int(err.code, st, name);
		}
		(void)g_snprintf(name, sizeof(name), "classify %s: retry",
		    c->name);
		tap_int(ra, c->want_retry, name);
	}

	/* NULL outputs are allowed. */
	st = reply_classify(429, J429, strlen(J429), -1, NULL, NULL, NULL);
	tap_int(st, GW_ERATELIMIT, "classify with NULL err and retry_r");

	/* A body without NUL after len bytes: only len bytes are read. */
	{
		const char buf[] = "{\"message\":\"abc\"}GARBAGE";

		gw_error_clear(&err);
		st = reply_classify(500, buf, 17, -1, NULL, NULL, &err);
		tap_str(err.text, "API server error (500): abc",
		    "classify reads only len bytes");
	}

	/* Long server text is capped and stays one line. */
	{
		GString *b = g_string_new("{\"message\":\"");
		int k;

		for (k = 0; k < 500; k++)
			g_string_append(b, "x\\n");
		g_string_append(b, "\"}");
		gw_error_clear(&err);
		st = reply_classify(422, b->str, b->len, -1, NULL, NULL, &err);
		tap_ok(strlen(err.text) < 160 && strchr(err.text, '\n') ==
		    NULL, "long message capped (%zu bytes)", strlen(err.text));
		g_string_free(b, TRUE);
	}
}

/*
 * The partial-key leak (issue 5): a server that echoes the Authorization
 * header.  Its text used to be cut to 100 bytes before whole copies of
 * the key were redacted, so 28 of 29 characters reached the DSN.
 */
#define LKEY "ixk_test_rw_4f9c2a7e1b"
#define LBEARER "Bearer " LKEY

/* leaked_run - the first 8-byte run of "Bearer <key>" in text, or NULL */
static char *
leaked_run(const char *text)
{
	const char *pat = LBEARER;
	size_t i, n = strlen(pat);
	char *run;

	for (i = 0; i + 8 <= n; i++) {
		run = g_strndup(pat + i, 8);
		if (strstr(text, run) != NULL)
			return run;
		g_free(run);
	}
	return NULL;
}

/* check_no_leak - true when no 8-byte run of the key is in err */
static int
check_no_leak(const struct gw_error *err, const char *name, int off)
{
	char *run = leaked_run(err->text);

	if (run != NULL)
		printf("#   %s, offset %d: leaked \"%s\" in: %s\n", name, off,
		    run, err->text);
	g_free(run);
	return run == NULL;
}

/* leak_filler - n bytes of words that hold no 8-byte run of the key */
static GString *
leak_filler(size_t n)
{
	static const char words[] = "the token given was refused by the "
	    "server because ";
	GString *s = g_string_new(NULL);

	while (s->len < n)
		g_string_append_c(s, words[s->len % (sizeof(words) - 1)]);
	return s;
}

static const struct leak_case {
	const char *name;
	long status;
	const char *fmt;	/* JSON body; "%s" is the echoed text */
	const char *echo;
} leak_cases[] = {
	{ "message 500", 500, "{\"message\":\"%s\"}", "Authorization: "
	  LBEARER " rejected" },
	{ "detail 422", 422, "{\"detail\":\"%s\"}", LBEARER },
	{ "error 408", 408, "{\"error\":\"%s\"}", LBEARER },
	{ "message 413", 413, "{\"message\":\"%s\"}", LKEY },
	{ "message 418", 418, "{\"message\":\"%s\"}", LKEY },
	{ "message 404 route", 404, "{\"message\":\"%s\"}", LBEARER },
	{ "first 28 of 29", 500, "{\"message\":\"%s\"}",
	  "Bearer ixk_test_rw_4f9c2a7e1" },
	{ "last 9", 500, "{\"message\":\"%s\"}", "f9c2a7e1b" },
	{ "middle 8", 500, "{\"message\":\"%s\"}", "test_rw_" },
	{ "JSON-escaped", 500, "{\"message\":\"%s\"}",
	  "Bearer \\u0069xk_test_rw_4f9c\\u0032a7e1b" },
	{ "details string", 422, "{\"message\":\"m\",\"details\":\"%s\"}",
	  LBEARER },
	{ "details array", 422, "{\"message\":\"m\",\"details\":[{\"field\":"
	  "\"auth\",\"message\":\"%s\"}]}", LBEARER },
	{ "details object", 400, "{\"message\":\"m\",\"details\":{\"auth\":"
	  "\"%s\",\"x\":\"y\"}}", LBEARER },
	{ "details nested", 400, "{\"message\":\"m\",\"details\":{\"h\":"
	  "[\"%s\"],\"x\":\"y\"}}", LBEARER },
	{ "details field name", 400, "{\"message\":\"m\",\"details\":{"
	  "\"%s\":\"bad\",\"x\":\"y\"}}", LKEY },
	{ "problem code 403", 403, "{\"code\":\"%s\"}", LKEY },
	{ "problem URI 403", 403, "{\"type\":\"https://e/%s\"}", LKEY },
};

/* splice - fmt with its one "%s" replaced by text; g_free() */
static char *
splice(const char *fmt, const char *text)
{
	const char *p = strstr(fmt, "%s");

	return g_strdup_printf("%.*s%s%s", (int)(p - fmt), fmt, text, p + 2);
}

/* test_leak - the key near the cut, partly, escaped, in every field */
static void
test_leak(void)
{
	const struct leak_case *c;
	struct secret *key = NULL;
	struct gw_error err;
	GString *fill, *echo;
	char *body;
	size_t i;
	int off, bad;

	if (secret_new(LKEY, strlen(LKEY), &key, &err) != GW_OK) {
		tap_ok(0, "leak: key: %s", err.text);
		return;
	}
	for (i = 0; i < G_N_ELEMENTS(leak_cases); i++) {
		c = &leak_cases[i];
		/* Every offset from well before to past the 100-byte cut. */
		bad = 0;
		for (off = 0; off <= 130; off++) {
			fill = leak_filler((size_t)off);
			echo = g_string_new(fill->str);
			g_string_append(echo, c->echo);
			g_string_append(echo, " and more text after it");
			body = splice(c->fmt, echo->str);
			gw_error_clear(&err);
			(void)reply_classify(c->status, body, strlen(body), -1,
			    key, NULL, &err);
			if (!bad && !check_no_leak(&err, c->name, off))
				bad = 1;
			g_free(body);
			g_string_free(echo, TRUE);
			g_string_free(fill, TRUE);
		}
		tap_ok(!bad, "leak %s: nothing leaks at offsets 0-130",
		    c->name);
	}

	/* Proof that the test bites: without the key, the run shows. */
	body = g_strdup("{\"message\":\"" LBEARER "\"}");
	(void)reply_classify(500, body, strlen(body), -1, NULL, NULL, &err);
	tap_ok(strstr(err.text, LKEY) != NULL,
	    "leak: without a key nothing is redacted (%s)", err.text);
	(void)reply_classify(500, body, strlen(body), -1, key, NULL, &err);
	tap_str(err.text, "API server error (500): [key]",
	    "leak: Bearer <key> becomes [key]");
	g_free(body);

	/* Ordinary words, even 7-byte pieces of the key, are kept. */
	body = g_strdup("{\"message\":\"Bearer token test_rw (ixk_tes) "
	    "needed\"}");
	(void)reply_classify(500, body, strlen(body), -1, key, NULL, &err);
	tap_str(err.text, "API server error (500): Bearer token test_rw "
	    "(ixk_tes) needed", "leak: 7-byte runs and words left alone");
	g_free(body);
	secret_free(&key);
}

/* test_markup_refused - which 400/422 answers are about body_html */
static void
test_markup_refused(void)
{
	static const struct {
		const char *name;
		long status;
		const char *body;
		bool want;
	} cases[] = {
		{ "400 details array", 400, J400, true },
		{ "422 details array, second entry", 422, "{\"details\":[{\"field\":"
		  "\"body_text\",\"message\":\"x\"},{\"field\":\"body_html\"}]}",
		  true },
		{ "422 details object key", 422, "{\"details\":{\"body_html\":"
		  "\"bad\"}}", true },
		{ "422 details single object", 422, "{\"details\":{\"field\":"
		  "\"body_html\",\"message\":\"bad\"}}", true },
		{ "400 details string", 400, "{\"details\":\"body_html: bad "
		  "markup\"}", true },
		{ "400 details array of strings", 400, "{\"details\":[\"Body_HTML "
		  "invalid\"]}", true },
		{ "400 other field", 400, "{\"details\":[{\"field\":\"type\"}]}",
		  false },
		{ "400 body_html only in message", 400, "{\"message\":\"body_html "
		  "invalid\"}", false },
		{ "400 no details", 400, "{\"message\":\"bad\"}", false },
		{ "400 not JSON", 400, "<p>body_html</p>", false },
		{ "413 naming body_html", 413, J400, false },
		{ "500 naming body_html", 500, J400, false },
		{ "400 empty", 400, "", false },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++)
		tap_int(reply_markup_refused(cases[i].status, cases[i].body,
		    strlen(cases[i].body)), cases[i].want, cases[i].name);
}

int
main(void)
{
	struct gw_error err;

	/* The key of the leak tests lives in libsodium's guarded memory. */
	if (secret_init(NULL, 0, &err) != GW_OK) {
		printf("Bail out! %s\n", err.text);
		return 1;
	}
	test_classify();
	test_leak();
	test_markup_refused();
	return tap_done();
}
