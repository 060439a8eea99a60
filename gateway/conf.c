/*
 * conf.c - the configuration file and the API key file.
 *
 * The file is read with GLib's GKeyFile and interpreted through one static
 * table of {group, key, type, default, bounds, field} rows, in the manner
 * of Postfix's CONFIG_*_TABLE: a key not in the table is an error, a
 * missing key takes its default by being parsed exactly like a value from
 * the file, so defaults and file values can never be checked differently.
 *
 * All of this runs before stdin is read: every error is GW_ECONFIG, which
 * defers the mail until the administrator has fixed the file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "conf.h"
#include "confdiag.h"
#include "log.h"
#include "policy.h"
#include "safefile.h"
#include "ticket.h"

#define CONF_FILE_MAX (1024 * 1024)	/* bytes of config file read */
#define CONF_ECHO_MAX 60		/* bytes of a bad value echoed */
#define CONF_ALLOW_MAX 100		/* patterns in [sender] allow */
#define CONF_NO_POLICY "anyone who can send mail to this domain can write " \
	"notes"

#define KIB ((int64_t)1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)

enum conf_type {
	CONF_STRING,	/* char *; min..max is the length in bytes */
	CONF_URL,	/* char *; the API base URL, see conf_check_url() */
	CONF_PATH,	/* char *; absolute path, "" means unset (NULL) */
	CONF_INT,	/* int; decimal, min..max */
	CONF_SIZE,	/* uint64_t; bytes, with an optional k, M, G suffix */
	CONF_BOOL,	/* bool; true/false, yes/no, on/off, 1/0, or the
			 * row's two names (false, true) */
	CONF_LIST,	/* char **; ';'-separated, min..max items */
	CONF_REGEX,	/* char *; GRegex with a named group "id" */
	CONF_ENUM	/* int; the index of the value in the row's names */
};

struct conf_ctx;
struct conf_row;

/* A per-key check, run after the value was parsed into its field. */
typedef enum gw_status (*conf_check_fn)(const struct conf_ctx *,
    const struct conf_row *, void *, struct gw_error *);

/*
 * One row per config key ("key" in this file is the name in the file;
 * the API key is the "secret" or the key file).
 */
struct conf_row {
	const char *group;
	const char *key;
	enum conf_type type;
	const char *def;	/* as written in the file; NULL: none */
	int64_t min, max;
	size_t offset;		/* of the field in struct conf */
	conf_check_fn check;	/* NULL: the type's checks only */
	const char *const *names; /* CONF_ENUM, CONF_BOOL: NULL-terminated */
};

struct conf_ctx {
	const char *name;	/* the file, for error texts */
	GKeyFile *kf;
};

static enum gw_status conf_check_sources(const struct conf_ctx *,
    const struct conf_row *, void *, struct gw_error *);
static enum gw_status conf_check_delimiter(const struct conf_ctx *,
    const struct conf_row *, void *, struct gw_error *);
static enum gw_status conf_check_ca_file(const struct conf_ctx *,
    const struct conf_row *, void *, struct gw_error *);
static enum gw_status conf_check_allow(const struct conf_ctx *,
    const struct conf_row *, void *, struct gw_error *);
static enum gw_status conf_check_authserv_id(const struct conf_ctx *,
    const struct conf_row *, void *, struct gw_error *);

#define F(field) offsetof(struct conf, field)

static const char *const conf_require_names[] = {
	[POLICY_REQUIRE_NONE] = "none",
	[POLICY_REQUIRE_DKIM] = "dkim",
	[POLICY_REQUIRE_DMARC] = "dmarc",
	NULL
};
static const char *const conf_refused_names[] = {
	"discard", "bounce", NULL	/* false, true */
};

static const struct conf_row conf_table[] = {
	{ "api", "base_url", CONF_URL, NULL, 0, 0, F(base_url), NULL, NULL },
	{ "api", "key_file", CONF_PATH, "/etc/mail2note/api.key", 0, 0,
	    F(key_file), NULL, NULL },
	{ "api", "ca_file", CONF_PATH, "", 0, 0, F(ca_file),
	    conf_check_ca_file, NULL },
	{ "api", "timeout", CONF_INT, "20", 1, 300, F(timeout), NULL, NULL },
	{ "api", "connect_timeout", CONF_INT, "10", 1, 300,
	    F(connect_timeout), NULL, NULL },
	{ "ticket", "sources", CONF_LIST, "extension;subject", 1, 3,
	    F(sources), conf_check_sources, NULL },
	{ "ticket", "extension_pattern", CONF_REGEX, TICKET_EXTENSION_RE, 0, 0,
	    F(extension_pattern), NULL, NULL },
	{ "ticket", "subject_pattern", CONF_REGEX, TICKET_SUBJECT_RE, 0, 0,
	    F(subject_pattern), NULL, NULL },
	{ "ticket", "references_pattern", CONF_REGEX, TICKET_REFERENCES_RE, 0,
	    0, F(references_pattern), NULL, NULL },
	{ "ticket", "recipient_delimiter", CONF_STRING, "+", 1, 8,
	    F(recipient_delimiter), conf_check_delimiter, NULL },
	{ "ticket", "address_key_file", CONF_PATH, "", 0, 0,
	    F(address_key_file), NULL, NULL },
	{ "ticket", "require_signature", CONF_BOOL, "false", 0, 0,
	    F(require_signature), NULL, NULL },
	{ "message", "max_message_size", CONF_SIZE, "50M", KIB, 2 * GIB,
	    F(max_message_size), NULL, NULL },
	{ "message", "max_mime_depth", CONF_INT, "32", 1, 64,
	    F(max_mime_depth), NULL, NULL },
	{ "message", "max_mime_parts", CONF_INT, "500", 1, 10000,
	    F(max_mime_parts), NULL, NULL },
	{ "message", "max_note_size", CONF_SIZE, "1M", 16 * KIB, 16 * MIB,
	    F(max_note_size), NULL, NULL },
	{ "message", "max_inline_text", CONF_SIZE, "64k", 0, 16 * MIB,
	    F(max_inline_text), NULL, NULL },
	{ "message", "discard_automatic", CONF_BOOL, "true", 0, 0,
	    F(discard_automatic), NULL, NULL },
	{ "message", "split_history", CONF_BOOL, "true", 0, 0,
	    F(split_history), NULL, NULL },
	{ "sender", "allow", CONF_LIST, "", 0, CONF_ALLOW_MAX,
	    F(sender_allow), conf_check_allow, NULL },
	{ "sender", "authserv_id", CONF_STRING, "", 0, 255, F(authserv_id),
	    conf_check_authserv_id, NULL },
	{ "sender", "require", CONF_ENUM, "none", 0, 0, F(sender_require),
	    NULL, conf_require_names },
	{ "sender", "refused", CONF_BOOL, "discard", 0, 0, F(refused_bounce),
	    NULL, conf_refused_names },
	{ "delivery", "state_dir", CONF_PATH, "/var/lib/mail2note", 0, 0,
	    F(state_dir), NULL, NULL },
	{ "delivery", "journal_days", CONF_INT, "14", 1, 365,
	    F(journal_days), NULL, NULL },
	{ "delivery", "max_wait", CONF_INT, "5", 0, 60, F(max_wait), NULL,
	    NULL },
	/* "": state_dir/quarantine (conf_load_data()) */
	{ "delivery", "quarantine_dir", CONF_PATH, "", 0, 0,
	    F(quarantine_dir), NULL, NULL },
	{ "delivery", "quarantine_max_size", CONF_SIZE, "1G", 0, 1024 * GIB,
	    F(quarantine_max_size), NULL, NULL },
	/* "": $TMPDIR, else /tmp (spool.h) */
	{ "delivery", "spool_dir", CONF_PATH, "", 0, 0, F(spool_dir), NULL,
	    NULL },
	{ "log", "file", CONF_PATH, "", 0, 0, F(log_file), NULL, NULL },
};

#undef F

static const char *const conf_groups[] = {
	"api", "ticket", "message", "sender", "delivery", "log"
};
static const char *const conf_source_names[] = {
	"extension", "subject", "references"
};

/* conf_field - the struct conf field a row points at */
static void *
conf_field(struct conf *conf, const struct conf_row *k)
{
	return (char *)conf + k->offset;
}

/* conf_cfield - the same, read-only */
static const void *
conf_cfield(const struct conf *conf, const struct conf_row *k)
{
	return (const char *)conf + k->offset;
}

/* conf_fail - "config NAME: [group] key: <text>" as GW_ECONFIG */
static enum gw_status __attribute__((format(printf, 4, 5)))
conf_fail(const struct conf_ctx *ctx, const struct conf_row *k,
    struct gw_error *err, const char *fmt, ...)
{
	char text[GW_ERROR_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)g_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return gw_error_set(err, GW_ECONFIG, "config %s: [%s] %s: %s",
	    ctx->name, k->group, k->key, text);
}

/* conf_echo - a short, printable copy of a value for an error text */
static void
conf_echo(const char *value, char *buf, size_t size)
{
	char *s = log_sanitize(value, CONF_ECHO_MAX);

	g_strlcpy(buf, s, size);
	g_free(s);
}

/* conf_size_format - bytes as the shortest exact "50M", "16k" or "123" */
static void
conf_size_format(uint64_t n, char *buf, size_t size)
{
	if (n != 0 && n % GIB == 0)
		(void)g_snprintf(buf, size, "%" PRIu64 "G", n / GIB);
	else if (n != 0 && n % MIB == 0)
		(void)g_snprintf(buf, size, "%" PRIu64 "M", n / MIB);
	else if (n != 0 && n % KIB == 0)
		(void)g_snprintf(buf, size, "%" PRIu64 "k", n / KIB);
	else
		(void)g_snprintf(buf, size, "%" PRIu64, n);
}

/* conf_distance - Levenshtein distance, for "did you mean"; short keys */
static size_t
conf_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, tmp, cost;
	size_t row[65];

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			cost = prev + (a[i - 1] == b[j - 1] ? 0 : 1);
			row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1), cost);
			prev = tmp;
		}
	}
	return row[lb];
}

/* conf_known_group - true for a group of the table */
static bool
conf_known_group(const char *group)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(conf_groups); i++)
		if (strcmp(group, conf_groups[i]) == 0)
			return true;
	return false;
}

/* conf_lookup - the row for group/key, or NULL */
static const struct conf_row *
conf_lookup(const char *group, const char *key)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(conf_table); i++)
		if (strcmp(conf_table[i].group, group) == 0 &&
		    strcmp(conf_table[i].key, key) == 0)
			return &conf_table[i];
	return NULL;
}

/* conf_unknown_key - the error for a key that is not in the table */
static enum gw_status
conf_unknown_key(const struct conf_ctx *ctx, const char *group,
    const char *key, struct gw_error *err)
{
	const struct conf_row *best = NULL;
	size_t i, d, best_d = SIZE_MAX;
	char echo[CONF_ECHO_MAX + 4];

	conf_echo(key, echo, sizeof(echo));
	for (i = 0; i < G_N_ELEMENTS(conf_table); i++) {
		if (strcmp(conf_table[i].key, key) == 0)
			return gw_error_set(err, GW_ECONFIG,
			    "config %s: unknown key '%s' in [%s]; it belongs "
			    "in [%s]", ctx->name, echo, group,
			    conf_table[i].group);
		d = conf_distance(key, conf_table[i].key);
		if (strcmp(conf_table[i].group, group) == 0 && d < best_d) {
			best_d = d;
			best = &conf_table[i];
		}
	}
	if (best != NULL && best_d <= 2)
		return gw_error_set(err, GW_ECONFIG,
		    "config %s: unknown key '%s' in [%s]; did you mean '%s'?",
		    ctx->name, echo, group, best->key);
	return gw_error_set(err, GW_ECONFIG,
	    "config %s: unknown key '%s' in [%s]", ctx->name, echo, group);
}

/* conf_check_names - refuse groups and keys that are not in the table */
static enum gw_status
conf_check_names(const struct conf_ctx *ctx, struct gw_error *err)
{
	enum gw_status status = GW_OK;
	char **groups, **keys;
	char echo[CONF_ECHO_MAX + 4];
	const char *best;
	size_t g, i, d, best_d;

	groups = g_key_file_get_groups(ctx->kf, NULL);
	for (g = 0; groups[g] != NULL && status == GW_OK; g++) {
		if (!conf_known_group(groups[g])) {
			best = NULL;
			best_d = SIZE_MAX;
			for (i = 0; i < G_N_ELEMENTS(conf_groups); i++) {
				d = conf_distance(groups[g], conf_groups[i]);
				if (d < best_d) {
					best_d = d;
					best = conf_groups[i];
				}
			}
			conf_echo(groups[g], echo, sizeof(echo));
			if (best_d <= 2)
				status = gw_error_set(err, GW_ECONFIG,
				    "config %s: unknown group [%s]; did you "
				    "mean [%s]?", ctx->name, echo, best);
			else
				status = gw_error_set(err, GW_ECONFIG,
				    "config %s: unknown group [%s] (known: "
				    "[api], [ticket], [message], [sender], "
				    "[delivery], [log])",
				    ctx->name, echo);
			break;
		}
		keys = g_key_file_get_keys(ctx->kf, groups[g], NULL, NULL);
		for (i = 0; keys != NULL && keys[i] != NULL; i++) {
			if (conf_lookup(groups[g], keys[i]) == NULL) {
				status = conf_unknown_key(ctx, groups[g],
				    keys[i], err);
				break;
			}
		}
		g_strfreev(keys);
	}
	g_strfreev(groups);
	return status;
}

/* conf_parse_int - a decimal integer within the row's bounds */
static enum gw_status
conf_parse_int(const struct conf_ctx *ctx, const struct conf_row *k,
    const char *value, int *out, struct gw_error *err)
{
	char echo[CONF_ECHO_MAX + 4];
	const char *p = value;
	char *end = NULL;
	gint64 n;

	conf_echo(value, echo, sizeof(echo));
	if (*p == '-' || *p == '+')
		p++;
	if (!g_ascii_isdigit(*p))
		return conf_fail(ctx, k, err, "'%s' is not a number", echo);
	errno = 0;
	n = g_ascii_strtoll(value, &end, 10);
	if (*end != '\0')
		return conf_fail(ctx, k, err, "'%s' is not a number", echo);
	if (errno == ERANGE || n < k->min || n > k->max)
		return conf_fail(ctx, k, err,
		    "'%s' is out of range (%" PRId64 "..%" PRId64 ")", echo,
		    k->min, k->max);
	*out = (int)n;
	return GW_OK;
}

/* conf_parse_size - bytes, "50M" style, within the row's bounds */
static enum gw_status
conf_parse_size(const struct conf_ctx *ctx, const struct conf_row *k,
    const char *value, uint64_t *out, struct gw_error *err)
{
	char echo[CONF_ECHO_MAX + 4], lo[32], hi[32];
	uint64_t n, mult = 1;
	char *end = NULL;

	conf_echo(value, echo, sizeof(echo));
	if (!g_ascii_isdigit(value[0]))
		goto bad;
	errno = 0;
	n = g_ascii_strtoull(value, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = KIB;
		end++;
		break;
	case 'm':
	case 'M':
		mult = MIB;
		end++;
		break;
	case 'g':
	case 'G':
		mult = GIB;
		end++;
		break;
	default:
		goto bad;
	}
	if (*end != '\0')
		goto bad;
	conf_size_format((uint64_t)k->min, lo, sizeof(lo));
	conf_size_format((uint64_t)k->max, hi, sizeof(hi));
	if (errno == ERANGE || n > UINT64_MAX / mult ||
	    n * mult < (uint64_t)k->min || n * mult > (uint64_t)k->max)
		return conf_fail(ctx, k, err, "'%s' is out of range (%s..%s)",
		    echo, lo, hi);
	*out = n * mult;
	return GW_OK;
bad:
	return conf_fail(ctx, k, err, "'%s' is not a size (bytes, or a "
	    "number with a k, M or G suffix, e.g. 50M)", echo);
}

/* conf_parse_bool - true/false and the usual synonyms, or two names */
static enum gw_status
conf_parse_bool(const struct conf_ctx *ctx, const struct conf_row *k,
    const char *value, bool *out, struct gw_error *err)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	char echo[CONF_ECHO_MAX + 4];
	size_t i;

	if (k->names != NULL) {
		/* "refused = bounce": the two words, nothing else. */
		for (i = 0; i < 2; i++) {
			if (g_ascii_strcasecmp(value, k->names[i]) == 0) {
				*out = i == 1;
				return GW_OK;
			}
		}
		conf_echo(value, echo, sizeof(echo));
		return conf_fail(ctx, k, err, "'%s' is not %s or %s", echo,
		    k->names[0], k->names[1]);
	}
	for (i = 0; i < G_N_ELEMENTS(yes); i++) {
		if (g_ascii_strcasecmp(value, yes[i]) == 0) {
			*out = true;
			return GW_OK;
		}
		if (g_ascii_strcasecmp(value, no[i]) == 0) {
			*out = false;
			return GW_OK;
		}
	}
	conf_echo(value, echo, sizeof(echo));
	return conf_fail(ctx, k, err, "'%s' is not a boolean (use true or "
	    "false)", echo);
}

/* conf_parse_enum - one of the row's names, as its index */
static enum gw_status
conf_parse_enum(const struct conf_ctx *ctx, const struct conf_row *k,
    const char *value, int *out, struct gw_error *err)
{
	char echo[CONF_ECHO_MAX + 4];
	char *known;
	enum gw_status status;
	int i;

	for (i = 0; k->names[i] != NULL; i++) {
		if (g_ascii_strcasecmp(value, k->names[i]) == 0) {
			*out = i;
			return GW_OK;
		}
	}
	conf_echo(value, echo, sizeof(echo));
	known = g_strjoinv(", ", (char **)(uintptr_t)k->names);
	status = conf_fail(ctx, k, err, "'%s' is not one of %s", echo, known);
	g_free(known);
	return status;
}

/* conf_is_loopback - localhost, 127.0.0.0/8, ::1 (and ::ffff:127.x) */
static bool
conf_is_loopback(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (g_ascii_strcasecmp(host, "localhost") == 0 ||
	    g_ascii_strcasecmp(host, "localhost.") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		    (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return false;
}

/*
 * conf_check_url - https://host[:port][/prefix], or http:// to a loopback
 * host.  No user name or password (they would end up in logs), no query,
 * no fragment.  The value is not echoed in errors that could be about
 * credentials in it.
 */
static enum gw_status
conf_check_url(const struct conf_ctx *ctx, const struct conf_row *k,
    char *value, struct gw_error *err)
{
	enum gw_status status = GW_OK;
	char echo[CONF_ECHO_MAX + 4];
	GError *gerr = NULL;
	const char *scheme, *host, *p;
	GUri *uri;
	size_t len;

	for (p = value; *p != '\0'; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return conf_fail(ctx, k, err, "the URL contains a "
			    "space, control or non-ASCII character (write "
			    "an international host name in its xn-- form)");
	uri = g_uri_parse(value, G_URI_FLAGS_NONE, &gerr);
	if (uri == NULL) {
		if (strchr(value, '@') != NULL)
			status = conf_fail(ctx, k, err, "not a valid URL");
		else
			status = conf_fail(ctx, k, err, "not a valid URL: %s",
			    gerr->message);
		g_error_free(gerr);
		return status;
	}
	scheme = g_uri_get_scheme(uri);
	host = g_uri_get_host(uri);
	if (g_uri_get_userinfo(uri) != NULL) {
		status = conf_fail(ctx, k, err, "the URL must not contain a "
		    "user name or password; the key goes in key_file");
		goto out;
	}
	if (g_uri_get_query(uri) != NULL) {
		status = conf_fail(ctx, k, err, "the URL must not contain a "
		    "query ('?...')");
		goto out;
	}
	if (g_uri_get_fragment(uri) != NULL) {
		status = conf_fail(ctx, k, err, "the URL must not contain a "
		    "fragment ('#...')");
		goto out;
	}
	if (host == NULL || host[0] == '\0') {
		status = conf_fail(ctx, k, err, "the URL has no host name");
		goto out;
	}
	conf_echo(host, echo, sizeof(echo));
	if (g_ascii_strcasecmp(scheme, "http") == 0) {
		if (!conf_is_loopback(host))
			status = conf_fail(ctx, k, err, "plain http is only "
			    "allowed to a loopback host, not to '%s'; use "
			    "https", echo);
	} else if (g_ascii_strcasecmp(scheme, "https") != 0) {
		conf_echo(scheme, echo, sizeof(echo));
		status = conf_fail(ctx, k, err, "scheme '%s' is not "
		    "supported; use https://", echo);
	}
	/* Paths are joined as base_url + "/api/v1/...". */
	len = strlen(value);
	while (len > 0 && value[len - 1] == '/')
		value[--len] = '\0';
out:
	g_uri_unref(uri);
	return status;
}

/* conf_check_regex - a GRegex that captures a named group "id" */
static enum gw_status
conf_check_regex(const struct conf_ctx *ctx, const struct conf_row *k,
    const char *value, struct gw_error *err)
{
	GError *gerr = NULL;
	GRegex *re;
	int id;

	/* Empty disables the source; conf_check_cross() decides. */
	if (value[0] == '\0')
		return GW_OK;
	re = g_regex_new(value, 0, 0, &gerr);
	if (re == NULL) {
		(void)conf_fail(ctx, k, err, "bad pattern: %s", gerr->message);
		g_error_free(gerr);
		return GW_ECONFIG;
	}
	id = g_regex_get_string_number(re, "id");
	g_regex_unref(re);
	if (id == -1)
		return conf_fail(ctx, k, err, "the pattern has no named group "
		    "\"id\"; capture the ticket id with (?<id>...)");
	return GW_OK;
}

/* conf_check_sources - known names, each at most once */
static enum gw_status
conf_check_sources(const struct conf_ctx *ctx, const struct conf_row *k,
    void *field, struct gw_error *err)
{
	char **list = *(char ***)field;
	char echo[CONF_ECHO_MAX + 4];
	size_t i, j;
	bool known;

	for (i = 0; list[i] != NULL; i++) {
		known = false;
		for (j = 0; j < G_N_ELEMENTS(conf_source_names); j++)
			if (strcmp(list[i], conf_source_names[j]) == 0)
				known = true;
		conf_echo(list[i], echo, sizeof(echo));
		if (!known)
			return conf_fail(ctx, k, err, "unknown source '%s' "
			    "(use extension, subject or references)", echo);
		for (j = 0; j < i; j++)
			if (strcmp(list[i], list[j]) == 0)
				return conf_fail(ctx, k, err, "'%s' is listed "
				    "twice", echo);
	}
	return GW_OK;
}

/* conf_check_delimiter - printable ASCII, not a letter, digit or '@' */
static enum gw_status
conf_check_delimiter(const struct conf_ctx *ctx, const struct conf_row *k,
    void *field, struct gw_error *err)
{
	const char *p = *(char **)field;
	char echo[CONF_ECHO_MAX + 4];

	for (; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e ||
		    g_ascii_isalnum(*p) || *p == '@' || *p == '"') {
			conf_echo(*(char **)field, echo, sizeof(echo));
			return conf_fail(ctx, k, err, "'%s': delimiters are "
			    "printable ASCII characters other than letters, "
			    "digits, '@' and '\"' (e.g. + or -)", echo);
		}
	}
	return GW_OK;
}

/* conf_check_allow - address patterns; an empty list means NULL (any) */
static enum gw_status
conf_check_allow(const struct conf_ctx *ctx, const struct conf_row *k,
    void *field, struct gw_error *err)
{
	char **list = *(char ***)field;
	enum gw_status status = GW_OK;
	struct gw_error perr;
	size_t i;

	if (list[0] == NULL) {
		/* policy.h: NULL allows any address. */
		g_strfreev(list);
		*(char ***)field = NULL;
		return GW_OK;
	}
	/* policy.c owns what a pattern is; conf says where it was. */
	for (i = 0; list[i] != NULL && status == GW_OK; i++)
		if (policy_pattern_check(i, list[i], &perr) != GW_OK)
			status = conf_fail(ctx, k, err, "%s", perr.text);
	return status;
}

/*
 * conf_check_authserv_id - one word as milters write it first in
 * Authentication-Results (a host name, usually); "" means NULL.
 */
static enum gw_status
conf_check_authserv_id(const struct conf_ctx *ctx, const struct conf_row *k,
    void *field, struct gw_error *err)
{
	char *value = *(char **)field;
	struct gw_error perr;

	if (value[0] == '\0') {
		g_free(value);
		*(char **)field = NULL;
		return GW_OK;
	}
	if (policy_id_check(value, &perr) != GW_OK)
		return conf_fail(ctx, k, err, "%s", perr.text);
	return GW_OK;
}

/* conf_check_ca_file - when set, a regular file we can open */
static enum gw_status
conf_check_ca_file(const struct conf_ctx *ctx, const struct conf_row *k,
    void *field, struct gw_error *err)
{
	const char *path = *(char **)field;
	struct stat st;
	int fd, saved;

	if (path == NULL)
		return GW_OK;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		saved = errno;
		return conf_fail(ctx, k, err, "cannot read %s: %s", path,
		    g_strerror(saved));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		(void)close(fd);
		return conf_fail(ctx, k, err, "%s is not a regular file",
		    path);
	}
	(void)close(fd);
	/* Whoever can change the CA list can impersonate the helpdesk. */
	return safefile_check_path(path, "ca_file", err);
}

/* conf_read_key - parse one row's value (or default) into its field */
static enum gw_status
conf_read_row(const struct conf_ctx *ctx, const struct conf_row *k,
    struct conf *conf, struct gw_error *err)
{
	enum gw_status status = GW_OK;
	void *field = conf_field(conf, k);
	char echo[CONF_ECHO_MAX + 4];
	GError *gerr = NULL;
	char *value = NULL, **list = NULL;
	const char *hint;
	gsize n = 0, i, j;

	if (!g_key_file_has_key(ctx->kf, k->group, k->key, NULL)) {
		if (k->def == NULL)
			return gw_error_set(err, GW_ECONFIG, "config %s: [%s] "
			    "%s is required", ctx->name, k->group, k->key);
		g_key_file_set_value(ctx->kf, k->group, k->key, k->def);
	}
	/* A pattern may hold anything; other values are never quoted. */
	if (k->type != CONF_REGEX) {
		value = g_key_file_get_value(ctx->kf, k->group, k->key, NULL);
		hint = value != NULL ? confdiag_value(value) : NULL;
		g_free(value);
		value = NULL;
		if (hint != NULL)
			return conf_fail(ctx, k, err, "%s", hint);
	}

	switch (k->type) {
	case CONF_LIST:
		list = g_key_file_get_string_list(ctx->kf, k->group, k->key,
		    &n, &gerr);
		if (list == NULL) {
			/* An empty value: GKeyFile gives no list at all. */
			g_clear_error(&gerr);
			list = g_new0(char *, 1);
			n = 0;
		}
		/* Allow "a; b" and drop empty items ("a;;b", "a;"). */
		for (i = j = 0; i < n; i++) {
			g_strstrip(list[i]);
			if (list[i][0] == '\0')
				g_free(list[i]);
			else
				list[j++] = list[i];
		}
		list[j] = NULL;
		*(char ***)field = list;
		if ((int64_t)j < k->min || (int64_t)j > k->max)
			return conf_fail(ctx, k, err, "needs %" PRId64 " to "
			    "%" PRId64 " items, separated by ';'", k->min,
			    k->max);
		break;
	case CONF_STRING:
	case CONF_URL:
	case CONF_PATH:
		/* These interpret GKeyFile escapes (\s, \\ ...). */
		value = g_key_file_get_string(ctx->kf, k->group, k->key,
		    &gerr);
		if (value == NULL) {
			status = conf_fail(ctx, k, err, "%s", gerr->message);
			g_error_free(gerr);
			return status;
		}
		g_strchomp(value);
		break;
	default:
		/* Raw: a pattern's backslashes are the pattern's own. */
		value = g_key_file_get_value(ctx->kf, k->group, k->key, NULL);
		if (value == NULL)
			value = g_strdup("");
		g_strchomp(value);
		break;
	}

	switch (k->type) {
	case CONF_STRING:
		*(char **)field = value;
		if ((int64_t)strlen(value) < k->min ||
		    (int64_t)strlen(value) > k->max) {
			conf_echo(value, echo, sizeof(echo));
			return conf_fail(ctx, k, err, "'%s' must be %" PRId64
			    " to %" PRId64 " characters long", echo, k->min,
			    k->max);
		}
		break;
	case CONF_URL:
		*(char **)field = value;
		if (value[0] == '\0')
			return gw_error_set(err, GW_ECONFIG, "config %s: [%s] "
			    "%s is required", ctx->name, k->group, k->key);
		status = conf_check_url(ctx, k, value, err);
		break;
	case CONF_PATH:
		if (value[0] == '\0') {
			/* Unset; a required path has a non-empty default. */
			g_free(value);
			if (k->def != NULL && k->def[0] != '\0')
				return gw_error_set(err, GW_ECONFIG, "config "
				    "%s: [%s] %s must not be empty", ctx->name,
				    k->group, k->key);
			*(char **)field = NULL;
			break;
		}
		*(char **)field = value;
		if (value[0] != '/') {
			conf_echo(value, echo, sizeof(echo));
			return conf_fail(ctx, k, err, "'%s' is not an absolute "
			    "path", echo);
		}
		break;
	case CONF_INT:
		status = conf_parse_int(ctx, k, value, field, err);
		g_free(value);
		break;
	case CONF_SIZE:
		status = conf_parse_size(ctx, k, value, field, err);
		g_free(value);
		break;
	case CONF_BOOL:
		status = conf_parse_bool(ctx, k, value, field, err);
		g_free(value);
		break;
	case CONF_ENUM:
		status = conf_parse_enum(ctx, k, value, field, err);
		g_free(value);
		break;
	case CONF_REGEX:
		*(char **)field = value;
		status = conf_check_regex(ctx, k, value, err);
		break;
	case CONF_LIST:
		break;
	}
	if (status == GW_OK && k->check != NULL)
		status = k->check(ctx, k, field, err);
	return status;
}

/* conf_check_cross - rules that involve more than one key */
static enum gw_status
conf_check_cross(const struct conf_ctx *ctx, const struct conf *conf,
    struct gw_error *err)
{
	const char *pattern;
	size_t i;

	if (conf->connect_timeout > conf->timeout)
		return conf_fail(ctx, conf_lookup("api", "connect_timeout"),
		    err, "%d is longer than timeout (%d)",
		    conf->connect_timeout, conf->timeout);
	if (conf->require_signature && conf->address_key_file == NULL)
		return conf_fail(ctx, conf_lookup("ticket",
		    "require_signature"), err, "true needs address_key_file "
		    "(make a key with mail2note --new-address-key)");
	if (conf->sender_require != POLICY_REQUIRE_NONE &&
	    conf->authserv_id == NULL)
		return conf_fail(ctx, conf_lookup("sender", "require"), err,
		    "'%s' needs authserv_id, the authserv-id of the milter "
		    "that writes Authentication-Results",
		    conf_require_names[conf->sender_require]);
	for (i = 0; conf->sources[i] != NULL; i++) {
		if (strcmp(conf->sources[i], "extension") == 0)
			pattern = conf->extension_pattern;
		else if (strcmp(conf->sources[i], "subject") == 0)
			pattern = conf->subject_pattern;
		else
			pattern = conf->references_pattern;
		if (pattern[0] == '\0')
			return conf_fail(ctx, conf_lookup("ticket", "sources"),
			    err, "'%s' is listed but %s_pattern is empty",
			    conf->sources[i], conf->sources[i]);
	}
	return GW_OK;
}

/* conf_load_data - parse and validate a config held in memory */
enum gw_status
conf_load_data(const char *data, size_t len, const char *name,
    struct conf **conf_r, struct gw_error *err)
{
	struct conf_ctx ctx = { .name = name, .kf = NULL };
	enum gw_status status = GW_OK;
	struct conf *conf = NULL;
	GError *gerr = NULL;
	size_t i;

	*conf_r = NULL;
	if (memchr(data, '\0', len) != NULL)
		return gw_error_set(err, GW_ECONFIG,
		    "config %s: contains a NUL byte", name);
	ctx.kf = g_key_file_new();
	/* Without KEEP_TRANSLATIONS, "key[de]" lines would vanish unseen. */
	if (!g_key_file_load_from_data(ctx.kf, data, len,
	    G_KEY_FILE_KEEP_TRANSLATIONS, &gerr)) {
		status = confdiag_syntax(name, data, len, gerr->message, err);
		g_error_free(gerr);
		goto out;
	}
	status = conf_check_names(&ctx, err);
	if (status != GW_OK)
		goto out;

	conf = g_new0(struct conf, 1);
	conf->path = g_strdup(name);
	/* Before the defaults are filled in, which would add the group. */
	conf->sender_policy = g_key_file_has_group(ctx.kf, "sender");
	for (i = 0; i < G_N_ELEMENTS(conf_table); i++) {
		status = conf_read_row(&ctx, &conf_table[i], conf, err);
		if (status != GW_OK)
			goto out;
	}
	status = conf_check_cross(&ctx, conf, err);
	if (status == GW_OK && conf->quarantine_dir == NULL)
		conf->quarantine_dir = g_build_filename(conf->state_dir,
		    "quarantine", NULL);
out:
	if (status != GW_OK)
		conf_free(&conf);
	g_key_file_free(ctx.kf);
	*conf_r = conf;
	return status;
}

/* conf_load - read and validate the config file */
enum gw_status
conf_load(const char *path, struct conf **conf_r, struct gw_error *err)
{
	enum gw_status status;
	char *data = NULL;
	size_t len = 0;

	*conf_r = NULL;
	if (path == NULL || path[0] == '\0')
		path = getenv(CONF_ENV_PATH);
	if (path == NULL || path[0] == '\0')
		path = CONF_DEFAULT_PATH;
	/*
	 * Whoever can write the config, or replace it, can point base_url
	 * (and ca_file) at a server of their own and be sent the key.
	 */
	status = safefile_read_file(path, "config", CONF_FILE_MAX, &data,
	    &len, err);
	if (status != GW_OK)
		return status;
	status = conf_load_data(data, len, path, conf_r, err);
	g_free(data);
	return status;
}

/* conf_print - every effective setting, as a config file would say it */
void
conf_print(const struct conf *conf, FILE *fp)
{
	const struct conf_row *k;
	const char *group = NULL;
	const void *field;
	char size[32];
	char *s;
	size_t i;

	fprintf(fp, "# mail2note configuration, read from %s\n", conf->path);
	for (i = 0; i < G_N_ELEMENTS(conf_table); i++) {
		k = &conf_table[i];
		field = conf_cfield(conf, k);
		if (strcmp(k->group, "sender") == 0 && !conf->sender_policy) {
			if (group == NULL || strcmp(group, k->group) != 0)
				fprintf(fp, "\n# [sender] not configured: %s\n",
				    CONF_NO_POLICY);
			group = k->group;
			continue;
		}
		if (group == NULL || strcmp(group, k->group) != 0) {
			group = k->group;
			fprintf(fp, "\n[%s]\n", group);
		}
		switch (k->type) {
		case CONF_STRING:
		case CONF_URL:
		case CONF_PATH:
		case CONF_REGEX:
			if (*(char *const *)field == NULL)
				fprintf(fp, "# %s is not set (default)\n",
				    k->key);
			else
				fprintf(fp, "%s = %s\n", k->key,
				    *(char *const *)field);
			break;
		case CONF_INT:
			fprintf(fp, "%s = %d\n", k->key, *(const int *)field);
			break;
		case CONF_SIZE:
			conf_size_format(*(const uint64_t *)field, size,
			    sizeof(size));
			fprintf(fp, "%s = %s\n", k->key, size);
			break;
		case CONF_BOOL:
			if (k->names != NULL)
				fprintf(fp, "%s = %s\n", k->key,
				    k->names[*(const bool *)field ? 1 : 0]);
			else
				fprintf(fp, "%s = %s\n", k->key,
				    *(const bool *)field ? "true" : "false");
			break;
		case CONF_ENUM:
			fprintf(fp, "%s = %s\n", k->key,
			    k->names[*(const int *)field]);
			break;
		case CONF_LIST:
			if (*(char **const *)field == NULL) {
				fprintf(fp, "# %s is not set (default)\n",
				    k->key);
				break;
			}
			s = g_strjoinv(";", *(char **const *)field);
			fprintf(fp, "%s = %s\n", k->key, s);
			g_free(s);
			break;
		}
	}
}

/*
 * conf_api_suffix - "/api" or "/api/v1" when base_url's path ends in it
 * (any trailing slash was stripped when the config was read), else NULL
 */
static const char *
conf_api_suffix(const char *base_url)
{
	static const char *const suffixes[] = { "/api/v1", "/api" };
	GUri *uri;
	const char *path;
	size_t i, len, n;
	const char *hit = NULL;

	if (base_url == NULL ||
	    (uri = g_uri_parse(base_url, G_URI_FLAGS_NONE, NULL)) == NULL)
		return NULL;
	path = g_uri_get_path(uri);
	len = strlen(path);
	while (len > 0 && path[len - 1] == '/')
		len--;
	for (i = 0; i < G_N_ELEMENTS(suffixes) && hit == NULL; i++) {
		n = strlen(suffixes[i]);
		if (len >= n && g_ascii_strncasecmp(path + len - n,
		    suffixes[i], n) == 0)
			hit = suffixes[i];
	}
	g_uri_unref(uri);
	return hit;
}

/*
 * conf_warn - log_warn() what the sender policy leaves open, and a
 * base_url that already holds the API's path
 */
void
conf_warn(const struct conf *conf)
{
	const char *suffix;

	/* The API answers the doubled path with a 404 on every mail. */
	suffix = conf_api_suffix(conf->base_url);
	if (suffix != NULL)
		log_warn("base_url ends in %s; mail2note adds /api/v1 itself",
		    suffix);
	if (!conf->sender_policy)
		log_warn("[sender] is not configured: %s", CONF_NO_POLICY);
	else if (conf->sender_allow == NULL &&
	    conf->sender_require == POLICY_REQUIRE_NONE)
		log_warn("[sender] has neither allow nor require: %s",
		    CONF_NO_POLICY);
	else if (conf->sender_require == POLICY_REQUIRE_NONE)
		log_warn("[sender] require = none: From can be forged: allow "
		    "without require trusts the From header alone");
	else if (conf->sender_allow == NULL)
		log_warn("[sender] require = %s without allow: anyone whose "
		    "own domain authenticates its mail can write notes",
		    conf_require_names[conf->sender_require]);
}

/* conf_free - free every field and the struct */
void
conf_free(struct conf **conf_r)
{
	struct conf *conf;

	if (conf_r == NULL || *conf_r == NULL)
		return;
	conf = *conf_r;
	g_free(conf->path);
	g_free(conf->base_url);
	g_free(conf->key_file);
	g_free(conf->ca_file);
	g_strfreev(conf->sources);
	g_free(conf->extension_pattern);
	g_free(conf->subject_pattern);
	g_free(conf->references_pattern);
	g_free(conf->recipient_delimiter);
	g_free(conf->address_key_file);
	g_strfreev(conf->sender_allow);
	g_free(conf->authserv_id);
	g_free(conf->state_dir);
	g_free(conf->quarantine_dir);
	g_free(conf->spool_dir);
	g_free(conf->log_file);
	g_free(conf);
	*conf_r = NULL;
}
