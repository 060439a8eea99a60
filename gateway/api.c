/*
 * api.c - POST one internal note with libcurl; what the answer means is
 * reply.c's.
 *
 * One easy handle per note, no connection reuse, no redirects, TLS
 * verification always on.  The answer body is kept up to
 * API_MAX_RESPONSE bytes; the rest is read and dropped, so a huge answer
 * neither grows memory nor turns a delivered note into a failure.
 *
 * The key is written into exactly two places: a guarded "Authorization:
 * Bearer ..." line (secret_line_new()) and libcurl's copy of it in the
 * header list; both are wiped after the transfer.  (libcurl also assembles the
 * request in an internal buffer that it frees without wiping; that is out
 * of our reach.)  CURLOPT_VERBOSE is never set, since it would print the
 * header to stderr.
 *
 * Proxies: the environment's proxy variables are ignored (CURLOPT_PROXY
 * ""), so a run by hand behaves like a run under Postfix pipe(8), which
 * passes almost no environment.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <glib.h>
#include <json-c/json.h>

#include "api.h"
#include "log.h"
#include "reply.h"
#include "secret.h"

#define API_PATH_PREFIX "/api/v1/tickets/"
#define API_PATH_SUFFIX "/messages"
#define API_AUTH_PREFIX "Authorization: Bearer "
#define REPLY_TEXT_MAX 100	/* bytes of server text in an error line */
#define API_DETAILS_MAX 5	/* details entries quoted */
#define REPLY_RETRY_MAX (30L * 24 * 3600) /* cap on a retry delay, seconds */
#define API_JSON_DEPTH 32

/* What the callbacks collect during one transfer. */
struct api_answer {
	char *buf;		/* API_MAX_RESPONSE + 1 bytes */
	size_t len;		/* bytes kept */
	size_t seen;		/* bytes received */
	long retry_after;	/* Retry-After header in seconds, or -1 */
};

static bool api_curl_ready;	/* curl_global_init() was called */

/* api_global_init - SIGPIPE ignored; libcurl waits for api_curl_init() */
void
api_global_init(void)
{
	/*
	 * CURLOPT_NOSIGNAL stops libcurl from ignoring SIGPIPE itself; a
	 * write to a connection the server reset must be an error, not
	 * death by signal (which Postfix would count as a deferral, but
	 * without our one line).
	 */
	(void)signal(SIGPIPE, SIG_IGN);
}

/*
 * api_curl_init - curl_global_init() (and OpenSSL's with it), the first
 * time a transfer is set up: a dry run, a discarded or refused mail and
 * a config check never pay for it
 */
static enum gw_status
api_curl_init(struct gw_error *err)
{
	if (api_curl_ready)
		return GW_OK;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return gw_error_set(err, GW_ESOFTWARE,
		    "cannot initialise libcurl");
	api_curl_ready = true;
	return GW_OK;
}

/* api_global_cleanup - curl_global_cleanup() when libcurl was set up */
void
api_global_cleanup(void)
{
	if (api_curl_ready)
		curl_global_cleanup();
	api_curl_ready = false;
}

/* api_url - base_url + "/api/v1/tickets/" + escaped(ticket) + "/messages" */
char *
api_url(const char *base_url, const char *ticket)
{
	size_t blen;
	char *esc, *url;

	if (base_url == NULL)
		base_url = "";
	if (ticket == NULL)
		ticket = "";
	blen = strlen(base_url);
	while (blen > 0 && base_url[blen - 1] == '/')
		blen--;
	/* Everything but ALPHA DIGIT - . _ ~ becomes %XX. */
	esc = curl_easy_escape(NULL, ticket, (int)MIN(strlen(ticket),
	    (size_t)G_MAXINT));
	if (esc == NULL)
		g_error("api_url: out of memory");
	url = g_strdup_printf("%.*s" API_PATH_PREFIX "%s" API_PATH_SUFFIX,
	    (int)blen, base_url, esc);
	curl_free(esc);
	return url;
}

/* api_write_cb - keep the first API_MAX_RESPONSE bytes, drop the rest */
static size_t
api_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct api_answer *a = userdata;
	size_t n = size * nmemb;
	size_t keep = MIN(n, API_MAX_RESPONSE - a->len);

	memcpy(a->buf + a->len, ptr, keep);
	a->len += keep;
	a->buf[a->len] = '\0';
	a->seen += n;
	return n;
}

/* api_retry_value - Retry-After (delta-seconds or HTTP-date) -> seconds */
static long
api_retry_value(const char *v)
{
	time_t when, now;
	char *end;
	long n;

	while (*v == ' ' || *v == '\t')
		v++;
	if (g_ascii_isdigit(*v)) {
		errno = 0;
		n = strtol(v, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (*end != '\0' || errno != 0 || n < 0)
			return -1;
		return MIN(n, REPLY_RETRY_MAX);
	}
	when = curl_getdate(v, NULL);
	if (when == (time_t)-1)
		return -1;
	now = time(NULL);
	if (when <= now)
		return 0;
	return (long)MIN((time_t)REPLY_RETRY_MAX, when - now);
}

/* api_header_cb - the Retry-After of the final answer */
static size_t
api_header_cb(char *ptr, size_t size, size_t nitems, void *userdata)
{
	struct api_answer *a = userdata;
	size_t n = size * nitems;
	char line[256];
	size_t len = MIN(n, sizeof(line) - 1);

	memcpy(line, ptr, len);
	line[len] = '\0';
	g_strchomp(line);
	if (g_ascii_strncasecmp(line, "HTTP/", 5) == 0) {
		/* A new answer (after a 1xx): forget the last one's. */
		a->retry_after = -1;
	} else if (g_ascii_strncasecmp(line, "Retry-After:", 12) == 0) {
		a->retry_after = api_retry_value(line + 12);
	}
	return n;
}

/* api_target - "host:port" of url for error texts (sanitised) */
static char *
api_target(const char *url, char **host_r)
{
	CURLU *u;
	char *host = NULL, *port = NULL, *s, *t;

	u = curl_url();
	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
		(void)curl_url_get(u, CURLUPART_HOST, &host, 0);
		(void)curl_url_get(u, CURLUPART_PORT, &port,
		    CURLU_DEFAULT_PORT);
	}
	s = log_sanitize(host != NULL ? host : "?", 80);
	t = g_strdup_printf("%s:%s", s, port != NULL ? port : "?");
	if (host_r != NULL)
		*host_r = s;
	else
		g_free(s);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return t;
}

/* api_check_url - the URL must be absolute http(s) */
static enum gw_status
api_check_url(const char *url, struct gw_error *err)
{
	CURLU *u;
	char *scheme = NULL;
	enum gw_status st = GW_OK;

	u = curl_url();
	if (u == NULL)
		return gw_error_set(err, GW_ESOFTWARE, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		st = gw_error_set(err, GW_ECONFIG,
		    "base_url is not a valid URL");
	else if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)
		st = gw_error_set(err, GW_ECONFIG,
		    "base_url must be https:// (or http:// to a loopback host)");
	curl_free(scheme);
	curl_url_cleanup(u);
	return st;
}

/* api_curl_error - a failed transfer -> status and text */
static enum gw_status
api_curl_error(CURL *curl, CURLcode rc, const struct api_config *cfg,
    const char *url, const char *errbuf, struct gw_error *err)
{
	char *target, *host = NULL, *why;
	long oserr = 0, code = 0;
	double connect = 0;
	enum gw_status st;

	(void)curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &oserr);
	(void)curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME, &connect);
	target = api_target(url, &host);
	/* libcurl's buffer can quote the server (TLS names, a status line). */
	why = reply_clean(cfg->key, *errbuf ? errbuf : curl_easy_strerror(rc),
	    REPLY_TEXT_MAX);

	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		st = gw_error_set(err, GW_ENETWORK,
		    "note API host %s not found (DNS)", host);
		break;
	case CURLE_COULDNT_RESOLVE_PROXY:
		st = gw_error_set(err, GW_ENETWORK,
		    "proxy for the note API not found (DNS)");
		break;
	case CURLE_COULDNT_CONNECT:
		st = gw_error_set(err, GW_ENETWORK,
		    "note API at %s: %s", target, oserr == ECONNREFUSED ?
		    "connection refused" : oserr != 0 ? g_strerror((int)oserr) :
		    "cannot connect");
		break;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		st = gw_error_set(err, GW_ENETWORK, "note API at %s: %s",
		    target, oserr == ECONNRESET ? "connection reset" :
		    oserr == EPIPE ? "connection closed while sending" : why);
		break;
	case CURLE_GOT_NOTHING:
		st = gw_error_set(err, GW_ENETWORK, "note API at %s closed "
		    "the connection without answering", target);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		st = gw_error_set(err, GW_ENETWORK, "TLS certificate of %s "
		    "not trusted%s (%s)", host, cfg->ca_file != NULL ?
		    " by ca_file" : "", why);
		break;
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
		st = gw_error_set(err, GW_ENETWORK, "TLS: cannot use the CA "
		    "file for %s (check ca_file)", host);
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
		st = gw_error_set(err, GW_ENETWORK, "TLS with %s failed: %s",
		    target, why);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		if (connect <= 0)
			st = gw_error_set(err, GW_ETIMEOUT, "note API at %s: "
			    "no connection after %lds", target,
			    cfg->connect_timeout);
		else
			st = gw_error_set(err, GW_ETIMEOUT,
			    "note API timeout after %lds", cfg->timeout);
		break;
	case CURLE_URL_MALFORMAT:
		st = gw_error_set(err, GW_ECONFIG,
		    "base_url rejected by libcurl: %s", why);
		break;
	case CURLE_OUT_OF_MEMORY:
		/* Also what libcurl says of an answer header line over its
		 * 100 KB limit: that is the server's fault, not ours. */
		(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
		if (code != 0)
			st = gw_error_set(err, GW_ETEMP, "garbled answer from "
			    "the note API at %s (a header line too long to "
			    "read)", target);
		else
			st = gw_error_set(err, GW_ETEMP, "out of memory");
		break;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_PARTIAL_FILE:
	case CURLE_BAD_CONTENT_ENCODING:
		st = gw_error_set(err, GW_ETEMP, "garbled answer from the note "
		    "API at %s (%s)", target, why);
		break;
	default:
		st = gw_error_set(err, GW_ETEMP, "note API at %s: %s",
		    target, why);
		break;
	}
	g_free(why);
	g_free(host);
	g_free(target);
	return st;
}

/*
 * api_ambiguous - a failed transfer after the request went out: the
 * server may have acted on it (stored the note) before the answer was
 * lost.  A failure to connect or to send leaves no complete request.
 */
static bool
api_ambiguous(CURL *curl, CURLcode rc)
{
	long sent = 0;

	if (curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &sent) !=
	    CURLE_OK || sent <= 0)
		return false;
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return true;
	default:
		return false;
	}
}

/* api_wipe_headers - zero every header line libcurl copied, then free */
static void
api_wipe_headers(struct curl_slist **list)
{
	struct curl_slist *p;

	for (p = *list; p != NULL; p = p->next)
		if (p->data != NULL)
			secret_wipe(p->data, strlen(p->data));
	curl_slist_free_all(*list);
	*list = NULL;
}

/* api_append - curl_slist_append that treats failure as fatal OOM */
static int
api_append(struct curl_slist **list, const char *line)
{
	struct curl_slist *n = curl_slist_append(*list, line);

	if (n == NULL)
		return -1;
	*list = n;
	return 0;
}

/* api_key_ok - the key may go into a header line as it is */
static int
api_key_ok(const char *key, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)key[i] <= 0x20 ||
		    (unsigned char)key[i] >= 0x7f)
			return 0;
	return 1;
}

/* api_idem_ok - an idempotency key is a short token */
static int
api_idem_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= 200 || !(g_ascii_isalnum(s[i]) || s[i] == '-' ||
		    s[i] == '_' || s[i] == '.'))
			return 0;
	return i > 0;
}

/*
 * api_redact - the last pass over err's text: "[key]" for every run of
 * the key (secret_redact()).  Each piece of server text was redacted
 * before it was cut; this catches whatever a future path forgets.
 */
static void
api_redact(struct gw_error *err, const struct secret *key)
{
	char *r;

	if (err == NULL || key == NULL)
		return;
	r = secret_redact(key, err->text);
	if (strcmp(r, err->text) != 0)
		g_strlcpy(err->text, r, sizeof(err->text));
	secret_wipe(r, strlen(r));
	g_free(r);
}

/*
 * One POST on its own easy handle: what api_post() and api_check() share,
 * so both send exactly the same headers with the same curl options.
 */
struct api_xfer {
	CURL *curl;
	struct curl_slist *headers;
	char *auth;		/* guarded "Authorization: Bearer ..." line */
	char *idem;
	char *url;
	struct api_answer ans;
	char errbuf[CURL_ERROR_SIZE];
	CURLcode rc;		/* of curl_easy_perform() */
	long status;		/* HTTP status, 0 when no answer */
	long elapsed_ms;
};

/*
 * api_xfer_run - build and send one POST of body to the ticket's
 * messages.  GW_OK once it was sent, whatever came back (x->rc and
 * x->status say); otherwise nothing was sent.  x is zeroed first and
 * must be freed with api_xfer_free() in every case.
 */
static enum gw_status
api_xfer_run(struct api_xfer *x, const struct api_config *cfg,
    const char *ticket, const char *body, size_t len,
    const char *idempotency_key, struct gw_error *err)
{
	long timeout, ctimeout;
	gint64 start;
	CURLcode rc;
	enum gw_status st;

	memset(x, 0, sizeof(*x));
	x->ans.retry_after = -1;
	if (!api_key_ok(secret_value(cfg->key), secret_len(cfg->key)))
		return gw_error_set(err, GW_ECONFIG, "the API key in key_file "
		    "contains spaces or control characters");

	x->url = api_url(cfg->base_url, ticket);
	st = api_check_url(x->url, err);
	if (st != GW_OK)
		return st;
	timeout = cfg->timeout > 0 ? cfg->timeout : 20;
	ctimeout = cfg->connect_timeout > 0 ? cfg->connect_timeout : 10;
	if (ctimeout > timeout)
		ctimeout = timeout;

	/* The one line that holds the key: guarded memory, wiped on free. */
	x->auth = secret_line_new(cfg->key, API_AUTH_PREFIX);
	if (x->auth == NULL)
		return gw_error_set(err, GW_ETEMP, "out of memory");

	if (api_append(&x->headers, "Content-Type: application/json") != 0 ||
	    api_append(&x->headers, "Accept: application/json") != 0 ||
	    api_append(&x->headers, x->auth) != 0 ||
	    api_append(&x->headers, "Expect:") != 0)
		return gw_error_set(err, GW_ETEMP, "out of memory");
	if (idempotency_key != NULL && *idempotency_key != '\0') {
		if (!api_idem_ok(idempotency_key))
			return gw_error_set(err, GW_ESOFTWARE,
			    "malformed idempotency key");
		x->idem = g_strdup_printf("Idempotency-Key: %s",
		    idempotency_key);
		if (api_append(&x->headers, x->idem) != 0)
			return gw_error_set(err, GW_ETEMP, "out of memory");
	}

	x->ans.buf = g_malloc(API_MAX_RESPONSE + 1);
	x->ans.buf[0] = '\0';
	if (api_curl_init(err) != GW_OK)
		return GW_ESOFTWARE;
	x->curl = curl_easy_init();
	if (x->curl == NULL)
		return gw_error_set(err, GW_ETEMP, "cannot create a libcurl "
		    "handle");

#define SETOPT(opt, val) do { \
	rc = curl_easy_setopt(x->curl, opt, val); \
	if (rc != CURLE_OK) \
		return gw_error_set(err, GW_ESOFTWARE, "libcurl refused " \
		    #opt ": %s", curl_easy_strerror(rc)); \
} while (0)
	SETOPT(CURLOPT_ERRORBUFFER, x->errbuf);
	SETOPT(CURLOPT_URL, x->url);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_TIMEOUT, timeout);
	SETOPT(CURLOPT_CONNECTTIMEOUT, ctimeout);
	SETOPT(CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	SETOPT(CURLOPT_PROXY, "");
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	SETOPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (cfg->ca_file != NULL && *cfg->ca_file != '\0')
		SETOPT(CURLOPT_CAINFO, cfg->ca_file);
	SETOPT(CURLOPT_USERAGENT, cfg->user_agent != NULL ? cfg->user_agent :
	    "mail2note");
	SETOPT(CURLOPT_HTTPHEADER, x->headers);
	SETOPT(CURLOPT_POST, 1L);
	SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	SETOPT(CURLOPT_POSTFIELDS, body);
	SETOPT(CURLOPT_WRITEFUNCTION, api_write_cb);
	SETOPT(CURLOPT_WRITEDATA, &x->ans);
	SETOPT(CURLOPT_HEADERFUNCTION, api_header_cb);
	SETOPT(CURLOPT_HEADERDATA, &x->ans);
#undef SETOPT

	start = g_get_monotonic_time();
	x->rc = curl_easy_perform(x->curl);
	x->elapsed_ms = (long)((g_get_monotonic_time() - start) / 1000);
	(void)curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &x->status);
	return GW_OK;
}

/* api_xfer_free - end the transfer; wipe what may hold the key */
static void
api_xfer_free(struct api_xfer *x)
{
	if (x->curl != NULL)
		curl_easy_cleanup(x->curl);
	x->curl = NULL;
	api_wipe_headers(&x->headers);
	secret_line_free(&x->auth);	/* wipes */
	g_free(x->idem);
	x->idem = NULL;
	/* The answer may echo the key (an Authorization header, say). */
	if (x->ans.buf != NULL)
		secret_wipe(x->ans.buf, x->ans.len);
	g_free(x->ans.buf);
	x->ans.buf = NULL;
	g_free(x->url);
	x->url = NULL;
}

/* api_post - send body (JSON, len bytes) to the ticket's messages */
enum gw_status
api_post(const struct api_config *cfg, const char *ticket, const char *body,
    size_t len, const char *idempotency_key, struct api_result *res,
    struct gw_error *err)
{
	struct api_xfer x;
	char *tk;
	enum gw_status st;
	struct json_object *obj;

	memset(&x, 0, sizeof(x));
	if (res != NULL) {
		res->http_status = 0;
		res->elapsed_ms = 0;
		res->retry_after = -1;
		res->markup_refused = false;
		res->ambiguous = false;
	}
	if (cfg == NULL || cfg->key == NULL || ticket == NULL ||
	    *ticket == '\0' || body == NULL)
		return gw_error_set(err, GW_ESOFTWARE,
		    "api_post: missing argument");

	st = api_xfer_run(&x, cfg, ticket, body, len, idempotency_key, err);
	if (st != GW_OK)
		goto out;
	if (res != NULL) {
		res->elapsed_ms = x.elapsed_ms;
		res->http_status = x.status;
	}
	if (x.rc != CURLE_OK) {
		/*
		 * The status line and headers arrived, the body did not
		 * (cut short, reset, or stalled).  A 2xx means the note
		 * exists: deferring would post it twice.  A cut body is
		 * still a usable answer for any status.
		 */
		if (x.status >= 200 && x.status <= 299) {
			log_warn("the note API answered %ld but the answer "
			    "was cut short (%s); the note counts as delivered",
			    x.status, curl_easy_strerror(x.rc));
		} else if (x.rc != CURLE_PARTIAL_FILE || x.status < 100) {
			st = api_curl_error(x.curl, x.rc, cfg, x.url, x.errbuf,
			    err);
			if (res != NULL)
				res->ambiguous = api_ambiguous(x.curl, x.rc);
			goto out;
		}
	}

	st = reply_classify(x.status, x.ans.buf, x.ans.len, x.ans.retry_after,
	    cfg->key, res != NULL ? &res->retry_after : NULL, err);
	if (st == GW_ENOTICKET) {
		tk = log_sanitize(ticket, 64);
		(void)gw_error_set(err, GW_ENOTICKET,
		    "ticket %s not found (API 404)", tk);
		g_free(tk);
	} else if (st == GW_EDATA && res != NULL) {
		res->markup_refused = reply_markup_refused(x.status, x.ans.buf,
		    x.ans.len);
	} else if (st == GW_OK && x.rc == CURLE_OK) {
		obj = reply_parse(x.ans.buf, x.ans.len);
		if (obj == NULL)
			log_warn("the note API answered %ld with %s; the note "
			    "counts as delivered", x.status, x.ans.seen == 0 ?
			    "an empty body" : "a body that is not JSON");
		else
			json_object_put(obj);
	}
	if (x.ans.seen > x.ans.len)
		log_debug("API answer cut to %zu of %zu bytes", x.ans.len,
		    x.ans.seen);
	log_debug("POST %s: HTTP %ld in %ld ms", ticket, x.status,
	    x.elapsed_ms);

out:
	if (st != GW_OK)
		api_redact(err, cfg->key);
	api_xfer_free(&x);
	return st;
}

/* api_url_path - the path of url, made fit for a line; new string */
static char *
api_url_path(const char *url)
{
	CURLU *u;
	char *path = NULL, *s;

	u = curl_url();
	if (u != NULL && url != NULL &&
	    curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK)
		(void)curl_url_get(u, CURLUPART_PATH, &path, 0);
	s = log_sanitize(path != NULL ? path : "?", 160);
	curl_free(path);
	curl_url_cleanup(u);
	return s;
}

/*
 * api_check_404 - the probe's 404: about the ticket (the route works) or
 * about the path (base_url is wrong).  Only the API's own JSON error
 * saying "ticket" counts for the ticket: a bare 404 page from a proxy or
 * a web server says nothing about the API.
 */
static enum gw_status
api_check_404(const char *path, const char *ticket, const char *body,
    size_t len, const struct secret *key, GString *out,
    struct gw_error *err)
{
	struct json_object *obj;
	char *msg, *tk;
	enum gw_status st = GW_OK;

	obj = reply_parse(body, len);
	msg = reply_clean(key, reply_message(obj), REPLY_TEXT_MAX);
	/* The same rule as a delivery's 404 (reply_classify). */
	if (obj != NULL && reply_about_ticket(obj)) {
		g_string_append(out, "ok: key accepted (write scope not "
		    "verified: the API looked the ticket up first)\n");
		g_string_append_printf(out, "ok: route %s\n", path);
		if (ticket != NULL) {
			tk = log_sanitize(ticket, 64);
			st = gw_error_set(err, GW_ECONFIG, "ticket %s not "
			    "found (API 404: %s)", tk, msg);
			g_free(tk);
			g_string_append_printf(out, "problem: %s\n", err->text);
		} else {
			g_string_append_printf(out, "ok: the API does not "
			    "know the probe ticket " API_CHECK_PROBE_ID
			    " (404: %s), as expected\n", msg);
		}
	} else {
		st = gw_error_set(err, GW_ECONFIG, "route: the API answered "
		    "404 (%s) for %s; %s", *msg != '\0' ? msg : obj != NULL ?
		    "no message" : "not its JSON error body", path,
		    strstr(path, "/api/v1" API_PATH_PREFIX) != NULL ||
		    strstr(path, "/api" API_PATH_PREFIX) != NULL ?
		    "base_url must not end in /api or /api/v1" :
		    "check the path in base_url");
		g_string_append_printf(out, "problem: %s\n", err->text);
	}
	if (obj != NULL)
		json_object_put(obj);
	g_free(msg);
	return st;
}

/* api_check_judge - the probe's answer -> finding lines (pure) */
enum gw_status
api_check_judge(const char *url, const char *ticket, long http_status,
    const char *body, size_t len, long retry_after_header,
    const struct secret *key, char **lines_r, struct gw_error *err)
{
	GString *out;
	char *path, *tk, *msg;
	struct json_object *obj;
	enum gw_status st = GW_OK;

	gw_error_clear(err);
	out = g_string_new(NULL);
	path = api_url_path(url);
	if (http_status >= 200 && http_status <= 299) {
		tk = log_sanitize(ticket != NULL ? ticket : API_CHECK_PROBE_ID,
		    64);
		st = gw_error_set(err, GW_ESOFTWARE, "the API accepted an "
		    "invalid note (HTTP %ld): it does not validate notes as "
		    "the contract says; ticket %s may now hold an empty note",
		    http_status, tk);
		g_free(tk);
		g_string_append_printf(out, "problem: %s\n", err->text);
	} else if (http_status == 400 || http_status == 422) {
		obj = reply_parse(body, len);
		msg = reply_clean(key, reply_message(obj), REPLY_TEXT_MAX);
		g_string_append(out, "ok: key accepted, write scope\n");
		g_string_append_printf(out, "ok: route %s\n", path);
		g_string_append_printf(out, "ok: the API refused the probe as "
		    "expected (%ld%s%s)\n", http_status, *msg ? ": " : "", msg);
		if (ticket != NULL) {
			tk = log_sanitize(ticket, 64);
			g_string_append_printf(out, "info: ticket %s not "
			    "verified: the API refuses an invalid note before "
			    "it looks the ticket up\n", tk);
			g_free(tk);
		}
		if (obj != NULL)
			json_object_put(obj);
		g_free(msg);
	} else if (http_status == 404) {
		st = api_check_404(path, ticket, body, len, key, out, err);
	} else {
		/* 401, 403, 429, 5xx...: what a delivery would say. */
		st = reply_classify(http_status, body, len, retry_after_header,
		    key, NULL, err);
		if (st == GW_OK || status_is_permanent(st))
			st = gw_error_set(err, GW_ETEMP, "unexpected answer "
			    "to the probe (HTTP %ld)", http_status);
		g_string_append_printf(out, "problem: %s\n", err->text);
	}
	g_free(path);
	*lines_r = g_string_free(out, FALSE);
	return st;
}

/* api_check - --check-api: POST a probe the API must refuse, report */
enum gw_status
api_check(const struct api_config *cfg, const char *ticket, char **report_r,
    struct gw_error *err)
{
	/* A wrong type and no bodies: refused by anything that follows the
	 * contract, whichever it checks first, body or ticket. */
	static const char probe[] = "{\"type\":\"" API_CHECK_PROBE_TYPE "\"}";
	struct api_xfer x;
	GString *out;
	char *lines = NULL, *target = NULL, *host = NULL, *ip = NULL;
	double connect = 0;
	long port = 0;
	int https;
	enum gw_status st;

	memset(&x, 0, sizeof(x));
	*report_r = NULL;
	if (cfg == NULL || cfg->key == NULL)
		return gw_error_set(err, GW_ESOFTWARE,
		    "api_check: missing argument");
	out = g_string_new(NULL);
	st = api_xfer_run(&x, cfg, ticket != NULL ? ticket :
	    API_CHECK_PROBE_ID, probe, sizeof(probe) - 1, NULL, err);
	if (st != GW_OK) {
		g_string_append_printf(out, "problem: %s\n", err->text);
		goto out;
	}
	target = api_target(x.url, &host);
	https = g_ascii_strncasecmp(x.url, "https:", 6) == 0;
	(void)curl_easy_getinfo(x.curl, CURLINFO_CONNECT_TIME, &connect);
	(void)curl_easy_getinfo(x.curl, CURLINFO_PRIMARY_IP, &ip);
	(void)curl_easy_getinfo(x.curl, CURLINFO_PRIMARY_PORT, &port);
	if (x.status < 100) {
		/*
		 * No answer.  A TLS failure (api_curl_error()'s TLS texts
		 * start "TLS") means that TCP got through, whatever
		 * CURLINFO_CONNECT_TIME says after a failed handshake.
		 */
		st = api_curl_error(x.curl, x.rc, cfg, x.url, x.errbuf, err);
		if (strncmp(err->text, "TLS", 3) == 0)
			connect = MAX(connect, 0.001);
	}
	if (connect > 0 || x.status >= 100)
		g_string_append_printf(out, "ok: reachable %s%s%s:%ld (%s, "
		    "%ld ms)\n", host, ip != NULL && *ip != '\0' &&
		    strcmp(ip, host) != 0 ? " at " : "",
		    ip != NULL && strcmp(ip, host) != 0 ? ip : "", port,
		    x.status >= 100 ? (https ? "HTTPS" : "HTTP") : "TCP",
		    x.elapsed_ms);
	if (x.status < 100) {
		g_string_append_printf(out, "problem: %s%s\n", connect > 0 ?
		    "" : "unreachable: ", err->text);
		goto out;
	}
	if (https)
		g_string_append_printf(out, "ok: TLS verified (certificate "
		    "and name of %s, trusted by %s; TLS 1.2 or later)\n", host,
		    cfg->ca_file != NULL && *cfg->ca_file != '\0' ?
		    "ca_file" : "the system store");
	st = api_check_judge(x.url, ticket, x.status, x.ans.buf, x.ans.len,
	    x.ans.retry_after, cfg->key, &lines, err);
	g_string_append(out, lines);
	log_debug("check-api: HTTP %ld in %ld ms", x.status, x.elapsed_ms);

out:
	if (st != GW_OK)
		api_redact(err, cfg->key);
	/* Every piece of server text was redacted; this is the last pass. */
	*report_r = secret_redact(cfg->key, out->str);
	g_string_free(out, TRUE);
	g_free(lines);
	g_free(target);
	g_free(host);
	api_xfer_free(&x);
	return st;
}

/* api_describe - the --dry-run JSON: method, url, headers, body */
char *
api_describe(const struct api_config *cfg, const char *ticket,
    const char *body, size_t len, const char *idempotency_key,
    bool body_json)
{
	struct json_object *top, *hdrs, *b;
	const char *s;
	char *url, *out;
	size_t n;

	url = api_url(cfg != NULL ? cfg->base_url : NULL, ticket);
	top = json_object_new_object();
	hdrs = json_object_new_object();
	if (top == NULL || hdrs == NULL)
		g_error("api_describe: out of memory");
	json_object_object_add(top, "method", json_object_new_string("POST"));
	json_object_object_add(top, "url", json_object_new_string(url));
	json_object_object_add(hdrs, "Content-Type",
	    json_object_new_string("application/json"));
	json_object_object_add(hdrs, "Accept",
	    json_object_new_string("application/json"));
	json_object_object_add(hdrs, "Authorization",
	    json_object_new_string("Bearer [redacted]"));
	if (idempotency_key != NULL && *idempotency_key != '\0')
		json_object_object_add(hdrs, "Idempotency-Key",
		    json_object_new_string(idempotency_key));
	json_object_object_add(hdrs, "User-Agent", json_object_new_string(
	    cfg != NULL && cfg->user_agent != NULL ? cfg->user_agent :
	    "mail2note"));
	json_object_object_add(top, "headers", hdrs);
	b = NULL;
	if (!body_json || body == NULL || len == 0) {
		b = reply_parse(body, len);
		if (b == NULL)
			/* Not an object: show it as a string, so nothing is
			 * hidden. */
			b = json_object_new_string_len(body != NULL ? body :
			    "", body != NULL ? (int)MIN(len,
			    (size_t)G_MAXINT) : 0);
		json_object_object_add(top, "body", b);
	}
	s = json_object_to_json_string_ext(top,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL)
		g_error("api_describe: out of memory");
	if (b != NULL) {
		out = g_strdup(s);
	} else {
		/*
		 * A body json-c printed plain: printed again from its parse,
		 * it gives the same bytes, so it goes in as it is, in place
		 * of the closing brace.
		 */
		n = strlen(s);
		out = g_malloc(n + sizeof(",\"body\":") - 1 + len + 1);
		memcpy(out, s, n - 1);
		memcpy(out + n - 1, ",\"body\":", sizeof(",\"body\":") - 1);
		n += sizeof(",\"body\":") - 2;
		memcpy(out + n, body, len);
		out[n + len] = '}';
		out[n + len + 1] = '\0';
	}
	json_object_put(top);
	g_free(url);
	return out;
}
