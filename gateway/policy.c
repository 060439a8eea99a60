/*
 * policy.c - the [sender] policy: may the author of this message write
 * notes?
 *
 * Pure: no I/O, no global state.  The From header must hold exactly one
 * address; it must match an allow pattern (GLib GPatternSpec over the
 * lowercased address); and, when the rules require it, an
 * Authentication-Results field written by our own MTA (its authserv-id
 * equals the configured one) must vouch for the From domain: a
 * dkim=pass whose header.d is that domain or a parent of it on a label
 * boundary, or a dmarc=pass whose header.from is that domain.  Fields
 * from other authserv-ids are ignored, since anybody can write one, and
 * unreadable fields are skipped: both only count in the reason.  That a
 * field bearing our authserv-id was written by our MTA holds only if the
 * MTA removes such fields arriving from outside (RFC 8601 section 5);
 * that is the MTA's job, and mail2note(8) must say so.
 *
 * The reason is built from our own words, the configuration, and at
 * most POLICY_ECHO_ADDR + POLICY_ECHO_DOMAIN bytes of the sender's text,
 * with control, C1 and bidi characters replaced by '?'.
 */
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "authres.h"
#include "policy.h"

#define POLICY_PATTERN_MAX 255	/* bytes of one allow pattern */
#define POLICY_ID_MAX 253	/* bytes of authserv_id, a host name */
#define POLICY_ADDRESS_MAX 998	/* bytes of a From address looked at */
#define POLICY_ECHO_ADDR 48	/* bytes of the From address echoed */
#define POLICY_ECHO_DOMAIN 32	/* bytes of a header.d/header.from echoed */
#define POLICY_ECHO_CONF 64	/* bytes of a pattern or id echoed */

struct policy_rules {
	size_t nallow;
	char **allow;		/* as configured, for reasons */
	GPatternSpec **spec;	/* lowercased; parallel to allow */
	char *authserv_id;	/* NULL: no Authentication-Results read */
	enum policy_require require;
};

/* What the Authentication-Results fields said, for the decision. */
struct policy_evidence {
	bool found;		/* a trusted pass that covers the domain */
	GString *value;		/* its header.d/header.from, echo-safe */
	GString *other;		/* first trusted pass that did not cover */
	size_t nofield;		/* trusted passes without the property */
	size_t trusted;		/* fields from our authserv-id */
	size_t foreign;		/* fields from other authserv-ids */
	size_t broken;		/* fields that did not parse */
};

/* policy_is_unsafe - a character that must not reach a log line */
static bool
policy_is_unsafe(gunichar c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0) ||
	    c == 0x2028 || c == 0x2029 ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/*
 * policy_echo - append at most max bytes of untrusted s to out, unsafe
 * characters and bad UTF-8 as '?', and "..." when s was cut.
 */
static void
policy_echo(GString *out, const char *s, size_t max)
{
	size_t used = 0, n;
	gunichar c;
	bool bad;

	while (*s != '\0') {
		c = g_utf8_get_char_validated(s, -1);
		bad = c == (gunichar)-1 || c == (gunichar)-2;
		n = bad ? 1 : (size_t)g_unichar_to_utf8(c, NULL);
		if (used + n > max) {
			g_string_append(out, "...");
			return;
		}
		if (bad || policy_is_unsafe(c))
			g_string_append_c(out, '?');
		else
			g_string_append_len(out, s, (gssize)n);
		used += n;
		s += n;
	}
}

/*
 * policy_reason - copy text into reason (size bytes); when it does not
 * fit, cut on a UTF-8 boundary and end in "...".  Any control byte left
 * becomes '?'.
 */
static void
policy_reason(char *reason, size_t size, const char *text)
{
	const char *cut = "";
	size_t n, i;

	if (reason == NULL || size == 0)
		return;
	n = strlen(text);
	if (n > size - 1) {
		cut = size > 4 ? "..." : "";
		n = size - 1 - strlen(cut);
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(reason, text, n);
	memcpy(reason + n, cut, strlen(cut) + 1);
	for (i = 0; i < n; i++)
		if ((unsigned char)reason[i] < 0x20 ||
		    (unsigned char)reason[i] == 0x7f)
			reason[i] = '?';
}

/* policy_pattern_check - one '@', a local part and a domain; no spaces */
enum gw_status
policy_pattern_check(size_t idx, const char *pattern, struct gw_error *err)
{
	const char *at, *p;
	size_t nat = 0;

	if (pattern[0] == '\0')
		return gw_error_set(err, GW_ECONFIG,
		    "allow pattern %zu is empty; write e.g. *@example.com",
		    idx + 1);
	if (strlen(pattern) > POLICY_PATTERN_MAX)
		return gw_error_set(err, GW_ECONFIG,
		    "allow pattern %zu is longer than %d bytes", idx + 1,
		    POLICY_PATTERN_MAX);
	if (!g_utf8_validate(pattern, -1, NULL))
		return gw_error_set(err, GW_ECONFIG,
		    "allow pattern %zu is not UTF-8", idx + 1);
	for (p = pattern; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return gw_error_set(err, GW_ECONFIG,
			    "allow pattern %zu holds white space or a control "
			    "character; separate patterns with ';'", idx + 1);
		/* Pasted from a header: "Ops <ops@x>", a list with ','. */
		if (strchr("<>,\"", *p) != NULL)
			return gw_error_set(err, GW_ECONFIG,
			    "allow pattern '%.*s' holds '%c': write a bare "
			    "address pattern such as *@example.com, and "
			    "separate patterns with ';'", POLICY_ECHO_CONF,
			    pattern, *p);
		if (*p == '@')
			nat++;
	}
	if (nat == 0)
		return gw_error_set(err, GW_ECONFIG,
		    "allow pattern '%.*s' holds no '@' (did you mean *@%.*s?)",
		    POLICY_ECHO_CONF, pattern, POLICY_ECHO_CONF, pattern);
	if (nat > 1)
		return gw_error_set(err, GW_ECONFIG,
		    "allow pattern '%.*s' holds %zu '@'; it needs exactly one, "
		    "as in *@example.com", POLICY_ECHO_CONF, pattern, nat);
	at = strchr(pattern, '@');
	if (at == pattern)
		return gw_error_set(err, GW_ECONFIG,
		    "allow pattern '%.*s' has no local part (did you mean "
		    "*%.*s?)", POLICY_ECHO_CONF, pattern, POLICY_ECHO_CONF,
		    pattern);
	if (at[1] == '\0')
		return gw_error_set(err, GW_ECONFIG,
		    "allow pattern '%.*s' has no domain (did you mean %.*s*?)",
		    POLICY_ECHO_CONF, pattern, POLICY_ECHO_CONF, pattern);
	return GW_OK;
}

/* policy_id_check - authserv_id: a host name's characters, bounded */
enum gw_status
policy_id_check(const char *id, struct gw_error *err)
{
	const char *p;

	if (strlen(id) > POLICY_ID_MAX)
		return gw_error_set(err, GW_ECONFIG,
		    "authserv_id is longer than %d bytes", POLICY_ID_MAX);
	for (p = id; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("();\"\\", *p) != NULL)
			break;
	if (*p != '\0')
		return gw_error_set(err, GW_ECONFIG, "authserv_id '%.*s' is "
		    "not a host name as your MTA writes it first in "
		    "Authentication-Results (e.g. mx.example.com)",
		    POLICY_ECHO_CONF, id);
	return GW_OK;
}

/* policy_rules_new - validate and compile the [sender] rules */
enum gw_status
policy_rules_new(const char *const *allow, const char *authserv_id,
    enum policy_require require, struct policy_rules **rules_r,
    struct gw_error *err)
{
	struct policy_rules *rules = NULL;
	enum gw_status status = GW_OK;
	size_t i, n = 0;
	char *lower;

	*rules_r = NULL;
	if ((unsigned)require > POLICY_REQUIRE_DMARC)
		return gw_error_set(err, GW_ECONFIG,
		    "unknown sender requirement %d", (int)require);
	if (authserv_id != NULL && authserv_id[0] == '\0')
		authserv_id = NULL;
	if (require != POLICY_REQUIRE_NONE && authserv_id == NULL)
		return gw_error_set(err, GW_ECONFIG,
		    "require = %s needs authserv_id, the name your MTA writes "
		    "first in its Authentication-Results (e.g. mx.example.com)",
		    policy_require_name(require));
	if (authserv_id != NULL && policy_id_check(authserv_id, err) != GW_OK)
		return GW_ECONFIG;
	for (i = 0; allow != NULL && allow[i] != NULL; i++)
		if (policy_pattern_check(i, allow[i], err) != GW_OK)
			return GW_ECONFIG;
	n = i;

	rules = g_new0(struct policy_rules, 1);
	rules->require = require;
	rules->authserv_id = g_strdup(authserv_id);
	rules->nallow = n;
	rules->allow = g_new0(char *, n + 1);
	rules->spec = g_new0(GPatternSpec *, n + 1);
	for (i = 0; i < n; i++) {
		rules->allow[i] = g_strdup(allow[i]);
		lower = g_utf8_strdown(allow[i], -1);
		rules->spec[i] = g_pattern_spec_new(lower);
		g_free(lower);
	}
	*rules_r = rules;
	return status;
}

/* policy_rules_free - free the compiled rules */
void
policy_rules_free(struct policy_rules **rules_r)
{
	struct policy_rules *rules;
	size_t i;

	if (rules_r == NULL || *rules_r == NULL)
		return;
	rules = *rules_r;
	for (i = 0; i < rules->nallow; i++) {
		g_free(rules->allow[i]);
		g_pattern_spec_free(rules->spec[i]);
	}
	g_free(rules->allow);
	g_free(rules->spec);
	g_free(rules->authserv_id);
	g_free(rules);
	*rules_r = NULL;
}

/* policy_require_name - the configuration word for a requirement */
const char *
policy_require_name(enum policy_require require)
{
	switch (require) {
	case POLICY_REQUIRE_NONE:
		return "none";
	case POLICY_REQUIRE_DKIM:
		return "dkim";
	case POLICY_REQUIRE_DMARC:
		return "dmarc";
	}
	return "unknown";
}

/*
 * policy_covers - true when the domain name d is domain, or (parent_ok)
 * a parent of it on a label boundary; ASCII case-insensitive, one
 * trailing dot ignored.  A single-label d (a top-level domain) is never
 * a parent.
 */
static bool
policy_covers(const char *d, const char *domain, bool parent_ok)
{
	size_t dlen = strlen(d), len = strlen(domain);

	if (dlen > 0 && d[dlen - 1] == '.')
		dlen--;
	if (len > 0 && domain[len - 1] == '.')
		len--;
	if (dlen == 0 || len == 0 || d[0] == '.')
		return false;
	if (dlen == len)
		return g_ascii_strncasecmp(d, domain, len) == 0;
	if (!parent_ok || dlen > len || domain[len - dlen - 1] != '.' ||
	    memchr(d, '.', dlen) == NULL)
		return false;
	return g_ascii_strncasecmp(d, domain + len - dlen, dlen) == 0;
}

/*
 * policy_evidence_field - read one Authentication-Results field into ev:
 * count it, and when it is ours look for a pass covering domain.
 */
static void
policy_evidence_field(const struct policy_rules *rules, const char *field,
    const char *domain, struct policy_evidence *ev)
{
	bool dkim = rules->require == POLICY_REQUIRE_DKIM;
	const char *method = dkim ? "dkim" : "dmarc";
	const struct authres_result *res;
	struct authres *ar = NULL;
	struct gw_error err;
	const char *value;
	size_t i;

	if (authres_parse(field, &ar, &err) != GW_OK) {
		ev->broken++;
		return;
	}
	if (g_ascii_strcasecmp(ar->authserv_id, rules->authserv_id) != 0) {
		ev->foreign++;
		authres_free(&ar);
		return;
	}
	ev->trusted++;
	for (i = 0; i < ar->nresults && !ev->found; i++) {
		res = &ar->results[i];
		if (strcmp(res->method, method) != 0 ||
		    strcmp(res->result, "pass") != 0)
			continue;
		value = authres_prop(res, "header", dkim ? "d" : "from");
		if (value == NULL) {
			ev->nofield++;
		} else if (policy_covers(value, domain, dkim)) {
			ev->found = true;
			policy_echo(ev->value, value, POLICY_ECHO_DOMAIN);
		} else if (ev->other->len == 0) {
			policy_echo(ev->other, value, POLICY_ECHO_DOMAIN);
		}
	}
	authres_free(&ar);
}

/* policy_refusal - the reason when no trusted pass covers the domain */
static void
policy_refusal(const struct policy_rules *rules,
    const struct policy_evidence *ev, GString *why)
{
	bool dkim = rules->require == POLICY_REQUIRE_DKIM;
	const char *sep = " (";

	g_string_append_printf(why, "no %s=pass for its domain from "
	    "authserv-id ", policy_require_name(rules->require));
	policy_echo(why, rules->authserv_id, POLICY_ECHO_CONF);
	if (ev->trusted + ev->foreign + ev->broken == 0) {
		g_string_append(why, " (no Authentication-Results)");
		return;
	}
	if (ev->other->len > 0) {
		g_string_append_printf(why, "%s%s=pass %s=%s does not cover it",
		    sep, policy_require_name(rules->require),
		    dkim ? "header.d" : "header.from", ev->other->str);
		sep = "; ";
	}
	if (ev->nofield > 0) {
		g_string_append_printf(why, "%s%s=pass without %s", sep,
		    policy_require_name(rules->require),
		    dkim ? "header.d" : "header.from");
		sep = "; ";
	}
	if (ev->foreign > 0) {
		g_string_append_printf(why, "%s%zu Authentication-Results "
		    "from %s ignored", sep, ev->foreign, ev->foreign == 1 ?
		    "another host" : "other hosts");
		sep = "; ";
	}
	if (ev->broken > 0) {
		g_string_append_printf(why, "%s%zu unreadable field%s "
		    "skipped", sep, ev->broken, ev->broken == 1 ? "" : "s");
		sep = "; ";
	}
	if (sep[0] == ';')
		g_string_append_c(why, ')');
}

/* policy_check - decide, and say why in reason */
bool
policy_check(const struct policy_rules *rules, const struct policy_input *in,
    char *reason, size_t size)
{
	struct policy_evidence ev = { 0 };
	GString *why = g_string_new(NULL);
	const char *addr, *domain, *p;
	char *valid = NULL, *lower = NULL;
	const char *pattern = NULL;
	bool ok = false;
	size_t n, i;

	if (rules == NULL || in == NULL) {
		g_string_append(why, "no sender policy to check");
		goto out;
	}
	for (n = 0; in->from != NULL && in->from[n] != NULL; n++)
		continue;
	if (n == 0) {
		g_string_append(why, "From holds no address");
		goto out;
	}
	if (n > 1) {
		g_string_append_printf(why, "From holds %zu addresses", n);
		goto out;
	}
	addr = in->from[0];
	g_string_append(why, "From ");
	policy_echo(why, addr, POLICY_ECHO_ADDR);
	if (strnlen(addr, POLICY_ADDRESS_MAX + 1) > POLICY_ADDRESS_MAX) {
		g_string_append_printf(why, " is longer than %d bytes",
		    POLICY_ADDRESS_MAX);
		goto out;
	}
	for (p = addr; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			break;
	valid = g_utf8_make_valid(addr, -1);
	lower = g_utf8_strdown(valid, -1);
	domain = strrchr(lower, '@');
	if (*p != '\0' || domain == NULL || domain == lower ||
	    domain[1] == '\0') {
		g_string_append(why, " is not an address");
		goto out;
	}
	domain++;

	for (i = 0; i < rules->nallow && pattern == NULL; i++)
		if (g_pattern_spec_match_string(rules->spec[i], lower))
			pattern = rules->allow[i];
	if (rules->nallow > 0 && pattern == NULL) {
		g_string_append(why, " matches no allow pattern");
		goto out;
	}
	if (pattern != NULL) {
		g_string_append(why, " matches ");
		policy_echo(why, pattern, POLICY_ECHO_CONF);
	} else {
		g_string_append(why, " (no allow list)");
	}
	if (rules->require == POLICY_REQUIRE_NONE) {
		ok = true;
		goto out;
	}

	ev.value = g_string_new(NULL);
	ev.other = g_string_new(NULL);
	for (i = 0; in->auth_results != NULL &&
	    in->auth_results[i] != NULL && !ev.found; i++)
		policy_evidence_field(rules, in->auth_results[i], domain, &ev);
	if (ev.found) {
		ok = true;
		g_string_append_printf(why, "; %s=pass %s=%s (authserv-id ",
		    policy_require_name(rules->require),
		    rules->require == POLICY_REQUIRE_DKIM ? "header.d" :
		    "header.from", ev.value->str);
		policy_echo(why, rules->authserv_id, POLICY_ECHO_CONF);
		g_string_append_c(why, ')');
	} else {
		g_string_append(why, ", but ");
		policy_refusal(rules, &ev, why);
	}
	g_string_free(ev.value, TRUE);
	g_string_free(ev.other, TRUE);
out:
	policy_reason(reason, size, why->str);
	g_string_free(why, TRUE);
	g_free(lower);
	g_free(valid);
	return ok;
}
