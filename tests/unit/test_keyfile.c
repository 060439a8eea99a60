/*
 * test_keyfile.c - the key files' ownership and permission checks as
 * keyfile reports them, the --check-config lines that describe a key
 * without showing it, the address-signing key file, and the path rule
 * for the config and the key files (the rule itself: test_safefile.c).
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "conf.h"
#include "keyfile.h"
#include "secret.h"
#include "tap.h"
#include "fixture.h"

#define BASE "[api]\nbase_url = https://helpdesk.example.com\n"
#define NAME "t.conf"
#define PRE "config " NAME ": "

/* nobody_name - the name of uid 65534, as runuser wants it */
static const char *
nobody_name(void)
{
	struct passwd *pw = getpwuid(65534);

	return pw != NULL ? pw->pw_name : "mail2note";
}

/* nobody_user - uid 65534 as errors name it: "nobody (uid 65534)" */
static const char *
nobody_user(void)
{
	static char buf[80];
	struct passwd *pw = getpwuid(65534);

	if (pw != NULL)
		g_snprintf(buf, sizeof(buf), "%s (uid 65534)", pw->pw_name);
	else
		g_snprintf(buf, sizeof(buf), "uid 65534");
	return buf;
}

/* root_user - uid 0 as errors name it */
static const char *
root_user(void)
{
	static char buf[80];
	struct passwd *pw = getpwuid(0);

	if (pw != NULL)
		g_snprintf(buf, sizeof(buf), "%s (uid 0)", pw->pw_name);
	else
		g_snprintf(buf, sizeof(buf), "uid 0");
	return buf;
}

/* print_key - keyfile_print_api_key() output as a string */
static char *
print_key(const struct conf *conf, const struct secret *key)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (fp == NULL)
		return g_strdup("");
	keyfile_print_api_key(conf, key, fp);
	fclose(fp);
	return buf;
}

/* load_key - keyfile_load_api_key() for key_file = path */
static enum gw_status
load_key(const char *path, struct secret **key_r, struct gw_error *err)
{
	struct conf conf = { 0 };

	conf.key_file = (char *)(uintptr_t)path;
	gw_error_clear(err);
	return keyfile_load_api_key(&conf, key_r, err);
}

/*
 * key_case - one key file: contents and mode, and what must happen: the
 * key, or an error "key file PATH<want_tail>"
 */
static void
key_case(const char *dir, const char *name, const char *data, size_t len,
    mode_t mode, const char *want_key, const char *want_tail)
{
	char *path = g_build_filename(dir, "case.key", NULL);
	struct secret *key = NULL;
	struct gw_error err;
	char want[512], tname[256];
	enum gw_status st;

	(void)g_remove(path);
	if (fixture_write(path, data, len, mode) != 0) {
		tap_ok(0, "key %s: write: %s", name, g_strerror(errno));
		goto out;
	}
	st = load_key(path, &key, &err);
	g_snprintf(tname, sizeof(tname), "key %s: status", name);
	if (want_key != NULL) {
		if (!tap_int(st, GW_OK, tname))
			printf("#   error: %s\n", err.text);
		g_snprintf(tname, sizeof(tname), "key %s: value", name);
		tap_str(key ? secret_value(key) : NULL, want_key, tname);
	} else {
		tap_int(st, GW_ECONFIG, tname);
		g_snprintf(want, sizeof(want), "key file %s%s", path,
		    want_tail);
		g_snprintf(tname, sizeof(tname), "key %s: text", name);
		tap_str(err.text, want, tname);
		tap_ok(key == NULL, "key %s: no key", name);
	}
out:
	secret_free(&key);
	(void)g_remove(path);
	g_free(path);
}

/* test_keys - the key file checks */
static void
test_keys(const char *dir)
{
	char *path = g_build_filename(dir, "api.key", NULL);
	char *link = g_build_filename(dir, "link.key", NULL);
	char *sub = g_build_filename(dir, "keydir", NULL);
	char *fifo = g_build_filename(dir, "fifo.key", NULL);
	char *missing = g_build_filename(dir, "missing.key", NULL);
	struct conf *conf = NULL;
	struct secret *key = NULL;
	struct gw_error err;
	char want[512], big[5000], *data = NULL, *out = NULL;

	key_case(dir, "good", "ixk_goodkey123\n", 15, 0600, "ixk_goodkey123",
	    NULL);
	key_case(dir, "0400", "ixk_goodkey123", 14, 0400, "ixk_goodkey123",
	    NULL);
	key_case(dir, "comments and blank lines",
	    "# helpdesk API key\n\n  ixk_abc \r\n# end\n", 38, 0600, "ixk_abc",
	    NULL);
	key_case(dir, "not ixk_ (warned, accepted)", "tok123\n", 7, 0600,
	    "tok123", NULL);
	key_case(dir, "mode 0644", "ixk_a\n", 6, 0644, NULL,
	    " is readable by group or others (mode 0644); "
	    "chmod 600 it");
	key_case(dir, "mode 0640", "ixk_a\n", 6, 0640, NULL,
	    " is readable by group or others (mode 0640); "
	    "chmod 600 it");
	key_case(dir, "mode 0620", "ixk_a\n", 6, 0620, NULL,
	    " is writable by group or others (mode 0620); "
	    "chmod 600 it");
	key_case(dir, "mode 0601", "ixk_a\n", 6, 0601, NULL,
	    " is executable by group or others (mode 0601); "
	    "chmod 600 it");
	key_case(dir, "empty", "", 0, 0600, NULL, " holds no key");
	key_case(dir, "only comments", "# key goes here\n\n", 17, 0600, NULL,
	    " holds no key");
	key_case(dir, "key with spaces", "ixk_ab cd\n", 10, 0600, NULL,
	    ": the key contains white space at byte 7; it must "
	    "be one word of printable ASCII");
	key_case(dir, "two lines", "ixk_a\nixk_b\n", 12, 0600, NULL,
	    " holds more than one line; put only the key in it");
	memset(big, 'k', sizeof(big));
	key_case(dir, "too big", big, sizeof(big), 0600, NULL,
	    " is larger than 4096 bytes; it should hold only the "
	    "key");
	key_case(dir, "longer than SECRET_MAX", big, 2000, 0600, NULL,
	    ": the key is longer than 1024 bytes");

	/* a symbolic link to a good file */
	(void)fixture_write(path, "ixk_linked\n", 11, 0600);
	if (symlink(path, link) == 0) {
		tap_int(load_key(link, &key, &err), GW_ECONFIG,
		    "key symlink: status");
		g_snprintf(want, sizeof(want), "key file %s is a symbolic "
		    "link; set key_file to the file itself", link);
		tap_str(err.text, want, "key symlink: text");
	} else
		tap_ok(0, "symlink: %s", g_strerror(errno));
	secret_free(&key);

	/* a directory */
	(void)g_mkdir(sub, 0700);
	tap_int(load_key(sub, &key, &err), GW_ECONFIG, "key directory: status");
	g_snprintf(want, sizeof(want), "key file %s is not a regular file",
	    sub);
	tap_str(err.text, want, "key directory: text");

	/* a FIFO must not block */
	if (mkfifo(fifo, 0600) == 0) {
		tap_int(load_key(fifo, &key, &err), GW_ECONFIG,
		    "key FIFO: status");
		g_snprintf(want, sizeof(want), "key file %s is not a regular "
		    "file", fifo);
		tap_str(err.text, want, "key FIFO: text");
	}

	/* missing */
	tap_int(load_key(missing, &key, &err), GW_ECONFIG,
	    "key missing: status");
	g_snprintf(want, sizeof(want), "cannot open key file %s: No such file "
	    "or directory", missing);
	tap_str(err.text, want, "key missing: text");

	/* owned by someone else */
	if (geteuid() == 0) {
		if (chown(path, 65534, 65534) == 0) {
			tap_int(load_key(path, &key, &err), GW_ECONFIG,
			    "key wrong owner: status");
			g_snprintf(want, sizeof(want), "key file %s is owned "
			    "by %s, but mail2note runs as %s; check as the "
			    "pipe's user=: runuser -u %s -- mail2note "
			    "--check-config", path, nobody_user(), root_user(),
			    nobody_name());
			tap_str(err.text, want, "key wrong owner: text");
			if (chown(path, 0, 0) != 0)
				tap_ok(0, "chown back: %s", g_strerror(errno));
		} else
			tap_ok(0, "chown: %s", g_strerror(errno));
	} else
		tap_ok(1, "key wrong owner # skip not running as root");

	/* through a config, and what --check-config prints about it */
	data = g_strdup_printf(BASE "key_file = %s\n", path);
	if (conf_load_data(data, strlen(data), NAME, &conf, &err) == GW_OK &&
	    tap_int(keyfile_load_api_key(conf, &key, &err), GW_OK,
	    "key via config: status")) {
		tap_str(secret_value(key), "ixk_linked", "key via config: value");
		out = print_key(conf, key);
		g_snprintf(want, sizeof(want), "# key: ixk_\xe2\x80\xa6(10 chars) "
		    "loaded from %s\n", path);
		tap_str(out, want, "keyfile_print_api_key: describes, never "
		    "shows");
		tap_ok(strstr(out, "linked") == NULL,
		    "keyfile_print_api_key: no key");
	} else
		printf("#   error: %s\n", err.text);
	free(out);
	secret_free(&key);
	conf_free(&conf);
	g_free(data);

	(void)g_remove(path);
	(void)g_remove(link);
	(void)g_remove(fifo);
	(void)g_rmdir(sub);
	g_free(path);
	g_free(link);
	g_free(sub);
	g_free(fifo);
	g_free(missing);
}

/*
 * test_paths - conf's files under the path rule (test_safefile.c has the
 * rule itself): the config, ca_file and the key file
 */
static void
test_paths(const char *dir)
{
	char *base = g_build_filename(dir, "paths", NULL);
	char *safe, *safe_conf, *ww, *ww_conf, *ca, *key, *data;
	struct secret *secret = NULL;
	struct conf *conf = NULL;
	struct gw_error err;
	char want[1024];

	if (g_mkdir(base, 0755) != 0 || chmod(base, 0755) != 0) {
		tap_ok(0, "mkdir %s: %s", base, g_strerror(errno));
		g_free(base);
		return;
	}
	safe = fixture_mk(base, "safe", NULL, 0755);
	safe_conf = fixture_mk(base, "safe/c.conf", BASE, 0644);
	ww = fixture_mk(base, "ww", NULL, 0777);
	ww_conf = fixture_mk(base, "ww/c.conf", BASE, 0644);
	ca = fixture_mk(base, "safe/ca.pem", BASE, 0666);

	tap_int(conf_load(safe_conf, &conf, &err), GW_OK,
	    "path a safe tree: conf_load");
	conf_free(&conf);

	g_snprintf(want, sizeof(want), "config %s: directory %s is writable "
	    "by group or others (mode 0777); run chmod go-w %s, since whoever "
	    "can write it can redirect the API key", ww_conf, ww, ww);
	tap_int(conf_load(ww_conf, &conf, &err), GW_ECONFIG,
	    "path world-writable parent: conf_load status");
	fixture_err(err.text, want,
	    "path world-writable parent: conf_load text");

	/* ca_file: whoever can change it can impersonate the helpdesk */
	data = g_strdup_printf(BASE "ca_file = %s\n", ca);
	tap_int(conf_load_data(data, strlen(data), NAME, &conf, &err),
	    GW_ECONFIG, "path world-writable ca_file: status");
	g_snprintf(want, sizeof(want), "ca_file %s is writable by group or "
	    "others (mode 0666); run chmod go-w %s, since whoever can write "
	    "it can redirect the API key", ca, ca);
	fixture_err(err.text, want, "path world-writable ca_file: text");
	g_free(data);
	(void)chmod(ca, 0644);
	data = g_strdup_printf(BASE "ca_file = %s\n", ca);
	if (!tap_int(conf_load_data(data, strlen(data), NAME, &conf, &err),
	    GW_OK, "path ca_file 0644: loads"))
		printf("#   error: %s\n", err.text);
	conf_free(&conf);
	g_free(data);

	/* the API key file in an unsafe directory */
	key = g_build_filename(ww, "api.key", NULL);
	(void)fixture_write(key, "ixk_k\n", 6, 0600);
	tap_int(load_key(key, &secret, &err), GW_ECONFIG,
	    "path key file in a world-writable directory: status");
	g_snprintf(want, sizeof(want), "key file %s: directory %s is writable "
	    "by group or others (mode 0777); run chmod go-w %s, since whoever "
	    "can write it can replace the API key", key, ww, ww);
	fixture_err(err.text, want,
	    "path key file in a world-writable directory: text");
	tap_ok(secret == NULL, "path key file: no key");
	secret_free(&secret);

	g_free(base);
	g_free(safe);
	g_free(safe_conf);
	g_free(ww);
	g_free(ww_conf);
	g_free(ca);
	g_free(key);
}

#define HEX1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX2 "FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210"

/* address_print - keyfile_print_address_keys() as a string */
static char *
address_print(const struct conf *conf, const struct secret_keyring *keys)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (fp == NULL)
		return g_strdup("");
	keyfile_print_address_keys(conf, keys, fp);
	fclose(fp);
	return buf;
}

/* address_case - one address key file: mode, contents, result */
static void
address_case(const char *dir, const char *name, const char *data,
    mode_t mode, size_t want_count, const char *want_tail)
{
	char *path = g_build_filename(dir, "address.keys", NULL);
	struct secret_keyring *keys = NULL;
	struct conf conf = { 0 };
	struct gw_error err;
	char want[512], tname[256], *out;
	enum gw_status st;

	(void)g_remove(path);
	if (fixture_write(path, data, strlen(data), mode) != 0) {
		tap_ok(0, "address keys %s: write: %s", name,
		    g_strerror(errno));
		goto out;
	}
	conf.address_key_file = path;
	gw_error_clear(&err);
	st = keyfile_load_address_keys(&conf, &keys, &err);
	g_snprintf(tname, sizeof(tname), "address keys %s: status", name);
	if (want_tail == NULL) {
		if (!tap_int(st, GW_OK, tname))
			printf("#   error: %s\n", err.text);
		g_snprintf(tname, sizeof(tname), "address keys %s: count",
		    name);
		tap_int((long long)secret_keyring_count(keys),
		    (long long)want_count, tname);
		out = address_print(&conf, keys);
		g_snprintf(want, sizeof(want), "# address keys: %zu loaded "
		    "from %s\n", want_count, path);
		g_snprintf(tname, sizeof(tname), "address keys %s: printed",
		    name);
		tap_str(out, want, tname);
		tap_ok(strstr(out, "0123456789") == NULL &&
		    strstr(out, "FEDCBA") == NULL,
		    "address keys %s: no key printed", name);
		free(out);
	} else {
		tap_int(st, GW_ECONFIG, tname);
		g_snprintf(want, sizeof(want), "address key file %s%s", path,
		    want_tail);
		g_snprintf(tname, sizeof(tname), "address keys %s: text",
		    name);
		tap_str(err.text, want, tname);
		tap_ok(keys == NULL, "address keys %s: none", name);
		tap_ok(strstr(err.text, "0123456789") == NULL,
		    "address keys %s: no key in the text", name);
	}
out:
	secret_keyring_free(&keys);
	(void)g_remove(path);
	g_free(path);
}

/* test_address_keys - [ticket] address_key_file */
static void
test_address_keys(const char *dir)
{
	char *path = g_build_filename(dir, "address.keys", NULL);
	char *link = g_build_filename(dir, "address-link.keys", NULL);
	char *ww = g_build_filename(dir, "ww-keys", NULL);
	char *ww_path = g_build_filename(ww, "address.keys", NULL);
	struct secret_keyring *keys = NULL;
	struct conf *conf = NULL;
	struct gw_error err;
	char want[1024], *out, *data;

	/* not configured: no keys, no error */
	if (conf_load_data(BASE, strlen(BASE), NAME, &conf, &err) == GW_OK) {
		tap_int(keyfile_load_address_keys(conf, &keys, &err), GW_OK,
		    "address keys not configured: status");
		tap_ok(keys == NULL, "address keys not configured: NULL");
		out = address_print(conf, keys);
		tap_str(out, "# address keys: none (ticket addresses are not "
		    "signed)\n", "address keys not configured: printed");
		free(out);
	} else
		tap_ok(0, "load: %s", err.text);
	conf_free(&conf);

	address_case(dir, "one key", HEX1 "\n", 0600, 1, NULL);
	address_case(dir, "two keys, comments, 0400",
	    "# new key, signs\n" HEX2 "\n\n# old key, verifies\n  " HEX1
	    "  \n", 0400, 2, NULL);
	address_case(dir, "mode 0640", HEX1 "\n", 0640, 0,
	    " is readable by group or others (mode 0640); chmod 600 it");
	address_case(dir, "mode 0620", HEX1 "\n", 0620, 0,
	    " is writable by group or others (mode 0620); chmod 600 it");
	address_case(dir, "empty", "", 0600, 0,
	    " holds no key (one line of 64 hex digits each)");
	address_case(dir, "a short key", "0123456789\n", 0600, 0,
	    " line 1: a key is 64 hex digits, not 10");

	/* a symbolic link */
	(void)fixture_write(path, HEX1 "\n", strlen(HEX1) + 1, 0600);
	if (symlink(path, link) == 0) {
		conf = g_new0(struct conf, 1);
		conf->address_key_file = g_strdup(link);
		tap_int(keyfile_load_address_keys(conf, &keys, &err), GW_ECONFIG,
		    "address keys symlink: status");
		g_snprintf(want, sizeof(want), "address key file %s is a "
		    "symbolic link; set address_key_file to the file itself",
		    link);
		tap_str(err.text, want, "address keys symlink: text");
		conf_free(&conf);
	} else
		tap_ok(0, "symlink: %s", g_strerror(errno));

	/* owned by someone else */
	if (geteuid() == 0 && chown(path, 65534, 65534) == 0) {
		conf = g_new0(struct conf, 1);
		conf->address_key_file = g_strdup(path);
		tap_int(keyfile_load_address_keys(conf, &keys, &err), GW_ECONFIG,
		    "address keys wrong owner: status");
		g_snprintf(want, sizeof(want), "address key file %s is owned "
		    "by %s, but mail2note runs as %s; check as the pipe's "
		    "user=: runuser -u %s -- mail2note --check-config", path,
		    nobody_user(), root_user(), nobody_name());
		tap_str(err.text, want, "address keys wrong owner: text");
		conf_free(&conf);
	} else
		tap_ok(1, "address keys wrong owner # skip not root");

	/* in a directory others can write */
	if (g_mkdir(ww, 0700) == 0 && chmod(ww, 0777) == 0 &&
	    fixture_write(ww_path, HEX1 "\n", strlen(HEX1) + 1, 0600) == 0) {
		conf = g_new0(struct conf, 1);
		conf->address_key_file = g_strdup(ww_path);
		tap_int(keyfile_load_address_keys(conf, &keys, &err), GW_ECONFIG,
		    "address keys in a world-writable directory: status");
		g_snprintf(want, sizeof(want), "address key file %s: "
		    "directory %s is writable by group or others (mode 0777); "
		    "run chmod go-w %s, since whoever can write it can forge "
		    "signed ticket addresses", ww_path, ww, ww);
		fixture_err(err.text, want,
		    "address keys in a world-writable directory: text");
		conf_free(&conf);
	} else
		tap_ok(0, "world-writable directory: %s", g_strerror(errno));

	/* through a config */
	if (chown(path, geteuid(), getegid()) != 0)
		tap_ok(0, "chown back: %s", g_strerror(errno));
	data = g_strdup_printf(BASE "[ticket]\naddress_key_file = %s\n"
	    "require_signature = true\n", path);
	if (conf_load_data(data, strlen(data), NAME, &conf, &err) == GW_OK &&
	    tap_int(keyfile_load_address_keys(conf, &keys, &err), GW_OK,
	    "address keys via config: status"))
		tap_int((long long)secret_keyring_count(keys), 1,
		    "address keys via config: count");
	else
		printf("#   error: %s\n", err.text);
	secret_keyring_free(&keys);
	conf_free(&conf);
	g_free(data);

	g_free(path);
	g_free(link);
	g_free(ww);
	g_free(ww_path);
}

int
main(void)
{
	struct gw_error err;
	char *dir;

	if (secret_init(NULL, 0, &err) != GW_OK) {
		tap_ok(0, "secret_init: %s", err.text);
		return tap_done();
	}
	/* Short: a path error names the paths two or three times. */
	if ((dir = fixture_tmpdir("k")) == NULL)
		return tap_done();
	test_keys(dir);
	test_paths(dir);
	test_address_keys(dir);
	return fixture_finish(dir);
}
