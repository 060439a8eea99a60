/*
 * test_authres.c - Authentication-Results parsing: the RFC 8601 Appendix B
 * examples, what opendkim, opendmarc and rspamd write, comments, quoting,
 * folding, bounds and junk.
 *
 * A parsed field is compared as one rendered line:
 *	authserv-id; method=result reason=[r] ptype.property=[value]; ...
 * so a table row shows everything the parser kept.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "authres.h"
#include "tap.h"

static const struct parse_case {
	const char *name;
	const char *in;
	const char *want;	/* rendering; NULL: want GW_EDATA */
	const char *want_err;	/* with EDATA: the whole error text */
} parse_cases[] = {
	/* RFC 8601 Appendix B (B.1 has no field at all). */
	{ "B.2 nearly trivial: version and none", "example.org 1; none",
	  "example.org", NULL },
	{ "B.3 SPF", "example.com;\r\n          spf=pass "
	    "smtp.mailfrom=example.net",
	  "example.com; spf=pass smtp.mailfrom=[example.net]", NULL },
	{ "B.4 first field", "example.com;\r\n          auth=pass "
	    "(cram-md5) smtp.auth=sender@example.net;\r\n          "
	    "spf=pass smtp.mailfrom=example.net",
	  "example.com; auth=pass smtp.auth=[sender@example.net]; "
	    "spf=pass smtp.mailfrom=[example.net]", NULL },
	{ "B.4 second field", "example.com; iprev=pass\r\n          "
	    "policy.iprev=192.0.2.200",
	  "example.com; iprev=pass policy.iprev=[192.0.2.200]", NULL },
	{ "B.5 first field", "example.com;\r\n          dkim=pass (good "
	    "signature) header.d=example.com",
	  "example.com; dkim=pass header.d=[example.com]", NULL },
	{ "B.5 second field", "example.com;\r\n          auth=pass "
	    "(cram-md5) smtp.auth=sender@example.com;\r\n          "
	    "spf=fail smtp.mailfrom=example.com",
	  "example.com; auth=pass smtp.auth=[sender@example.com]; "
	    "spf=fail smtp.mailfrom=[example.com]", NULL },
	{ "B.6 first field", "example.com;\r\n          dkim=pass "
	    "reason=\"good signature\"\r\n            "
	    "header.i=@mail-router.example.net;\r\n          dkim=fail "
	    "reason=\"bad signature\"\r\n            "
	    "header.i=@newyork.example.com",
	  "example.com; dkim=pass reason=[good signature] "
	    "header.i=[@mail-router.example.net]; dkim=fail "
	    "reason=[bad signature] header.i=[@newyork.example.com]", NULL },
	{ "B.6 second field", "example.net;\r\n          dkim=pass (good "
	    "signature) header.i=@newyork.example.com",
	  "example.net; dkim=pass header.i=[@newyork.example.com]", NULL },
	{ "B.7 comment-heavy", "foo.example.net (foobar) 1 (baz);\r\n"
	    "    dkim (Because I like it) / 1 (One yay) = (wait for it) "
	    "fail\r\n      policy (A dot can go here) . (like that) "
	    "expired\r\n      (this surprised me) = (as I wasn't "
	    "expecting it) 1362471462",
	  "foo.example.net; dkim=fail policy.expired=[1362471462]", NULL },

	/* What real servers write. */
	{ "opendkim", "mx.example.com; dkim=pass (2048-bit key; "
	    "unprotected) header.d=example.com header.i=@example.com "
	    "header.a=rsa-sha256 header.s=sel header.b=AbCdEf12",
	  "mx.example.com; dkim=pass header.d=[example.com] "
	    "header.i=[@example.com] header.a=[rsa-sha256] header.s=[sel] "
	    "header.b=[AbCdEf12]", NULL },
	{ "opendmarc", "mx.example.com; dmarc=pass (p=none dis=none) "
	    "header.from=example.com",
	  "mx.example.com; dmarc=pass header.from=[example.com]", NULL },
	{ "rspamd", "mx.example.com; dkim=pass header.d=example.com "
	    "header.s=dkim header.b=xyz; spf=pass (mx.example.com: domain "
	    "of a@example.com designates 1.2.3.4 as permitted sender) "
	    "smtp.mailfrom=a@example.com; dmarc=pass (policy=reject) "
	    "header.from=example.com",
	  "mx.example.com; dkim=pass header.d=[example.com] header.s=[dkim] "
	    "header.b=[xyz]; spf=pass smtp.mailfrom=[a@example.com]; "
	    "dmarc=pass header.from=[example.com]", NULL },
	{ "version form", "mx.example.com 1; spf=pass "
	    "smtp.mailfrom=a@example.com",
	  "mx.example.com; spf=pass smtp.mailfrom=[a@example.com]", NULL },
	{ "quoted authserv-id, quoted value, comment after it",
	  "\"mx.google.com\";\n dkim=pass header.i=@email.example.com "
	    "header.s=20111006 header.b=\"URn9MW+F\" (comment);\n spf=pass "
	    "(google.com: domain of foo@b.example.com designates 1.2.3.4 "
	    "as permitted sender) smtp.mailfrom=foo@b.example.com;\n "
	    "dmarc=pass (p=REJECT sp=REJECT dis=NONE) "
	    "header.from=email.example.com",
	  "mx.google.com; dkim=pass header.i=[@email.example.com] "
	    "header.s=[20111006] header.b=[URn9MW+F]; spf=pass "
	    "smtp.mailfrom=[foo@b.example.com]; dmarc=pass "
	    "header.from=[email.example.com]", NULL },

	/* Comments, quoting, case, folding. */
	{ "nested comment holding ';', '=' and a quoted paren",
	  "mx; dkim=pass (a (nested; dkim=fail) \\) still; x=y) "
	    "header.d=example.com",
	  "mx; dkim=pass header.d=[example.com]", NULL },
	{ "comment glued to a value", "mx(c);dkim(c)=(c)pass(c)"
	    "header(c).(c)d(c)=(c)example.com(c)",
	  "mx; dkim=pass header.d=[example.com]", NULL },
	{ "quoted-pairs in a quoted reason",
	  "mx; dkim=fail reason=\"said \\\"hi\\\" \\\\ (not a comment); "
	    "ok\" header.d=a.example",
	  "mx; dkim=fail reason=[said \"hi\" \\ (not a comment); ok] "
	    "header.d=[a.example]", NULL },
	{ "folding inside a quoted string", "mx; dkim=fail reason=\"bad\r\n"
	    " signature\"",
	  "mx; dkim=fail reason=[bad signature]", NULL },
	{ "uppercase names lowercased, values kept",
	  "MX.Example.COM; DKIM=PASS Header.D=Example.COM",
	  "MX.Example.COM; dkim=pass header.d=[Example.COM]", NULL },
	{ "tabs and bare LF folding", "mx;\n\tdkim=pass\n\theader.d=a.example"
	    "\t;\tspf=none",
	  "mx; dkim=pass header.d=[a.example]; spf=none", NULL },
	{ "NONE with a comment", "mx 1; NONE (no checks run)", "mx", NULL },
	{ "method starting with none", "mx; nonexistent=pass",
	  "mx; nonexistent=pass", NULL },
	{ "method version", "mx; dkim/1=pass header.d=a.example",
	  "mx; dkim=pass header.d=[a.example]", NULL },
	{ "trailing ';' and an empty resinfo", "mx; ; dkim=pass;; spf=fail;",
	  "mx; dkim=pass; spf=fail", NULL },
	{ "reason after the properties", "mx; dmarc=pass "
	    "header.from=a.example reason=\"aligned\"",
	  "mx; dmarc=pass reason=[aligned] header.from=[a.example]", NULL },
	{ "a second reason is ignored", "mx; dkim=pass reason=one reason=two",
	  "mx; dkim=pass reason=[one]", NULL },
	{ "values with ':', '/', '=' and '+'", "mx; iprev=pass "
	    "policy.iprev=2001:db8::1 header.b=ab/cd+ef= "
	    "policy.url=https://a.example/x?y=1",
	  "mx; iprev=pass policy.iprev=[2001:db8::1] "
	    "header.b=[ab/cd+ef=] policy.url=[https://a.example/x?y=1]", NULL },
	{ "quoted local part in an address", "mx; spf=pass "
	    "smtp.mailfrom=\"john doe\"@example.com",
	  "mx; spf=pass smtp.mailfrom=[john doe@example.com]", NULL },
	{ "UTF-8 value kept", "mx; dmarc=pass header.from=ex\xc3\xa4mple.com",
	  "mx; dmarc=pass header.from=[ex\xc3\xa4mple.com]", NULL },
	{ "bad UTF-8 in a comment is harmless", "mx; dkim=pass (\xff\xfe) "
	    "header.d=a.example",
	  "mx; dkim=pass header.d=[a.example]", NULL },
	{ "bad UTF-8 in a value is replaced", "mx; dkim=pass header.s=a\xff",
	  "mx; dkim=pass header.s=[a\xef\xbf\xbd]", NULL },

	/* Junk: each one names what was expected and where. */
	{ "empty", "", NULL,
	  "Authentication-Results: expected an authserv-id at byte 0" },
	{ "white space only", " \r\n\t", NULL,
	  "Authentication-Results: expected an authserv-id at byte 4" },
	{ "a comment only", "(mx.example.com)", NULL,
	  "Authentication-Results: expected an authserv-id at byte 16" },
	{ "no authserv-id (Microsoft style)", "spf=pass (sender IP is "
	    "1.2.3.4) smtp.mailfrom=example.com; dkim=pass", NULL,
	  "Authentication-Results: expected ';' after the authserv-id at "
	    "byte 3" },
	{ "leading ';'", "; dkim=pass", NULL,
	  "Authentication-Results: expected an authserv-id at byte 0" },
	{ "empty quoted authserv-id", "\"\"; dkim=pass", NULL,
	  "Authentication-Results: empty authserv-id at byte 2" },
	{ "authserv-id alone", "mx.example.com", NULL,
	  "Authentication-Results: no result after the authserv-id at "
	    "byte 14" },
	{ "no ';' after the authserv-id", "mx.example.com dkim=pass", NULL,
	  "Authentication-Results: expected ';' after the authserv-id at "
	    "byte 15" },
	{ "version 2", "mx.example.com 2; dkim=pass", NULL,
	  "Authentication-Results: unknown version at byte 16" },
	{ "no '=' after the method", "mx; dkim", NULL,
	  "Authentication-Results: expected '=' after method at byte 8" },
	{ "no result", "mx; dkim=", NULL,
	  "Authentication-Results: expected a result at byte 9" },
	{ "no method", "mx; =pass", NULL,
	  "Authentication-Results: expected a method at byte 4" },
	{ "no method version", "mx; dkim/=pass", NULL,
	  "Authentication-Results: expected a method version at byte 9" },
	{ "ptype without '.'", "mx; dkim=pass header", NULL,
	  "Authentication-Results: expected '.' after ptype at byte 20" },
	{ "property without '='", "mx; dkim=pass header.d", NULL,
	  "Authentication-Results: expected '=' after property at byte 22" },
	{ "property without value", "mx; dkim=pass header.d=", NULL,
	  "Authentication-Results: expected a property value at byte 23" },
	{ "property without value before ';'", "mx; dkim=pass header.d=; x=y",
	  NULL, "Authentication-Results: expected a property value at "
	    "byte 23" },
	{ "bare keyword=value (not a propspec)", "mx; dkim=pass action=none",
	  NULL, "Authentication-Results: expected '.' after ptype at "
	    "byte 20" },
	{ "none followed by junk", "mx; none header.d=x", NULL,
	  "Authentication-Results: expected '=' after method at byte 9" },
	{ "bad character in a method", "mx; d!kim=pass", NULL,
	  "Authentication-Results: expected '=' after method at byte 5" },
	{ "unterminated comment", "mx; dkim=pass (open (nested) ", NULL,
	  "Authentication-Results: unterminated comment at byte 29" },
	{ "escaped ')' does not close a comment", "mx; dkim=pass (a\\)", NULL,
	  "Authentication-Results: unterminated comment at byte 18" },
	{ "unterminated quoted string", "mx; dkim=pass reason=\"open", NULL,
	  "Authentication-Results: unterminated quoted-string at byte 26" },
	{ "quoted string ending in a backslash", "mx; dkim=pass "
	    "header.d=\"x\\\"", NULL,
	  "Authentication-Results: unterminated quoted-string at byte 27" },
	{ "long method", "mx; a123456789012345678901234567890123456789012345"
	    "67890123456789012345=pass", NULL,
	  "Authentication-Results: method longer than 64 bytes at byte 4" },
};

/* render - one line showing everything a parsed field holds */
static char *
render(const struct authres *ar)
{
	const struct authres_result *res;
	GString *s = g_string_new(ar->authserv_id);
	size_t i, j;

	for (i = 0; i < ar->nresults; i++) {
		res = &ar->results[i];
		g_string_append_printf(s, "; %s=%s", res->method, res->result);
		if (res->reason != NULL)
			g_string_append_printf(s, " reason=[%s]", res->reason);
		for (j = 0; j < res->nprops; j++)
			g_string_append_printf(s, " %s.%s=[%s]",
			    res->props[j].ptype, res->props[j].property,
			    res->props[j].value);
	}
	return g_string_free(s, FALSE);
}

/* test_parse - the table */
static void
test_parse(void)
{
	const struct parse_case *c;
	struct authres *ar;
	struct gw_error err;
	enum gw_status st;
	char name[256];
	char *got;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
		c = &parse_cases[i];
		ar = NULL;
		gw_error_clear(&err);
		st = authres_parse(c->in, &ar, &err);
		if (c->want != NULL) {
			g_snprintf(name, sizeof(name), "%s: status", c->name);
			if (!tap_int(st, GW_OK, name))
				printf("#   error: %s\n", err.text);
			got = ar != NULL ? render(ar) : NULL;
			g_snprintf(name, sizeof(name), "%s: parsed", c->name);
			tap_str(got, c->want, name);
			g_free(got);
		} else {
			g_snprintf(name, sizeof(name), "%s: EDATA", c->name);
			tap_int(st, GW_EDATA, name);
			g_snprintf(name, sizeof(name), "%s: error", c->name);
			tap_str(err.text, c->want_err, name);
			tap_ok(ar == NULL, "%s: no result", c->name);
		}
		authres_free(&ar);
	}
}

/* test_prop - authres_prop lookups */
static void
test_prop(void)
{
	const struct authres_result *res;
	struct authres *ar = NULL;
	struct gw_error err;

	if (!tap_int(authres_parse("mx; dkim=pass header.d=first.example "
	    "header.i=@x.example HEADER.D=second.example smtp.d=smtp.example",
	    &ar, &err), GW_OK, "prop: parse"))
		return;
	res = &ar->results[0];
	tap_str(authres_prop(res, "header", "d"), "first.example",
	    "prop: the first of several");
	tap_str(authres_prop(res, "HEADER", "D"), "first.example",
	    "prop: names match case-insensitively");
	tap_str(authres_prop(res, "smtp", "d"), "smtp.example",
	    "prop: the ptype counts");
	tap_str(authres_prop(res, "header", "from"), NULL,
	    "prop: absent property");
	tap_str(authres_prop(res, "policy", "d"), NULL, "prop: absent ptype");
	tap_str(authres_prop(NULL, "header", "d"), NULL, "prop: NULL result");
	tap_str(authres_prop(res, NULL, "d"), NULL, "prop: NULL ptype");
	authres_free(&ar);
	tap_ok(ar == NULL, "free: pointer cleared");
	authres_free(&ar);
	authres_free(NULL);
	tap_ok(1, "free: NULL-safe");
}

/* test_bounds - results, properties, length and nesting are capped */
static void
test_bounds(void)
{
	struct authres *ar = NULL;
	struct gw_error err;
	GString *s;
	int i;

	s = g_string_new("mx");
	for (i = 0; i < AUTHRES_MAX_RESULTS; i++)
		g_string_append_printf(s, "; m%d=pass", i);
	tap_int(authres_parse(s->str, &ar, &err), GW_OK, "64 results: ok");
	tap_int(ar != NULL ? (long long)ar->nresults : -1, AUTHRES_MAX_RESULTS,
	    "64 results: all kept");
	authres_free(&ar);
	g_string_append(s, "; one=more");
	tap_int(authres_parse(s->str, &ar, &err), GW_EDATA,
	    "65 results: EDATA");
	tap_str(err.text, "Authentication-Results: more than 64 results",
	    "65 results: error");
	tap_ok(ar == NULL, "65 results: no result");

	g_string_assign(s, "mx; dkim=pass");
	for (i = 0; i < AUTHRES_MAX_PROPS + 4; i++)
		g_string_append_printf(s, " header.p%d=v%d", i, i);
	g_string_append(s, "; spf=pass smtp.mailfrom=a.example");
	tap_int(authres_parse(s->str, &ar, &err), GW_OK, "20 props: ok");
	if (ar != NULL && ar->nresults == 2) {
		tap_int((long long)ar->results[0].nprops, AUTHRES_MAX_PROPS,
		    "20 props: 16 kept");
		tap_str(ar->results[0].props[15].value, "v15",
		    "20 props: the first 16 in order");
		tap_str(authres_prop(&ar->results[1], "smtp", "mailfrom"),
		    "a.example", "20 props: the next result is read");
	} else {
		tap_ok(0, "20 props: 2 results");
	}
	authres_free(&ar);

	/* Exactly 16 KB parses; one more byte does not. */
	g_string_assign(s, "mx; dkim=pass (");
	while (s->len < 16 * 1024 - 1)
		g_string_append_c(s, 'x');
	g_string_append_c(s, ')');
	tap_int(authres_parse(s->str, &ar, &err), GW_OK, "16 KB field: ok");
	authres_free(&ar);
	g_string_append_c(s, ' ');
	tap_int(authres_parse(s->str, &ar, &err), GW_EDATA,
	    "16 KB + 1 field: EDATA");
	tap_str(err.text, "Authentication-Results: longer than 16384 bytes",
	    "16 KB + 1 field: error");
	tap_int(authres_parse(NULL, &ar, &err), GW_EDATA, "NULL: EDATA");
	tap_str(err.text, "Authentication-Results: no value", "NULL: error");

	/* Deep nesting is counted, not recursed. */
	g_string_assign(s, "mx; dkim=pass ");
	for (i = 0; i < 7000; i++)
		g_string_append_c(s, '(');
	for (i = 0; i < 7000; i++)
		g_string_append_c(s, ')');
	g_string_append(s, " header.d=a.example");
	tap_int(authres_parse(s->str, &ar, &err), GW_OK,
	    "7000 nested comments: ok");
	tap_str(ar != NULL ? authres_prop(&ar->results[0], "header", "d") :
	    NULL, "a.example", "7000 nested comments: property after them");
	authres_free(&ar);
	g_string_assign(s, "mx; dkim=pass ");
	for (i = 0; i < 7000; i++)
		g_string_append_c(s, '(');
	for (i = 0; i < 6999; i++)	/* one ')' short */
		g_string_append_c(s, ')');
	tap_int(authres_parse(s->str, &ar, &err), GW_EDATA,
	    "7000 nested comments, one unclosed: EDATA");
	g_string_free(s, TRUE);
}

/*
 * check_outcome - the contract for any input: OK with a full struct of
 * valid UTF-8, or EDATA with no struct and our prefix.  0 when kept.
 */
static int
check_outcome(enum gw_status st, const struct authres *ar,
    const struct gw_error *err)
{
	size_t i, j;

	if (st == GW_EDATA)
		return ar == NULL && strncmp(err->text,
		    "Authentication-Results: ", 24) == 0 ? 0 : 1;
	if (st != GW_OK || ar == NULL || ar->authserv_id[0] == '\0' ||
	    !g_utf8_validate(ar->authserv_id, -1, NULL) ||
	    ar->nresults > AUTHRES_MAX_RESULTS)
		return 1;
	for (i = 0; i < ar->nresults; i++) {
		const struct authres_result *res = &ar->results[i];

		if (res->method[0] == '\0' || res->result[0] == '\0' ||
		    res->nprops > AUTHRES_MAX_PROPS ||
		    (res->reason != NULL &&
		    !g_utf8_validate(res->reason, -1, NULL)))
			return 1;
		for (j = 0; j < res->nprops; j++)
			if (!g_utf8_validate(res->props[j].value, -1, NULL))
				return 1;
	}
	return 0;
}

/*
 * test_garbage - every prefix of every table input, and random bytes
 * drawn from the grammar's own characters: no crash, and the contract
 * holds.  Under ASan this also proves no out-of-bounds read.
 */
static void
test_garbage(void)
{
	static const char alphabet[] = "();=./@\"\\ \t\r\nabcdekmpsx19\xc3\xff";
	struct authres *ar;
	struct gw_error err;
	enum gw_status st;
	int bad = 0, ok = 0, n, k;
	GRand *rand;
	char buf[128];
	size_t i, len;
	char *prefix;

	for (i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
		len = strlen(parse_cases[i].in);
		for (n = 0; n <= (int)len; n++) {
			/* A heap copy per prefix so ASan sees its end. */
			prefix = g_strndup(parse_cases[i].in, (gsize)n);
			ar = NULL;
			st = authres_parse(prefix, &ar, &err);
			bad += check_outcome(st, ar, &err);
			ok += st == GW_OK;
			authres_free(&ar);
			g_free(prefix);
		}
	}
	tap_int(bad, 0, "every prefix of every input keeps the contract");
	tap_ok(ok > 100, "prefixes: %d parsed, the rest refused", ok);

	rand = g_rand_new_with_seed(8601);
	bad = ok = 0;
	for (n = 0; n < 20000; n++) {
		len = (size_t)g_rand_int_range(rand, 0, (gint32)sizeof(buf));
		memcpy(buf, "mx; dkim=", 9);
		for (k = 9; k < (int)len; k++)
			buf[k] = alphabet[g_rand_int_range(rand, 0,
			    (gint32)sizeof(alphabet) - 1)];
		buf[len] = '\0';
		ar = NULL;
		st = authres_parse(buf, &ar, &err);
		bad += check_outcome(st, ar, &err);
		ok += st == GW_OK;
		authres_free(&ar);
	}
	g_rand_free(rand);
	tap_int(bad, 0, "20000 random fields keep the contract");
	tap_ok(ok > 0 && ok < 20000, "random fields: %d parsed", ok);
}

int
main(void)
{
	test_parse();
	test_prop();
	test_bounds();
	test_garbage();
	return tap_done();
}
