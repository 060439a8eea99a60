/*
 * ticket.c - find the helpdesk ticket id in the recipient extension, the
 * Subject or the References, in the configured order.
 *
 * Pure: no I/O, no global state.  Every input is cut to TICKET_INPUT_MAX
 * bytes and made valid UTF-8 before a pattern sees it, so a hostile
 * 1 MB Subject costs no more than a 4 kB one, and the number of matches
 * examined per source is bounded too.  A pattern captures a candidate;
 * only ticket_id_valid() decides whether it is an id, so a lax pattern
 * written by an administrator cannot let "../admin" into a URL path.
 *
 * Signed ticket addresses: a candidate "ID.TAG" (split at the first dot,
 * or a "tag" group) yields ID only when secret_address_verify() accepts
 * TAG.  ID must still pass ticket_id_valid(), which refuses dots, so
 * whatever follows the first dot is the TAG and never reaches id_r.
 */
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "secret.h"
#include "ticket.h"

#define TICKET_INPUT_MAX 4096	/* bytes of any one input looked at */
#define TICKET_MATCH_MAX 64	/* matches examined per source */
#define TICKET_ECHO_MAX 40	/* bytes of a rejected candidate echoed */
#define TICKET_DELIM_MAX 8	/* characters in the delimiter set */

/* The reason for a refused signature; conf and the tests quote it. */
#define TICKET_SIGNATURE_REASON "ticket address signature missing or invalid"

enum ticket_source {
	TICKET_EXTENSION,
	TICKET_SUBJECT,
	TICKET_REFERENCES,
	TICKET_NSOURCES
};

static const struct ticket_source_name {
	const char *name;	/* as in the configuration */
	const char *where;	/* as in error texts */
} ticket_sources[TICKET_NSOURCES] = {
	[TICKET_EXTENSION] = { "extension", "the recipient extension" },
	[TICKET_SUBJECT] = { "subject", "the Subject" },
	[TICKET_REFERENCES] = { "references", "the References" },
};

struct ticket_rules {
	enum ticket_source order[TICKET_NSOURCES]; /* enabled, in order */
	int norder;
	GRegex *re[TICKET_NSOURCES];	/* indexed by source; NULL: unused */
	bool has_tag[TICKET_NSOURCES];	/* the pattern has a "tag" group */
	bool std[TICKET_NSOURCES];	/* the default pattern (ticket.h) */
	char delimiters[TICKET_DELIM_MAX + 1];
	const struct secret_keyring *keys;	/* borrowed; NULL: none */
	bool require_signature;
};

/* What one captured candidate turned out to be. */
enum ticket_verdict {
	TICKET_NONE,		/* nothing captured */
	TICKET_FOUND,		/* a valid id, with a good TAG if any */
	TICKET_INVALID,		/* not an id: echoed in the error text */
	TICKET_UNSIGNED		/* an id whose TAG is missing or wrong */
};

/* ticket_source_lookup - the source called name, or -1 */
static int
ticket_source_lookup(const char *name)
{
	int i;

	for (i = 0; i < TICKET_NSOURCES; i++)
		if (strcmp(name, ticket_sources[i].name) == 0)
			return i;
	return -1;
}

/* ticket_compile - compile one pattern and insist on its "id" group */
static enum gw_status
ticket_compile(const char *name, const char *pattern, GRegex **re_r,
    bool *has_tag_r, struct gw_error *err)
{
	GError *gerr = NULL;
	GRegex *re;

	*re_r = NULL;
	/*
	 * No G_REGEX_OPTIMIZE: PCRE2's JIT compile of a pattern costs more
	 * than the interpreter spends matching it against one address,
	 * subject and References field (the three default patterns: 1.1 M
	 * instructions of JIT compiling, on every message).
	 */
	re = g_regex_new(pattern, 0, 0, &gerr);
	if (re == NULL) {
		gw_error_set(err, GW_ECONFIG, "%s pattern: %s", name,
		    gerr->message);
		g_error_free(gerr);
		return GW_ECONFIG;
	}
	if (g_regex_get_string_number(re, "id") == -1) {
		g_regex_unref(re);
		return gw_error_set(err, GW_ECONFIG,
		    "%s pattern has no named group \"id\"; capture the "
		    "ticket id with (?<id>...)", name);
	}
	*has_tag_r = g_regex_get_string_number(re, "tag") != -1;
	*re_r = re;
	return GW_OK;
}

/* ticket_rules_new - compile the rules for the enabled sources */
enum gw_status
ticket_rules_new(const char *const *sources, const char *extension_pattern,
    const char *subject_pattern, const char *references_pattern,
    const char *delimiters, struct ticket_rules **rules_r,
    struct gw_error *err)
{
	const char *patterns[TICKET_NSOURCES], *defaults[TICKET_NSOURCES];
	struct ticket_rules *rules = NULL;
	bool seen[TICKET_NSOURCES] = { false };
	enum gw_status status = GW_OK;
	const char *d;
	int i, src;

	*rules_r = NULL;
	patterns[TICKET_EXTENSION] = extension_pattern;
	patterns[TICKET_SUBJECT] = subject_pattern;
	patterns[TICKET_REFERENCES] = references_pattern;
	defaults[TICKET_EXTENSION] = TICKET_EXTENSION_RE;
	defaults[TICKET_SUBJECT] = TICKET_SUBJECT_RE;
	defaults[TICKET_REFERENCES] = TICKET_REFERENCES_RE;

	if (delimiters == NULL)
		delimiters = "+";
	if (strlen(delimiters) > TICKET_DELIM_MAX)
		return gw_error_set(err, GW_ECONFIG,
		    "more than %d recipient delimiter characters",
		    TICKET_DELIM_MAX);
	for (d = delimiters; *d; d++)
		if ((unsigned char)*d < 0x21 || (unsigned char)*d > 0x7e ||
		    g_ascii_isalnum(*d) || *d == '@')
			return gw_error_set(err, GW_ECONFIG,
			    "recipient delimiters must be printable ASCII "
			    "other than letters, digits and '@'");
	if (sources == NULL || sources[0] == NULL)
		return gw_error_set(err, GW_ECONFIG, "no ticket sources");

	rules = g_new0(struct ticket_rules, 1);
	g_strlcpy(rules->delimiters, delimiters, sizeof(rules->delimiters));
	for (i = 0; sources[i] != NULL; i++) {
		src = ticket_source_lookup(sources[i]);
		if (src < 0) {
			status = gw_error_set(err, GW_ECONFIG,
			    "unknown ticket source '%.40s' (known: extension, "
			    "subject, references)", sources[i]);
			goto out;
		}
		if (seen[src]) {
			status = gw_error_set(err, GW_ECONFIG,
			    "ticket source '%s' is listed twice",
			    ticket_sources[src].name);
			goto out;
		}
		seen[src] = true;
		if (patterns[src] == NULL || patterns[src][0] == '\0')
			continue;	/* disabled */
		status = ticket_compile(ticket_sources[src].name,
		    patterns[src], &rules->re[src], &rules->has_tag[src], err);
		if (status != GW_OK)
			goto out;
		rules->order[rules->norder++] = (enum ticket_source)src;
		rules->std[src] = strcmp(patterns[src], defaults[src]) == 0;
	}
	if (rules->norder == 0)
		status = gw_error_set(err, GW_ECONFIG,
		    "every ticket source has an empty pattern");
out:
	if (status != GW_OK)
		ticket_rules_free(&rules);
	*rules_r = rules;
	return status;
}

/* ticket_rules_free - free the compiled rules */
void
ticket_rules_free(struct ticket_rules **rules_r)
{
	int i;

	if (rules_r == NULL || *rules_r == NULL)
		return;
	for (i = 0; i < TICKET_NSOURCES; i++)
		if ((*rules_r)->re[i] != NULL)
			g_regex_unref((*rules_r)->re[i]);
	g_free(*rules_r);
	*rules_r = NULL;
}

/* ticket_rules_set_signing - the keys that verify TAGs; require them? */
void
ticket_rules_set_signing(struct ticket_rules *rules,
    const struct secret_keyring *keys, bool require_signature)
{
	rules->keys = keys;
	rules->require_signature = require_signature;
}

/* ticket_id_valid - [A-Za-z0-9][A-Za-z0-9_-]{0,63}, ASCII only */
bool
ticket_id_valid(const char *id)
{
	size_t i;

	if (id == NULL || !g_ascii_isalnum(id[0]))
		return false;
	for (i = 1; id[i] != '\0'; i++) {
		if (i >= TICKET_ID_MAX)
			return false;
		if (!g_ascii_isalnum(id[i]) && id[i] != '_' && id[i] != '-')
			return false;
	}
	return true;
}

/* ticket_bounded - a valid UTF-8 copy of at most TICKET_INPUT_MAX bytes */
static char *
ticket_bounded(const char *s)
{
	if (s == NULL)
		return NULL;
	return g_utf8_make_valid(s, (gssize)strnlen(s, TICKET_INPUT_MAX));
}

/*
 * ticket_references - In-Reply-To, then References, as one bounded
 * string (the parent first: it is never past the cap); NULL when both
 * are absent
 */
static char *
ticket_references(const struct ticket_input *in)
{
	char *joined, *text;

	if (in->in_reply_to == NULL || in->references == NULL)
		return ticket_bounded(in->in_reply_to != NULL ?
		    in->in_reply_to : in->references);
	joined = g_strjoin(" ", in->in_reply_to, in->references, NULL);
	text = ticket_bounded(joined);
	g_free(joined);
	return text;
}

/*
 * ticket_extension - the address extension: -x when given, else what
 * follows the first delimiter in the recipient's local part.  NULL when
 * there is none.  New string.
 */
static char *
ticket_extension(const struct ticket_rules *rules,
    const struct ticket_input *in)
{
	char *addr, *local, *at, *ext, *result = NULL;
	size_t len;

	if (in->extension != NULL && in->extension[0] != '\0')
		return ticket_bounded(in->extension);
	if (in->recipient == NULL || rules->delimiters[0] == '\0')
		return NULL;

	addr = g_strstrip(ticket_bounded(in->recipient));
	local = addr;
	len = strlen(local);
	if (len >= 2 && local[0] == '<' && local[len - 1] == '>') {
		local[len - 1] = '\0';
		local++;
	}
	/* The domain cannot hold an '@'; a quoted local part can. */
	at = strrchr(local, '@');
	if (at != NULL)
		*at = '\0';
	len = strlen(local);
	if (len >= 2 && local[0] == '"' && local[len - 1] == '"') {
		local[len - 1] = '\0';
		local++;
	}
	ext = strpbrk(local, rules->delimiters);
	if (ext != NULL && ext[1] != '\0')
		result = g_strdup(ext + 1);
	g_free(addr);
	return result;
}

/*
 * ticket_candidate - judge one capture: id (the "id" group) and tag (the
 * "tag" group, NULL or empty when the pattern has none or it did not
 * take part).  On TICKET_FOUND the bare id is copied to id_r.
 */
static enum ticket_verdict
ticket_candidate(const struct ticket_rules *rules, const char *id,
    const char *tag, char id_r[TICKET_ID_MAX + 1])
{
	enum ticket_verdict v;
	char *bare, *dot;

	if (id == NULL || id[0] == '\0')
		return TICKET_NONE;
	bare = g_strdup(id);
	if (tag != NULL && tag[0] == '\0')
		tag = NULL;
	/*
	 * "ID.TAG": the first dot ends the id.  Whatever follows is the
	 * TAG, however hostile ("T1.x/../y", "T1..abc"): it is only ever
	 * compared with a MAC, never copied out.
	 */
	dot = tag == NULL ? strchr(bare, '.') : NULL;
	if (dot != NULL) {
		*dot = '\0';
		tag = dot + 1;
	}
	if (!ticket_id_valid(bare))
		v = TICKET_INVALID;
	else if (tag != NULL)
		v = secret_address_verify(rules->keys, bare, tag) ?
		    TICKET_FOUND : TICKET_UNSIGNED;
	else
		v = rules->require_signature ? TICKET_UNSIGNED : TICKET_FOUND;
	if (v == TICKET_FOUND)
		g_strlcpy(id_r, bare, TICKET_ID_MAX + 1);
	g_free(bare);
	return v;
}

/*
 * ticket_match - the first valid id captured by the source's pattern in
 * text, copied to id_r.  The first non-empty invalid capture is kept in
 * *rejected_r (new string) unless one is there already; *unsigned_r is
 * set when a capture was refused for its signature.
 */
static bool
ticket_match(const struct ticket_rules *rules, enum ticket_source src,
    const char *text, char id_r[TICKET_ID_MAX + 1], char **rejected_r,
    bool *unsigned_r)
{
	GMatchInfo *mi = NULL;
	GError *gerr = NULL;
	bool found = false;
	char *id, *tag;
	int n;

	/* A match error (e.g. PCRE's backtracking limit) is "no match". */
	(void)g_regex_match_full(rules->re[src], text, -1, 0, 0, &mi, &gerr);
	for (n = 0; gerr == NULL && g_match_info_matches(mi) &&
	    n < TICKET_MATCH_MAX; n++) {
		id = g_match_info_fetch_named(mi, "id");
		tag = rules->has_tag[src] ?
		    g_match_info_fetch_named(mi, "tag") : NULL;
		switch (ticket_candidate(rules, id, tag, id_r)) {
		case TICKET_FOUND:
			found = true;
			break;
		case TICKET_UNSIGNED:
			*unsigned_r = true;
			break;
		case TICKET_INVALID:
			if (*rejected_r == NULL) {
				*rejected_r = id;
				id = NULL;
			}
			break;
		case TICKET_NONE:
		default:
			break;
		}
		g_free(id);
		g_free(tag);
		if (found)
			break;
		(void)g_match_info_next(mi, &gerr);
	}
	g_clear_error(&gerr);
	g_match_info_free(mi);
	return found;
}

/* ticket_sanitize - a short, printable, one-line echo of a candidate */
static void
ticket_sanitize(const char *s, char *buf, size_t size)
{
	GString *out = g_string_new(NULL);
	const char *p, *next;
	gunichar c;

	for (p = s; *p != '\0'; p = next) {
		next = g_utf8_next_char(p);
		if (out->len + (size_t)(next - p) > TICKET_ECHO_MAX) {
			g_string_append(out, "...");
			break;
		}
		c = g_utf8_get_char(p);
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ||
		    c == 0x2028 || c == 0x2029)
			g_string_append_c(out, '?');
		else
			g_string_append_len(out, p, next - p);
	}
	g_strlcpy(buf, out->str, size);
	g_string_free(out, TRUE);
}

/*
 * ticket_hint - append what a sender can do about a missing id: the
 * forms the default patterns take ("write to support+T1234@example.com
 * or put [#T1234] in the Subject").  Nothing for a pattern of the
 * administrator's own, whose form we cannot describe, nor when only
 * signed ids count: a sender cannot make one.
 */
static void
ticket_hint(const struct ticket_rules *rules, const struct ticket_input *in,
    GString *out)
{
	char *addr = NULL, *local, *at, *end;
	const char *p;
	bool ext = false, subj = false;
	int i;

	if (rules->require_signature)
		return;
	for (i = 0; i < rules->norder; i++) {
		if (rules->order[i] == TICKET_EXTENSION)
			ext = rules->std[TICKET_EXTENSION];
		if (rules->order[i] == TICKET_SUBJECT)
			subj = rules->std[TICKET_SUBJECT];
	}
	/* The recipient as an example, if it is a plain short address. */
	if (ext && in->recipient != NULL && strlen(in->recipient) < 120) {
		addr = g_strstrip(g_strdelimit(g_strdup(in->recipient), "<>",
		    ' '));
		for (p = addr; *p != '\0'; p++)
			if ((unsigned char)*p <= 0x20 ||
			    (unsigned char)*p >= 0x7f || *p == '"')
				break;
		at = strrchr(addr, '@');
		if (*p != '\0' || at == NULL || at == addr || at[1] == '\0') {
			g_free(addr);
			addr = NULL;
		}
	}
	if (addr == NULL && !subj)
		return;
	g_string_append(out, "; ");
	if (addr != NULL) {
		local = addr;
		at = strrchr(addr, '@');
		*at = '\0';
		end = strpbrk(local, rules->delimiters);
		if (end != NULL)
			*end = '\0';
		g_string_append_printf(out, "write to %s%cT1234@%s", local,
		    rules->delimiters[0], at + 1);
		g_free(addr);
		if (subj)
			g_string_append(out, " or ");
	}
	if (subj)
		g_string_append(out, "put [#T1234] in the Subject");
}

/* ticket_extract - the first valid id in the configured sources */
enum gw_status
ticket_extract(const struct ticket_rules *rules,
    const struct ticket_input *in, char id_r[TICKET_ID_MAX + 1],
    const char **source_r, struct gw_error *err)
{
	const char *rejected_where = NULL, *unsigned_where = NULL;
	char *rejected = NULL, *text;
	char echo[TICKET_ECHO_MAX * 2 + 8];
	enum gw_status status;
	enum ticket_source src;
	GString *where;
	bool found, unsigned_seen;
	int i;

	id_r[0] = '\0';
	if (source_r != NULL)
		*source_r = NULL;
	for (i = 0; i < rules->norder; i++) {
		src = rules->order[i];
		switch (src) {
		case TICKET_EXTENSION:
			text = ticket_extension(rules, in);
			break;
		case TICKET_SUBJECT:
			text = ticket_bounded(in->subject);
			break;
		case TICKET_REFERENCES:
		default:
			text = ticket_references(in);
			break;
		}
		if (text == NULL)
			continue;
		unsigned_seen = false;
		found = ticket_match(rules, src, text, id_r, &rejected,
		    &unsigned_seen);
		if (unsigned_seen && unsigned_where == NULL)
			unsigned_where = ticket_sources[src].where;
		/*
		 * An extension is meant to be the id: if the pattern did not
		 * even capture, the extension itself is the rejected one.
		 */
		if (!found && src == TICKET_EXTENSION && rejected == NULL &&
		    text[0] != '\0')
			rejected = g_strdup(text);
		if (rejected != NULL && rejected_where == NULL)
			rejected_where = ticket_sources[src].where;
		g_free(text);
		if (found) {
			g_free(rejected);
			if (source_r != NULL)
				*source_r = ticket_sources[src].name;
			return GW_OK;
		}
	}

	/*
	 * A refused signature outranks an invalid candidate: it is the
	 * reason an administrator (or a policy deciding whether to bounce)
	 * needs to see.  The TAG itself is not echoed.
	 */
	if (unsigned_where != NULL) {
		g_free(rejected);
		return gw_error_set(err, GW_ENOTICKET, "%s in %s",
		    TICKET_SIGNATURE_REASON, unsigned_where);
	}
	if (rejected != NULL) {
		ticket_sanitize(rejected, echo, sizeof(echo));
		g_free(rejected);
		return gw_error_set(err, GW_ENOTICKET,
		    "ticket ID '%s' in %s is not valid", echo, rejected_where);
	}
	where = g_string_new("no ticket ID in ");
	for (i = 0; i < rules->norder; i++) {
		if (i > 0)
			g_string_append(where,
			    i == rules->norder - 1 ? " or " : ", ");
		g_string_append(where, ticket_sources[rules->order[i]].where);
	}
	ticket_hint(rules, in, where);
	status = gw_error_set(err, GW_ENOTICKET, "%s", where->str);
	g_string_free(where, TRUE);
	return status;
}
