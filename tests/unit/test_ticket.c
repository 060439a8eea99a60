/*
 * test_ticket.c - ticket id extraction: sources, orders, patterns and
 * hostile input.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "secret.h"
#include "tap.h"
#include "ticket.h"

#define EXT_PAT "^(?<id>[A-Za-z0-9][A-Za-z0-9_-]{0,63})$"
#define SUBJ_PAT "\\[#(?<id>[A-Za-z0-9][A-Za-z0-9_-]{0,63})\\]"
#define REF_PAT "<ticket-(?<id>[A-Za-z0-9][A-Za-z0-9_-]{0,63})@"
/* A lax pattern, as an administrator might write, to test rejections. */
#define LAX_SUBJ_PAT "\\[#(?<id>[^\\]]*)\\]"
#define LAX_EXT_PAT "^(?<id>.*)$"
/* The longest valid id: 64 characters. */
#define ID64 "A123456789012345678901234567890123456789012345678901234567890123"

enum rule_set {
	R_DEFAULT,	/* extension;subject */
	R_SUBJECT_FIRST,	/* subject;extension */
	R_ALL,		/* extension;subject;references */
	R_REFS,		/* references only */
	R_LAX,		/* extension;subject, lax patterns */
	R_DELIMS,	/* extension, delimiters "+-" */
	R_COUNT
};

static const struct rule_def {
	const char *sources[4];
	const char *ext, *subj, *ref, *delims;
} rule_defs[R_COUNT] = {
	[R_DEFAULT] = { { "extension", "subject" }, EXT_PAT, SUBJ_PAT,
	    REF_PAT, "+" },
	[R_SUBJECT_FIRST] = { { "subject", "extension" }, EXT_PAT, SUBJ_PAT,
	    REF_PAT, "+" },
	[R_ALL] = { { "extension", "subject", "references" }, EXT_PAT,
	    SUBJ_PAT, REF_PAT, "+" },
	[R_REFS] = { { "references" }, EXT_PAT, SUBJ_PAT, REF_PAT, NULL },
	[R_LAX] = { { "extension", "subject" }, LAX_EXT_PAT, LAX_SUBJ_PAT,
	    REF_PAT, "+" },
	[R_DELIMS] = { { "extension" }, EXT_PAT, SUBJ_PAT, REF_PAT, "+-" },
};

#define NO_TICKET_DEFAULT "no ticket ID in the recipient extension or the Subject"

static const struct extract_case {
	const char *name;
	enum rule_set rules;
	struct ticket_input in;
	const char *want_id;	/* NULL: want GW_ENOTICKET */
	const char *want_source;
	const char *want_err;
} extract_cases[] = {
	{ .name = "plus extension", .rules = R_DEFAULT,
	  .in = { .recipient = "support+T1001@example.com" },
	  .want_id = "T1001", .want_source = "extension" },
	{ .name = "quoted local part", .rules = R_DEFAULT,
	  .in = { .recipient = "\"support+T1001\"@example.com" },
	  .want_id = "T1001", .want_source = "extension" },
	{ .name = "angle brackets", .rules = R_DEFAULT,
	  .in = { .recipient = "<support+T1001@example.com>" },
	  .want_id = "T1001", .want_source = "extension" },
	{ .name = "quoted local part holding '@'", .rules = R_DEFAULT,
	  .in = { .recipient = "\"a@b+T5\"@example.com" },
	  .want_id = "T5", .want_source = "extension" },
	{ .name = "recipient without domain", .rules = R_DEFAULT,
	  .in = { .recipient = "support+T4" },
	  .want_id = "T4", .want_source = "extension" },
	{ .name = "multiple '+': extension is after the first", .rules =
	    R_DEFAULT, .in = { .recipient = "support+T1+x@example.com" },
	  .want_err = "ticket ID 'T1+x' in the recipient extension is not "
	    "valid" },
	{ .name = "multiple '+', subject still found", .rules = R_DEFAULT,
	  .in = { .recipient = "support+T1+x@example.com",
	    .subject = "[#T9]" },
	  .want_id = "T9", .want_source = "subject" },
	{ .name = "-x overrides the recipient", .rules = R_DEFAULT,
	  .in = { .recipient = "support+T1@example.com", .extension = "T77" },
	  .want_id = "T77", .want_source = "extension" },
	{ .name = "empty -x falls back to the recipient", .rules = R_DEFAULT,
	  .in = { .recipient = "support+T1@example.com", .extension = "" },
	  .want_id = "T1", .want_source = "extension" },
	{ .name = "recipient without extension", .rules = R_DEFAULT,
	  .in = { .recipient = "support@example.com" },
	  .want_err = NO_TICKET_DEFAULT },
	{ .name = "empty extension", .rules = R_DEFAULT,
	  .in = { .recipient = "support+@example.com" },
	  .want_err = NO_TICKET_DEFAULT },
	{ .name = "nothing at all", .rules = R_DEFAULT, .in = { 0 },
	  .want_err = NO_TICKET_DEFAULT },
	{ .name = "extension ../admin", .rules = R_DEFAULT,
	  .in = { .extension = "../admin" },
	  .want_err = "ticket ID '../admin' in the recipient extension is "
	    "not valid" },
	{ .name = "second delimiter character", .rules = R_DELIMS,
	  .in = { .recipient = "support-T6@example.com" },
	  .want_id = "T6", .want_source = "extension" },
	{ .name = "first delimiter wins", .rules = R_DELIMS,
	  .in = { .recipient = "help-desk+T6@example.com" },
	  .want_err = "ticket ID 'desk+T6' in the recipient extension is not "
	    "valid" },
	{ .name = "subject tag", .rules = R_DEFAULT,
	  .in = { .subject = "[#T123]" },
	  .want_id = "T123", .want_source = "subject" },
	{ .name = "subject Re: Fwd:", .rules = R_DEFAULT,
	  .in = { .subject = "Re: Fwd: [#T123] printer on fire" },
	  .want_id = "T123", .want_source = "subject" },
	{ .name = "subject ../admin (default pattern)", .rules = R_DEFAULT,
	  .in = { .subject = "[#../admin]" }, .want_err = NO_TICKET_DEFAULT },
	{ .name = "subject ../admin (lax pattern)", .rules = R_LAX,
	  .in = { .subject = "[#../admin]" },
	  .want_err = "ticket ID '../admin' in the Subject is not valid" },
	{ .name = "subject %2F (default pattern)", .rules = R_DEFAULT,
	  .in = { .subject = "[#T1%2F]" }, .want_err = NO_TICKET_DEFAULT },
	{ .name = "subject %2F (lax pattern)", .rules = R_LAX,
	  .in = { .subject = "[#T1%2F]" },
	  .want_err = "ticket ID 'T1%2F' in the Subject is not valid" },
	{ .name = "subject space (default pattern)", .rules = R_DEFAULT,
	  .in = { .subject = "[# T1]" }, .want_err = NO_TICKET_DEFAULT },
	{ .name = "subject space (lax pattern)", .rules = R_LAX,
	  .in = { .subject = "[# T1]" },
	  .want_err = "ticket ID ' T1' in the Subject is not valid" },
	{ .name = "subject 64-char id", .rules = R_DEFAULT,
	  .in = { .subject = "[#" ID64 "]" },
	  .want_id = ID64, .want_source = "subject" },
	{ .name = "subject 65-char id (default pattern)", .rules = R_DEFAULT,
	  .in = { .subject = "[#" ID64 "4]" }, .want_err = NO_TICKET_DEFAULT },
	{ .name = "subject 65-char id (lax pattern), echo capped",
	  .rules = R_LAX,
	  .in = { .subject = "[#" ID64 "4]" },
	  .want_err = "ticket ID 'A123456789012345678901234567890123456789...'"
	    " in the Subject is not valid" },
	{ .name = "control characters are not echoed", .rules = R_LAX,
	  .in = { .subject = "[#a\001b\nc]" },
	  .want_err = "ticket ID 'a?b?c' in the Subject is not valid" },
	{ .name = "invalid then valid candidate", .rules = R_LAX,
	  .in = { .subject = "[#../x] [#T3]" },
	  .want_id = "T3", .want_source = "subject" },
	{ .name = "UTF-8 subject", .rules = R_DEFAULT,
	  .in = { .subject = "R\xc3\xa9ponse: \xe2\x9c\x93 [#T5] \xc3\xbcn"
	    "\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9" },
	  .want_id = "T5", .want_source = "subject" },
	{ .name = "invalid UTF-8 subject", .rules = R_DEFAULT,
	  .in = { .subject = "\xff\xfe [#T8] \xc3" },
	  .want_id = "T8", .want_source = "subject" },
	{ .name = "no tag in subject", .rules = R_DEFAULT,
	  .in = { .subject = "Hello", .recipient = "support@x" },
	  .want_err = NO_TICKET_DEFAULT },
	{ .name = "references", .rules = R_REFS,
	  .in = { .references = "<ticket-T55@helpdesk.example>" },
	  .want_id = "T55", .want_source = "references" },
	{ .name = "In-Reply-To is searched before References",
	  .rules = R_REFS,
	  .in = { .in_reply_to = "<ticket-T7@helpdesk.example>",
	    .references = "<ticket-T55@helpdesk.example>" },
	  .want_id = "T7", .want_source = "references" },
	{ .name = "In-Reply-To alone", .rules = R_REFS,
	  .in = { .in_reply_to = "<ticket-T7@helpdesk.example>" },
	  .want_id = "T7", .want_source = "references" },
	{ .name = "references among others", .rules = R_ALL,
	  .in = { .recipient = "support@x", .subject = "Re: hi",
	    .references = "<abc@mail.example> <ticket-T55@helpdesk.example>" },
	  .want_id = "T55", .want_source = "references" },
	{ .name = "references none", .rules = R_ALL,
	  .in = { .references = "<abc@mail.example>" },
	  .want_err = "no ticket ID in the recipient extension, the Subject "
	    "or the References" },
	{ .name = "references only: error names it", .rules = R_REFS,
	  .in = { .subject = "[#T1]" },
	  .want_err = "no ticket ID in the References" },
	{ .name = "extension first by default", .rules = R_DEFAULT,
	  .in = { .recipient = "support+T1@x", .subject = "[#T2]" },
	  .want_id = "T1", .want_source = "extension" },
	{ .name = "subject first when configured", .rules = R_SUBJECT_FIRST,
	  .in = { .recipient = "support+T1@x", .subject = "[#T2]" },
	  .want_id = "T2", .want_source = "subject" },
	{ .name = "subject first, falls back to extension",
	  .rules = R_SUBJECT_FIRST,
	  .in = { .recipient = "support+T1@x", .subject = "hello" },
	  .want_id = "T1", .want_source = "extension" },
	{ .name = "subject first: error order", .rules = R_SUBJECT_FIRST,
	  .in = { .subject = "hello" },
	  .want_err = "no ticket ID in the Subject or the recipient "
	    "extension" },
};

static const struct valid_case {
	const char *id;
	bool want;
} valid_cases[] = {
	{ "T1", true }, { "a", true }, { "0", true }, { "a-b_c", true },
	{ "T-", true }, { "", false }, { "-T", false }, { "_T", false },
	{ "../admin", false }, { "T 1", false }, { "T1%2F", false },
	{ "T1/", false }, { "\xc3\xa9", false }, { "T\xc3\xa9", false },
	{ "T1\n", false },
	{ ID64, true }, { ID64 "4", false },
};

static const struct rules_case {
	const char *name;
	const char *sources[4];
	const char *ext, *subj, *ref, *delims;
	const char *want_err;	/* prefix; NULL: want success */
} rules_cases[] = {
	{ "good", { "extension", "subject", "references" }, EXT_PAT,
	  SUBJ_PAT, REF_PAT, "+", NULL },
	{ "bad regex", { "subject" }, EXT_PAT, "\\[#(?<id>[A-Z", REF_PAT,
	  "+", "subject pattern: " },
	{ "no id group", { "subject" }, EXT_PAT, "\\[#([A-Z0-9]+)\\]",
	  REF_PAT, "+", "subject pattern has no named group \"id\"" },
	{ "wrong group name", { "references" }, EXT_PAT, SUBJ_PAT,
	  "<ticket-(?<ticket>[0-9]+)@", "+",
	  "references pattern has no named group \"id\"" },
	{ "unknown source", { "extension", "body" }, EXT_PAT, SUBJ_PAT,
	  REF_PAT, "+", "unknown ticket source 'body'" },
	{ "duplicate source", { "subject", "subject" }, EXT_PAT, SUBJ_PAT,
	  REF_PAT, "+", "ticket source 'subject' is listed twice" },
	{ "no sources", { NULL }, EXT_PAT, SUBJ_PAT, REF_PAT, "+",
	  "no ticket sources" },
	{ "all disabled", { "extension", "subject" }, "", NULL, REF_PAT, "+",
	  "every ticket source has an empty pattern" },
	{ "bad pattern of an unused source is ignored", { "subject" }, "([",
	  SUBJ_PAT, REF_PAT, "+", NULL },
	{ "letter delimiter", { "extension" }, EXT_PAT, SUBJ_PAT, REF_PAT,
	  "a", "recipient delimiters must be" },
	{ "'@' delimiter", { "extension" }, EXT_PAT, SUBJ_PAT, REF_PAT,
	  "+@", "recipient delimiters must be" },
	{ "too many delimiters", { "extension" }, EXT_PAT, SUBJ_PAT, REF_PAT,
	  "+-=~!%^&*", "more than 8 recipient delimiter" },
};

/* new_rules - build one of the rule sets of the table */
static struct ticket_rules *
new_rules(enum rule_set r)
{
	const struct rule_def *d = &rule_defs[r];
	struct ticket_rules *rules = NULL;
	struct gw_error err;

	if (ticket_rules_new(d->sources, d->ext, d->subj, d->ref, d->delims,
	    &rules, &err) != GW_OK) {
		printf("# rule set %d: %s\n", (int)r, err.text);
		return NULL;
	}
	return rules;
}

/* test_extract - the table of inputs */
static void
test_extract(struct ticket_rules *rules[R_COUNT])
{
	const struct extract_case *c;
	char id[TICKET_ID_MAX + 1], name[256];
	const char *source;
	struct gw_error err;
	enum gw_status st;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(extract_cases); i++) {
		c = &extract_cases[i];
		gw_error_clear(&err);
		st = ticket_extract(rules[c->rules], &c->in, id, &source,
		    &err);
		if (c->want_id != NULL) {
			g_snprintf(name, sizeof(name), "%s: status", c->name);
			if (!tap_int(st, GW_OK, name))
				printf("#   error: %s\n", err.text);
			g_snprintf(name, sizeof(name), "%s: id", c->name);
			tap_str(id, c->want_id, name);
			g_snprintf(name, sizeof(name), "%s: source", c->name);
			tap_str(source, c->want_source, name);
		} else {
			g_snprintf(name, sizeof(name), "%s: ENOTICKET",
			    c->name);
			if (!tap_int(st, GW_ENOTICKET, name))
				printf("#   id: %s\n", id);
			g_snprintf(name, sizeof(name), "%s: text", c->name);
			tap_str(err.text, c->want_err, name);
			g_snprintf(name, sizeof(name), "%s: no id", c->name);
			tap_ok(id[0] == '\0' && source == NULL, "%s", name);
		}
	}
}

/* test_huge - a 1 MB subject must be quick, and is looked at only in part */
static void
test_huge(const struct ticket_rules *rules, const struct ticket_rules *lax)
{
	struct ticket_input in = { 0 };
	char id[TICKET_ID_MAX + 1];
	struct gw_error err;
	size_t len = 1024 * 1024, i;
	gint64 t0, ms;
	char *s;

	s = g_malloc(len + 1);
	/* "[#aaaa..." never closes: the worst case for a backtracker */
	for (i = 0; i < len; i++)
		s[i] = i % 1000 < 2 ? "[#"[i % 1000] : 'a';
	s[len] = '\0';
	in.subject = s;
	t0 = g_get_monotonic_time();
	tap_int(ticket_extract(rules, &in, id, NULL, &err), GW_ENOTICKET,
	    "1 MB unclosed subject: no ticket");
	tap_int(ticket_extract(lax, &in, id, NULL, &err), GW_ENOTICKET,
	    "1 MB unclosed subject, lax pattern: no ticket");
	memcpy(s, "[#T42]", 6);
	tap_int(ticket_extract(rules, &in, id, NULL, &err), GW_OK,
	    "1 MB subject, tag first: found");
	tap_str(id, "T42", "1 MB subject, tag first: id");
	memcpy(s, "aaaaaa", 6);
	memcpy(s + len - 6, "[#T43]", 6);
	tap_int(ticket_extract(rules, &in, id, NULL, &err), GW_ENOTICKET,
	    "1 MB subject, tag beyond the bound: not looked at");
	/* At most 64 candidates are examined per source. */
	{
		GString *subj = g_string_new(NULL);
		const char *src = NULL;
		int k;

		for (k = 0; k < 63; k++)
			g_string_append(subj, "[#-] ");
		g_string_append(subj, "[#T44]");
		in.subject = subj->str;
		tap_int(ticket_extract(lax, &in, id, &src, &err), GW_OK,
		    "63 invalid candidates, then a valid one: found");
		tap_str(id, "T44", "the 64th candidate is looked at");
		g_string_prepend(subj, "[#-] ");
		in.subject = subj->str;
		tap_int(ticket_extract(lax, &in, id, &src, &err), GW_ENOTICKET,
		    "64 invalid candidates, then a valid one: not looked at");
		tap_str(err.text, "ticket ID '-' in the Subject is not valid",
		    "64 invalid candidates: the first one is named");
		in.subject = s;
		g_string_free(subj, TRUE);
	}
	ms = (g_get_monotonic_time() - t0) / 1000;
	tap_ok(ms < 2000, "1 MB subjects took %lld ms", (long long)ms);
	g_free(s);
}

/*
 * Signed ticket addresses.  Keys and TAGs computed with Python (hmac,
 * hashlib, base64.b32encode; see tests/unit/address-tag-vectors.txt).
 * The ring is KEY_B (signs) then KEY_A (the old key, still verifies).
 */
#define KEY_A "000102030405060708090a0b0c0d0e0f" \
	"101112131415161718191a1b1c1d1e1f"
#define KEY_B "4b1d0e5a9c3f7e2d8a6b5c4f3e2d1c0b" \
	"9a8f7e6d5c4b3a29180706f5e4d3c2b1"
#define B_T1001 "iwijrn27nc26m"
#define A_T1001 "ydxilbt7lsyky"
#define B_T2002 "tivc5envo6yq2"
#define B_T1002 "ba75owd2i6d6u"
#define B_T1 "rikxgq36a3xpi"
#define B_ID64 "27qaufcc7hrl2"
#define B_t1001 "5aafba7sslxwk"

/* The [ticket] defaults this branch asks conf.c for. */
#define SID_RE "(?<id>[A-Za-z0-9][A-Za-z0-9_-]{0,63}" \
	"(?:\\.[A-Za-z0-9]{1,64})?)"
#define S_EXT_PAT "^" SID_RE "$"
#define S_SUBJ_PAT "\\[#" SID_RE "\\]"
#define S_REF_PAT "<ticket-" SID_RE "@"
/* A stricter variant: only a well-formed TAG is captured at all. */
#define STRICT_RE "(?<id>[A-Za-z0-9][A-Za-z0-9_-]{0,63}" \
	"(?:\\.[A-Za-z2-7]{13})?)"
/* A pattern with its own "tag" group. */
#define TAG_SUBJ_PAT "\\[#(?<id>[A-Za-z0-9][A-Za-z0-9_-]{0,63})" \
	"(?:\\.(?<tag>[A-Za-z2-7]{13}))?\\]"

#define SIG_EXT "ticket address signature missing or invalid in the " \
	"recipient extension"
#define SIG_SUBJ "ticket address signature missing or invalid in the " \
	"Subject"
#define SIG_REFS "ticket address signature missing or invalid in the " \
	"References"

enum sign_set {
	S_OPT,		/* keys, signature optional */
	S_REQ,		/* keys, signature required */
	S_NOKEYS,	/* no keys, optional */
	S_NOKEYS_REQ,	/* no keys, required: nothing passes */
	S_TAGGROUP,	/* a "tag" group in the subject pattern, required */
	S_STRICT,	/* STRICT_RE, required */
	S_LAX,		/* lax patterns, keys, optional */
	S_COUNT
};

static const struct sign_def {
	const char *ext, *subj, *ref;
	bool keys, require;
} sign_defs[S_COUNT] = {
	[S_OPT] = { S_EXT_PAT, S_SUBJ_PAT, S_REF_PAT, true, false },
	[S_REQ] = { S_EXT_PAT, S_SUBJ_PAT, S_REF_PAT, true, true },
	[S_NOKEYS] = { S_EXT_PAT, S_SUBJ_PAT, S_REF_PAT, false, false },
	[S_NOKEYS_REQ] = { S_EXT_PAT, S_SUBJ_PAT, S_REF_PAT, false, true },
	[S_TAGGROUP] = { S_EXT_PAT, TAG_SUBJ_PAT, S_REF_PAT, true, true },
	[S_STRICT] = { "^" STRICT_RE "$", "\\[#" STRICT_RE "\\]",
	    "<ticket-" STRICT_RE "@", true, true },
	[S_LAX] = { LAX_EXT_PAT, LAX_SUBJ_PAT, "<ticket-(?<id>[^@]*)@", true,
	    false },
};

static const struct sign_case {
	const char *name;
	enum sign_set rules;
	struct ticket_input in;
	const char *want_id;	/* NULL: want GW_ENOTICKET */
	const char *want_source;
	const char *want_err;
} sign_cases[] = {
	/* Each source, signed, required. */
	{ .name = "subject [#T1001.TAG]", .rules = S_REQ,
	  .in = { .subject = "Re: [#T1001." B_T1001 "] printer" },
	  .want_id = "T1001", .want_source = "subject" },
	{ .name = "extension T1001.TAG", .rules = S_REQ,
	  .in = { .recipient = "support+T1001." B_T1001 "@h.example" },
	  .want_id = "T1001", .want_source = "extension" },
	{ .name = "extension T1001.TAG uppercased", .rules = S_REQ,
	  .in = { .recipient = "support+T1001.IWIJRN27NC26M@h.example" },
	  .want_id = "T1001", .want_source = "extension" },
	{ .name = "extension TAG in mixed case", .rules = S_REQ,
	  .in = { .extension = "T1001.iWiJrN27nC26m" },
	  .want_id = "T1001", .want_source = "extension" },
	{ .name = "-x extension", .rules = S_REQ,
	  .in = { .extension = "T1001." B_T1001 },
	  .want_id = "T1001", .want_source = "extension" },
	{ .name = "references <ticket-T1001.TAG@host>", .rules = S_REQ,
	  .in = { .references = "<a@b> <ticket-T1001." B_T1001 "@host>" },
	  .want_id = "T1001", .want_source = "references" },
	{ .name = "64-character id, signed", .rules = S_REQ,
	  .in = { .subject = "[#" ID64 "." B_ID64 "]" },
	  .want_id = ID64, .want_source = "subject" },
	/* The id is MACed exactly as sent: a lowercased id has its own TAG. */
	{ .name = "lowercased id with its own TAG", .rules = S_REQ,
	  .in = { .extension = "t1001." B_t1001 },
	  .want_id = "t1001", .want_source = "extension" },
	{ .name = "lowercased id with the uppercase id's TAG", .rules = S_REQ,
	  .in = { .extension = "t1001." B_T1001 }, .want_err = SIG_EXT },

	/* Wrong TAGs. */
	{ .name = "wrong tag (one char off)", .rules = S_REQ,
	  .in = { .extension = "T1001.iwijrn27nc26n" }, .want_err = SIG_EXT },
	{ .name = "wrong tag, not required: not the bare id", .rules = S_OPT,
	  .in = { .extension = "T1001.iwijrn27nc26n" }, .want_err = SIG_EXT },
	{ .name = "TAG of another id", .rules = S_OPT,
	  .in = { .subject = "[#T1002." B_T1001 "]" }, .want_err = SIG_SUBJ },
	{ .name = "short tag", .rules = S_OPT,
	  .in = { .subject = "[#T1001.iwijrn27nc26]" }, .want_err = SIG_SUBJ },
	{ .name = "long tag", .rules = S_OPT,
	  .in = { .references = "<ticket-T1001.iwijrn27nc26ma@h>" },
	  .want_err = SIG_REFS },
	{ .name = "empty tag", .rules = S_LAX,
	  .in = { .subject = "[#T1001.]" }, .want_err = SIG_SUBJ },
	{ .name = "tag from the rotated (second) key", .rules = S_REQ,
	  .in = { .subject = "[#T1001." A_T1001 "]" },
	  .want_id = "T1001", .want_source = "subject" },

	/* require_signature on and off. */
	{ .name = "unsigned when required", .rules = S_REQ,
	  .in = { .recipient = "support+T1001@h.example" }, .want_err = SIG_EXT },
	{ .name = "unsigned subject when required", .rules = S_REQ,
	  .in = { .subject = "[#T1001]" }, .want_err = SIG_SUBJ },
	{ .name = "unsigned when not required", .rules = S_OPT,
	  .in = { .recipient = "support+T1001@h.example" },
	  .want_id = "T1001", .want_source = "extension" },
	{ .name = "signed when not required", .rules = S_OPT,
	  .in = { .recipient = "support+T1001." B_T1001 "@h.example" },
	  .want_id = "T1001", .want_source = "extension" },
	{ .name = "no keys, tag", .rules = S_NOKEYS,
	  .in = { .extension = "T1001." B_T1001 }, .want_err = SIG_EXT },
	{ .name = "no keys, unsigned", .rules = S_NOKEYS,
	  .in = { .extension = "T1001" },
	  .want_id = "T1001", .want_source = "extension" },
	{ .name = "no keys, required: refused", .rules = S_NOKEYS_REQ,
	  .in = { .extension = "T1001" }, .want_err = SIG_EXT },
	{ .name = "no keys, any dotted subject", .rules = S_NOKEYS,
	  .in = { .subject = "[#T1001.abc]" }, .want_err = SIG_SUBJ },

	/* First valid candidate wins, across and within sources. */
	{ .name = "wrong tag in extension, signed subject wins",
	  .rules = S_REQ, .in = { .extension = "T1001.aaaaaaaaaaaaa",
	    .subject = "[#T2002." B_T2002 "]" },
	  .want_id = "T2002", .want_source = "subject" },
	{ .name = "unsigned extension, signed references", .rules = S_REQ,
	  .in = { .extension = "T1001", .subject = "no id here",
	    .references = "<ticket-T1002." B_T1002 "@h>" },
	  .want_id = "T1002", .want_source = "references" },
	{ .name = "signed extension before signed subject", .rules = S_REQ,
	  .in = { .extension = "T1001." B_T1001,
	    .subject = "[#T2002." B_T2002 "]" },
	  .want_id = "T1001", .want_source = "extension" },
	{ .name = "bad then good candidate in one subject", .rules = S_REQ,
	  .in = { .subject = "[#T1001.aaaaaaaaaaaaa] [#T1001] [#T2002."
	    B_T2002 "]" }, .want_id = "T2002", .want_source = "subject" },
	{ .name = "unsigned subject, optional, after a bad extension",
	  .rules = S_OPT, .in = { .extension = "T1001.aaaaaaaaaaaaa",
	    .subject = "[#T2002]" },
	  .want_id = "T2002", .want_source = "subject" },
	{ .name = "signature reason names the first source refused",
	  .rules = S_REQ, .in = { .extension = "T1001",
	    .subject = "[#T2002.aaaaaaaaaaaaa]" }, .want_err = SIG_EXT },
	{ .name = "signature outranks an invalid candidate", .rules = S_LAX,
	  .in = { .extension = "../x", .subject = "[#T1.aaaaaaaaaaaaa]" },
	  .want_err = SIG_SUBJ },

	/* A "tag" group; the strict pattern. */
	{ .name = "tag group: signed", .rules = S_TAGGROUP,
	  .in = { .subject = "[#T1001." B_T1001 "]" },
	  .want_id = "T1001", .want_source = "subject" },
	{ .name = "tag group: uppercase", .rules = S_TAGGROUP,
	  .in = { .subject = "[#T1001.IWIJRN27NC26M]" },
	  .want_id = "T1001", .want_source = "subject" },
	{ .name = "tag group: unsigned, required", .rules = S_TAGGROUP,
	  .in = { .subject = "[#T1001]" }, .want_err = SIG_SUBJ },
	{ .name = "tag group: wrong tag", .rules = S_TAGGROUP,
	  .in = { .subject = "[#T1001.aaaaaaaaaaaaa]" }, .want_err = SIG_SUBJ },
	{ .name = "strict pattern: signed", .rules = S_STRICT,
	  .in = { .subject = "[#T1001." B_T1001 "]" },
	  .want_id = "T1001", .want_source = "subject" },
	{ .name = "strict pattern: malformed tag is no capture",
	  .rules = S_STRICT, .in = { .subject = "[#T1001.abc]" },
	  .want_err = "no ticket ID in the recipient extension, the Subject "
	    "or the References" },

	/* Hostile candidates never reach id_r, bare or not. */
	{ .name = "lax: T1.aaaaaaaaaaaaa/../x", .rules = S_LAX,
	  .in = { .subject = "[#T1.aaaaaaaaaaaaa/../x]" }, .want_err = SIG_SUBJ },
	{ .name = "lax: T1..abc", .rules = S_LAX,
	  .in = { .subject = "[#T1..abc]" }, .want_err = SIG_SUBJ },
	{ .name = "lax: T1..TAG (double dot)", .rules = S_LAX,
	  .in = { .subject = "[#T1.." B_T1 "]" }, .want_err = SIG_SUBJ },
	{ .name = "lax: T1.TAG.x", .rules = S_LAX,
	  .in = { .subject = "[#T1." B_T1 ".x]" }, .want_err = SIG_SUBJ },
	{ .name = "lax: T1.TAG/../x", .rules = S_LAX,
	  .in = { .extension = "T1." B_T1 "/../x" }, .want_err = SIG_EXT },
	{ .name = "lax: ../x.TAG is not an id", .rules = S_LAX,
	  .in = { .subject = "[#../x." B_T1 "]" },
	  .want_err = "ticket ID '../x." B_T1 "' in the Subject is not "
	    "valid" },
	{ .name = "lax: .TAG alone", .rules = S_LAX,
	  .in = { .subject = "[#." B_T1 "]" },
	  .want_err = "ticket ID '." B_T1 "' in the Subject is not valid" },
	{ .name = "lax: T1.TAG is fine", .rules = S_LAX,
	  .in = { .subject = "[#T1." B_T1 "]" },
	  .want_id = "T1", .want_source = "subject" },
	{ .name = "default: T1.aaaaaaaaaaaaa/../x extension", .rules = S_OPT,
	  .in = { .extension = "T1.aaaaaaaaaaaaa/../x" },
	  .want_err = "ticket ID 'T1.aaaaaaaaaaaaa/../x' in the recipient "
	    "extension is not valid" },
	{ .name = "default: T1..abc extension", .rules = S_OPT,
	  .in = { .extension = "T1..abc" },
	  .want_err = "ticket ID 'T1..abc' in the recipient extension is not "
	    "valid" },
	{ .name = "default: dotted id in References", .rules = S_OPT,
	  .in = { .references = "<ticket-T1.x.y@h>" },
	  .want_err = "no ticket ID in the recipient extension, the Subject "
	    "or the References" },
};

/* sign_rules - compile one signing rule set */
static struct ticket_rules *
sign_rules(enum sign_set set, const struct secret_keyring *keys)
{
	static const char *const sources[] = { "extension", "subject",
	    "references", NULL };
	const struct sign_def *d = &sign_defs[set];
	struct ticket_rules *r = NULL;
	struct gw_error err;

	if (ticket_rules_new(sources, d->ext, d->subj, d->ref, "+", &r,
	    &err) != GW_OK) {
		printf("# sign set %d: %s\n", (int)set, err.text);
		return NULL;
	}
	ticket_rules_set_signing(r, d->keys ? keys : NULL, d->require);
	return r;
}

/* test_signed - the signed-address table */
static void
test_signed(void)
{
	struct ticket_rules *rules[S_COUNT] = { NULL };
	struct secret_keyring *keys = NULL;
	const struct sign_case *c;
	char id[TICKET_ID_MAX + 1], name[256];
	const char *source;
	struct gw_error err;
	enum gw_status st;
	size_t i;
	int si;

	if (!tap_int(secret_init(NULL, 0, &err), GW_OK, "signed: secret_init") ||
	    !tap_int(secret_keyring_new(KEY_B "\n" KEY_A "\n",
	    2 * SECRET_ADDRESS_KEY_HEX + 2, "keys", &keys, &err), GW_OK,
	    "signed: keyring"))
		return;
	for (si = 0; si < S_COUNT; si++)
		if (!tap_ok((rules[si] = sign_rules((enum sign_set)si,
		    keys)) != NULL, "sign set %d compiles", si))
			goto out;
	for (i = 0; i < G_N_ELEMENTS(sign_cases); i++) {
		c = &sign_cases[i];
		gw_error_clear(&err);
		memset(id, 'X', sizeof(id));
		st = ticket_extract(rules[c->rules], &c->in, id, &source,
		    &err);
		if (c->want_id != NULL) {
			g_snprintf(name, sizeof(name), "signed %s: status",
			    c->name);
			if (!tap_int(st, GW_OK, name))
				printf("#   error: %s\n", err.text);
			g_snprintf(name, sizeof(name), "signed %s: id", c->name);
			tap_str(id, c->want_id, name);
			g_snprintf(name, sizeof(name), "signed %s: source",
			    c->name);
			tap_str(source, c->want_source, name);
		} else {
			g_snprintf(name, sizeof(name), "signed %s: ENOTICKET",
			    c->name);
			if (!tap_int(st, GW_ENOTICKET, name))
				printf("#   id: %s\n", id);
			g_snprintf(name, sizeof(name), "signed %s: text",
			    c->name);
			tap_str(err.text, c->want_err, name);
			tap_ok(id[0] == '\0' && source == NULL,
			    "signed %s: no id", c->name);
		}
		/* Whatever happened, no dot (no TAG) reached id_r. */
		tap_ok(strchr(id, '.') == NULL, "signed %s: no TAG in the id",
		    c->name);
	}
	/* The reason text is exact: policy code and the README quote it. */
	{
		struct ticket_input in = { .extension = "T1001" };

		(void)ticket_extract(rules[S_REQ], &in, id, NULL, &err);
		tap_ok(g_str_has_prefix(err.text,
		    "ticket address signature missing or invalid"),
		    "signed: the exact reason text");
	}
	/* Signing can be switched off again: back to plain ids. */
	ticket_rules_set_signing(rules[S_REQ], NULL, false);
	{
		struct ticket_input in = { .extension = "T1001" };

		tap_int(ticket_extract(rules[S_REQ], &in, id, NULL, &err), GW_OK,
		    "signed: set_signing(NULL, false) restores plain ids");
	}
out:
	for (si = 0; si < S_COUNT; si++)
		ticket_rules_free(&rules[si]);
	secret_keyring_free(&keys);
}

/*
 * The sender's hint after "no ticket ID in ...": the forms the default
 * patterns take, the recipient as the example address; nothing for
 * patterns of one's own.
 */
static const struct {
	const char *name;
	const char *sources;	/* ';'-separated */
	bool defaults;		/* the default patterns, else custom ones */
	const char *recipient;
	const char *want;
} hint_cases[] = {
	{ "both forms", "extension;subject", true,
	    "support@helpdesk.example.com",
	  "no ticket ID in the recipient extension or the Subject; write to "
	    "support+T1234@helpdesk.example.com or put [#T1234] in the "
	    "Subject" },
	{ "an empty extension is dropped from the example",
	    "extension;subject", true, "<support+@helpdesk.example.com>",
	  "no ticket ID in the recipient extension or the Subject; write to "
	    "support+T1234@helpdesk.example.com or put [#T1234] in the "
	    "Subject" },
	{ "no recipient: the Subject form", "extension;subject", true, NULL,
	  "no ticket ID in the recipient extension or the Subject; put "
	    "[#T1234] in the Subject" },
	{ "a hostile recipient is no example", "extension;subject", true,
	    "a b\"@x\r\n@example.com",
	  "no ticket ID in the recipient extension or the Subject; put "
	    "[#T1234] in the Subject" },
	{ "references only: nothing a sender can do", "references", true,
	    "support@helpdesk.example.com", "no ticket ID in the References" },
	{ "custom patterns: no hint", "extension;subject", false,
	    "support@helpdesk.example.com",
	  "no ticket ID in the recipient extension or the Subject" },
};

/* test_hints - hint_cases */
static void
test_hints(void)
{
	struct ticket_input in = { .subject = "printer" };
	struct ticket_rules *rules = NULL;
	struct gw_error err;
	char id[TICKET_ID_MAX + 1];
	char **sources;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(hint_cases); i++) {
		sources = g_strsplit(hint_cases[i].sources, ";", -1);
		if (ticket_rules_new((const char *const *)sources,
		    hint_cases[i].defaults ? TICKET_EXTENSION_RE : "^(?<id>x)$",
		    hint_cases[i].defaults ? TICKET_SUBJECT_RE : "<(?<id>x)>",
		    TICKET_REFERENCES_RE, "+", &rules, &err) != GW_OK) {
			tap_ok(0, "%s: rules: %s", hint_cases[i].name,
			    err.text);
			g_strfreev(sources);
			continue;
		}
		in.recipient = hint_cases[i].recipient;
		gw_error_clear(&err);
		tap_int(ticket_extract(rules, &in, id, NULL, &err),
		    GW_ENOTICKET, hint_cases[i].name);
		tap_str(err.text, hint_cases[i].want, hint_cases[i].name);
		ticket_rules_free(&rules);
		g_strfreev(sources);
	}
}

int
main(void)
{
	struct ticket_rules *rules[R_COUNT] = { NULL };
	struct ticket_rules *r;
	struct gw_error err;
	enum gw_status st;
	char name[256];
	size_t i;
	int ri;

	for (ri = 0; ri < R_COUNT; ri++) {
		rules[ri] = new_rules((enum rule_set)ri);
		tap_ok(rules[ri] != NULL, "rule set %d compiles", ri);
	}
	for (ri = 0; ri < R_COUNT; ri++)
		if (rules[ri] == NULL)
			goto out;
	test_extract(rules);
	test_huge(rules[R_DEFAULT], rules[R_LAX]);
	test_signed();

	for (i = 0; i < G_N_ELEMENTS(valid_cases); i++)
		tap_int(ticket_id_valid(valid_cases[i].id), valid_cases[i].want,
		    valid_cases[i].id);
	tap_int(ticket_id_valid(NULL), false, "NULL id");

	for (i = 0; i < G_N_ELEMENTS(rules_cases); i++) {
		const struct rules_case *c = &rules_cases[i];

		r = NULL;
		gw_error_clear(&err);
		st = ticket_rules_new(c->sources, c->ext, c->subj, c->ref,
		    c->delims, &r, &err);
		g_snprintf(name, sizeof(name), "rules %s: status", c->name);
		tap_int(st, c->want_err ? GW_ECONFIG : GW_OK, name);
		if (c->want_err != NULL) {
			g_snprintf(name, sizeof(name), "rules %s: text",
			    c->name);
			if (!tap_ok(strncmp(err.text, c->want_err,
			    strlen(c->want_err)) == 0, "%s", name))
				printf("#   got: %s\n#   want: %s...\n",
				    err.text, c->want_err);
			tap_ok(r == NULL, "rules %s: no rules", c->name);
		}
		ticket_rules_free(&r);
		tap_ok(r == NULL, "rules %s: freed", c->name);
	}
	ticket_rules_free(NULL);
out:
	for (ri = 0; ri < R_COUNT; ri++)
		ticket_rules_free(&rules[ri]);
	test_hints();
	return tap_done();
}
