/*
 * keyfile.h - the secret files named by the config: [api] key_file (one
 * API key) and [ticket] address_key_file (address-signing keys, one a
 * line).
 *
 * Owns: reading them.  A secret file must be a regular file, not a link,
 * owned by the effective uid with no group or other permission bits, on a
 * safe path (safefile.h); its contents go straight into guarded memory
 * (secret.h) and the read buffer is wiped.  Nothing here ever prints or
 * logs a key.
 *
 * Used error codes: GW_ECONFIG, GW_ESOFTWARE (no guarded memory).
 *
 * Reentrancy: no global state.
 */
#ifndef GW_KEYFILE_H
#define GW_KEYFILE_H

#include <stdio.h>

#include "status.h"

struct conf;
struct secret;
struct secret_keyring;

/*
 * keyfile_load_api_key - open conf->key_file without following links,
 * refuse it unless it is a regular file owned by the effective uid with
 * no group or other permission bits, and load its single line into
 * guarded memory.  *key_r is new, free with secret_free().
 */
enum gw_status keyfile_load_api_key(const struct conf *conf,
    struct secret **key_r, struct gw_error *err);

/*
 * keyfile_load_address_keys - conf->address_key_file, checked like the API
 * key file, parsed with secret_keyring_new().  *keys_r is NULL when no
 * file is configured, else new, free with secret_keyring_free().
 * Used error codes: GW_ECONFIG, GW_ESOFTWARE.
 */
enum gw_status keyfile_load_address_keys(const struct conf *conf,
    struct secret_keyring **keys_r, struct gw_error *err);

/*
 * keyfile_print_address_keys - the --check-config line about the address
 * keys: "# address keys: N loaded from PATH" or "# address keys: none
 * (ticket addresses are not signed)"; never a key.
 */
void keyfile_print_address_keys(const struct conf *conf,
    const struct secret_keyring *keys, FILE *fp);

/*
 * keyfile_print_api_key - the --check-config line about the loaded key:
 * "# key: ixk_…(40 chars) loaded from PATH".  Never
 * prints more of the key than its "ixk_" prefix; key may be NULL.
 */
void keyfile_print_api_key(const struct conf *conf, const struct secret *key,
    FILE *fp);

#endif /* GW_KEYFILE_H */
