/*
 * quarantine.c - keep the mails the helpdesk did not get, and give them
 * back (see quarantine.h for the layout and the guarantees).
 *
 * A mail goes in as the MTA handed it over: copied from the spool (and,
 * for a mail over the size cap, from the rest of stdin) into <id>.eml,
 * created O_EXCL (which reserves the id) and fsync'd; then the sidecar
 * <id>.json is written durably.  Either step failing removes what was
 * written and returns GW_ETEMP, so that the caller defers instead of
 * bouncing a mail that nobody would then have.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <json.h>

#include "quarantine.h"
#include "safefile.h"
#include "spool.h"

#define QUARANTINE_SIDECAR_MAX (64 * 1024)

struct quarantine {
	char *dir;
	uint64_t max_size;
};

/* quarantine_path - dir/id.ext, new */
static char *
quarantine_path(const struct quarantine *q, const char *id, const char *ext)
{
	return g_strdup_printf("%s/%s.%s", q->dir, id, ext);
}

/* quarantine_open - check and prepare the directory */
enum gw_status
quarantine_open(const char *dir, uint64_t max_size, struct quarantine **q_r,
    struct gw_error *err)
{
	struct quarantine *q;
	enum gw_status status;

	*q_r = NULL;
	status = safefile_private_dir(dir, "quarantine_dir", err);
	if (status != GW_OK)
		return status;
	q = g_new0(struct quarantine, 1);
	q->dir = g_strdup(dir);
	q->max_size = max_size;
	*q_r = q;
	return GW_OK;
}

/* quarantine_close - free */
void
quarantine_close(struct quarantine **q_r)
{
	if (q_r == NULL || *q_r == NULL)
		return;
	g_free((*q_r)->dir);
	g_free(*q_r);
	*q_r = NULL;
}

/* quarantine_meta_clear - free the strings, zero the rest */
void
quarantine_meta_clear(struct quarantine_meta *meta)
{
	g_free(meta->queue_id);
	g_free(meta->sender);
	g_free(meta->recipient);
	g_free(meta->extension);
	g_free(meta->message_id);
	g_free(meta->ticket);
	g_free(meta->outcome);
	g_free(meta->dsn);
	g_free(meta->reason);
	memset(meta, 0, sizeof(*meta));
}

/* quarantine_id_valid - YYYYMMDD-HHMMSS-xxxxxx */
bool
quarantine_id_valid(const char *id)
{
	size_t i;

	if (id == NULL || strlen(id) != QUARANTINE_ID_LEN)
		return false;
	for (i = 0; i < QUARANTINE_ID_LEN; i++) {
		if (i == 8 || i == 15) {
			if (id[i] != '-')
				return false;
		} else if (i > 15 ? !g_ascii_isxdigit(id[i]) ||
		    g_ascii_isupper(id[i]) : !g_ascii_isdigit(id[i]))
			return false;
	}
	return true;
}

/*
 * quarantine_new_id - a fresh id for now.  Unique, not secret: GLib's
 * generator (seeded per process from /dev/urandom) mixed with the pid, so
 * that forked twins differ too; a clash is caught by O_EXCL anyway.
 */
static void
quarantine_new_id(time_t now, char id[QUARANTINE_ID_LEN + 1])
{
	struct tm tm;
	guint32 r = g_random_int() ^ ((guint32)getpid() * 2654435761u);

	(void)gmtime_r(&now, &tm);
	(void)strftime(id, QUARANTINE_ID_LEN + 1, "%Y%m%d-%H%M%S-", &tm);
	(void)g_snprintf(id + 16, 7, "%06x", (unsigned)(r & 0xffffff));
}

/* quarantine_used - the bytes of the .eml files now */
static uint64_t
quarantine_used(const struct quarantine *q)
{
	DIR *d;
	struct dirent *de;
	struct stat sb;
	uint64_t used = 0;

	d = opendir(q->dir);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (g_str_has_suffix(de->d_name, ".eml") &&
		    fstatat(dirfd(d), de->d_name, &sb,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode))
			used += (uint64_t)sb.st_size;
	(void)closedir(d);
	return used;
}

/* quarantine_json_str - add key: s (or null) */
static void
quarantine_json_str(json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, s != NULL ?
	    json_object_new_string(s) : NULL);
}

/* quarantine_sidecar - meta as JSON text, new */
static char *
quarantine_sidecar(const struct quarantine_meta *meta)
{
	json_object *o = json_object_new_object();
	char *text;

	quarantine_json_str(o, "id", meta->id);
	json_object_object_add(o, "time", json_object_new_int64(
	    (int64_t)meta->time));
	quarantine_json_str(o, "queue_id", meta->queue_id);
	quarantine_json_str(o, "sender", meta->sender);
	quarantine_json_str(o, "recipient", meta->recipient);
	quarantine_json_str(o, "extension", meta->extension);
	quarantine_json_str(o, "message_id", meta->message_id);
	quarantine_json_str(o, "ticket", meta->ticket);
	quarantine_json_str(o, "outcome", meta->outcome);
	quarantine_json_str(o, "dsn", meta->dsn);
	quarantine_json_str(o, "reason", meta->reason);
	json_object_object_add(o, "size", json_object_new_int64(
	    (int64_t)meta->size));
	json_object_object_add(o, "replays", json_object_new_int(
	    meta->replays));
	json_object_object_add(o, "replayed", json_object_new_int64(
	    (int64_t)meta->replayed));
	text = g_strdup_printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

/* quarantine_write_sidecar - write dir/id.json durably, 0600 */
static enum gw_status
quarantine_write_sidecar(const struct quarantine *q,
    const struct quarantine_meta *meta, struct gw_error *err)
{
	char *path = quarantine_path(q, meta->id, "json");
	char *text = quarantine_sidecar(meta);
	GError *gerr = NULL;
	enum gw_status status = GW_OK;

	if (!g_file_set_contents_full(path, text, -1,
	    G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
	    0600, &gerr)) {
		status = gw_error_set(err, GW_ETEMP, "cannot write %s: %s",
		    path, gerr->message);
		g_error_free(gerr);
	}
	g_free(text);
	g_free(path);
	return status;
}

/* quarantine_fsync_dir - make a rename in dir durable */
static int
quarantine_fsync_dir(const char *dir)
{
	int fd, rc;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	rc = fsync(fd);
	(void)close(fd);
	return rc;
}

/* quarantine_store - copy the mail in, then its sidecar */
enum gw_status
quarantine_store(struct quarantine *q, struct spool *sp,
    struct quarantine_meta *meta, bool *kept_r, struct gw_error *err)
{
	enum gw_status status;
	uint64_t used, room;
	char *eml = NULL, *json;
	int fd = -1, tries;

	*kept_r = false;
	used = quarantine_used(q);
	if (used >= q->max_size)
		return GW_OK;
	room = q->max_size - used;
	meta->time = time(NULL);
	/* The .eml itself, created O_EXCL, reserves the id. */
	for (tries = 0; fd == -1 && tries < 8; tries++) {
		g_free(eml);
		quarantine_new_id(meta->time, meta->id);
		eml = quarantine_path(q, meta->id, "eml");
		fd = open(eml, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd == -1 && errno != EEXIST)
			break;
	}
	if (fd == -1) {
		status = gw_error_set(err, GW_ETEMP, "cannot create %s: %s",
		    eml, g_strerror(errno));
		g_free(eml);
		return status;
	}
	status = spool_copy(sp, fd, room, &meta->size, err);
	if (status == GW_OK && fsync(fd) != 0)
		status = gw_error_set(err, GW_ETEMP, "cannot write %s: %s",
		    eml, g_strerror(errno));
	if (close(fd) != 0 && status == GW_OK)
		status = gw_error_set(err, GW_ETEMP, "cannot write %s: %s",
		    eml, g_strerror(errno));
	if (status == GW_OK && quarantine_fsync_dir(q->dir) != 0)
		status = gw_error_set(err, GW_ETEMP, "cannot store %s: %s",
		    eml, g_strerror(errno));
	/*
	 * The sidecar last: from then on the mail is in the quarantine.
	 * g_file_set_contents_full() syncs the file, not the directory its
	 * rename changed: without this a crash after the bounce could lose
	 * the sidecar, and the lone .eml would later be purged as a stray.
	 */
	if (status == GW_OK)
		status = quarantine_write_sidecar(q, meta, err);
	if (status == GW_OK && quarantine_fsync_dir(q->dir) != 0)
		status = gw_error_set(err, GW_ETEMP, "cannot store %s: %s",
		    eml, g_strerror(errno));
	if (status == GW_OK)
		*kept_r = true;
	else {
		json = quarantine_path(q, meta->id, "json");
		(void)unlink(json);	/* if it was written: no half mail */
		g_free(json);
		(void)unlink(eml);
	}
	if (status == GW_ETOOBIG) {	/* no room: not kept, not an error */
		gw_error_clear(err);
		status = GW_OK;
	}
	g_free(eml);
	return status;
}

/* quarantine_get_str - a string member, new, or NULL */
static char *
quarantine_get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return g_strdup(json_object_get_string(v));
}

/* quarantine_get_int - an integer member, 0 when absent */
static int64_t
quarantine_get_int(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_int64(v);
}

/* quarantine_read_meta - parse dir/id.json; GW_ECONFIG when unreadable */
static enum gw_status
quarantine_read_meta(const struct quarantine *q, const char *id,
    struct quarantine_meta *meta, struct gw_error *err)
{
	char *path = quarantine_path(q, id, "json");
	char *text = NULL;
	gsize len = 0;
	json_object *o = NULL;
	enum gw_status status = GW_OK;

	memset(meta, 0, sizeof(*meta));
	if (!g_file_get_contents(path, &text, &len, NULL) ||
	    len > QUARANTINE_SIDECAR_MAX ||
	    (o = json_tokener_parse(text)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		status = gw_error_set(err, GW_ECONFIG, "no quarantined mail "
		    "%s in %s", id, q->dir);
		goto out;
	}
	g_strlcpy(meta->id, id, sizeof(meta->id));
	meta->time = (time_t)quarantine_get_int(o, "time");
	meta->queue_id = quarantine_get_str(o, "queue_id");
	meta->sender = quarantine_get_str(o, "sender");
	meta->recipient = quarantine_get_str(o, "recipient");
	meta->extension = quarantine_get_str(o, "extension");
	meta->message_id = quarantine_get_str(o, "message_id");
	meta->ticket = quarantine_get_str(o, "ticket");
	meta->outcome = quarantine_get_str(o, "outcome");
	meta->dsn = quarantine_get_str(o, "dsn");
	meta->reason = quarantine_get_str(o, "reason");
	meta->size = (uint64_t)quarantine_get_int(o, "size");
	meta->replays = (int)quarantine_get_int(o, "replays");
	meta->replayed = (time_t)quarantine_get_int(o, "replayed");
out:
	if (o != NULL)
		json_object_put(o);
	g_free(text);
	g_free(path);
	return status;
}

/* quarantine_load - the sidecar, and the mail opened */
enum gw_status
quarantine_load(struct quarantine *q, const char *id,
    struct quarantine_meta *meta, int *fd_r, struct gw_error *err)
{
	enum gw_status status;
	char *eml;

	memset(meta, 0, sizeof(*meta));
	if (fd_r != NULL)
		*fd_r = -1;
	if (!quarantine_id_valid(id))
		return gw_error_set(err, GW_ECONFIG, "'%.40s' is not a "
		    "quarantine id (see mail2note --quarantine)", id);
	status = quarantine_read_meta(q, id, meta, err);
	if (status != GW_OK)
		return status;
	if (fd_r == NULL)
		return GW_OK;
	eml = quarantine_path(q, id, "eml");
	*fd_r = open(eml, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd_r == -1) {
		status = gw_error_set(err, GW_ECONFIG, "cannot open %s: %s",
		    eml, g_strerror(errno));
		quarantine_meta_clear(meta);
	}
	g_free(eml);
	return status;
}

/* quarantine_update - rewrite the sidecar */
enum gw_status
quarantine_update(struct quarantine *q, const struct quarantine_meta *meta,
    struct gw_error *err)
{
	return quarantine_write_sidecar(q, meta, err);
}

/* quarantine_unlink - remove dir/id.ext; -1 unless done or absent */
static int
quarantine_unlink(const struct quarantine *q, const char *id,
    const char *ext)
{
	char *path = quarantine_path(q, id, ext);
	int rc = unlink(path) == 0 || errno == ENOENT ? 0 : -1;

	g_free(path);
	return rc;
}

/* quarantine_remove - the sidecar first: then it is out of the listing */
enum gw_status
quarantine_remove(struct quarantine *q, const char *id,
    struct gw_error *err)
{
	if (!quarantine_id_valid(id))
		return gw_error_set(err, GW_ECONFIG, "'%.40s' is not a "
		    "quarantine id", id);
	if (quarantine_unlink(q, id, "json") != 0 ||
	    quarantine_unlink(q, id, "eml") != 0)
		return gw_error_set(err, GW_ETEMP, "cannot remove %s/%s: %s",
		    q->dir, id, g_strerror(errno));
	return GW_OK;
}

/* quarantine_ids - the ids with a sidecar, sorted (oldest first) */
static GPtrArray *
quarantine_ids(const struct quarantine *q, struct gw_error *err)
{
	GPtrArray *ids;
	DIR *d;
	struct dirent *de;
	char *id;

	d = opendir(q->dir);
	if (d == NULL) {
		(void)gw_error_set(err, GW_ETEMP, "cannot read %s: %s",
		    q->dir, g_strerror(errno));
		return NULL;
	}
	ids = g_ptr_array_new_with_free_func(g_free);
	while ((de = readdir(d)) != NULL) {
		if (!g_str_has_suffix(de->d_name, ".json"))
			continue;
		id = g_strndup(de->d_name, strlen(de->d_name) - 5);
		if (quarantine_id_valid(id))
			g_ptr_array_add(ids, id);
		else
			g_free(id);
	}
	(void)closedir(d);
	g_ptr_array_sort(ids, (GCompareFunc)(void (*)(void))g_strcmp0);
	return ids;
}

/* quarantine_age - "45s", "12m", "3h", "2d" */
static void
quarantine_age(time_t now, time_t then, char *buf, size_t size)
{
	long s = then > 0 && now > then ? (long)(now - then) : 0;

	if (s < 120)
		(void)g_snprintf(buf, size, "%lds", s);
	else if (s < 2 * 3600)
		(void)g_snprintf(buf, size, "%ldm", s / 60);
	else if (s < 2 * 86400)
		(void)g_snprintf(buf, size, "%ldh", s / 3600);
	else
		(void)g_snprintf(buf, size, "%ldd", s / 86400);
}

/* quarantine_field - s for a listing column: "-" if unknown, no blanks */
static char *
quarantine_field(const char *s, const char *empty)
{
	char *out, *p;

	if (s == NULL)
		return g_strdup("-");
	if (*s == '\0')
		return g_strdup(empty);
	out = g_strdup(s);
	for (p = out; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			*p = '_';
	return out;
}

/* quarantine_list - one line per mail */
enum gw_status
quarantine_list(struct quarantine *q, time_t now, FILE *fp,
    struct gw_error *err)
{
	GPtrArray *ids;
	struct quarantine_meta meta;
	struct gw_error ignored;
	char age[16], *sender, *ticket, *reason, *p;
	uint64_t total = 0;
	unsigned n = 0;
	guint i;

	ids = quarantine_ids(q, err);
	if (ids == NULL)
		return GW_ETEMP;
	for (i = 0; i < ids->len; i++) {
		/* Gone since the listing (a replay, a purge): skip it. */
		if (quarantine_read_meta(q, ids->pdata[i], &meta,
		    &ignored) != GW_OK)
			continue;
		quarantine_age(now, meta.time, age, sizeof(age));
		sender = quarantine_field(meta.sender, "<>");
		ticket = quarantine_field(meta.ticket, "-");
		reason = g_strdup_printf("%s%s%s", meta.dsn != NULL ?
		    meta.dsn : "", meta.dsn != NULL ? " " : "",
		    meta.reason != NULL ? meta.reason : "-");
		for (p = reason; *p; p++)
			if ((unsigned char)*p < ' ' || *p == 0x7f)
				*p = ' ';
		(void)fprintf(fp, "%s %s %s %s %s\n", meta.id, age, sender,
		    ticket, reason);
		total += meta.size;
		n++;
		g_free(sender);
		g_free(ticket);
		g_free(reason);
		quarantine_meta_clear(&meta);
	}
	(void)fprintf(fp, "# %u mail%s, %" PRIu64 " bytes, in %s\n", n,
	    n == 1 ? "" : "s", total, q->dir);
	g_ptr_array_free(ids, TRUE);
	return GW_OK;
}

/*
 * quarantine_purge_strays - what a crash left, older than a day: an .eml
 * whose sidecar never came, a sidecar's temporary file ("ID.json.XXXXXX"
 * from g_file_set_contents_full())
 */
static void
quarantine_purge_strays(const struct quarantine *q, time_t now)
{
	char *json;
	DIR *d;
	struct dirent *de;
	struct stat sb;
	bool stray;

	d = opendir(q->dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || g_str_has_suffix(de->d_name,
		    ".json") || fstatat(dirfd(d), de->d_name, &sb,
		    AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode) ||
		    now - sb.st_mtime < QUARANTINE_STRAY_AGE)
			continue;
		stray = true;
		if (g_str_has_suffix(de->d_name, ".eml")) {
			json = g_strdup_printf("%.*s.json",
			    (int)strlen(de->d_name) - 4, de->d_name);
			stray = fstatat(dirfd(d), json, &sb,
			    AT_SYMLINK_NOFOLLOW) != 0;
			g_free(json);
		}
		if (stray)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	}
	(void)closedir(d);
}

/* quarantine_purge - remove what is older than days days */
enum gw_status
quarantine_purge(struct quarantine *q, time_t now, int days,
    unsigned *count_r, uint64_t *bytes_r, struct gw_error *err)
{
	GPtrArray *ids;
	struct quarantine_meta meta;
	struct gw_error ignored;
	enum gw_status status = GW_OK;
	guint i;

	*count_r = 0;
	*bytes_r = 0;
	ids = quarantine_ids(q, err);
	if (ids == NULL)
		return GW_ETEMP;
	for (i = 0; i < ids->len && status == GW_OK; i++) {
		if (quarantine_read_meta(q, ids->pdata[i], &meta,
		    &ignored) != GW_OK)
			continue;
		if (days == 0 || now - meta.time >= (time_t)days * 86400) {
			status = quarantine_remove(q, meta.id, err);
			if (status == GW_OK) {
				(*count_r)++;
				*bytes_r += meta.size;
			}
		}
		quarantine_meta_clear(&meta);
	}
	g_ptr_array_free(ids, TRUE);
	quarantine_purge_strays(q, now);
	return status;
}
