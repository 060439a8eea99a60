/*
 * keyfile.c - the secret files: the API key file and the address-signing
 * key file, read under safefile's rules into secret's guarded memory, and
 * described for --check-config without showing a key.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "conf.h"
#include "keyfile.h"
#include "log.h"
#include "safefile.h"
#include "secret.h"

/* What the two secret files are called in errors (see safefile.h). */
static const struct safefile_secret keyfile_api = {
	"key file", "key_file", "the key"
};
static const struct safefile_secret keyfile_address = {
	"address key file", "address_key_file", "the keys, one a line"
};

/* keyfile_load_api_key - the key file, checked like msmtp's CONF_EINSECURE */
enum gw_status
keyfile_load_api_key(const struct conf *conf, struct secret **key_r,
    struct gw_error *err)
{
	char buf[SAFEFILE_SECRET_MAX + 1];
	const char *path = conf->key_file, *line;
	enum gw_status status;
	struct gw_error kerr;
	size_t len = 0, line_len;

	*key_r = NULL;
	status = safefile_read_secret(&keyfile_api, path, buf,
	    sizeof(buf), &len, err);
	if (status != GW_OK)
		goto out;
	status = safefile_secret_line(&keyfile_api, path, buf, len,
	    &line, &line_len, err);
	if (status != GW_OK)
		goto out;
	status = secret_new(line, line_len, key_r, &kerr);
	if (status != GW_OK) {
		status = gw_error_set(err, kerr.code, "key file %s: %s", path,
		    kerr.text);
		goto out;
	}
	if (strncmp(secret_value(*key_r), "ixk_", 4) != 0)
		log_warn("the key in %s does not start with \"ixk_\"; is it "
		    "a helpdesk API key?", path);
out:
	secret_wipe(buf, sizeof(buf));
	return status;
}

/* keyfile_load_address_keys - the address-signing keys, if configured */
enum gw_status
keyfile_load_address_keys(const struct conf *conf,
    struct secret_keyring **keys_r, struct gw_error *err)
{
	char buf[SAFEFILE_SECRET_MAX + 1];
	const char *path = conf->address_key_file;
	enum gw_status status = GW_OK;
	char *name = NULL;
	size_t len = 0;

	*keys_r = NULL;
	if (path == NULL)
		return GW_OK;
	status = safefile_read_secret(&keyfile_address, path, buf,
	    sizeof(buf), &len, err);
	if (status != GW_OK)
		goto out;
	/* Its errors then read "address key file PATH line 2: ...". */
	name = g_strdup_printf("%s %s", keyfile_address.label, path);
	status = secret_keyring_new(buf, len, name, keys_r, err);
	g_free(name);
out:
	secret_wipe(buf, sizeof(buf));
	return status;
}

/* keyfile_print_api_key - the key line of --check-config, never the key */
void
keyfile_print_api_key(const struct conf *conf, const struct secret *key,
    FILE *fp)
{
	char desc[64];

	secret_describe(key, desc, sizeof(desc));
	fprintf(fp, "# key: %s loaded from %s\n", desc, conf->key_file);
}

/* keyfile_print_address_keys - how many keys, from where; never a key */
void
keyfile_print_address_keys(const struct conf *conf,
    const struct secret_keyring *keys, FILE *fp)
{
	if (conf->address_key_file == NULL || keys == NULL)
		fprintf(fp, "# address keys: none (ticket addresses are not "
		    "signed)\n");
	else
		fprintf(fp, "# address keys: %zu loaded from %s\n",
		    secret_keyring_count(keys), conf->address_key_file);
}
