/*
 * test_quarantine.c - the quarantine: store (byte for byte, sidecar
 * round trip), the size bound (not kept, nothing left behind), load,
 * update, list, purge by age, ids that could escape the directory, and
 * 20 processes storing at once.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "tap.h"
#include "fixture.h"
#include "quarantine.h"
#include "spool.h"

static const char mail[] = "From: a@b\r\nSubject: \xff odd\r\n\r\nbody\r\n";

/* spool_of - a spool holding data (a regular file) */
static void
spool_of(const char *data, size_t len, struct spool *sp)
{
	struct gw_error err;
	int fd = spool_tmpfile();

	if (write(fd, data, len) != (ssize_t)len)
		tap_ok(0, "write the mail");
	(void)lseek(fd, 0, SEEK_SET);
	(void)spool_input(fd, 1 << 20, 10, sp, &err);
	(void)close(fd);
}

/* meta_of - a sidecar to store */
static void
meta_of(struct quarantine_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->queue_id = g_strdup("4XyZ1");
	m->sender = g_strdup("");
	m->recipient = g_strdup("support@h.example");
	m->message_id = g_strdup("id\"with\\quotes@x");
	m->outcome = g_strdup("bounced");
	m->dsn = g_strdup("5.1.1");
	m->reason = g_strdup("no ticket ID; \"quoted\"\nsecond line");
}

/* count - the .json files in dir */
static int
count(const char *dir, const char *suffix)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	int n = 0;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL)
		n += g_str_has_suffix(name, suffix);
	if (d != NULL)
		g_dir_close(d);
	return n;
}

static void
test_store(const char *base)
{
	struct quarantine *q = NULL;
	struct quarantine_meta m, back;
	struct spool sp;
	struct gw_error err;
	struct stat sb;
	char *dir = g_build_filename(base, "q", NULL), *path, *data = NULL;
	gsize len = 0;
	bool kept = false;
	int fd;

	tap_int(quarantine_open(dir, 1 << 20, &q, &err), GW_OK, "open creates");
	tap_ok(stat(dir, &sb) == 0 && (sb.st_mode & 07777) == 0700,
	    "created 0700");
	spool_of(mail, sizeof(mail) - 1, &sp);
	meta_of(&m);
	tap_int(quarantine_store(q, &sp, &m, &kept, &err), GW_OK, "stored");
	tap_ok(kept, "kept");
	tap_ok(quarantine_id_valid(m.id), "a valid id: %s", m.id);
	tap_int(m.size, sizeof(mail) - 1, "size filled in");
	path = g_strdup_printf("%s/%s.eml", dir, m.id);
	tap_ok(g_file_get_contents(path, &data, &len, NULL) &&
	    len == sizeof(mail) - 1 && memcmp(data, mail, len) == 0,
	    "the .eml is the mail byte for byte");
	tap_ok(stat(path, &sb) == 0 && (sb.st_mode & 07777) == 0600,
	    ".eml 0600");
	g_free(data);
	g_free(path);
	path = g_strdup_printf("%s/%s.json", dir, m.id);
	tap_ok(stat(path, &sb) == 0 && (sb.st_mode & 07777) == 0600,
	    ".json 0600");
	g_free(path);

	tap_int(quarantine_load(q, m.id, &back, &fd, &err), GW_OK, "loaded");
	tap_str(back.sender, "", "null sender stays \"\"");
	tap_ok(back.extension == NULL && back.ticket == NULL,
	    "unknown stays NULL");
	tap_str(back.message_id, m.message_id, "Message-ID round trip");
	tap_str(back.reason, m.reason, "reason round trip (quotes, newline)");
	tap_str(back.dsn, "5.1.1", "DSN");
	tap_int(back.time, m.time, "time");
	tap_ok(fd >= 0, "the .eml is opened");
	(void)close(fd);
	back.replays = 2;
	tap_int(quarantine_update(q, &back, &err), GW_OK, "update");
	quarantine_meta_clear(&back);
	(void)quarantine_load(q, m.id, &back, NULL, &err);
	tap_int(back.replays, 2, "the update is read back");
	quarantine_meta_clear(&back);

	tap_int(quarantine_load(q, "../../etc/passwd", &back, &fd, &err),
	    GW_ECONFIG, "a path is no id");
	tap_int(quarantine_load(q, "20261201-000000-abcdeg", &back, &fd, &err),
	    GW_ECONFIG, "a non-hex id");
	tap_int(quarantine_load(q, "20261201-000000-abcdef", &back, &fd, &err),
	    GW_ECONFIG, "an unknown id");
	tap_ok(strstr(err.text, "no quarantined mail") != NULL, "says so: %s",
	    err.text);
	tap_int(quarantine_remove(q, m.id, &err), GW_OK, "removed");
	tap_int(count(dir, ".eml") + count(dir, ".json"), 0, "nothing left");
	quarantine_meta_clear(&m);
	spool_close(&sp);
	quarantine_close(&q);
	g_free(dir);
}

static void
test_full_and_purge(const char *base)
{
	struct quarantine *q = NULL;
	struct quarantine_meta m;
	struct spool sp;
	struct gw_error err;
	char *dir = g_build_filename(base, "full", NULL);
	char *listing = NULL;
	size_t llen = 0;
	uint64_t bytes;
	unsigned n;
	bool kept = true;
	FILE *fp;

	(void)quarantine_open(dir, 2 * (sizeof(mail) - 1) - 1, &q, &err);
	spool_of(mail, sizeof(mail) - 1, &sp);
	meta_of(&m);
	tap_int(quarantine_store(q, &sp, &m, &kept, &err), GW_OK, "first fits");
	tap_ok(kept, "... kept");
	quarantine_meta_clear(&m);
	meta_of(&m);
	tap_int(quarantine_store(q, &sp, &m, &kept, &err), GW_OK,
	    "second does not fit: no error");
	tap_ok(!kept, "... not kept");
	tap_int(count(dir, ".eml"), 1, "... nothing of it left");
	tap_int(count(dir, ""), 2, "... no file but the first mail's two");
	quarantine_meta_clear(&m);

	fp = open_memstream(&listing, &llen);
	tap_int(quarantine_list(q, time(NULL) + 7200, fp, &err), GW_OK, "list");
	(void)fclose(fp);
	tap_ok(g_regex_match_simple("^\\d{8}-\\d{6}-[0-9a-f]{6} 2h <> - 5\\.1\\.1 "
	    "no ticket ID; \"quoted\" second line\n# 1 mail, 35 bytes, in ",
	    listing, 0, 0), "one line, no newline from the reason: %s",
	    listing);
	free(listing);

	tap_int(quarantine_purge(q, time(NULL), 1, &n, &bytes, &err), GW_OK,
	    "purge 1 day");
	tap_int(n, 0, "... a new mail stays");
	tap_int(quarantine_purge(q, time(NULL) + 86400, 1, &n, &bytes, &err),
	    GW_OK, "a day later");
	tap_int(n, 1, "... it goes");
	tap_int(bytes, sizeof(mail) - 1, "... its bytes counted");
	spool_close(&sp);
	quarantine_close(&q);
	g_free(dir);
}

/* test_concurrent - 20 processes store at once: 20 mails */
static void
test_concurrent(const char *base)
{
	struct quarantine *q = NULL;
	struct quarantine_meta m;
	struct spool sp;
	struct gw_error err;
	char *dir = g_build_filename(base, "conc", NULL);
	pid_t pids[20];
	bool kept;
	int i, status, bad = 0;

	(void)quarantine_open(dir, 1 << 20, &q, &err);
	for (i = 0; i < 20; i++) {
		if ((pids[i] = fork()) == 0) {
			spool_of(mail, sizeof(mail) - 1, &sp);
			meta_of(&m);
			_exit(quarantine_store(q, &sp, &m, &kept, &err) ==
			    GW_OK && kept ? 0 : 1);
		}
	}
	for (i = 0; i < 20; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
	tap_int(bad, 0, "20 concurrent stores succeed");
	tap_int(count(dir, ".json"), 20, "20 sidecars");
	tap_int(count(dir, ".eml"), 20, "20 mails");
	quarantine_close(&q);
	g_free(dir);
}

int
main(void)
{
	char *dir;

	if ((dir = fixture_tmpdir("qu")) == NULL)
		return tap_done();
	test_store(dir);
	test_full_and_purge(dir);
	test_concurrent(dir);
	fixture_remove(dir);
	g_free(dir);
	return tap_done();
}
