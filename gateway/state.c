/*
 * state.c - the state directory: delivery journal, API pause, circuit
 * breaker.
 *
 * Maildir style, no database: every record is one small file written
 * in tmp/, fsync'd and renamed into place, so concurrent processes and
 * kill -9 see either the old file or the new one.  What must be shared
 * and counted (the breaker) changes under flock(2) on one lock file;
 * flock locks die with their process, so a killed run never leaves a
 * lock behind.  Nothing here is worth a deferral by itself except the
 * journal write before a POST: without it, a crash could post twice
 * unnoticed.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "log.h"
#include "safefile.h"
#include "state.h"

#define STATE_KEY_MAX 128		/* hex characters in a record name */
#define STATE_EXPIRE_EVERY 3600		/* seconds between expiry scans */
#define STATE_TMP_AGE 3600		/* a tmp/ file this old is debris */
#define STATE_FILE_MAX 256		/* bytes read of a state file */

struct state {
	char *dir;
	int journal_days;
	int mail_fd;		/* inflight/<key>, flock'd; -1 */
	int probe_fd;		/* probe, flock'd while we probe; -1 */
};

/* state_path - dir/name, new string */
static char *
state_path(const struct state *st, const char *name)
{
	return g_build_filename(st->dir, name, NULL);
}

/* state_key_ok - a record name: 1..STATE_KEY_MAX lowercase hex digits */
static bool
state_key_ok(const char *key)
{
	size_t n;

	for (n = 0; key[n] != '\0'; n++)
		if (!g_ascii_isxdigit(key[n]) || g_ascii_isupper(key[n]))
			return false;
	return n > 0 && n <= STATE_KEY_MAX;
}

/* state_read - up to size-1 bytes of dir/name, NUL-terminated; -1 */
static int
state_read(const struct state *st, const char *name, char *buf, size_t size)
{
	char *path = state_path(st, name);
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	g_free(path);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	(void)close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * state_write - replace dir/name with text atomically: tmp/ file, fsync
 * when sync, rename; then fsync the directory when sync.  -1 with errno.
 */
static int
state_write(const struct state *st, const char *name, const char *text,
    bool sync)
{
	char *tmp, *path, *dname;
	size_t len = strlen(text);
	int fd, dfd, saved, rc = -1;

	tmp = g_strdup_printf("%s/tmp/%ld.%08x", st->dir, (long)getpid(),
	    g_random_int());
	path = state_path(st, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		goto out;
	if (write(fd, text, len) != (ssize_t)len || (sync && fsync(fd) != 0)) {
		saved = errno;
		(void)close(fd);
		(void)unlink(tmp);
		errno = saved;
		goto out;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		saved = errno;
		(void)unlink(tmp);
		errno = saved;
		goto out;
	}
	rc = 0;
	if (sync) {
		dname = g_path_get_dirname(path);
		dfd = open(dname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		g_free(dname);
		if (dfd >= 0) {
			if (fsync(dfd) != 0)
				rc = -1;
			(void)close(dfd);
		}
	}
out:
	g_free(tmp);
	g_free(path);
	return rc;
}

/* state_lock_file - open dir/name (created 0600) and flock it; -1 */
static int
state_lock_file(const struct state *st, const char *name, int how)
{
	char *path = state_path(st, name);
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	g_free(path);
	if (fd < 0)
		return -1;
	while (flock(fd, how) != 0) {
		if (errno == EINTR)
			continue;
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* state_unlock - release and close *fd; NULL-safe on -1 */
static void
state_unlock(int *fd)
{
	if (*fd < 0)
		return;
	(void)flock(*fd, LOCK_UN);
	(void)close(*fd);
	*fd = -1;
}

/* state_hms - "HH:MM:SS" UTC of t */
static void
state_hms(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%H:%M:%S",
	    &tm) == 0)
		g_strlcpy(buf, "??:??:??", size);
}

/* state_expire_dir - remove the plain files in dir/sub older than cutoff */
static void
state_expire_dir(const struct state *st, const char *sub, time_t cutoff)
{
	char *path = state_path(st, sub), *f;
	struct dirent *de;
	struct stat sb;
	DIR *d;

	d = opendir(path);
	if (d == NULL)
		goto out;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		f = g_build_filename(path, de->d_name, NULL);
		if (lstat(f, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    sb.st_mtime < cutoff)
			(void)unlink(f);
		g_free(f);
	}
	(void)closedir(d);
out:
	g_free(path);
}

/*
 * state_expire - at most once an hour (expire.stamp's mtime, and only
 * the process that gets its lock): drop journal and inflight files older
 * than journal_days, and tmp/ debris older than an hour.  A mail still
 * queued after journal_days (Postfix gives up after 5 days) would be
 * posted again; that is the bound on the journal's size.
 */
static void
state_expire(struct state *st, time_t now)
{
	char *path = state_path(st, "expire.stamp");
	struct stat sb;
	int fd = -1;

	if (stat(path, &sb) == 0 && now - sb.st_mtime < STATE_EXPIRE_EVERY &&
	    sb.st_mtime <= now)
		goto out;
	fd = state_lock_file(st, "expire.stamp", LOCK_EX | LOCK_NB);
	if (fd < 0)
		goto out;
	(void)futimens(fd, NULL);
	state_expire_dir(st, "journal", now - (time_t)st->journal_days *
	    86400);
	state_expire_dir(st, "inflight", now - (time_t)st->journal_days *
	    86400);
	state_expire_dir(st, "tmp", now - STATE_TMP_AGE);
out:
	state_unlock(&fd);
	g_free(path);
}

/* state_open - check or create state_dir, make its subdirectories */
enum gw_status
state_open(const char *dir, int journal_days, struct state **st_r,
    struct gw_error *err)
{
	static const char *const subs[] = { "tmp", "journal", "inflight" };
	struct state *st;
	char *sub;
	enum gw_status status;
	size_t i;

	*st_r = NULL;
	status = safefile_private_dir(dir, "state_dir", err);
	if (status != GW_OK)
		return status;

	st = g_new0(struct state, 1);
	st->dir = g_strdup(dir);
	st->journal_days = journal_days > 0 ? journal_days : 14;
	st->mail_fd = st->probe_fd = -1;
	for (i = 0; i < G_N_ELEMENTS(subs); i++) {
		sub = state_path(st, subs[i]);
		if (mkdir(sub, 0700) != 0 && errno != EEXIST) {
			status = gw_error_set(err, GW_ECONFIG, "cannot create "
			    "%s: %s", sub, g_strerror(errno));
			g_free(sub);
			state_close(&st);
			return status;
		}
		g_free(sub);
	}
	state_expire(st, time(NULL));
	*st_r = st;
	return GW_OK;
}

/* state_close - release locks and free */
void
state_close(struct state **st_r)
{
	struct state *st;

	if (st_r == NULL || *st_r == NULL)
		return;
	st = *st_r;
	state_unlock(&st->mail_fd);
	state_unlock(&st->probe_fd);
	g_free(st->dir);
	g_free(st);
	*st_r = NULL;
}

/* state_record_name - the word written in a record */
const char *
state_record_name(enum state_record rec)
{
	switch (rec) {
	case STATE_POSTED:
		return "posted";
	case STATE_AMBIGUOUS:
		return "ambiguous";
	case STATE_ATTEMPT:
		return "attempt";
	case STATE_NONE:
		break;
	}
	return "none";
}

/* state_lookup - what the journal says about key */
enum state_record
state_lookup(const struct state *st, const char *key)
{
	char buf[STATE_FILE_MAX], *name;
	enum state_record rec = STATE_NONE;
	int rc;

	if (!state_key_ok(key))
		return STATE_NONE;
	name = g_strconcat("journal/", key, NULL);
	rc = state_read(st, name, buf, sizeof(buf));
	g_free(name);
	if (rc != 0)
		return STATE_NONE;
	if (g_str_has_prefix(buf, "posted"))
		rec = STATE_POSTED;
	else if (g_str_has_prefix(buf, "ambiguous"))
		rec = STATE_AMBIGUOUS;
	else
		/* An attempt, or anything unreadable: the API may have it. */
		rec = STATE_ATTEMPT;
	return rec;
}

/* state_record - write (or remove) the journal record for key */
enum gw_status
state_record(struct state *st, const char *key, enum state_record rec,
    struct gw_error *err)
{
	char *name, *text, *path;
	enum gw_status status = GW_OK;

	if (!state_key_ok(key))
		return gw_error_set(err, GW_ESOFTWARE, "malformed journal key");
	/* "posted" is final: a late writer must not turn it back. */
	if (rec != STATE_POSTED && state_lookup(st, key) == STATE_POSTED)
		return GW_OK;
	name = g_strconcat("journal/", key, NULL);
	if (rec == STATE_NONE) {
		path = state_path(st, name);
		if (unlink(path) != 0 && errno != ENOENT)
			status = gw_error_set(err, GW_ETEMP, "cannot remove "
			    "journal record %s: %s", path, g_strerror(errno));
		g_free(path);
		g_free(name);
		return status;
	}
	text = g_strdup_printf("%s %" PRId64 "\n", state_record_name(rec),
	    (int64_t)time(NULL));
	if (state_write(st, name, text, true) != 0)
		status = gw_error_set(err, GW_ETEMP, "cannot write journal "
		    "record in %s: %s", st->dir, g_strerror(errno));
	g_free(text);
	g_free(name);
	return status;
}

/* state_mail_lock - one process at a time per mail */
enum gw_status
state_mail_lock(struct state *st, const char *key, int wait_ms,
    struct gw_error *err)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)wait_ms * 1000;
	char *name;
	int fd;

	if (!state_key_ok(key))
		return gw_error_set(err, GW_ESOFTWARE, "malformed journal key");
	name = g_strconcat("inflight/", key, NULL);
	for (;;) {
		fd = state_lock_file(st, name, LOCK_EX | LOCK_NB);
		if (fd >= 0 || errno != EWOULDBLOCK ||
		    g_get_monotonic_time() >= deadline)
			break;
		g_usleep(20 * 1000);
	}
	g_free(name);
	if (fd < 0)
		return gw_error_set(err, GW_ETEMP, errno == EWOULDBLOCK ?
		    "another mail2note process is delivering this mail" :
		    "cannot lock in state_dir %s: %s", st->dir,
		    g_strerror(errno));
	state_unlock(&st->mail_fd);
	st->mail_fd = fd;
	return GW_OK;
}

/* The breaker's file: consecutive failures, open until, last pause. */
struct state_breaker {
	long failures;
	int64_t open_until;
	long backoff;
};

/* state_breaker_read - the breaker file, zeros when absent or garbled */
static void
state_breaker_read(const struct state *st, struct state_breaker *b)
{
	char buf[STATE_FILE_MAX];

	memset(b, 0, sizeof(*b));
	if (state_read(st, "breaker", buf, sizeof(buf)) != 0 ||
	    sscanf(buf, "%ld %" SCNd64 " %ld", &b->failures, &b->open_until,
	    &b->backoff) != 3 || b->failures < 0 || b->backoff < 0)
		memset(b, 0, sizeof(*b));
}

/* state_pause_until - the pause file's time, 0 when none */
static int64_t
state_pause_until(const struct state *st)
{
	char buf[STATE_FILE_MAX];
	int64_t until = 0;

	if (state_read(st, "pause", buf, sizeof(buf)) != 0 ||
	    sscanf(buf, "paused until %" SCNd64, &until) != 1)
		return 0;
	return until;
}

/* state_gate - pause, then the breaker; maybe become the probe */
enum gw_status
state_gate(struct state *st, time_t now, struct gw_error *err)
{
	struct state_breaker b;
	int64_t until;
	char hms[16];

	until = state_pause_until(st);
	/* A pause beyond the cap is a clock jump or a forged file. */
	if (until > now && until - now <= STATE_PAUSE_MAX) {
		state_hms((time_t)until, hms, sizeof(hms));
		return gw_error_set(err, GW_ERATELIMIT, "API rate-limited "
		    "until %s UTC", hms);
	}
	state_breaker_read(st, &b);
	if (b.failures < STATE_BREAKER_FAILURES)
		return GW_OK;
	if (b.open_until > now && b.open_until - now <= STATE_BREAKER_MAX)
		goto open;
	/* Half-open: one probe at a time; the others defer. */
	if (st->probe_fd < 0)
		st->probe_fd = state_lock_file(st, "probe", LOCK_EX | LOCK_NB);
	if (st->probe_fd < 0)
		return gw_error_set(err, GW_ENETWORK, "API unavailable, circuit "
		    "half-open: another process is probing it");
	/* The last probe may have finished while we waited for its lock. */
	state_breaker_read(st, &b);
	if (b.failures < STATE_BREAKER_FAILURES) {
		state_unlock(&st->probe_fd);
		return GW_OK;
	}
	if (b.open_until > now && b.open_until - now <= STATE_BREAKER_MAX) {
		state_unlock(&st->probe_fd);
		goto open;
	}
	log_info("circuit half-open: this delivery probes the API");
	return GW_OK;
open:
	state_hms((time_t)b.open_until, hms, sizeof(hms));
	return gw_error_set(err, GW_ENETWORK, "API unavailable, circuit open "
	    "until %s UTC", hms);
}

/* state_pause - the API said 429: nobody asks again before the time */
void
state_pause(struct state *st, time_t now, long seconds)
{
	char *text;

	if (seconds < 0)
		seconds = STATE_PAUSE_DEFAULT;
	if (seconds > STATE_PAUSE_MAX)
		seconds = STATE_PAUSE_MAX;
	text = g_strdup_printf("paused until %" PRId64 "\n", (int64_t)now +
	    seconds);
	if (state_write(st, "pause", text, false) != 0)
		log_warn("cannot record the API pause in %s: %s", st->dir,
		    g_strerror(errno));
	g_free(text);
}

/* state_report - count the outcome; open or close the breaker */
void
state_report(struct state *st, enum state_event ev, time_t now)
{
	struct state_breaker b;
	char *text;
	int fd;

	if (ev == STATE_EV_NEUTRAL)
		goto out;
	state_breaker_read(st, &b);
	/* The common case, a success with nothing counted, takes no lock. */
	if (ev == STATE_EV_SUCCESS && b.failures == 0 && st->probe_fd < 0)
		goto out;
	fd = state_lock_file(st, "lock", LOCK_EX);
	if (fd < 0) {
		log_warn("cannot lock %s/lock: %s", st->dir, g_strerror(errno));
		goto out;
	}
	state_breaker_read(st, &b);
	if (ev == STATE_EV_SUCCESS) {
		if (b.failures >= STATE_BREAKER_FAILURES)
			log_info("circuit closed: the API answered");
		memset(&b, 0, sizeof(b));
	} else {
		b.failures++;
		/* The 5th failure in a row, or a failed probe: (re)open. */
		if (b.failures >= STATE_BREAKER_FAILURES && now >= b.open_until) {
			b.backoff = b.backoff == 0 ? STATE_BREAKER_FIRST :
			    MIN(b.backoff * 2, STATE_BREAKER_MAX);
			b.open_until = (int64_t)now + b.backoff;
			log_warn("circuit open for %lds after %ld consecutive "
			    "API failures", b.backoff, b.failures);
		}
	}
	text = g_strdup_printf("%ld %" PRId64 " %ld\n", b.failures,
	    b.open_until, b.backoff);
	if (state_write(st, "breaker", text, false) != 0)
		log_warn("cannot update %s/breaker: %s", st->dir,
		    g_strerror(errno));
	g_free(text);
	state_unlock(&fd);
out:
	state_unlock(&st->probe_fd);
}
