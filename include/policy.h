/*
 * policy.h - who may write notes: the [sender] policy.
 *
 * Pure: (rules, the From header's addresses, the Authentication-Results
 * fields) -> allowed or refused, with a one-line reason.  No I/O.
 *
 * Rules:
 *  - allow: glob patterns ('*' and '?', GLib GPatternSpec) matched
 *    case-insensitively against the one address in From.  NULL or empty:
 *    any address.  The From must hold exactly one address either way.
 *  - authserv_id: only Authentication-Results fields whose authserv-id
 *    equals it (case-insensitively) are read; all others are ignored,
 *    since anybody can write one.
 *  - require: none; dkim (a trusted dkim=pass whose header.d is the From
 *    domain or a parent of it, on a label boundary); dmarc (a trusted
 *    dmarc=pass whose header.from is the From domain).
 *
 * Used error codes: GW_ECONFIG (policy_rules_new: a bad pattern, require
 * without authserv_id).
 *
 * Reentrancy: rules are read-only after creation.
 */
#ifndef GW_POLICY_H
#define GW_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

#define POLICY_REASON_MAX 256	/* bytes of a reason, NUL included */

enum policy_require {
	POLICY_REQUIRE_NONE = 0,
	POLICY_REQUIRE_DKIM,
	POLICY_REQUIRE_DMARC
};

struct policy_rules;

struct policy_input {
	/*
	 * The addresses of the From header, in order, UTF-8; NULL-
	 * terminated (an empty list when From holds none).  A group's
	 * members count as addresses.
	 */
	const char *const *from;
	/* Raw Authentication-Results field bodies of the top-level
	 * header, in order; NULL-terminated; may be NULL. */
	const char *const *auth_results;
};

/*
 * policy_rules_new - compile the rules; allow is NULL-terminated or NULL.
 * A pattern must hold exactly one '@' ("*@example.com", "*@*.example.com",
 * "ops@partner.example").  authserv_id may be NULL only with
 * POLICY_REQUIRE_NONE.  *rules_r is new, free with policy_rules_free().
 */
enum gw_status policy_rules_new(const char *const *allow,
    const char *authserv_id, enum policy_require require,
    struct policy_rules **rules_r, struct gw_error *err);

/*
 * policy_pattern_check - is pattern (item idx of allow, 0-based) an
 * address pattern policy_rules_new() accepts; the error says why not.
 * policy_id_check - the same for an authserv_id.  conf uses both, so the
 * rules and their wording live in one place.  Used error codes:
 * GW_ECONFIG.
 */
enum gw_status policy_pattern_check(size_t idx, const char *pattern,
    struct gw_error *err);
enum gw_status policy_id_check(const char *id, struct gw_error *err);

/* policy_rules_free - free *rules_r and set it to NULL; NULL-safe */
void policy_rules_free(struct policy_rules **rules_r);

/*
 * policy_check - true when the sender may write notes.  reason (size
 * bytes, at least POLICY_REASON_MAX advised) always gets one printable
 * line saying why, e.g. "From bob@evil.example matches no allow pattern"
 * or "From alice@example.com, dkim=pass header.d=example.com from
 * mx.example.com"; it holds no control characters.
 */
bool policy_check(const struct policy_rules *rules,
    const struct policy_input *in, char *reason, size_t size);

/* policy_require_name - "none", "dkim" or "dmarc" */
const char *policy_require_name(enum policy_require require);

#endif /* GW_POLICY_H */
