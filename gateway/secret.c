/*
 * secret.c - the API key in libsodium guarded memory, the address-signing
 * keys, and the (unkeyed) BLAKE2b idempotency key of a mail.
 *
 * The key lives in one sodium_malloc() block (guard pages, canary, mlock)
 * that is made read-only once filled and wiped by sodium_free().  Stack
 * copies of derived material are sodium_memzero()ed before returning.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
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

/* Domain separation: this hash is no other hash of the same fields. */
#define SECRET_IDEMPOTENCY_CONTEXT "mail2note idempotency v2"

/* secret_init - initialise libsodium and keep the key out of core dumps */
enum gw_status
secret_init(char *warning, size_t size, struct gw_error *err)
{
	struct rlimit rl = { 0, 0 };

	if (warning != NULL && size > 0)
		warning[0] = '\0';
	if (sodium_init() < 0)
		return gw_error_set(err, GW_ESOFTWARE,
		    "cannot initialise libsodium");
	if (setrlimit(RLIMIT_CORE, &rl) != 0 && warning != NULL)
		(void)g_snprintf(warning, size, "cannot disable core dumps: "
		    "%s", g_strerror(errno));
	else if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 && warning != NULL)
		(void)g_snprintf(warning, size, "cannot mark the process "
		    "non-dumpable: %s", g_strerror(errno));
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

/* secret_idem_field - one length-prefixed field of the idempotency input */
static void
secret_idem_field(crypto_generichash_state *st, const void *p, size_t len)
{
	unsigned char be[8];
	uint64_t n = (uint64_t)len;
	int i;

	for (i = 7; i >= 0; i--) {
		be[i] = (unsigned char)(n & 0xff);
		n >>= 8;
	}
	crypto_generichash_update(st, be, sizeof(be));
	if (len > 0)
		crypto_generichash_update(st, p, len);
}

/*
 * secret_idempotency_key - hex(BLAKE2b-256(ctx, ticket, message_id,
 * SHA-256(note))), each field prefixed with its length
 */
void
secret_idempotency_key(const char *ticket, const char *message_id,
    const char *note, size_t note_len, char out[SECRET_IDEMPOTENCY_HEX + 1])
{
	crypto_generichash_state st;
	unsigned char digest[crypto_hash_sha256_BYTES];
	unsigned char h[SECRET_IDEMPOTENCY_HEX / 2];

	if (ticket == NULL)
		ticket = "";
	if (message_id == NULL)
		message_id = "";
	if (note == NULL)
		note_len = 0;
	/*
	 * Unkeyed: the key names the mail, not the account that posts it.
	 * The note's digest tells apart two mails that share a Message-ID
	 * (broken clients, list software, edited resends); the lengths
	 * keep ("ab", "c") apart from ("a", "bc").
	 */
	crypto_hash_sha256(digest, (const unsigned char *)(note != NULL ?
	    note : ""), note_len);
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	secret_idem_field(&st, SECRET_IDEMPOTENCY_CONTEXT,
	    sizeof(SECRET_IDEMPOTENCY_CONTEXT) - 1);
	secret_idem_field(&st, ticket, strlen(ticket));
	secret_idem_field(&st, message_id, strlen(message_id));
	secret_idem_field(&st, digest, sizeof(digest));
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(out, SECRET_IDEMPOTENCY_HEX + 1, h, sizeof(h));
}

/*
 * Signed ticket addresses: the keyring.  All keys live in one guarded
 * block of fixed size, so its layout says nothing about the key count.
 */
struct secret_keyring {
	size_t count;
	unsigned char key[SECRET_KEYRING_MAX][SECRET_ADDRESS_KEY_BYTES];
};

/* secret_keyring_line - decode one trimmed key line into key */
static enum gw_status
secret_keyring_line(const char *line, size_t len, const char *name,
    size_t lineno, unsigned char key[SECRET_ADDRESS_KEY_BYTES],
    struct gw_error *err)
{
	const char *end = NULL;
	size_t bin_len = 0, i;

	/*
	 * The texts give the line and a column, never the characters:
	 * whatever is on the line may be key material.
	 */
	for (i = 0; i < len; i++)
		if (!g_ascii_isxdigit(line[i]))
			return gw_error_set(err, GW_ECONFIG,
			    "%s line %zu: a key is %d hex digits; column %zu "
			    "is not a hex digit", name, lineno,
			    SECRET_ADDRESS_KEY_HEX, i + 1);
	if (len != SECRET_ADDRESS_KEY_HEX)
		return gw_error_set(err, GW_ECONFIG,
		    "%s line %zu: a key is %d hex digits, not %zu", name,
		    lineno, SECRET_ADDRESS_KEY_HEX, len);
	if (sodium_hex2bin(key, SECRET_ADDRESS_KEY_BYTES, line, len, NULL,
	    &bin_len, &end) != 0 || bin_len != SECRET_ADDRESS_KEY_BYTES ||
	    end != line + len)
		return gw_error_set(err, GW_ECONFIG,
		    "%s line %zu: cannot decode the key", name, lineno);
	return GW_OK;
}

/* secret_keyring_new - parse a key file into guarded memory */
enum gw_status
secret_keyring_new(const char *buf, size_t len, const char *name,
    struct secret_keyring **keyring_r, struct gw_error *err)
{
	struct secret_keyring *kr;
	enum gw_status st = GW_OK;
	const char *p, *end, *nl, *line;
	size_t lineno = 0, llen;

	*keyring_r = NULL;
	if (name == NULL)
		name = "address key file";
	kr = sodium_malloc(sizeof(*kr));
	if (kr == NULL)
		return gw_error_set(err, GW_ESOFTWARE,
		    "cannot allocate guarded memory for the address keys");
	sodium_memzero(kr, sizeof(*kr));

	p = buf;
	end = buf == NULL ? buf : buf + len;
	while (p != NULL && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		line = p;
		llen = nl == NULL ? (size_t)(end - p) : (size_t)(nl - p);
		p = nl == NULL ? end : nl + 1;
		lineno++;
		while (llen > 0 && secret_is_space(line[0])) {
			line++;
			llen--;
		}
		while (llen > 0 && secret_is_space(line[llen - 1]))
			llen--;
		if (llen == 0 || line[0] == '#')
			continue;
		if (kr->count == SECRET_KEYRING_MAX) {
			st = gw_error_set(err, GW_ECONFIG,
			    "%s line %zu: more than %d keys", name, lineno,
			    SECRET_KEYRING_MAX);
			goto out;
		}
		st = secret_keyring_line(line, llen, name, lineno,
		    kr->key[kr->count], err);
		if (st != GW_OK)
			goto out;
		kr->count++;
	}
	if (kr->count == 0) {
		st = gw_error_set(err, GW_ECONFIG,
		    "%s holds no key (one line of %d hex digits each)", name,
		    SECRET_ADDRESS_KEY_HEX);
		goto out;
	}
	if (sodium_mprotect_readonly(kr) != 0)
		log_warn("cannot make the address keys' memory read-only");
	*keyring_r = kr;
	kr = NULL;
out:
	if (kr != NULL)
		sodium_free(kr);
	return st;
}

/* secret_keyring_count - number of keys */
size_t
secret_keyring_count(const struct secret_keyring *keyring)
{
	return keyring == NULL ? 0 : keyring->count;
}

/* secret_keyring_free - wipe and free */
void
secret_keyring_free(struct secret_keyring **keyring_r)
{
	if (keyring_r == NULL || *keyring_r == NULL)
		return;
	sodium_free(*keyring_r);
	*keyring_r = NULL;
}

/* secret_base32_char - RFC 4648 base32 digit of v (0..31), branch-free */
static char
secret_base32_char(unsigned v)
{
	int x = (int)v;

	/* 'a' + v for v < 26, '2' + v - 26 after: no table, no branch. */
	return (char)('a' + x + (((25 - x) >> 8) & ('2' - 'a' - 26)));
}

/* secret_tag_with - the TAG of id under one key, lowercase, NUL-ended */
static void
secret_tag_with(const unsigned char key[SECRET_ADDRESS_KEY_BYTES],
    const char *id, char tag_r[SECRET_TAG_CHARS + 1])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	uint64_t v = 0;
	size_t i;

	crypto_auth_hmacsha256(mac, (const unsigned char *)id, strlen(id),
	    key);
	for (i = 0; i < 8; i++)
		v = v << 8 | mac[i];
	/* 64 bits: 12 digits of 5 bits, then 4 bits padded with a zero. */
	for (i = 0; i < SECRET_TAG_CHARS - 1; i++)
		tag_r[i] = secret_base32_char((unsigned)(v >> (59 - 5 * i)) &
		    31);
	tag_r[SECRET_TAG_CHARS - 1] = secret_base32_char(
	    (unsigned)(v & 15) << 1);
	tag_r[SECRET_TAG_CHARS] = '\0';
	sodium_memzero(mac, sizeof(mac));
	sodium_memzero(&v, sizeof(v));
}

/* secret_address_tag - the TAG of id under the first key */
void
secret_address_tag(const struct secret_keyring *keyring, const char *id,
    char tag_r[SECRET_TAG_CHARS + 1])
{
	if (keyring == NULL || keyring->count == 0 || id == NULL) {
		tag_r[0] = '\0';
		return;
	}
	secret_tag_with(keyring->key[0], id, tag_r);
}

/* secret_address_verify - constant-time check of tag against every key */
bool
secret_address_verify(const struct secret_keyring *keyring, const char *id,
    const char *tag)
{
	char want[SECRET_TAG_CHARS + 1], got[SECRET_TAG_CHARS + 1];
	size_t i;
	int ok = 0;

	if (keyring == NULL || keyring->count == 0 || id == NULL ||
	    tag == NULL)
		return false;
	/*
	 * Length and alphabet are public: checking them in variable time
	 * tells an attacker nothing about the key.
	 */
	for (i = 0; i < SECRET_TAG_CHARS; i++) {
		char c = g_ascii_tolower(tag[i]);

		if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')))
			return false;
		got[i] = c;
	}
	if (tag[SECRET_TAG_CHARS] != '\0')
		return false;
	got[SECRET_TAG_CHARS] = '\0';
	/* Every key is tried, whichever matches, so timing names none. */
	for (i = 0; i < keyring->count; i++) {
		secret_tag_with(keyring->key[i], id, want);
		ok |= sodium_memcmp(want, got, SECRET_TAG_CHARS) == 0;
	}
	sodium_memzero(want, sizeof(want));
	sodium_memzero(got, sizeof(got));
	return ok != 0;
}

/* secret_new_address_key - a fresh random key as lowercase hex */
void
secret_new_address_key(char hex_r[SECRET_ADDRESS_KEY_HEX + 1])
{
	unsigned char key[SECRET_ADDRESS_KEY_BYTES];

	randombytes_buf(key, sizeof(key));
	sodium_bin2hex(hex_r, SECRET_ADDRESS_KEY_HEX + 1, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
}

/*
 * secret_redact - "[key]" for every run of SECRET_REDACT_MIN or more
 * bytes of text that also occurs in "Bearer <key>" (which holds every
 * run of the key itself).  Greedy: at each position the longest such run
 * is taken (but a leading space is kept when the rest is long enough
 * to be redacted by itself).  Only pattern positions that start with the text's byte are
 * tried (chained by byte value), and a candidate is extended only while
 * it could beat the best so far, so the work is O(text * keylen) at
 * worst and close to O(text) for ordinary text.
 */
char *
secret_redact(const struct secret *secret, const char *text)
{
	static const char prefix[] = "Bearer ";
	int head[256];
	int *next = NULL;
	char *pat = NULL;
	const unsigned char *t = (const unsigned char *)text;
	GString *out;
	size_t m, n, i, best, l, max;
	int j;

	if (text == NULL)
		return NULL;
	if (secret == NULL || secret->len == 0)
		return g_strdup(text);

	/* The pattern holds the key: guarded memory, as the header says. */
	pat = secret_line_new(secret, prefix);
	if (pat == NULL)
		return g_strdup("[text withheld: no memory to redact it]");
	m = sizeof(prefix) - 1 + secret->len;
	next = g_new(int, m);
	for (i = 0; i < G_N_ELEMENTS(head); i++)
		head[i] = -1;
	/* Build the chains backwards so each one runs in ascending order. */
	for (i = m; i-- > 0; ) {
		next[i] = head[(unsigned char)pat[i]];
		head[(unsigned char)pat[i]] = (int)i;
	}

	n = strlen(text);
	out = g_string_sized_new(n + 1);
	i = 0;
	while (i < n) {
		best = 0;
		for (j = head[t[i]]; j != -1; j = next[j]) {
			max = MIN(m - (size_t)j, n - i);
			/* Later starts are shorter still: none can win. */
			if (max <= best)
				break;
			/* Cheap test first: could this one beat best? */
			if (best > 0 && t[i + best] !=
			    (unsigned char)pat[(size_t)j + best])
				continue;
			for (l = 1; l < max &&
			    t[i + l] == (unsigned char)pat[(size_t)j + l]; l++)
				;
			if (l > best)
				best = l;
		}
		/*
		 * A run that starts at the space of "Bearer " and still
		 * holds SECRET_REDACT_MIN key bytes after it keeps the
		 * space: "token [key]" reads better than "token[key]", and
		 * the next round redacts the rest.
		 */
		if (best > SECRET_REDACT_MIN && text[i] == ' ') {
			g_string_append_c(out, ' ');
			i++;
		} else if (best >= SECRET_REDACT_MIN) {
			g_string_append(out, "[key]");
			i += best;
		} else {
			g_string_append_c(out, text[i]);
			i++;
		}
	}

	/* The chains map the key's bytes: key material too. */
	sodium_memzero(next, m * sizeof(*next));
	sodium_memzero(head, sizeof(head));
	g_free(next);
	secret_line_free(&pat);		/* wipes */
	return g_string_free(out, FALSE);
}
