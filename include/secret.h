/*
 * secret.h - the API key in guarded memory, keyed hashes made with the
 * signing keys, and the (unkeyed) idempotency key of a mail.
 *
 * Owns: libsodium (no other file includes <sodium.h>) and struct secret,
 * allocated with sodium_malloc(), made read-only once loaded and wiped by
 * sodium_free().  The key is never copied elsewhere except into a guarded
 * header line (secret_line_new()), libcurl's copy of that line (which
 * api.c wipes with secret_wipe() before freeing it) and stack buffers
 * that are wiped with secret_wipe().
 *
 * Beyond status, secret uses log for warnings that do not change the
 * outcome (guarded memory that cannot be made read-only); secret_init()
 * hands its warning back instead, so that main() logs it whatever order
 * logging and secrets are set up in.
 *
 * Used error codes: per function below.
 *
 * Reentrancy: secret_init() once, first; the rest is reentrant.
 */
#ifndef GW_SECRET_H
#define GW_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

struct secret;

#define SECRET_MAX 1024		/* longest key accepted, bytes */
#define SECRET_IDEMPOTENCY_HEX 64	/* hex digits of an idempotency key */

/*
 * secret_init - sodium_init() plus core-dump suppression; call it before
 * anything else here.  When core dumps could not be turned off, *warning
 * (size bytes; may be NULL) says why, for the caller to log; else it is
 * "".  Used error codes: GW_ESOFTWARE (libsodium failed to initialise).
 */
enum gw_status secret_init(char *warning, size_t size, struct gw_error *err);

/*
 * secret_new - copy a key (buf, len) into guarded memory after trimming
 * surrounding white space; refuses an empty key, one with control or
 * non-ASCII characters or inner spaces, or one longer than SECRET_MAX.
 * *secret_r is new, free with secret_free().  The caller wipes buf.
 * Used error codes: GW_ECONFIG (malformed key), GW_ESOFTWARE (no guarded
 * memory).
 */
enum gw_status secret_new(const char *buf, size_t len,
    struct secret **secret_r, struct gw_error *err);

/* secret_value - the NUL-terminated key; borrowed, valid until free */
const char *secret_value(const struct secret *secret);

/* secret_len - length of the key in bytes */
size_t secret_len(const struct secret *secret);

/*
 * secret_describe - a safe description of the key for --check-config:
 * "ixk_…(40 chars)" (never more than the 4-byte "ixk_" prefix), or
 * "…(N chars)" for other keys, "(no key)" for NULL.  Written into buf
 * (NUL-terminated, truncated to size).
 */
void secret_describe(const struct secret *secret, char *buf, size_t size);

/* secret_free - wipe and free *secret_r, set it to NULL; NULL-safe */
void secret_free(struct secret **secret_r);

/*
 * secret_idempotency_key - the Idempotency-Key of one mail to one ticket:
 * BLAKE2b-256, unkeyed, over the length-prefixed (8 bytes, big-endian)
 * fields "mail2note idempotency v2", ticket, message_id (NULL: "") and
 * SHA-256 of the note's JSON (note_len bytes), as SECRET_IDEMPOTENCY_HEX
 * lowercase hex digits plus NUL in out.  A retry of a mail renders the
 * same note, so it sends the same key; two mails that share a Message-ID
 * but differ in content get two keys.  No secret goes in: the key names
 * the mail, and does not change when the API key is rotated.
 */
void secret_idempotency_key(const char *ticket, const char *message_id,
    const char *note, size_t note_len,
    char out[SECRET_IDEMPOTENCY_HEX + 1]);

/*
 * secret_line_new - prefix followed by the key, NUL-terminated, in its own
 * guarded memory (for "Authorization: Bearer <key>").  New, free with
 * secret_line_free(); NULL when guarded memory cannot be allocated.
 */
char *secret_line_new(const struct secret *secret, const char *prefix);

/* secret_line_free - wipe and free *line_r, set it to NULL; NULL-safe */
void secret_line_free(char **line_r);

/* secret_wipe - zero len bytes at buf in a way the compiler cannot drop */
void secret_wipe(void *buf, size_t len);

/*
 * Signed ticket addresses.  A keyring holds the address-signing keys of
 * [ticket] address_key_file: 32-byte keys in guarded memory, read-only
 * once loaded.  The first key signs, every key verifies (rotation).
 *
 * The TAG of a ticket id is the first 8 bytes of HMAC-SHA-256 (libsodium
 * crypto_auth_hmacsha256) keyed with the 32-byte key over the bytes of the
 * id, written as SECRET_TAG_CHARS lowercase RFC 4648 base32 characters
 * (alphabet a-z2-7) without padding.
 */
#define SECRET_ADDRESS_KEY_BYTES 32
#define SECRET_ADDRESS_KEY_HEX 64
#define SECRET_TAG_CHARS 13
#define SECRET_KEYRING_MAX 16	/* keys in one file */

struct secret_keyring;

/*
 * secret_keyring_new - parse a key file's contents: one key a line, 64
 * hex digits (either case), surrounding white space ignored; blank lines
 * and lines starting with '#' are skipped.  name is the file, for error
 * texts (which never quote a key).  *keyring_r is new, free with
 * secret_keyring_free().  The caller wipes buf.
 * Used error codes: GW_ECONFIG (no key, a malformed line, too many keys),
 * GW_ESOFTWARE (no guarded memory).
 */
enum gw_status secret_keyring_new(const char *buf, size_t len,
    const char *name, struct secret_keyring **keyring_r,
    struct gw_error *err);

/* secret_keyring_count - number of keys (0 for NULL) */
size_t secret_keyring_count(const struct secret_keyring *keyring);

/* secret_keyring_free - wipe and free *keyring_r, NULL it; NULL-safe */
void secret_keyring_free(struct secret_keyring **keyring_r);

/*
 * secret_address_tag - the TAG of id (NUL-terminated bytes, as posted)
 * under the first key, lowercase, NUL-terminated, into tag_r.
 */
void secret_address_tag(const struct secret_keyring *keyring, const char *id,
    char tag_r[SECRET_TAG_CHARS + 1]);

/*
 * secret_address_verify - true when tag (any case) is the TAG of id under
 * any key of the keyring.  Compared in constant time; false for a tag of
 * the wrong length or with characters outside the base32 alphabet, and
 * for a NULL or empty keyring.
 */
bool secret_address_verify(const struct secret_keyring *keyring,
    const char *id, const char *tag);

/*
 * secret_new_address_key - a fresh random key (libsodium randombytes) as
 * SECRET_ADDRESS_KEY_HEX lowercase hex digits plus NUL, for
 * --new-address-key.  The caller wipes it after printing.
 */
void secret_new_address_key(char hex_r[SECRET_ADDRESS_KEY_HEX + 1]);

/*
 * secret_redact - a copy of text in which every run of
 * SECRET_REDACT_MIN or more bytes that also occurs in the key, or in
 * "Bearer <key>", is replaced by "[key]".  For untrusted text (an API's
 * answer) before it is cut, logged or printed.  New string, g_free();
 * NULL for NULL text; a plain copy when secret is NULL.
 */
#define SECRET_REDACT_MIN 8
char *secret_redact(const struct secret *secret, const char *text);

#endif /* GW_SECRET_H */
