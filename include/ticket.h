/*
 * ticket.h - find the helpdesk ticket a message belongs to.
 *
 * Pure: takes the recipient, the address extension and message headers,
 * returns a validated ticket id.  Rules are GRegex patterns with a named
 * group "id", tried in the configured order of sources.
 *
 * A ticket id must match [A-Za-z0-9][A-Za-z0-9_-]{0,63}; anything else
 * ("../admin", "%2F", spaces, over-long) is not an id.  A candidate that
 * a pattern captured but that fails this check does not stop the search;
 * if nothing valid is found the error text says what was rejected.
 *
 * Used error codes: GW_ECONFIG (ticket_rules_new: bad pattern, no "id"
 * group, unknown source), GW_ENOTICKET (ticket_extract).
 *
 * Reentrancy: rules are read-only after creation.
 */
#ifndef GW_TICKET_H
#define GW_TICKET_H

#include <stdbool.h>

#include "status.h"

#define TICKET_ID_MAX 64

/*
 * The default patterns ([ticket] *_pattern): a ticket id, optionally
 * signed ("T1001" or "T1001.TAG", TAG being 13 base32 characters, see
 * secret.h), in the extension, a "[#ID]" Subject tag and a helpdesk
 * Message-ID "<ticket-ID@...>".
 */
#define TICKET_ID_RE "(?<id>[A-Za-z0-9][A-Za-z0-9_-]{0,63}" \
	"(?:\\.[A-Za-z2-7]{13})?)"
#define TICKET_EXTENSION_RE "^" TICKET_ID_RE "$"
#define TICKET_SUBJECT_RE "\\[#" TICKET_ID_RE "\\]"
#define TICKET_REFERENCES_RE "<ticket-" TICKET_ID_RE "@"

struct ticket_rules;
struct secret_keyring;

struct ticket_input {
	const char *recipient;	/* envelope recipient (-r), may be NULL */
	const char *extension;	/* address extension (-x), may be NULL */
	const char *subject;	/* decoded UTF-8 Subject, may be NULL */
	const char *in_reply_to; /* In-Reply-To, may be NULL */
	const char *references;	/* References, may be NULL; searched after
				 * In-Reply-To (the parent first, so it is
				 * never past the input cap) */
};

/*
 * ticket_rules_new - compile the rules.  sources is NULL-terminated and
 * names "extension", "subject" or "references"; a NULL or empty pattern
 * disables that source.  delimiters are the characters that separate a
 * local part from its extension ("+" by default).  *rules_r is new, free
 * with ticket_rules_free().
 */
enum gw_status ticket_rules_new(const char *const *sources,
    const char *extension_pattern, const char *subject_pattern,
    const char *references_pattern, const char *delimiters,
    struct ticket_rules **rules_r, struct gw_error *err);

/* ticket_rules_free - free *rules_r and set it to NULL; NULL-safe */
void ticket_rules_free(struct ticket_rules **rules_r);

/*
 * ticket_extract - the first valid id found, copied into id_r; *source_r
 * (may be NULL) is set to the static name of the source it came from.
 * The extension is -x when given, else the part of the recipient's local
 * part after the first delimiter character.
 */
enum gw_status ticket_extract(const struct ticket_rules *rules,
    const struct ticket_input *in, char id_r[TICKET_ID_MAX + 1],
    const char **source_r, struct gw_error *err);

/*
 * ticket_rules_set_signing - signed ticket addresses.  A candidate
 * "ID.TAG" (the pattern's "id" group captured it whole, or a named group
 * "tag" captured TAG) yields ID only when TAG verifies with keys
 * (secret_address_verify); a wrong TAG, or a TAG with no keys, is no ID.
 * With require_signature, an ID without a TAG is no ID either.  When no
 * valid ID is found because of that, ticket_extract() fails with the
 * reason "ticket address signature missing or invalid".  keys is
 * borrowed and must outlive rules; NULL: no keys.
 */
void ticket_rules_set_signing(struct ticket_rules *rules,
    const struct secret_keyring *keys, bool require_signature);

/* ticket_id_valid - true for [A-Za-z0-9][A-Za-z0-9_-]{0,63} */
bool ticket_id_valid(const char *id);

#endif /* GW_TICKET_H */
