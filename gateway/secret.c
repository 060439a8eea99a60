/*
 * secret.c - the API key in libsodium guarded memory, and the keyed
 * BLAKE2b idempotency key derived from it.
 *
 * The key lives in one sodium_malloc() block (guard pages, canary, mlock)
 * that is made read-only once filled and wiped by sodium_free().  Stack
 * copies of derived material are sodium_memzero()ed before returning.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <glib.h>
#include <sodium.h>

#include "log.h"
#include "secret.h"

struct secret {
	size_t len;		/* bytes of value, without the NUL */
	char value[];		/* NUL-terminated key */
};

/* Domain separation: a key derived for one purpose is useless for another. */
#define SECRET_IDEMPOTENCY_CONTEXT "mail2note idempotency v1"

/* secret_init - initialise libsodium and keep the key out of core dumps */
enum gw_status
secret_init(struct gw_error *err)
{
	struct rlimit rl = { 0, 0 };

	if (sodium_init() < 0)
		return gw_error_set(err, GW_ESOFTWARE,
		    "cannot initialise libsodium");
	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		log_warn("cannot disable core dumps: %s", g_strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		log_warn("cannot mark the process non-dumpable: %s",
		    g_strerror(errno));
	return GW_OK;
}

/* secret_is_space - the white space trimmed around a key */
static int
secret_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f';
}

/* secret_new - validate a key and copy it into guarded memory */
enum gw_status
secret_new(const char *buf, size_t len, struct secret **secret_r,
    struct gw_error *err)
{
	struct secret *secret;
	size_t i, size;

	*secret_r = NULL;
	if (buf == NULL)
		len = 0;
	while (len > 0 && secret_is_space(buf[0])) {
		buf++;
		len--;
	}
	while (len > 0 && secret_is_space(buf[len - 1]))
		len--;
	if (len == 0)
		return gw_error_set(err, GW_ECONFIG, "the key is empty");
	if (len > SECRET_MAX)
		return gw_error_set(err, GW_ECONFIG,
		    "the key is longer than %d bytes", SECRET_MAX);
	/*
	 * The position is safe to report; the character itself is not
	 * echoed, since it is part of the key.
	 */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < 0x21 || c > 0x7e)
			return gw_error_set(err, GW_ECONFIG,
			    "the key contains %s at byte %zu; it must be one "
			    "word of printable ASCII",
			    c == ' ' || c == '\t' ? "white space" :
			    c < 0x80 ? "a control character" :
			    "a non-ASCII byte", i + 1);
	}

	/*
	 * sodium_malloc() places the block against its guard page, so it
	 * is only aligned when the size is a multiple of the alignment.
	 */
	size = sizeof(*secret) + len + 1;
	size = (size + _Alignof(struct secret) - 1) &
	    ~(_Alignof(struct secret) - 1);
	secret = sodium_malloc(size);
	if (secret == NULL)
		return gw_error_set(err, GW_ESOFTWARE,
		    "cannot allocate guarded memory for the key");
	secret->len = len;
	memcpy(secret->value, buf, len);
	secret->value[len] = '\0';
	if (sodium_mprotect_readonly(secret) != 0)
		log_warn("cannot make the key's memory read-only");
	*secret_r = secret;
	return GW_OK;
}

/* secret_value - the NUL-terminated key */
const char *
secret_value(const struct secret *secret)
{
	return secret->value;
}

/* secret_len - the key's length in bytes */
size_t
secret_len(const struct secret *secret)
{
	return secret->len;
}

/* secret_describe - "ixk_…(N chars)": at most the 4-byte prefix */
void
secret_describe(const struct secret *secret, char *buf, size_t size)
{
	if (secret == NULL) {
		g_strlcpy(buf, "(no key)", size);
		return;
	}
	if (secret->len > 4 && strncmp(secret->value, "ixk_", 4) == 0)
		(void)g_snprintf(buf, size, "ixk_\u2026(%zu chars)",
		    secret->len);
	else
		(void)g_snprintf(buf, size, "\u2026(%zu chars)", secret->len);
}

/* secret_free - wipe and free */
void
secret_free(struct secret **secret_r)
{
	if (secret_r == NULL || *secret_r == NULL)
		return;
	sodium_free(*secret_r);
	*secret_r = NULL;
}

/* secret_line_new - prefix + key in guarded memory */
char *
secret_line_new(const struct secret *secret, const char *prefix)
{
	size_t plen = strlen(prefix);
	char *line;

	line = sodium_malloc(plen + secret->len + 1);
	if (line == NULL)
		return NULL;
	memcpy(line, prefix, plen);
	memcpy(line + plen, secret->value, secret->len);
	line[plen + secret->len] = '\0';
	return line;
}

/* secret_line_free - wipe and free a line from secret_line_new() */
void
secret_line_free(char **line_r)
{
	if (line_r == NULL || *line_r == NULL)
		return;
	sodium_free(*line_r);
	*line_r = NULL;
}

/* secret_wipe - sodium_memzero() */
void
secret_wipe(void *buf, size_t len)
{
	sodium_memzero(buf, len);
}

/* secret_idempotency_key - hex(BLAKE2b-256_k(message_id NUL ticket)) */
void
secret_idempotency_key(const struct secret *secret, const char *message_id,
    const char *ticket, char out[SECRET_IDEMPOTENCY_HEX + 1])
{
	crypto_generichash_state st;
	unsigned char subkey[crypto_generichash_BYTES];
	unsigned char mac[SECRET_IDEMPOTENCY_HEX / 2];
	static const unsigned char nul = 0;

	if (message_id == NULL)
		message_id = "";
	if (ticket == NULL)
		ticket = "";

	/* subkey = BLAKE2b-256(context || api key) */
	crypto_generichash_init(&st, NULL, 0, sizeof(subkey));
	crypto_generichash_update(&st,
	    (const unsigned char *)SECRET_IDEMPOTENCY_CONTEXT,
	    sizeof(SECRET_IDEMPOTENCY_CONTEXT) - 1);
	crypto_generichash_update(&st, (const unsigned char *)secret->value,
	    secret->len);
	crypto_generichash_final(&st, subkey, sizeof(subkey));

	/* out = hex(BLAKE2b-256 keyed with subkey of message_id NUL ticket) */
	crypto_generichash_init(&st, subkey, sizeof(subkey), sizeof(mac));
	crypto_generichash_update(&st, (const unsigned char *)message_id,
	    strlen(message_id));
	crypto_generichash_update(&st, &nul, 1);
	crypto_generichash_update(&st, (const unsigned char *)ticket,
	    strlen(ticket));
	crypto_generichash_final(&st, mac, sizeof(mac));

	sodium_bin2hex(out, SECRET_IDEMPOTENCY_HEX + 1, mac, sizeof(mac));
	sodium_memzero(subkey, sizeof(subkey));
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(mac, sizeof(mac));
}
