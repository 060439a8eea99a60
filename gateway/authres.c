/*
 * authres.c - parse one Authentication-Results field body (RFC 8601).
 *
 * Pure: no I/O, no global state.  A hand-written scanner over
 *
 *	authres-payload = [CFWS] authserv-id [CFWS authres-version]
 *	                  ( no-result / 1*resinfo ) [CFWS]
 *	resinfo   = [CFWS] ";" methodspec [CFWS reasonspec] [CFWS 1*propspec]
 *	methodspec = [CFWS] method [CFWS "/" [CFWS] version] [CFWS] "="
 *	             [CFWS] result
 *	reasonspec = "reason" [CFWS] "=" [CFWS] value [CFWS]
 *	propspec  = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
 *
 * with RFC 5322 comments skipped wherever CFWS may stand.  It is strict
 * where a wrong reading could matter (a method, a result, a property
 * name) and lenient where real servers differ from the grammar: a
 * reasonspec among the propspecs, an empty resinfo (";;" or a trailing
 * ";"), and a pvalue holding '/', ':', '=' or '@' unquoted.
 *
 * Every input is bounded: the field at AUTHRES_INPUT_MAX bytes, names at
 * AUTHRES_NAME_MAX, results at AUTHRES_MAX_RESULTS (more: EDATA) and
 * properties at AUTHRES_MAX_PROPS per result (more: read, not kept).
 * Comments nest by counting, never by recursion.  Error texts name a
 * byte offset, never the attacker's text.
 */
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "authres.h"

#define AUTHRES_INPUT_MAX (16 * 1024)	/* bytes of one field body */
#define AUTHRES_NAME_MAX 64	/* bytes of a method, result, ptype, property */

/* The scanner: a cursor over [p, end) of one field body. */
struct authres_scan {
	const char *start;
	const char *p;
	const char *end;
	struct gw_error *err;
};

/* authres_fail - an EDATA error naming the offset of the cursor */
static enum gw_status
authres_fail(const struct authres_scan *s, const char *what)
{
	return gw_error_set(s->err, GW_EDATA,
	    "Authentication-Results: %s at byte %ld", what,
	    (long)(s->p - s->start));
}

/* authres_is_space - white space, folding included */
static bool
authres_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* authres_is_word - a byte of a bare value: not space, CTL or ( ) ; " \ */
static bool
authres_is_word(int c)
{
	unsigned char u = (unsigned char)c;

	return u > 0x20 && u != 0x7f && strchr("();\"\\", u) == NULL;
}

/* authres_is_token - a byte of an RFC 2045 token (8-bit allowed) */
static bool
authres_is_token(int c)
{
	return authres_is_word(c) &&
	    strchr("<>@,:/[]?=", (unsigned char)c) == NULL;
}

/* authres_is_keyword - a byte of a method, result, ptype or property */
static bool
authres_is_keyword(int c)
{
	return g_ascii_isalnum(c) || c == '-' || c == '_';
}

/* authres_cfws - skip white space and comments, nested, quoted-pairs */
static enum gw_status
authres_cfws(struct authres_scan *s)
{
	unsigned long depth;

	while (s->p < s->end) {
		if (authres_is_space(*s->p)) {
			s->p++;
			continue;
		}
		if (*s->p != '(')
			break;
		depth = 0;
		do {
			if (s->p >= s->end)
				return authres_fail(s, "unterminated comment");
			if (*s->p == '\\' && s->end - s->p > 1)
				s->p++;
			else if (*s->p == '(')
				depth++;
			else if (*s->p == ')')
				depth--;
			s->p++;
		} while (depth > 0);
	}
	return GW_OK;
}

/* authres_keyword - a method, result, ptype or property; lowercased */
static enum gw_status
authres_keyword(struct authres_scan *s, const char *what, char **word_r)
{
	const char *q = s->p;
	char msg[64];

	*word_r = NULL;
	while (q < s->end && authres_is_keyword(*q))
		q++;
	if (q == s->p) {
		g_snprintf(msg, sizeof(msg), "expected a %s", what);
		return authres_fail(s, msg);
	}
	if (q - s->p > AUTHRES_NAME_MAX) {
		g_snprintf(msg, sizeof(msg), "%s longer than %d bytes", what,
		    AUTHRES_NAME_MAX);
		return authres_fail(s, msg);
	}
	*word_r = g_ascii_strdown(s->p, q - s->p);
	s->p = q;
	return GW_OK;
}

/*
 * authres_quoted - a quoted-string at the cursor, unquoted and appended
 * to buf.  Folding (CR, LF) inside it is removed, as unfolding would.
 */
static enum gw_status
authres_quoted(struct authres_scan *s, GString *buf)
{
	s->p++;			/* the opening '"' */
	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\' && s->end - s->p > 1)
			s->p++;
		else if (*s->p == '\r' || *s->p == '\n') {
			s->p++;
			continue;
		}
		g_string_append_c(buf, *s->p);
		s->p++;
	}
	if (s->p >= s->end)
		return authres_fail(s, "unterminated quoted-string");
	s->p++;			/* the closing '"' */
	return GW_OK;
}

/*
 * authres_value - a value (token or quoted-string), unquoted.  For a
 * pvalue (pvalue true) a bare value may also hold '@', '/', ':', '=' and
 * the like, and a quoted local part may be followed by "@domain".
 */
static enum gw_status
authres_value(struct authres_scan *s, bool pvalue, const char *what,
    char **value_r)
{
	bool (*is_char)(int) = pvalue ? authres_is_word : authres_is_token;
	GString *buf = g_string_new(NULL);
	enum gw_status status;
	char msg[64];

	*value_r = NULL;
	if (s->p < s->end && *s->p == '"') {
		status = authres_quoted(s, buf);
		if (status != GW_OK)
			goto out;
		if (!pvalue || s->p >= s->end || *s->p != '@') {
			*value_r = g_string_free(buf, FALSE);
			return GW_OK;
		}
	}
	while (s->p < s->end && is_char(*s->p))
		g_string_append_c(buf, *s->p++);
	if (buf->len == 0) {
		g_snprintf(msg, sizeof(msg), "expected %s", what);
		status = authres_fail(s, msg);
		goto out;
	}
	*value_r = g_string_free(buf, FALSE);
	return GW_OK;
out:
	g_string_free(buf, TRUE);
	return status;
}

/* authres_expect - the character c at the cursor, then CFWS */
static enum gw_status
authres_expect(struct authres_scan *s, char c, const char *what)
{
	char msg[64];

	if (s->p >= s->end || *s->p != c) {
		g_snprintf(msg, sizeof(msg), "expected '%c' %s", c, what);
		return authres_fail(s, msg);
	}
	s->p++;
	return authres_cfws(s);
}

/* authres_digits - 1*DIGIT, at most 9 of them, as a number */
static enum gw_status
authres_digits(struct authres_scan *s, const char *what, long *n_r)
{
	char msg[64];
	long n = 0;
	int nd = 0;

	while (s->p < s->end && g_ascii_isdigit(*s->p)) {
		if (++nd > 9) {
			g_snprintf(msg, sizeof(msg), "%s too long", what);
			return authres_fail(s, msg);
		}
		n = n * 10 + (*s->p++ - '0');
	}
	if (nd == 0) {
		g_snprintf(msg, sizeof(msg), "expected a %s", what);
		return authres_fail(s, msg);
	}
	*n_r = n;
	return GW_OK;
}

/* authres_result_clear - free what one result points to */
static void
authres_result_clear(struct authres_result *res)
{
	size_t i;

	for (i = 0; i < res->nprops; i++) {
		g_free(res->props[i].ptype);
		g_free(res->props[i].property);
		g_free(res->props[i].value);
	}
	g_free(res->props);
	g_free(res->method);
	g_free(res->result);
	g_free(res->reason);
	memset(res, 0, sizeof(*res));
}

/*
 * authres_propspec - "reason=value" or "ptype.property=pvalue" at the
 * cursor, added to res (props beyond AUTHRES_MAX_PROPS are read, not
 * kept; a second reason is ignored).
 */
static enum gw_status
authres_propspec(struct authres_scan *s, struct authres_result *res)
{
	char *ptype = NULL, *property = NULL, *value = NULL;
	struct authres_prop *prop;
	enum gw_status status;

	status = authres_keyword(s, "ptype", &ptype);
	if (status == GW_OK)
		status = authres_cfws(s);
	if (status != GW_OK)
		goto out;
	if (strcmp(ptype, "reason") == 0 && s->p < s->end && *s->p == '=') {
		status = authres_expect(s, '=', "after reason");
		if (status == GW_OK)
			status = authres_value(s, false, "a reason", &value);
		if (status == GW_OK)
			status = authres_cfws(s);
		if (status == GW_OK && res->reason == NULL) {
			res->reason = value;
			value = NULL;
		}
		goto out;
	}
	status = authres_expect(s, '.', "after ptype");
	if (status == GW_OK)
		status = authres_keyword(s, "property", &property);
	if (status == GW_OK)
		status = authres_cfws(s);
	if (status == GW_OK)
		status = authres_expect(s, '=', "after property");
	if (status == GW_OK)
		status = authres_value(s, true, "a property value", &value);
	if (status == GW_OK)
		status = authres_cfws(s);
	if (status != GW_OK || res->nprops >= AUTHRES_MAX_PROPS)
		goto out;
	res->props = g_renew(struct authres_prop, res->props,
	    res->nprops + 1);
	prop = &res->props[res->nprops++];
	prop->ptype = ptype;
	prop->property = property;
	prop->value = value;
	return GW_OK;
out:
	g_free(ptype);
	g_free(property);
	g_free(value);
	return status;
}

/*
 * authres_resinfo - one resinfo after its ';' (CFWS skipped).  A lone
 * "none" is the no-result and sets *none_r instead of filling res.
 */
static enum gw_status
authres_resinfo(struct authres_scan *s, struct authres_result *res,
    bool *none_r)
{
	enum gw_status status;
	long version;

	*none_r = false;
	status = authres_keyword(s, "method", &res->method);
	if (status == GW_OK)
		status = authres_cfws(s);
	if (status != GW_OK)
		return status;
	if (strcmp(res->method, "none") == 0 &&
	    (s->p >= s->end || *s->p == ';')) {
		*none_r = true;
		return GW_OK;
	}
	if (s->p < s->end && *s->p == '/') {
		status = authres_expect(s, '/', "after method");
		if (status == GW_OK)
			status = authres_digits(s, "method version", &version);
		if (status == GW_OK)
			status = authres_cfws(s);
		if (status != GW_OK)
			return status;
	}
	status = authres_expect(s, '=', "after method");
	if (status == GW_OK)
		status = authres_keyword(s, "result", &res->result);
	if (status == GW_OK)
		status = authres_cfws(s);
	while (status == GW_OK && s->p < s->end && *s->p != ';')
		status = authres_propspec(s, res);
	return status;
}

/*
 * authres_header - [CFWS] authserv-id [CFWS authres-version] [CFWS];
 * only version 1 is understood.
 */
static enum gw_status
authres_header(struct authres_scan *s, struct authres *ar)
{
	enum gw_status status;
	long version;

	status = authres_cfws(s);
	if (status == GW_OK)
		status = authres_value(s, false, "an authserv-id",
		    &ar->authserv_id);
	if (status == GW_OK && ar->authserv_id[0] == '\0')
		status = authres_fail(s, "empty authserv-id");
	if (status == GW_OK)
		status = authres_cfws(s);
	if (status != GW_OK)
		return status;
	if (s->p < s->end && g_ascii_isdigit(*s->p)) {
		status = authres_digits(s, "version", &version);
		if (status == GW_OK && version != 1)
			status = authres_fail(s, "unknown version");
		if (status == GW_OK)
			status = authres_cfws(s);
	}
	return status;
}

/* authres_parse - parse one field body into a new struct authres */
enum gw_status
authres_parse(const char *value, struct authres **ar_r, struct gw_error *err)
{
	struct authres_scan s = { .err = err };
	struct authres_result res;
	struct authres *ar = NULL;
	enum gw_status status;
	char *valid = NULL;
	size_t len;
	bool none;

	*ar_r = NULL;
	memset(&res, 0, sizeof(res));
	if (value == NULL)
		return gw_error_set(err, GW_EDATA,
		    "Authentication-Results: no value");
	len = strnlen(value, AUTHRES_INPUT_MAX + 1);
	if (len > AUTHRES_INPUT_MAX)
		return gw_error_set(err, GW_EDATA,
		    "Authentication-Results: longer than %d bytes",
		    AUTHRES_INPUT_MAX);
	/*
	 * Bad UTF-8 becomes U+FFFD, which is no delimiter, so the field
	 * keeps its structure and every string we return is valid UTF-8.
	 */
	if (!g_utf8_validate(value, (gssize)len, NULL)) {
		valid = g_utf8_make_valid(value, (gssize)len);
		value = valid;
		len = strlen(valid);
	}
	s.start = s.p = value;
	s.end = value + len;

	ar = g_new0(struct authres, 1);
	status = authres_header(&s, ar);
	if (status != GW_OK)
		goto out;
	if (s.p >= s.end) {
		status = authres_fail(&s, "no result after the authserv-id");
		goto out;
	}
	if (*s.p != ';') {
		status = authres_fail(&s, "expected ';' after the authserv-id");
		goto out;
	}
	while (s.p < s.end) {
		/* Every resinfo parse stops at end or at ';'. */
		s.p++;
		status = authres_cfws(&s);
		if (status != GW_OK)
			goto out;
		if (s.p >= s.end || *s.p == ';')
			continue;	/* empty resinfo: tolerated */
		status = authres_resinfo(&s, &res, &none);
		if (status != GW_OK)
			goto out;
		if (none) {
			authres_result_clear(&res);
			continue;
		}
		if (ar->nresults >= AUTHRES_MAX_RESULTS) {
			status = gw_error_set(err, GW_EDATA,
			    "Authentication-Results: more than %d results",
			    AUTHRES_MAX_RESULTS);
			goto out;
		}
		ar->results = g_renew(struct authres_result, ar->results,
		    ar->nresults + 1);
		ar->results[ar->nresults++] = res;
		memset(&res, 0, sizeof(res));
	}
out:
	authres_result_clear(&res);
	g_free(valid);
	if (status != GW_OK)
		authres_free(&ar);
	*ar_r = ar;
	return status;
}

/* authres_prop - the first value of ptype.property in res, or NULL */
const char *
authres_prop(const struct authres_result *res, const char *ptype,
    const char *property)
{
	size_t i;

	if (res == NULL || ptype == NULL || property == NULL)
		return NULL;
	for (i = 0; i < res->nprops; i++)
		if (g_ascii_strcasecmp(res->props[i].ptype, ptype) == 0 &&
		    g_ascii_strcasecmp(res->props[i].property, property) == 0)
			return res->props[i].value;
	return NULL;
}

/* authres_free - free *ar_r and everything it points to */
void
authres_free(struct authres **ar_r)
{
	struct authres *ar;
	size_t i;

	if (ar_r == NULL || *ar_r == NULL)
		return;
	ar = *ar_r;
	for (i = 0; i < ar->nresults; i++)
		authres_result_clear(&ar->results[i]);
	g_free(ar->results);
	g_free(ar->authserv_id);
	g_free(ar);
	*ar_r = NULL;
}
