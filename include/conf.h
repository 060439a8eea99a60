/*
 * conf.h - the configuration file (GLib GKeyFile, INI style) and the API
 * key file.
 *
 * Owns: struct conf (every field is a private copy), the table of known
 * keys with their types, defaults and bounds, and what the key files
 * hold.  Whether a file that decides where the API key goes may be
 * trusted (the config, ca_file, key_file and address_key_file: owner,
 * mode, the path rule) is safefile's; conf names the files for it.
 *
 * Everything is validated before stdin is read, so that a broken
 * configuration defers mail (EX_TEMPFAIL) instead of bouncing it.
 * Unknown groups and keys are errors, as are out-of-range numbers.
 *
 * Used error codes: GW_ECONFIG, except that conf_load_key() passes on
 * secret_new()'s GW_ESOFTWARE (no guarded memory for the key).
 *
 * Reentrancy: none needed; conf_load() has no global state.
 */
#ifndef GW_CONF_H
#define GW_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"


#define CONF_DEFAULT_PATH "/etc/mail2note/mail2note.conf"
#define CONF_ENV_PATH "MAIL2NOTE_CONFIG"

struct conf {
	char *path;		/* the file that was read */

	/* [api] */
	char *base_url;		/* https://..., or http:// to a loopback host */
	char *key_file;		/* holds the ixk_ key; 0600 or stricter, ours */
	char *ca_file;		/* NULL: the system's CA store */
	int timeout;		/* seconds for the whole exchange (1..300) */
	int connect_timeout;	/* seconds to connect (1..timeout) */

	/* [ticket] */
	char **sources;		/* NULL-terminated, in order: "extension",
				 * "subject", "references" */
	char *extension_pattern; /* GRegex with a named group "id" */
	char *subject_pattern;
	char *references_pattern;
	char *recipient_delimiter; /* characters that start an extension */
	char *address_key_file;	/* NULL: unsigned addresses only */
	bool require_signature;	/* only signed IDs count (needs the file) */

	/* [message] */
	uint64_t max_message_size; /* bytes; larger mail is refused 5.3.4 */
	int max_mime_depth;
	int max_mime_parts;
	uint64_t max_note_size;	/* bytes of body_text + body_html */
	uint64_t max_inline_text; /* bytes shown of each text attachment */
	bool discard_automatic;	/* drop auto-replies, bounces, lists */
	bool split_history;	/* set the quoted history apart */

	/* [sender]: absent group = no policy, anyone can write notes */
	bool sender_policy;	/* the [sender] group is present */
	char **sender_allow;	/* NULL-terminated glob list; NULL: any */
	char *authserv_id;	/* NULL: no Authentication-Results read */
	int sender_require;	/* enum policy_require value */
	bool refused_bounce;	/* refused = bounce (else discard) */

	/* [delivery] */
	char *state_dir;	/* journal, pause, breaker; ours, 0700 */
	int journal_days;	/* records older than this expire (1..365) */
	int max_wait;		/* a 429 retryAfter up to this is waited out */
	char *quarantine_dir;	/* mail that bounced or was refused; ours,
				 * 0700; default state_dir/quarantine */
	uint64_t quarantine_max_size; /* bytes of mail kept; 0: none */
	char *spool_dir;	/* NULL: $TMPDIR, else /tmp (spool.h) */

	/* [log] */
	char *log_file;		/* NULL: syslog only (log.h) */
};

/*
 * conf_load - read and validate the file at path (NULL: $MAIL2NOTE_CONFIG,
 * else CONF_DEFAULT_PATH).  *conf_r is new, free with conf_free().
 */
enum gw_status conf_load(const char *path, struct conf **conf_r,
    struct gw_error *err);

/* conf_load_data - as conf_load() but from memory; name is used in errors */
enum gw_status conf_load_data(const char *data, size_t len, const char *name,
    struct conf **conf_r, struct gw_error *err);

/*
 * conf_warn - log_warn() what a working but risky configuration allows
 * (for --check-config): no [sender] policy ("anyone who can send mail to
 * this domain can write notes"), allow without require; and a base_url
 * whose path ends in /api or /api/v1, which mail2note adds itself.
 */
void conf_warn(const struct conf *conf);

/* conf_print - the --check-config summary (never prints the key) */
void conf_print(const struct conf *conf, FILE *fp);

/* conf_free - free *conf_r and set it to NULL; NULL-safe */
void conf_free(struct conf **conf_r);

#endif /* GW_CONF_H */
