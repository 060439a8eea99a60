/*
 * test_api.c - api_url escaping, the --check-api judge, the exact
 * api_describe string, and api_post against a one-shot loopback
 * server forked per case (request bytes, caps, Retry-After, timeouts).
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "api.h"
#include "secret.h"
#include "status.h"
#include "tap.h"
#include "answers.h"

struct url_case {
	const char *name;
	const char *base;
	const char *ticket;
	const char *want;
};

static const struct url_case url_cases[] = {
	{ .name = "plain", .base = "https://h.example", .ticket = "T1001",
	  .want = "https://h.example/api/v1/tickets/T1001/messages" },
	{ .name = "trailing slash", .base = "https://h.example/",
	  .ticket = "T1001",
	  .want = "https://h.example/api/v1/tickets/T1001/messages" },
	{ .name = "many trailing slashes", .base = "https://h.example///",
	  .ticket = "4242",
	  .want = "https://h.example/api/v1/tickets/4242/messages" },
	{ .name = "path prefix", .base = "https://h.example/helpdesk",
	  .ticket = "abc_DEF-9",
	  .want = "https://h.example/helpdesk/api/v1/tickets/abc_DEF-9/messages" },
	{ .name = "path prefix slash", .base = "http://127.0.0.1:8080/x/",
	  .ticket = "T1",
	  .want = "http://127.0.0.1:8080/x/api/v1/tickets/T1/messages" },
	{ .name = "unreserved kept", .base = "https://h", .ticket = "a.b_c-d~e",
	  .want = "https://h/api/v1/tickets/a.b_c-d~e/messages" },
	{ .name = "dot dot slash", .base = "https://h", .ticket = "../admin",
	  .want = "https://h/api/v1/tickets/..%2Fadmin/messages" },
	{ .name = "percent", .base = "https://h", .ticket = "T1%2F",
	  .want = "https://h/api/v1/tickets/T1%252F/messages" },
	{ .name = "space query fragment", .base = "https://h",
	  .ticket = "a b?c#d",
	  .want = "https://h/api/v1/tickets/a%20b%3Fc%23d/messages" },
	{ .name = "utf-8", .base = "https://h", .ticket = "\xc3\xa9",
	  .want = "https://h/api/v1/tickets/%C3%A9/messages" },
	{ .name = "crlf", .base = "https://h", .ticket = "a\r\nX: y",
	  .want = "https://h/api/v1/tickets/a%0D%0AX%3A%20y/messages" },
	{ .name = "empty ticket", .base = "https://h", .ticket = "",
	  .want = "https://h/api/v1/tickets//messages" },
};

struct judge_case {
	const char *name;
	const char *url;
	const char *ticket;	/* NULL: the probe id */
	long status;
	const char *body;
	long header_retry;
	enum gw_status want;
	const char *want_lines;	/* exact; NULL: not checked */
	const char *want_has;	/* a substring; NULL: not checked */
};

#define PROBE_URL "http://127.0.0.1:8080/api/v1/tickets/" \
	API_CHECK_PROBE_ID "/messages"
#define OK_ROUTE "ok: key accepted, write scope\n" \
	"ok: route /api/v1/tickets/" API_CHECK_PROBE_ID "/messages\n"
#define JTYPE "{\"error\":\"Bad Request\",\"message\":\"Must use type: " \
	"internal_note only\",\"code\":400}"
#define JTICKET "{\"error\":\"Not Found\",\"message\":\"Ticket not " \
	"found\",\"code\":404,\"problem\":\"not_found\"}"
#define JROUTE "{\"error\":\"Not Found\",\"message\":\"Resource not " \
	"found\",\"code\":404,\"problem\":\"not_found\"}"

static const struct judge_case judge_cases[] = {
	{ .name = "400 wrong type", .url = PROBE_URL, .status = 400,
	  .body = JTYPE, .header_retry = -1, .want = GW_OK,
	  .want_lines = OK_ROUTE "ok: the API refused the probe as expected "
	  "(400: Must use type: internal_note only)\n" },
	{ .name = "422 no body", .url = PROBE_URL, .status = 422,
	  .body = NULL, .header_retry = -1, .want = GW_OK,
	  .want_lines = OK_ROUTE "ok: the API refused the probe as expected "
	  "(422)\n" },
	{ .name = "400 HTML", .url = PROBE_URL, .status = 400,
	  .body = "<h1>Bad</h1>", .header_retry = -1, .want = GW_OK,
	  .want_lines = OK_ROUTE "ok: the API refused the probe as expected "
	  "(400)\n" },
	{ .name = "400 with a TICKET", .url = "https://h/api/v1/tickets/T1/"
	  "messages", .ticket = "T1", .status = 400, .body = JTYPE,
	  .header_retry = -1, .want = GW_OK, .want_lines = "ok: key accepted, "
	  "write scope\nok: route /api/v1/tickets/T1/messages\nok: the API "
	  "refused the probe as expected (400: Must use type: internal_note "
	  "only)\ninfo: ticket T1 not verified: the API refuses an invalid "
	  "note before it looks the ticket up\n" },
	{ .name = "404 ticket, probe id", .url = PROBE_URL, .status = 404,
	  .body = JTICKET, .header_retry = -1, .want = GW_OK,
	  .want_lines = "ok: key accepted (write scope not verified: the API "
	  "looked the ticket up first)\nok: route /api/v1/tickets/"
	  API_CHECK_PROBE_ID "/messages\nok: the API does not know the probe "
	  "ticket " API_CHECK_PROBE_ID " (404: Ticket not found), as "
	  "expected\n" },
	{ .name = "404 ticket, TICKET given", .url = "https://h/x/api/v1/"
	  "tickets/T9/messages", .ticket = "T9", .status = 404,
	  .body = JTICKET, .header_retry = -1, .want = GW_ECONFIG,
	  .want_lines = "ok: key accepted (write scope not verified: the API "
	  "looked the ticket up first)\nok: route /x/api/v1/tickets/T9/"
	  "messages\nproblem: ticket T9 not found (API 404: Ticket not "
	  "found)\n" },
	{ .name = "404 route, doubled /api/v1", .url = "http://h:1/api/v1/"
	  "api/v1/tickets/" API_CHECK_PROBE_ID "/messages", .status = 404,
	  .body = JROUTE, .header_retry = -1, .want = GW_ECONFIG,
	  .want_lines = "problem: route: the API answered 404 (Resource not "
	  "found) for /api/v1/api/v1/tickets/" API_CHECK_PROBE_ID "/messages; "
	  "base_url must not end in /api or /api/v1\n" },
	/* As a delivery judges it: "/tickets" in a quoted route is not
	 * about the ticket. */
	{ .name = "404 route quoted back", .url = "http://h:1/api/v1/"
	  "api/v1/tickets/T/messages", .ticket = "T", .status = 404,
	  .body = "{\"message\":\"Cannot POST /api/v1/api/v1/tickets/T/"
	  "messages\"}", .header_retry = -1, .want = GW_ECONFIG,
	  .want_has = "problem: route: the API answered 404 (Cannot POST" },
	{ .name = "404 route, doubled /api", .url = "http://h/api/api/v1/"
	  "tickets/T/messages", .ticket = "T", .status = 404, .body = JROUTE,
	  .header_retry = -1, .want = GW_ECONFIG,
	  .want_has = "base_url must not end in /api or /api/v1" },
	{ .name = "404 route, other prefix", .url = "http://h/hd/api/v1/"
	  "tickets/T/messages", .ticket = "T", .status = 404, .body = JROUTE,
	  .header_retry = -1, .want = GW_ECONFIG,
	  .want_has = "for /hd/api/v1/tickets/T/messages; check the path in "
	  "base_url" },
	{ .name = "404 HTML page", .url = PROBE_URL, .status = 404,
	  .body = "<h1>Ticket not found</h1>", .header_retry = -1,
	  .want = GW_ECONFIG, .want_has = "problem: route: the API answered "
	  "404 (not its JSON error body)" },
	{ .name = "404 empty", .url = PROBE_URL, .status = 404, .body = "",
	  .header_retry = -1, .want = GW_ECONFIG,
	  .want_has = "(not its JSON error body)" },
	{ .name = "404 JSON without message", .url = PROBE_URL,
	  .status = 404, .body = "{}", .header_retry = -1,
	  .want = GW_ECONFIG, .want_has = "404 (no message)" },
	{ .name = "201 accepted", .url = PROBE_URL, .status = 201,
	  .body = "{}", .header_retry = -1, .want = GW_ESOFTWARE,
	  .want_lines = "problem: the API accepted an invalid note (HTTP 201): "
	  "it does not validate notes as the contract says; ticket "
	  API_CHECK_PROBE_ID " may now hold an empty note\n" },
	{ .name = "204 accepted", .url = PROBE_URL, .status = 204,
	  .header_retry = -1, .want = GW_ESOFTWARE,
	  .want_has = "problem: the API accepted an invalid note (HTTP 204)" },
	{ .name = "401", .url = PROBE_URL, .status = 401, .body = J401,
	  .header_retry = -1, .want = GW_EAUTH,
	  .want_has = "problem: API key refused (401" },
	{ .name = "403 read-only", .url = PROBE_URL, .status = 403,
	  .body = J403 ",\"problem\":\"insufficient_scope\"}",
	  .header_retry = -1, .want = GW_EAUTH,
	  .want_has = "insufficient_scope" },
	{ .name = "403 no entitlement", .url = PROBE_URL, .status = 403,
	  .body = J403 ",\"problem\":\"forbidden\"}", .header_retry = -1,
	  .want = GW_EAUTH, .want_has = "entitlement" },
	{ .name = "429 retryAfter", .url = PROBE_URL, .status = 429,
	  .body = J429, .header_retry = -1, .want = GW_ERATELIMIT,
	  .want_has = "problem: API rate limit (429); retry after 3600s" },
	{ .name = "429 header", .url = PROBE_URL, .status = 429,
	  .header_retry = 30, .want = GW_ERATELIMIT,
	  .want_has = "retry after 30s" },
	{ .name = "413 is not a bounce here", .url = PROBE_URL, .status = 413,
	  .header_retry = -1, .want = GW_ETEMP,
	  .want_lines = "problem: unexpected answer to the probe (HTTP 413)\n" },
	{ .name = "503", .url = PROBE_URL, .status = 503, .header_retry = -1,
	  .want = GW_ETEMP, .want_has = "problem: API server error (503)" },
	{ .name = "302", .url = PROBE_URL, .status = 302, .header_retry = -1,
	  .want = GW_ETEMP, .want_has = "redirect" },
	{ .name = "hostile 400 text", .url = PROBE_URL, .status = 400,
	  .body = "{\"message\":\"a\\nproblem: b\\u001b[31m\"}",
	  .header_retry = -1, .want = GW_OK, .want_lines = OK_ROUTE
	  "ok: the API refused the probe as expected (400: a?problem: b?[31m)"
	  "\n" },
	{ .name = "hostile ticket", .url = "http://h/api/v1/tickets/a%0Ab/"
	  "messages", .ticket = "a\nproblem: b", .status = 404,
	  .body = JTICKET, .header_retry = -1, .want = GW_ECONFIG,
	  .want_has = "problem: ticket a?problem: b not found" },
};

/* judge_lines - every line of s is "ok: ", "info: " or "problem: " */
static int
judge_lines(const char *s)
{
	char **v;
	size_t i;
	int good = 1;

	if (*s == '\0' || s[strlen(s) - 1] != '\n')
		return 0;
	v = g_strsplit(s, "\n", -1);
	for (i = 0; v[i + 1] != NULL; i++)
		if (!g_str_has_prefix(v[i], "ok: ") &&
		    !g_str_has_prefix(v[i], "info: ") &&
		    !g_str_has_prefix(v[i], "problem: "))
			good = 0;
	g_strfreev(v);
	return good;
}

/* test_check_judge - the probe's answer -> findings */
static void
test_check_judge(void)
{
	const struct judge_case *c;
	struct gw_error err;
	struct secret *key = NULL;
	enum gw_status st;
	char *lines;
	size_t i;
	static const char k[] = "ixk_judge_0123456789";
	static const char echo[] = "{\"message\":\"bad Bearer "
	    "ixk_judge_0123456789\"}";

	for (i = 0; i < G_N_ELEMENTS(judge_cases); i++) {
		c = &judge_cases[i];
		lines = NULL;
		st = api_check_judge(c->url, c->ticket, c->status, c->body,
		    c->body != NULL ? strlen(c->body) : 0, c->header_retry,
		    NULL, &lines, &err);
		tap_ok(st == c->want, "judge %s: status %d, want %d", c->name,
		    (int)st, (int)c->want);
		tap_ok(lines != NULL && judge_lines(lines), "judge %s: one "
		    "finding per line", c->name);
		if (c->want_lines != NULL)
			tap_str(lines, c->want_lines, c->name);
		if (c->want_has != NULL)
			tap_ok(lines != NULL && strstr(lines, c->want_has) !=
			    NULL, "judge %s: has '%s'", c->name,
			    c->want_has);
		/* A problem is in the error text too; ok means none. */
		tap_ok((st == GW_OK) == !(g_str_has_prefix(lines,
		    "problem: ") || strstr(lines, "\nproblem: ") != NULL),
		    "judge %s: a problem line iff not GW_OK", c->name);
		tap_ok(st == GW_OK || strstr(lines, err.text) != NULL,
		    "judge %s: the error text is the problem line", c->name);
		tap_ok(st == GW_OK || status_exit(st) == 75,
		    "judge %s: a problem exits 75", c->name);
		g_free(lines);
	}

	if (secret_new(k, strlen(k), &key, &err) != GW_OK) {
		tap_ok(0, "secret_new: %s", err.text);
		return;
	}
	st = api_check_judge(PROBE_URL, NULL, 400, echo, strlen(echo), -1,
	    key, &lines, &err);
	tap_ok(st == GW_OK && strstr(lines, "ixk_judge") == NULL &&
	    strstr(lines, "[key]") != NULL, "judge: the key echoed in a 400 "
	    "is redacted");
	g_free(lines);
	st = api_check_judge(PROBE_URL, NULL, 404, echo, strlen(echo), -1,
	    key, &lines, &err);
	tap_ok(st == GW_ECONFIG && strstr(lines, "ixk_judge") == NULL &&
	    strstr(err.text, "ixk_judge") == NULL, "judge: the key echoed in "
	    "a 404 is redacted");
	g_free(lines);
	st = api_check_judge(PROBE_URL, NULL, 503, echo, strlen(echo), -1,
	    key, &lines, &err);
	tap_ok(st == GW_ETEMP && strstr(lines, "ixk_judge") == NULL,
	    "judge: the key echoed in a 503 is redacted");
	g_free(lines);
	secret_free(&key);
}

/* test_url - the escaping table */
static void
test_url(void)
{
	size_t i;
	char *got;

	for (i = 0; i < G_N_ELEMENTS(url_cases); i++) {
		got = api_url(url_cases[i].base, url_cases[i].ticket);
		tap_str(got, url_cases[i].want, url_cases[i].name);
		g_free(got);
	}
}

/* test_describe - the exact --dry-run string */
static void
test_describe(void)
{
	struct api_config cfg = {
		.base_url = "https://helpdesk.example/",
		.timeout = 20,
		.connect_timeout = 10,
		.user_agent = "mail2note/0.1.0",
	};
	const char *body = "{\"type\":\"internal_note\",\"body_html\":"
	    "\"<p>a/b</p>\",\"body_text\":\"caf\xc3\xa9 \\\"q\\\"\"}";
	char *got, *parsed;
	int i;

	got = api_describe(&cfg, "T1001", body, strlen(body),
	    "0123456789abcdef", false);
	tap_str(got, "{\"method\":\"POST\",\"url\":\"https://helpdesk.example/"
	    "api/v1/tickets/T1001/messages\",\"headers\":{\"Content-Type\":"
	    "\"application/json\",\"Accept\":\"application/json\","
	    "\"Authorization\":\"Bearer [redacted]\",\"Idempotency-Key\":"
	    "\"0123456789abcdef\",\"User-Agent\":\"mail2note/0.1.0\"},"
	    "\"body\":{\"type\":\"internal_note\",\"body_html\":\"<p>a/b</p>\","
	    "\"body_text\":\"caf\xc3\xa9 \\\"q\\\"\"}}", "describe exact");
	g_free(got);

	got = api_describe(&cfg, "../x", body, strlen(body), NULL, false);
	tap_str(got, "{\"method\":\"POST\",\"url\":\"https://helpdesk.example/"
	    "api/v1/tickets/..%2Fx/messages\",\"headers\":{\"Content-Type\":"
	    "\"application/json\",\"Accept\":\"application/json\","
	    "\"Authorization\":\"Bearer [redacted]\",\"User-Agent\":"
	    "\"mail2note/0.1.0\"},\"body\":{\"type\":\"internal_note\","
	    "\"body_html\":\"<p>a/b</p>\",\"body_text\":\"caf\xc3\xa9 "
	    "\\\"q\\\"\"}}", "describe: no idempotency key, escaped id");
	g_free(got);

	/* A body json-c printed goes in as it is: the same bytes. */
	for (i = 0; i < 2; i++) {
		parsed = api_describe(&cfg, "T1001", body, strlen(body),
		    i == 0 ? "0123456789abcdef" : NULL, false);
		got = api_describe(&cfg, "T1001", body, strlen(body),
		    i == 0 ? "0123456789abcdef" : NULL, true);
		tap_str(got, parsed, i == 0 ? "describe: a json-c body as it "
		    "is, same bytes" : "describe: same bytes, no key");
		g_free(parsed);
		g_free(got);
	}

	got = api_describe(&cfg, "T1", "not json", 8, "k", false);
	tap_ok(strstr(got, "\"body\":\"not json\"") != NULL,
	    "describe: a non-object body is shown as a string");
	g_free(got);
	got = api_describe(&cfg, "T1", "", 0, "k", true);
	tap_ok(strstr(got, "\"body\":\"\"}") != NULL,
	    "describe: an empty json-c body is shown as a string");
	g_free(got);
}

/*
 * A one-shot loopback server in a child process: accept one connection,
 * read the request (headers + Content-Length body) into a pipe for the
 * parent, send the canned answer (or stall), close, _exit.
 */
struct server {
	pid_t pid;
	int port;
	int req_fd;		/* read end: the request bytes */
};

/* What the server does after writing its answer (default: close cleanly). */
static enum { SERVER_CLOSE, SERVER_STALL, SERVER_RESET } server_then;

/* server_read_request - read one HTTP request from fd */
static GString *
server_read_request(int fd)
{
	GString *req = g_string_new(NULL);
	char buf[4096], *hdr_end, *cl;
	ssize_t n;
	size_t need = (size_t)-1, hlen;

	for (;;) {
		if (need != (size_t)-1 && req->len >= need)
			break;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		g_string_append_len(req, buf, n);
		if (need == (size_t)-1 &&
		    (hdr_end = strstr(req->str, "\r\n\r\n")) != NULL) {
			hlen = (size_t)(hdr_end - req->str) + 4;
			cl = g_strstr_len(req->str, (gssize)hlen,
			    "Content-Length: ");
			need = hlen + (cl ? strtoul(cl + 16, NULL, 10) : 0);
		}
	}
	return req;
}

/* server_start - fork the server; answer NULL means stall 5 seconds */
static void
server_start(struct server *s, const char *answer, size_t answer_len)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int lfd, cfd, p[2], one = 1;
	GString *req;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	(void)setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(lfd, 4) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) != 0 ||
	    pipe(p) != 0) {
		printf("Bail out! cannot listen: %s\n", strerror(errno));
		exit(1);
	}
	s->port = ntohs(sin.sin_port);
	fflush(stdout);
	s->pid = fork();
	if (s->pid == 0) {
		close(p[0]);
		alarm(10);
		cfd = accept(lfd, NULL, NULL);
		if (cfd < 0)
			_exit(1);
		req = server_read_request(cfd);
		if (write(p[1], req->str, req->len) < 0)
			_exit(1);
		close(p[1]);
		if (answer == NULL) {
			sleep(5);
			_exit(0);
		}
		while (answer_len > 0) {
			ssize_t n = write(cfd, answer, answer_len);

			if (n <= 0)
				break;
			answer += n;
			answer_len -= (size_t)n;
		}
		if (server_then == SERVER_STALL) {
			sleep(5);
			_exit(0);
		}
		if (server_then == SERVER_RESET) {
			struct linger lg = { 1, 0 };

			/* close() with a zero linger sends a RST. */
			(void)setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg,
			    sizeof(lg));
			close(cfd);
			_exit(0);
		}
		shutdown(cfd, SHUT_WR);
		/* Drain until the client closes, so it sees no reset. */
		{
			char b[512];

			while (read(cfd, b, sizeof(b)) > 0)
				;
		}
		_exit(0);
	}
	close(lfd);
	close(p[1]);
	s->req_fd = p[0];
}

/* server_finish - the request the server saw; reaps the child */
static GString *
server_finish(struct server *s)
{
	GString *req;

	req = server_read_request(s->req_fd);
	close(s->req_fd);
	kill(s->pid, SIGTERM);
	(void)waitpid(s->pid, NULL, 0);
	return req;
}

/* post_case - api_post against a server with one canned answer */
static enum gw_status
post_case(const char *answer, size_t answer_len, const char *ticket,
    const char *idem, long timeout, const struct secret *key,
    struct api_result *res, struct gw_error *err, GString **req_r)
{
	struct server s;
	struct api_config cfg = { 0 };
	char url[64];
	const char *body = "{\"type\":\"internal_note\",\"body_html\":\"<p>x"
	    "</p>\",\"body_text\":\"x\"}";
	enum gw_status st;

	server_start(&s, answer, answer_len);
	(void)g_snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s.port);
	cfg.base_url = url;
	cfg.timeout = timeout;
	cfg.connect_timeout = 2;
	cfg.key = key;
	cfg.user_agent = "mail2note/test";
	gw_error_clear(err);
	st = api_post(&cfg, ticket, body, strlen(body), idem, res, err);
	*req_r = server_finish(&s);
	return st;
}

/* test_post - api_post end to end on loopback */
static void
test_post(void)
{
	struct secret *key = NULL;
	struct gw_error err;
	struct api_result res;
	struct api_config cfg = { 0 };
	GString *req = NULL, *big;
	enum gw_status st;
	const char *answer;
	char *dyn, date[64], url[64], want[128];
	struct tm tm;
	time_t when;
	gint64 t0;
	int fd, port;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	const char *k = "ixk_unit_secret_5e5e5e";
	const char *a201 = "HTTP/1.1 201 Created\r\nContent-Type: "
	    "application/json\r\nContent-Length: 15\r\nConnection: close\r\n"
	    "\r\n{\"id\":\"msg_1\"}\n";

	if (secret_new(k, strlen(k), &key, &err) != GW_OK) {
		tap_ok(0, "secret_new: %s", err.text);
		return;
	}

	/* The request: method, path, headers, body; no Expect. */
	st = post_case(a201, strlen(a201), "T1001", "abc123", 5, key, &res,
	    &err, &req);
	tap_int(st, GW_OK, "post 201: OK");
	tap_int(res.http_status, 201, "post 201: http_status");
	tap_int(res.retry_after, -1, "post 201: no retry");
	tap_ok(g_str_has_prefix(req->str,
	    "POST /api/v1/tickets/T1001/messages HTTP/1.1\r\n"),
	    "request line");
	tap_ok(strstr(req->str, "\r\nAuthorization: Bearer ixk_unit_secret_"
	    "5e5e5e\r\n") != NULL, "Authorization: Bearer header");
	tap_ok(strstr(req->str, "\r\nContent-Type: application/json\r\n") !=
	    NULL, "Content-Type header");
	tap_ok(strstr(req->str, "\r\nAccept: application/json\r\n") != NULL,
	    "Accept header");
	tap_ok(strstr(req->str, "\r\nIdempotency-Key: abc123\r\n") != NULL,
	    "Idempotency-Key header");

	tap_ok(strstr(req->str, "\r\nUser-Agent: mail2note/test\r\n") != NULL,
	    "User-Agent header");
	tap_ok(strstr(req->str, "Expect") == NULL, "no Expect header");
	tap_ok(g_str_has_suffix(req->str, "\r\n\r\n{\"type\":\"internal_note\","
	    "\"body_html\":\"<p>x</p>\",\"body_text\":\"x\"}"),
	    "body sent as given");
	g_string_free(req, TRUE);

	/* A server echoing our Authorization line across the 100-byte cut. */
	{
		GString *a = g_string_new(NULL);
		char *jb = g_strdup_printf("{\"message\":\"%.*sAuthorization: "
		    "Bearer %s\"}", 80, "the request was refused by the "
		    "server; please check the header that was sent to it "
		    "and try again", k);
		int bad = 0;
		char *run;
		size_t o;

		g_string_printf(a, "HTTP/1.1 500 Oops\r\nContent-Type: "
		    "application/json\r\nContent-Length: %zu\r\n"
		    "Connection: close\r\n\r\n%s", strlen(jb), jb);
		st = post_case(a->str, a->len, "T1001", NULL, 5, key, &res,
		    &err, &req);
		tap_int(st, GW_ETEMP, "post 500 echoing the key: ETEMP");
		for (o = 0; o + 8 <= strlen(k) + 7; o++) {
			char *pat = g_strconcat("Bearer ", k, NULL);

			run = g_strndup(pat + o, 8);
			bad |= strstr(err.text, run) != NULL;
			g_free(run);
			g_free(pat);
		}
		if (!tap_ok(!bad, "post 500 echoing the key: no 8-byte run"))
			printf("#   %s\n", err.text);
		g_free(jb);
		g_string_free(req, TRUE);
		g_string_free(a, TRUE);
	}

	/* Escaped ticket in the path; no idempotency key. */
	st = post_case(a201, strlen(a201), "a b/c", NULL, 5, key, &res, &err,
	    &req);
	tap_ok(g_str_has_prefix(req->str,
	    "POST /api/v1/tickets/a%20b%2Fc/messages "), "ticket escaped");
	tap_ok(strstr(req->str, "Idempotency-Key") == NULL,
	    "no Idempotency-Key when none given");
	g_string_free(req, TRUE);

	/* A huge 2xx answer: kept to the cap, still OK. */
	big = g_string_new("HTTP/1.1 201 Created\r\nContent-Type: "
	    "application/json\r\nConnection: close\r\n\r\n{\"x\":\"");
	while (big->len < 3 * API_MAX_RESPONSE)
		g_string_append(big, "0123456789abcdef");
	g_string_append(big, "\"}");
	st = post_case(big->str, big->len, "T1001", NULL, 5, key, &res, &err,
	    &req);
	tap_int(st, GW_OK, "post: a 192 KiB answer is capped, still OK");
	g_string_free(big, TRUE);
	g_string_free(req, TRUE);

	/* A 200 KB header line: libcurl's "out of memory" names the cause. */
	big = g_string_new("HTTP/1.1 500 Oops\r\nX-Big: ");
	while (big->len < 200 * 1024)
		g_string_append(big, "0123456789abcdef");
	g_string_append(big, "\r\nContent-Length: 0\r\nConnection: close"
	    "\r\n\r\n");
	st = post_case(big->str, big->len, "T1001", NULL, 5, key, &res, &err,
	    &req);
	tap_int(st, GW_ETEMP, "post: a 200 KB header line: ETEMP");
	tap_ok(strstr(err.text, "API at 127.0.0.1:") != NULL &&
	    strstr(err.text, "header line") != NULL,
	    "post: a 200 KB header line is not called out of memory (%s)",
	    err.text);
	g_string_free(big, TRUE);
	g_string_free(req, TRUE);

	/* 404: the ticket id is named. */
	answer = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
	    "Connection: close\r\n\r\n{\"error\":\"Not "
	    "Found\",\"message\":\"Ticket not found\",\"code\":404}";
	st = post_case(answer, strlen(answer), "T9999", NULL, 5, key, &res,
	    &err, &req);
	tap_int(st, GW_ENOTICKET, "post 404: ENOTICKET");
	tap_str(err.text, "ticket T9999 not found (API 404)", "post 404 text");
	g_string_free(req, TRUE);

	/* Answers cut short: a 2xx still counts; a 404 is not proven. */
	answer = "HTTP/1.1 404 Not Found\r\nContent-Length: 500\r\n"
	    "Connection: close\r\n\r\n{\"message\":\"Ticket";
	st = post_case(answer, strlen(answer), "T9999", NULL, 5, key, &res,
	    &err, &req);
	tap_int(st, GW_ETEMP, "post 404 cut short: deferred, not bounced");
	g_string_free(req, TRUE);
	answer = "HTTP/1.1 201 Created\r\nContent-Length: 500\r\n"
	    "Connection: close\r\n\r\n{\"id\":";
	st = post_case(answer, strlen(answer), "T1001", NULL, 5, key, &res,
	    &err, &req);
	tap_int(st, GW_OK, "post 201 cut short: OK (never post twice)");
	g_string_free(req, TRUE);
	/*
	 * The status line of a 201 arrived, then the body stalled past the
	 * timeout, or the connection was reset: the note exists all the
	 * same, and a deferral would post it a second time.
	 */
	answer = "HTTP/1.1 201 Created\r\nContent-Length: 500\r\n"
	    "Connection: close\r\n\r\n{\"id\":";
	server_then = SERVER_STALL;
	t0 = g_get_monotonic_time();
	st = post_case(answer, strlen(answer), "T1001", NULL, 1, key, &res,
	    &err, &req);
	tap_int(st, GW_OK, "post 201 then a stalled body: OK (never post "
	    "twice)");
	tap_int(res.http_status, 201, "post 201 then a stall: http_status");
	tap_ok(g_get_monotonic_time() - t0 < 3 * G_USEC_PER_SEC,
	    "post 201 then a stall: bounded by the timeout");
	g_string_free(req, TRUE);
	server_then = SERVER_RESET;
	st = post_case(answer, strlen(answer), "T1001", NULL, 5, key, &res,
	    &err, &req);
	tap_int(st, GW_OK, "post 201 then a reset: OK (never post twice)");
	g_string_free(req, TRUE);
	/* The same with a 500: a cut answer to an error is still an error. */
	answer = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 500"
	    "\r\nConnection: close\r\n\r\n{\"message\":";
	server_then = SERVER_STALL;
	st = post_case(answer, strlen(answer), "T1001", NULL, 1, key, &res,
	    &err, &req);
	tap_int(st, GW_ETIMEOUT, "post 500 then a stall: ETIMEOUT");
	g_string_free(req, TRUE);
	server_then = SERVER_CLOSE;

	/* 429 with an HTTP-date Retry-After and no body. */
	when = time(NULL) + 120;
	gmtime_r(&when, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	dyn = g_strdup_printf("HTTP/1.1 429 Too Many Requests\r\n"
	    "Retry-After: %s\r\nContent-Length: 0\r\nConnection: close\r\n"
	    "\r\n", date);
	answer = dyn;
	t0 = g_get_monotonic_time();
	st = post_case(answer, strlen(answer), "T1001", NULL, 5, key, &res,
	    &err, &req);
	tap_int(st, GW_ERATELIMIT, "post 429 date: ERATELIMIT");
	tap_ok(res.retry_after >= 117 && res.retry_after <= 121,
	    "post 429: Retry-After date -> %lds", res.retry_after);
	tap_ok(g_get_monotonic_time() - t0 < 3 * G_USEC_PER_SEC,
	    "post 429: returns at once");
	tap_int(res.http_status, 429, "post 429: http_status");
	g_free(dyn);
	g_string_free(req, TRUE);

	/* 429 with delta seconds, after a 100 Continue. */
	answer = "HTTP/1.1 100 Continue\r\nRetry-After: 5\r\n\r\n"
	    "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 42\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n";
	st = post_case(answer, strlen(answer), "T1001", NULL, 5, key, &res,
	    &err, &req);
	tap_int(res.retry_after, 42, "post 429: Retry-After 42 after a 100");
	g_string_free(req, TRUE);

	/* A redirect is not followed. */
	answer = "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/x\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n";
	st = post_case(answer, strlen(answer), "T1001", NULL, 5, key, &res,
	    &err, &req);
	tap_int(st, GW_ETEMP, "post 302: ETEMP, not followed");
	g_string_free(req, TRUE);

	/* Garbage instead of HTTP. */
	answer = "\x01\x02SSH-2.0-OpenSSH\r\n\xff\xfe garbage\r\n";
	st = post_case(answer, strlen(answer), "T1001", NULL, 5, key, &res,
	    &err, &req);
	tap_int(st, GW_ETEMP, "post garbage: ETEMP");
	tap_ok(strstr(err.text, "garbled answer") != NULL,
	    "post garbage text: %s", err.text);
	g_string_free(req, TRUE);

	/* Closed without an answer. */
	st = post_case("", 0, "T1001", NULL, 5, key, &res, &err, &req);
	tap_int(st, GW_ENETWORK, "post: no answer -> ENETWORK");
	tap_ok(strstr(err.text, "without answering") != NULL,
	    "post no answer text: %s", err.text);
	g_string_free(req, TRUE);

	/* A stall: the whole exchange is bounded by timeout. */
	t0 = g_get_monotonic_time();
	st = post_case(NULL, 0, "T1001", NULL, 1, key, &res, &err, &req);
	tap_int(st, GW_ETIMEOUT, "post stall: ETIMEOUT");
	tap_str(err.text, "note API timeout after 1s", "post stall text");
	tap_ok(g_get_monotonic_time() - t0 < 3 * G_USEC_PER_SEC,
	    "post stall: bounded (%ld ms)", res.elapsed_ms);
	g_string_free(req, TRUE);

	/*
	 * The environment's proxy variables are ignored: under Postfix
	 * pipe(8) there are none, and a run by hand must behave the same.
	 * Here they name a port where nothing listens.
	 */
	setenv("http_proxy", "http://127.0.0.1:1", 1);
	setenv("ALL_PROXY", "http://127.0.0.1:1", 1);
	st = post_case(a201, strlen(a201), "T1001", NULL, 5, key, &res, &err,
	    &req);
	tap_int(st, GW_OK, "post with http_proxy set: no proxy used");
	tap_ok(g_str_has_prefix(req->str, "POST /api/v1/tickets/T1001/"
	    "messages HTTP/1.1\r\n"), "post with http_proxy set: direct "
	    "request line");
	unsetenv("http_proxy");
	unsetenv("ALL_PROXY");
	g_string_free(req, TRUE);

	/*
	 * connect_timeout bounds the TCP handshake on its own: a listener
	 * whose accept queue is full drops SYNs, so connect() hangs.
	 */
	{
		int lfd2, c[3], i;

		lfd2 = socket(AF_INET, SOCK_STREAM, 0);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(sin);
		(void)bind(lfd2, (struct sockaddr *)&sin, sizeof(sin));
		(void)listen(lfd2, 0);
		(void)getsockname(lfd2, (struct sockaddr *)&sin, &sl);
		for (i = 0; i < 3; i++) {
			c[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
			(void)connect(c[i], (struct sockaddr *)&sin,
			    sizeof(sin));
		}
		usleep(200000);
		(void)g_snprintf(url, sizeof(url), "http://127.0.0.1:%d",
		    ntohs(sin.sin_port));
		cfg.base_url = url;
		cfg.timeout = 4;
		cfg.connect_timeout = 1;
		cfg.key = key;
		cfg.user_agent = "mail2note/test";
		gw_error_clear(&err);
		t0 = g_get_monotonic_time();
		st = api_post(&cfg, "T1001", "{}", 2, NULL, &res, &err);
		tap_int(st, GW_ETIMEOUT, "post, SYN dropped: ETIMEOUT");
		tap_ok(g_get_monotonic_time() - t0 < 2500 * 1000,
		    "post, SYN dropped: gave up after connect_timeout, not "
		    "timeout (%ld ms: %s)", res.elapsed_ms, err.text);
		for (i = 0; i < 3; i++)
			close(c[i]);
		close(lfd2);
		sl = sizeof(sin);
	}

	/* Connection refused: a port that was just free. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	(void)bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	(void)getsockname(fd, (struct sockaddr *)&sin, &sl);
	port = ntohs(sin.sin_port);
	close(fd);
	(void)g_snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	cfg.base_url = url;
	cfg.timeout = 5;
	cfg.connect_timeout = 2;
	cfg.key = key;
	cfg.user_agent = "mail2note/test";
	gw_error_clear(&err);
	st = api_post(&cfg, "T1001", "{}", 2, NULL, &res, &err);
	tap_int(st, GW_ENETWORK, "post refused: ENETWORK");
	(void)g_snprintf(want, sizeof(want),
	    "note API at 127.0.0.1:%d: connection refused", port);
	tap_str(err.text, want, "post refused text");
	tap_int(res.http_status, 0, "post refused: http_status 0");

	/* Not http(s): a configuration error, nothing sent. */
	cfg.base_url = "ftp://127.0.0.1";
	st = api_post(&cfg, "T1001", "{}", 2, NULL, &res, &err);
	tap_int(st, GW_ECONFIG, "post ftp://: ECONFIG");
	cfg.base_url = "not a url";
	st = api_post(&cfg, "T1001", "{}", 2, NULL, &res, &err);
	tap_int(st, GW_ECONFIG, "post bad URL: ECONFIG");

	/* No key text in any error. */
	tap_ok(strstr(err.text, "ixk_") == NULL, "no key in error texts");

	/* Missing arguments. */
	cfg.base_url = url;
	st = api_post(&cfg, "", "{}", 2, NULL, &res, &err);
	tap_int(st, GW_ESOFTWARE, "post with an empty ticket: ESOFTWARE");
	st = api_post(&cfg, "T1", "{}", 2, "bad key\r\nX: y", &res, &err);
	tap_int(st, GW_ESOFTWARE, "post with a malformed idempotency key");

	secret_free(&key);
}

int
main(void)
{
	struct gw_error err;

	/* As in main(): libsodium first, for the key's guarded memory. */
	if (secret_init(NULL, 0, &err) != GW_OK) {
		printf("Bail out! %s\n", err.text);
		return 1;
	}
	api_global_init();
	test_url();
	test_check_judge();
	test_describe();
	test_post();
	api_global_cleanup();
	return tap_done();
}
