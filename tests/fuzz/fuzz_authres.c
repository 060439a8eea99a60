/*
 * fuzz_authres.c - LLVMFuzzerTestOneInput over authres_parse and
 * policy_check: the input is one Authentication-Results field body (cut
 * at its first NUL).  Any parse must keep the contract of authres.h, and
 * the policy reason must stay one clean line.  Built as a plain program
 * with tests/fuzz/driver.c by `make build/fuzz_authres` (the generic
 * fuzz_% rule), which replays files; under libFuzzer use
 * -dict=tests/fuzz/authres.dict.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "authres.h"
#include "policy.h"
#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct policy_rules *rules;

/* fuzz_setup - once: rules that read Authentication-Results */
static void
fuzz_setup(void)
{
	static const char *const allow[] = { "*@example.com",
	    "*@*.example.com", NULL };
	struct gw_error err;

	if (policy_rules_new(allow, "mx.example.com", POLICY_REQUIRE_DKIM,
	    &rules, &err) != GW_OK)
		g_error("policy rules: %s", err.text);
}

/* fuzz_check_parse - the authres.h contract for one outcome */
static void
fuzz_check_parse(enum gw_status st, const struct authres *ar)
{
	size_t i, j;

	if (st != GW_OK) {
		if (st != GW_EDATA || ar != NULL)
			g_error("authres_parse: bad failure");
		return;
	}
	if (ar == NULL || ar->authserv_id == NULL ||
	    ar->authserv_id[0] == '\0' ||
	    ar->nresults > AUTHRES_MAX_RESULTS)
		g_error("authres_parse: bad result");
	for (i = 0; i < ar->nresults; i++) {
		const struct authres_result *res = &ar->results[i];

		if (res->method == NULL || res->result == NULL ||
		    res->nprops > AUTHRES_MAX_PROPS)
			g_error("authres_parse: bad resinfo");
		for (j = 0; j < res->nprops; j++)
			if (!g_utf8_validate(res->props[j].value, -1, NULL))
				g_error("authres_parse: value not UTF-8");
	}
}

/* LLVMFuzzerTestOneInput - one field through the parser and the policy */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *from[] = { "alice@sub.example.com", NULL };
	const char *fields[] = { NULL, NULL };
	struct policy_input in = { .from = from, .auth_results = fields };
	char reason[POLICY_REASON_MAX];
	struct authres *ar = NULL;
	struct gw_error err;
	enum gw_status st;
	char *field;
	const char *p;

	if (rules == NULL)
		fuzz_setup();
	field = g_strndup((const char *)data, size);
	st = authres_parse(field, &ar, &err);
	fuzz_check_parse(st, ar);
	authres_free(&ar);

	fields[0] = field;
	(void)policy_check(rules, &in, reason, sizeof(reason));
	if (strlen(reason) >= sizeof(reason) ||
	    !g_utf8_validate(reason, -1, NULL))
		g_error("policy reason too long or not UTF-8");
	for (p = reason; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			g_error("policy reason holds a control character");
	g_free(field);
	return 0;
}
