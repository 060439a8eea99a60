/*
 * test_policy.c - the [sender] policy: allow patterns, the one From
 * address, trusted and forged Authentication-Results, dkim alignment on
 * label boundaries, dmarc, pattern errors and hostile input.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "policy.h"
#include "tap.h"

#define ID "mx.example.com"

enum rule_set {
	R_ANY,		/* no allow list, require none */
	R_DOMAIN,	/* *@example.com, ops@partner.example */
	R_SUB,		/* *@*.example.com */
	R_UPPER,	/* *@EXAMPLE.COM */
	R_DKIM,		/* *@example.com, *@*.example.com; dkim from ID */
	R_DKIM_CASE,	/* any address; dkim from MX.Example.Com */
	R_DMARC,	/* any address; dmarc from ID */
	R_COUNT
};

static const struct rule_def {
	const char *allow[4];
	const char *authserv_id;
	enum policy_require require;
} rule_defs[R_COUNT] = {
	[R_ANY] = { { NULL }, NULL, POLICY_REQUIRE_NONE },
	[R_DOMAIN] = { { "*@example.com", "ops@partner.example" }, NULL,
	    POLICY_REQUIRE_NONE },
	[R_SUB] = { { "*@*.example.com" }, ID, POLICY_REQUIRE_NONE },
	[R_UPPER] = { { "*@EXAMPLE.COM" }, NULL, POLICY_REQUIRE_NONE },
	[R_DKIM] = { { "*@example.com", "*@*.example.com" }, ID,
	    POLICY_REQUIRE_DKIM },
	[R_DKIM_CASE] = { { NULL }, "MX.Example.Com", POLICY_REQUIRE_DKIM },
	[R_DMARC] = { { NULL }, ID, POLICY_REQUIRE_DMARC },
};

#define NO_DKIM ", but no dkim=pass for its domain from authserv-id " ID
#define NO_DMARC ", but no dmarc=pass for its domain from authserv-id " ID

static const struct check_case {
	const char *name;
	enum rule_set rules;
	const char *from[4];
	const char *ar[4];
	bool want;
	const char *want_reason;
} check_cases[] = {
	/* The From header. */
	{ "no From address", R_DOMAIN, { NULL }, { NULL }, false,
	  "From holds no address" },
	{ "two From addresses", R_DOMAIN,
	  { "a@example.com", "b@example.com" }, { NULL }, false,
	  "From holds 2 addresses" },
	{ "three From addresses, no allow list", R_ANY,
	  { "a@example.com", "b@example.com", "c@example.com" }, { NULL },
	  false, "From holds 3 addresses" },
	{ "not an address", R_ANY, { "alice" }, { NULL }, false,
	  "From alice is not an address" },
	{ "empty local part", R_ANY, { "@example.com" }, { NULL }, false,
	  "From @example.com is not an address" },
	{ "empty domain", R_ANY, { "alice@" }, { NULL }, false,
	  "From alice@ is not an address" },
	{ "control character", R_ANY, { "a\n@example.com" }, { NULL }, false,
	  "From a?@example.com is not an address" },
	{ "bidi override is not echoed", R_DOMAIN,
	  { "\xe2\x80\xae" "moc.elpmaxe@evil.test" }, { NULL }, false,
	  "From ?moc.elpmaxe@evil.test matches no allow pattern" },

	/* Allow patterns. */
	{ "any address", R_ANY, { "x@y.test" }, { NULL }, true,
	  "From x@y.test (no allow list)" },
	{ "domain pattern", R_DOMAIN, { "alice@example.com" }, { NULL }, true,
	  "From alice@example.com matches *@example.com" },
	{ "address pattern", R_DOMAIN, { "ops@partner.example" }, { NULL },
	  true, "From ops@partner.example matches ops@partner.example" },
	{ "address pattern, other local part", R_DOMAIN,
	  { "dev@partner.example" }, { NULL }, false,
	  "From dev@partner.example matches no allow pattern" },
	{ "domain pattern, suffix attack", R_DOMAIN,
	  { "a@example.com.evil.test" }, { NULL }, false,
	  "From a@example.com.evil.test matches no allow pattern" },
	{ "domain pattern, subdomain", R_DOMAIN, { "a@sub.example.com" },
	  { NULL }, false, "From a@sub.example.com matches no allow pattern" },
	{ "domain pattern, look-alike", R_DOMAIN, { "a@badexample.com" },
	  { NULL }, false, "From a@badexample.com matches no allow pattern" },
	{ "domain pattern, '@' in a quoted local part", R_DOMAIN,
	  { "\"a@example.com\"@evil.test" }, { NULL }, false,
	  "From \"a@example.com\"@evil.test matches no allow pattern" },
	{ "address case is ignored", R_DOMAIN, { "Alice@Example.COM" },
	  { NULL }, true, "From Alice@Example.COM matches *@example.com" },
	{ "pattern case is ignored", R_UPPER, { "alice@example.com" },
	  { NULL }, true, "From alice@example.com matches *@EXAMPLE.COM" },
	{ "subdomain pattern", R_SUB, { "a@sub.example.com" }, { NULL }, true,
	  "From a@sub.example.com matches *@*.example.com" },
	{ "subdomain pattern, deeper", R_SUB, { "a@x.y.example.com" },
	  { NULL }, true, "From a@x.y.example.com matches *@*.example.com" },
	{ "subdomain pattern, bare domain", R_SUB, { "a@example.com" },
	  { NULL }, false, "From a@example.com matches no allow pattern" },
	{ "subdomain pattern, look-alike", R_SUB, { "a@evilexample.com" },
	  { NULL }, false, "From a@evilexample.com matches no allow pattern" },
	{ "subdomain pattern, suffix attack", R_SUB,
	  { "a@sub.example.com.evil.test" }, { NULL }, false,
	  "From a@sub.example.com.evil.test matches no allow pattern" },
	{ "require none reads no Authentication-Results", R_SUB,
	  { "a@sub.example.com" }, { ID "; dkim=fail header.d=example.com" },
	  true, "From a@sub.example.com matches *@*.example.com" },

	/* require = dkim */
	{ "dkim=pass, same domain", R_DKIM, { "alice@example.com" },
	  { ID "; dkim=pass header.d=example.com header.s=sel" }, true,
	  "From alice@example.com matches *@example.com; dkim=pass "
	    "header.d=example.com (authserv-id " ID ")" },
	{ "dkim=pass, parent domain", R_DKIM, { "a@sub.example.com" },
	  { ID "; dkim=pass header.d=example.com" }, true,
	  "From a@sub.example.com matches *@*.example.com; dkim=pass "
	    "header.d=example.com (authserv-id " ID ")" },
	{ "dkim=pass, grandparent domain", R_DKIM, { "a@x.sub.example.com" },
	  { ID "; dkim=pass header.d=example.com" }, true,
	  "From a@x.sub.example.com matches *@*.example.com; dkim=pass "
	    "header.d=example.com (authserv-id " ID ")" },
	{ "dkim=pass, not on a label boundary", R_DKIM, { "a@example.com" },
	  { ID "; dkim=pass header.d=ample.com" }, false,
	  "From a@example.com matches *@example.com" NO_DKIM
	    " (dkim=pass header.d=ample.com does not cover it)" },
	{ "dkim=pass, child domain", R_DKIM, { "a@example.com" },
	  { ID "; dkim=pass header.d=sub.example.com" }, false,
	  "From a@example.com matches *@example.com" NO_DKIM
	    " (dkim=pass header.d=sub.example.com does not cover it)" },
	{ "dkim=pass, top-level domain is no parent", R_DKIM,
	  { "a@example.com" }, { ID "; dkim=pass header.d=com" }, false,
	  "From a@example.com matches *@example.com" NO_DKIM
	    " (dkim=pass header.d=com does not cover it)" },
	{ "dkim=pass, trailing dot", R_DKIM, { "a@example.com" },
	  { ID "; dkim=pass header.d=example.com." }, true,
	  "From a@example.com matches *@example.com; dkim=pass "
	    "header.d=example.com. (authserv-id " ID ")" },
	{ "DKIM=PASS, all upper case", R_DKIM, { "a@example.com" },
	  { "MX.EXAMPLE.COM; DKIM=PASS HEADER.D=EXAMPLE.COM" }, true,
	  "From a@example.com matches *@example.com; dkim=pass "
	    "header.d=EXAMPLE.COM (authserv-id " ID ")" },
	{ "authserv-id compared case-insensitively", R_DKIM_CASE,
	  { "a@example.com" }, { ID "; dkim=pass header.d=example.com" }, true,
	  "From a@example.com (no allow list); dkim=pass header.d=example.com "
	    "(authserv-id MX.Example.Com)" },
	{ "dkim=fail", R_DKIM, { "a@example.com" },
	  { ID "; dkim=fail header.d=example.com" }, false,
	  "From a@example.com matches *@example.com" NO_DKIM },
	{ "dkim=neutral", R_DKIM, { "a@example.com" },
	  { ID "; dkim=neutral (bad format) header.d=example.com" }, false,
	  "From a@example.com matches *@example.com" NO_DKIM },
	{ "dkim=pass without header.d", R_DKIM, { "a@example.com" },
	  { ID "; dkim=pass header.i=@example.com" }, false,
	  "From a@example.com matches *@example.com" NO_DKIM
	    " (dkim=pass without header.d)" },
	{ "header.d only in a comment", R_DKIM, { "a@example.com" },
	  { ID "; dkim=pass (header.d=example.com) header.d=evil.test" },
	  false, "From a@example.com matches *@example.com" NO_DKIM
	    " (dkim=pass header.d=evil.test does not cover it)" },
	{ "dmarc=pass does not satisfy dkim", R_DKIM, { "a@example.com" },
	  { ID "; dmarc=pass header.from=example.com" }, false,
	  "From a@example.com matches *@example.com" NO_DKIM },
	{ "no Authentication-Results", R_DKIM, { "a@example.com" }, { NULL },
	  false, "From a@example.com matches *@example.com" NO_DKIM
	    " (no Authentication-Results)" },
	{ "forged field from another host", R_DKIM, { "a@example.com" },
	  { "evil.test; dkim=pass header.d=example.com",
	    ID "; dkim=fail header.d=example.com" }, false,
	  "From a@example.com matches *@example.com" NO_DKIM
	    " (1 Authentication-Results from another host ignored)" },
	{ "two forged fields", R_DKIM, { "a@example.com" },
	  { "evil.test; dkim=pass header.d=example.com",
	    "other.test; dkim=pass header.d=example.com" }, false,
	  "From a@example.com matches *@example.com" NO_DKIM
	    " (2 Authentication-Results from other hosts ignored)" },
	{ "our authserv-id inside a comment", R_DKIM, { "a@example.com" },
	  { "evil.test (" ID "); dkim=pass header.d=example.com" }, false,
	  "From a@example.com matches *@example.com" NO_DKIM
	    " (1 Authentication-Results from another host ignored)" },
	{ "our authserv-id as a prefix", R_DKIM, { "a@example.com" },
	  { ID ".evil.test; dkim=pass header.d=example.com" }, false,
	  "From a@example.com matches *@example.com" NO_DKIM
	    " (1 Authentication-Results from another host ignored)" },
	{ "unreadable field skipped, next one counts", R_DKIM,
	  { "a@example.com" },
	  { ID "; dkim=pass header.d", ID "; dkim=pass header.d=example.com" },
	  true, "From a@example.com matches *@example.com; dkim=pass "
	    "header.d=example.com (authserv-id " ID ")" },
	{ "unreadable field only", R_DKIM, { "a@example.com" },
	  { ID "; dkim=pass header.d=(example.com" }, false,
	  "From a@example.com matches *@example.com" NO_DKIM
	    " (1 unreadable field skipped)" },
	{ "all the notes at once, cut to fit with \"...\"", R_DKIM,
	  { "a@example.com" },
	  { ID "; dkim=pass header.d=evil.test; dkim=pass header.s=x",
	    "evil.test; dkim=pass header.d=example.com", "junk" }, false,
	  "From a@example.com matches *@example.com" NO_DKIM
	    " (dkim=pass header.d=evil.test does not cover it; dkim=pass "
	    "without header.d; 1 Authentication-Results from another host "
	    "ignored; 1 unreadable fiel..." },
	{ "one pass among several results", R_DKIM, { "a@example.com" },
	  { ID "; spf=pass smtp.mailfrom=a@example.com; dkim=fail "
	    "header.d=example.com; dkim=pass header.d=example.com" }, true,
	  "From a@example.com matches *@example.com; dkim=pass "
	    "header.d=example.com (authserv-id " ID ")" },
	{ "rspamd field", R_DKIM, { "a@example.com" },
	  { ID "; dkim=pass header.d=example.com header.s=dkim header.b=xyz; "
	    "spf=pass (" ID ": domain of a@example.com designates 1.2.3.4 as "
	    "permitted sender) smtp.mailfrom=a@example.com; dmarc=pass "
	    "(policy=reject) header.from=example.com" }, true,
	  "From a@example.com matches *@example.com; dkim=pass "
	    "header.d=example.com (authserv-id " ID ")" },
	{ "allow list is checked before dkim", R_DKIM, { "bob@evil.test" },
	  { ID "; dkim=pass header.d=evil.test" }, false,
	  "From bob@evil.test matches no allow pattern" },

	/* require = dmarc */
	{ "dmarc=pass", R_DMARC, { "a@example.com" },
	  { ID "; dmarc=pass (p=none dis=none) header.from=example.com" },
	  true, "From a@example.com (no allow list); dmarc=pass "
	    "header.from=example.com (authserv-id " ID ")" },
	{ "dmarc=pass, header.from in another case", R_DMARC,
	  { "a@example.com" }, { ID "; dmarc=pass header.from=Example.COM" },
	  true, "From a@example.com (no allow list); dmarc=pass "
	    "header.from=Example.COM (authserv-id " ID ")" },
	{ "dmarc=pass for the parent domain", R_DMARC, { "a@sub.example.com" },
	  { ID "; dmarc=pass header.from=example.com" }, false,
	  "From a@sub.example.com (no allow list)" NO_DMARC
	    " (dmarc=pass header.from=example.com does not cover it)" },
	{ "dmarc=fail", R_DMARC, { "a@example.com" },
	  { ID "; dmarc=fail (p=reject) header.from=example.com" }, false,
	  "From a@example.com (no allow list)" NO_DMARC },
	{ "dkim=pass does not satisfy dmarc", R_DMARC, { "a@example.com" },
	  { ID "; dkim=pass header.d=example.com" }, false,
	  "From a@example.com (no allow list)" NO_DMARC },
	{ "forged dmarc=pass", R_DMARC, { "a@example.com" },
	  { "evil.test; dmarc=pass header.from=example.com" }, false,
	  "From a@example.com (no allow list)" NO_DMARC
	    " (1 Authentication-Results from another host ignored)" },
};

static const struct rules_case {
	const char *name;
	const char *allow[4];
	const char *authserv_id;
	int require;
	const char *want_err;	/* NULL: want success */
} rules_cases[] = {
	{ "no pattern at all", { NULL }, NULL, POLICY_REQUIRE_NONE, NULL },
	{ "good patterns", { "*@example.com", "*@*.example.com",
	    "ops@partner.example" }, ID, POLICY_REQUIRE_DKIM, NULL },
	{ "dmarc with an id", { NULL }, ID, POLICY_REQUIRE_DMARC, NULL },
	{ "a domain, no '@'", { "*@a.example", "example.com" }, NULL,
	  POLICY_REQUIRE_NONE,
	  "allow pattern 'example.com' holds no '@' (did you mean "
	    "*@example.com?)" },
	{ "a bare '*'", { "*" }, NULL, POLICY_REQUIRE_NONE,
	  "allow pattern '*' holds no '@' (did you mean *@*?)" },
	{ "two '@'", { "a@b@example.com" }, NULL, POLICY_REQUIRE_NONE,
	  "allow pattern 'a@b@example.com' holds 2 '@'; it needs exactly "
	    "one, as in *@example.com" },
	{ "no local part", { "@example.com" }, NULL, POLICY_REQUIRE_NONE,
	  "allow pattern '@example.com' has no local part (did you mean "
	    "*@example.com?)" },
	{ "no domain", { "ops@" }, NULL, POLICY_REQUIRE_NONE,
	  "allow pattern 'ops@' has no domain (did you mean ops@*?)" },
	{ "empty pattern", { "*@a.example", "" }, NULL, POLICY_REQUIRE_NONE,
	  "allow pattern 2 is empty; write e.g. *@example.com" },
	{ "two patterns in one", { "*@a.example *@b.example" }, NULL,
	  POLICY_REQUIRE_NONE,
	  "allow pattern 1 holds white space or a control character; "
	    "separate patterns with ';'" },
	{ "not UTF-8", { "*@\xff.example" }, NULL, POLICY_REQUIRE_NONE,
	  "allow pattern 1 is not UTF-8" },
	{ "dkim without authserv_id", { NULL }, NULL, POLICY_REQUIRE_DKIM,
	  "require = dkim needs authserv_id, the name your MTA writes first "
	    "in its Authentication-Results (e.g. mx.example.com)" },
	{ "dmarc with an empty authserv_id", { NULL }, "",
	  POLICY_REQUIRE_DMARC,
	  "require = dmarc needs authserv_id, the name your MTA writes first "
	    "in its Authentication-Results (e.g. mx.example.com)" },
	{ "authserv_id with a space", { NULL }, "mx example",
	  POLICY_REQUIRE_DKIM,
	  "authserv_id 'mx example' is not a host name as your MTA writes it "
	    "first in Authentication-Results (e.g. mx.example.com)" },
	{ "authserv_id with ';'", { NULL }, "mx;", POLICY_REQUIRE_NONE,
	  "authserv_id 'mx;' is not a host name as your MTA writes it first "
	    "in Authentication-Results (e.g. mx.example.com)" },
	{ "a pattern pasted from a header", { "Ops <ops@example.com>", NULL },
	  NULL, POLICY_REQUIRE_NONE,
	  "allow pattern 1 holds white space or a control character; "
	    "separate patterns with ';'" },
	{ "a pattern with angle brackets", { "<ops@example.com>", NULL },
	  NULL, POLICY_REQUIRE_NONE,
	  "allow pattern '<ops@example.com>' holds '<': write a bare address "
	    "pattern such as *@example.com, and separate patterns with ';'" },
	{ "unknown requirement", { NULL }, ID, 7,
	  "unknown sender requirement 7" },
};

/* new_rules - build one of the rule sets of the table */
static struct policy_rules *
new_rules(enum rule_set r)
{
	const struct rule_def *d = &rule_defs[r];
	struct policy_rules *rules = NULL;
	struct gw_error err;

	if (policy_rules_new(d->allow[0] != NULL ? d->allow : NULL,
	    d->authserv_id, d->require, &rules, &err) != GW_OK) {
		printf("# rule set %d: %s\n", (int)r, err.text);
		return NULL;
	}
	return rules;
}

/* reason_clean - printable, no control bytes, valid UTF-8, < size */
static bool
reason_clean(const char *reason, size_t size)
{
	const char *p;

	if (strlen(reason) >= size || !g_utf8_validate(reason, -1, NULL))
		return false;
	for (p = reason; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* test_check - the table of inputs */
static void
test_check(struct policy_rules *rules[R_COUNT])
{
	const struct check_case *c;
	struct policy_input in;
	char reason[POLICY_REASON_MAX];
	char name[256];
	bool got;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(check_cases); i++) {
		c = &check_cases[i];
		in.from = c->from;
		in.auth_results = c->ar;
		memset(reason, 'X', sizeof(reason));
		got = policy_check(rules[c->rules], &in, reason,
		    sizeof(reason));
		g_snprintf(name, sizeof(name), "%s: %s", c->name,
		    c->want ? "allowed" : "refused");
		tap_int(got, c->want, name);
		g_snprintf(name, sizeof(name), "%s: reason", c->name);
		tap_str(reason, c->want_reason, name);
	}
}

/* test_rules - pattern and configuration errors */
static void
test_rules(void)
{
	const struct rules_case *c;
	struct policy_rules *r;
	struct gw_error err;
	enum gw_status st;
	char name[256];
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(rules_cases); i++) {
		c = &rules_cases[i];
		r = NULL;
		gw_error_clear(&err);
		st = policy_rules_new(c->allow, c->authserv_id,
		    (enum policy_require)c->require, &r, &err);
		g_snprintf(name, sizeof(name), "rules %s: status", c->name);
		if (!tap_int(st, c->want_err ? GW_ECONFIG : GW_OK, name))
			printf("#   error: %s\n", err.text);
		if (c->want_err != NULL) {
			g_snprintf(name, sizeof(name), "rules %s: text",
			    c->name);
			tap_str(err.text, c->want_err, name);
			tap_ok(r == NULL, "rules %s: no rules", c->name);
		} else {
			tap_ok(r != NULL, "rules %s: rules", c->name);
		}
		policy_rules_free(&r);
		tap_ok(r == NULL, "rules %s: freed", c->name);
	}
	policy_rules_free(NULL);

	tap_str(policy_require_name(POLICY_REQUIRE_NONE), "none",
	    "require name none");
	tap_str(policy_require_name(POLICY_REQUIRE_DKIM), "dkim",
	    "require name dkim");
	tap_str(policy_require_name(POLICY_REQUIRE_DMARC), "dmarc",
	    "require name dmarc");
}

/* test_hostile - long text is capped, small buffers are respected */
static void
test_hostile(struct policy_rules *rules[R_COUNT])
{
	const char *from[2] = { NULL, NULL };
	const char *ar[2] = { NULL, NULL };
	const char *many[41];
	struct policy_input in = { .from = from, .auth_results = ar };
	char reason[POLICY_REASON_MAX], small[12];
	GString *s = g_string_new(NULL);
	char *d, *field;
	size_t i;
	bool got;

	/* A 200-byte local part: 48 bytes echoed, then "...". */
	for (i = 0; i < 200; i++)
		g_string_append_c(s, 'a');
	g_string_append(s, "@evil.test");
	from[0] = s->str;
	got = policy_check(rules[R_DOMAIN], &in, reason, sizeof(reason));
	tap_int(got, false, "long From: refused");
	tap_str(reason, "From aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "... matches no allow pattern", "long From: echo capped at 48");

	/* Over 998 bytes is not looked at. */
	g_string_assign(s, "a@");
	for (i = 0; i < 1000; i++)
		g_string_append_c(s, 'x');
	from[0] = s->str;
	got = policy_check(rules[R_ANY], &in, reason, sizeof(reason));
	tap_int(got, false, "1 kB From: refused");
	tap_str(reason, "From a@xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "... is longer than 998 bytes", "1 kB From: reason");

	/* A long header.d that does not cover: 32 bytes echoed. */
	d = g_strnfill(100, 'd');
	field = g_strdup_printf(ID "; dkim=pass header.d=%s.example", d);
	from[0] = "a@example.com";
	ar[0] = field;
	got = policy_check(rules[R_DKIM], &in, reason, sizeof(reason));
	tap_int(got, false, "long header.d: refused");
	tap_str(reason, "From a@example.com matches *@example.com" NO_DKIM
	    " (dkim=pass header.d=dddddddddddddddddddddddddddddddd... does "
	    "not cover it)", "long header.d: echo capped at 32");
	tap_ok(reason_clean(reason, sizeof(reason)), "long header.d: clean");

	/* A 4 kB From that matches and passes: the reason still fits. */
	g_string_assign(s, "");
	for (i = 0; i < 60; i++)
		g_string_append(s, "x.");
	g_string_append(s, "example.com");
	g_free(field);
	field = g_strdup_printf(ID "; dkim=pass header.d=%s", s->str);
	g_string_prepend(s, "\xc3\xa9\xc3\xa9\xc3\xa9@");
	from[0] = s->str;
	ar[0] = field;
	got = policy_check(rules[R_DKIM], &in, reason, sizeof(reason));
	tap_int(got, true, "long matching From: allowed");
	tap_ok(reason_clean(reason, sizeof(reason)) &&
	    g_str_has_suffix(reason, "(authserv-id " ID ")"),
	    "long matching From: clean and complete: %s", reason);

	/* A small buffer: cut on a UTF-8 boundary, NUL-terminated. */
	from[0] = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9@example.com";
	memset(small, 'X', sizeof(small));
	(void)policy_check(rules[R_DOMAIN], &in, small, sizeof(small));
	tap_str(small, "From \xc3\xa9...",
	    "small buffer: cut on a character boundary, then \"...\"");
	(void)policy_check(rules[R_DOMAIN], &in, NULL, 0);
	tap_ok(1, "no reason buffer: no crash");
	memset(small, 'X', sizeof(small));
	(void)policy_check(rules[R_DOMAIN], &in, small, 1);
	tap_str(small, "", "one-byte buffer: empty reason");
	tap_int(policy_check(NULL, &in, reason, sizeof(reason)), false,
	    "no rules: refused");
	tap_str(reason, "no sender policy to check", "no rules: reason");

	/* Many From addresses. */
	for (i = 0; i < 40; i++)
		many[i] = "a@example.com";
	many[40] = NULL;
	in.from = many;
	tap_int(policy_check(rules[R_ANY], &in, reason, sizeof(reason)), false,
	    "40 From addresses: refused");
	tap_str(reason, "From holds 40 addresses", "40 From addresses: reason");
	in.from = NULL;
	tap_int(policy_check(rules[R_ANY], &in, reason, sizeof(reason)), false,
	    "NULL From list: refused");
	tap_str(reason, "From holds no address", "NULL From list: reason");

	/* Garbage Authentication-Results never let a message through. */
	from[0] = "a@example.com";
	in.from = from;
	ar[0] = "\xff\xfe\x01(((;;;===\"";
	tap_int(policy_check(rules[R_DKIM], &in, reason, sizeof(reason)),
	    false, "garbage field: refused");
	tap_ok(reason_clean(reason, sizeof(reason)), "garbage field: clean");
	g_free(field);
	g_free(d);
	g_string_free(s, TRUE);
}

int
main(void)
{
	struct policy_rules *rules[R_COUNT] = { NULL };
	int ri;

	for (ri = 0; ri < R_COUNT; ri++) {
		rules[ri] = new_rules((enum rule_set)ri);
		tap_ok(rules[ri] != NULL, "rule set %d compiles", ri);
	}
	for (ri = 0; ri < R_COUNT; ri++)
		if (rules[ri] == NULL)
			goto out;
	test_check(rules);
	test_rules();
	test_hostile(rules);
out:
	for (ri = 0; ri < R_COUNT; ri++)
		policy_rules_free(&rules[ri]);
	return tap_done();
}
