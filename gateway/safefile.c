/*
 * safefile.c - the files that hold or steer secrets: the path rule for
 * every file that decides where the API key goes, and the reading of the
 * secret files themselves.
 *
 * Split out of conf.c, which names the files and parses what they hold;
 * this file only decides whether a file may be trusted, and reads it.
 * Every error is GW_ECONFIG: the administrator must fix a mode, an owner
 * or a path, and the mail waits (EX_TEMPFAIL) until then.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "confdiag.h"
#include "safefile.h"

#define SAFEFILE_LINK_MAX 40	/* symbolic links followed in a path */

/*
 * The path rule (sshd's secure_filename(), msmtp's CONF_EINSECURE): a file
 * that decides where the API key goes, or what it is, is only as safe as
 * every directory on the way to it.  Whoever can write one of them can
 * rename the file away and put their own in its place, so each directory
 * and the file must be owned by root or by the user mail2note runs as, and
 * be writable by nobody else.  World-writable directories with the sticky
 * bit (/tmp) are not exempt either: anyone may create a file there, and
 * the name the administrator wrote may be theirs.
 *
 * Symbolic links are followed as the kernel follows them, one component
 * at a time, so that every directory a name is looked up in gets checked:
 * that of the link itself and those of its target.
 */
struct safefile_walk {
	const char *path;	/* as the administrator wrote it */
	const char *what;	/* "config", "ca_file", ... */
	uid_t euid;
	int links;		/* followed so far */
};

/* safefile_path_risk - what whoever can replace the file could do */
static const char *
safefile_path_risk(const char *what)
{
	if (strcmp(what, "key file") == 0)
		return "replace the API key";
	if (strcmp(what, "address key file") == 0)
		return "forge signed ticket addresses";
	return "redirect the API key";
}

/* safefile_fail - "<what> <path>: <kind> <node> <text>" as GW_ECONFIG */
static enum gw_status __attribute__((format(printf, 5, 6)))
safefile_fail(const struct safefile_walk *w, const char *node,
    const struct stat *st, struct gw_error *err, const char *fmt, ...)
{
	char text[GW_ERROR_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)g_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (strcmp(node, w->path) == 0)
		return gw_error_set(err, GW_ECONFIG, "%s %s %s", w->what,
		    w->path, text);
	return gw_error_set(err, GW_ECONFIG, "%s %s: %s %s %s", w->what,
	    w->path, S_ISDIR(st->st_mode) ? "directory" : "file", node, text);
}

/*
 * safefile_check_node - one file or directory on the way: owner and mode.
 * The fix comes before the reason: the MTA keeps only the first 200 bytes
 * of our line, and a long path must not push the command out of it.
 */
static enum gw_status
safefile_check_node(const struct safefile_walk *w, const char *node,
    const struct stat *st, struct gw_error *err)
{
	struct passwd *pw;
	char owner[64];

	if (st->st_uid != 0 && st->st_uid != w->euid) {
		pw = getpwuid(st->st_uid);
		if (pw != NULL)
			(void)g_snprintf(owner, sizeof(owner), "%s, uid %u",
			    pw->pw_name, (unsigned)st->st_uid);
		else
			(void)g_snprintf(owner, sizeof(owner), "uid %u",
			    (unsigned)st->st_uid);
		if (w->euid == 0)
			return safefile_fail(w, node, st, err, "is owned by "
			    "%s, not root; run chown root %s, since whoever "
			    "owns it can %s", owner, node,
			    safefile_path_risk(w->what));
		return safefile_fail(w, node, st, err, "is owned by %s, not "
		    "root or uid %u (mail2note's user); run chown root %s, "
		    "since whoever owns it can %s", owner, (unsigned)w->euid,
		    node, safefile_path_risk(w->what));
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return safefile_fail(w, node, st, err, "is writable by group "
		    "or others (mode %04o); run chmod go-w %s, since whoever "
		    "can write it can %s", (unsigned)(st->st_mode & 07777),
		    node, safefile_path_risk(w->what));
	return GW_OK;
}

/* safefile_lstat_fail - a component that cannot be examined */
static enum gw_status
safefile_lstat_fail(const struct safefile_walk *w, const char *node, int saved,
    struct gw_error *err)
{
	return gw_error_set(err, GW_ECONFIG, "cannot check %s %s: %s: %s",
	    w->what, w->path, node, g_strerror(saved));
}

/*
 * safefile_walk - resolve name (absolute, or relative to the directory cur)
 * as the kernel would, checking every node on the way; cur is a resolved
 * directory whose ancestors were checked, and holds the result on return.
 */
static enum gw_status
safefile_walk(struct safefile_walk *w, const char *name, GString *cur,
    struct gw_error *err)
{
	enum gw_status status = GW_OK;
	char **parts = NULL, *target = NULL, *slash;
	struct stat st;
	ssize_t n;
	size_t i, old;
	int saved;

	if (name[0] == '/') {
		g_string_assign(cur, "/");
		if (lstat("/", &st) != 0)
			return safefile_lstat_fail(w, "/", errno, err);
		status = safefile_check_node(w, "/", &st, err);
		if (status != GW_OK)
			return status;
	}
	parts = g_strsplit(name, "/", -1);
	for (i = 0; parts[i] != NULL && status == GW_OK; i++) {
		if (parts[i][0] == '\0' || strcmp(parts[i], ".") == 0)
			continue;
		if (strcmp(parts[i], "..") == 0) {
			/* cur has no links in it: its parent is lexical. */
			slash = strrchr(cur->str, '/');
			g_string_truncate(cur, slash == cur->str ? 1 :
			    (gsize)(slash - cur->str));
			continue;
		}
		old = cur->len;
		if (cur->str[cur->len - 1] != '/')
			g_string_append_c(cur, '/');
		g_string_append(cur, parts[i]);
		if (lstat(cur->str, &st) != 0) {
			saved = errno;
			status = safefile_lstat_fail(w, cur->str, saved, err);
			break;
		}
		if (!S_ISLNK(st.st_mode)) {
			status = safefile_check_node(w, cur->str, &st, err);
			continue;
		}
		if (++w->links > SAFEFILE_LINK_MAX) {
			status = safefile_lstat_fail(w, cur->str, ELOOP, err);
			break;
		}
		target = g_malloc((gsize)PATH_MAX + 1);
		n = readlink(cur->str, target, PATH_MAX);
		if (n < 0) {
			saved = errno;
			status = safefile_lstat_fail(w, cur->str, saved, err);
			g_free(target);
			break;
		}
		target[n] = '\0';
		/* The link is looked up in the directory that holds it. */
		g_string_truncate(cur, old);
		status = safefile_walk(w, target, cur, err);
		g_free(target);
	}
	g_strfreev(parts);
	return status;
}

/* safefile_check_path - the file and every directory above it, see above */
enum gw_status
safefile_check_path(const char *path, const char *what, struct gw_error *err)
{
	struct safefile_walk w = {
		.path = path, .what = what, .euid = geteuid()
	};
	enum gw_status status;
	GString *cur;
	char *cwd;

	cur = g_string_new("/");
	if (path[0] != '/') {
		/* Relative (a test, or -c by hand): from the working dir. */
		cwd = g_get_current_dir();
		status = safefile_walk(&w, cwd, cur, err);
		g_free(cwd);
		if (status == GW_OK)
			status = safefile_walk(&w, path, cur, err);
	} else
		status = safefile_walk(&w, path, cur, err);
	g_string_free(cur, TRUE);
	return status;
}

/* safefile_private_dir - a directory only we can write in, see above */
enum gw_status
safefile_private_dir(const char *dir, const char *what, struct gw_error *err)
{
	struct stat sb;
	enum gw_status status;
	char *parent;

	if (dir == NULL || dir[0] != '/')
		return gw_error_set(err, GW_ECONFIG, "[delivery] %s must be an "
		    "absolute path", what);
	if (lstat(dir, &sb) != 0 && errno == ENOENT) {
		/* Created only where nobody else could have made it first. */
		parent = g_path_get_dirname(dir);
		status = safefile_check_path(parent, what, err);
		if (status == GW_OK && mkdir(dir, 0700) != 0 && errno != EEXIST)
			status = gw_error_set(err, GW_ECONFIG, "cannot create "
			    "%s %s: %s (create it: install -d -m 0700 -o USER "
			    "%s, USER being the pipe user)", what, dir,
			    g_strerror(errno), dir);
		g_free(parent);
		if (status != GW_OK)
			return status;
	}
	if (lstat(dir, &sb) != 0)
		return gw_error_set(err, GW_ECONFIG, "%s %s: %s", what, dir,
		    g_strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return gw_error_set(err, GW_ECONFIG, "%s %s is not a "
		    "directory", what, dir);
	if (sb.st_uid != geteuid() || (sb.st_mode & 077) != 0)
		return gw_error_set(err, GW_ECONFIG, "%s %s must be owned by "
		    "uid %ld with mode 0700 (it is uid %ld, mode %04o): chown "
		    "and chmod 0700 it", what, dir, (long)geteuid(),
		    (long)sb.st_uid, (unsigned)(sb.st_mode & 07777));
	return safefile_check_path(dir, what, err);
}

/* safefile_read_file - a whole (capped) file, see safefile.h */
enum gw_status
safefile_read_file(const char *path, const char *what, size_t max,
    char **data_r, size_t *len_r, struct gw_error *err)
{
	enum gw_status status = GW_OK;
	struct stat st;
	GString *buf = NULL;
	char chunk[8192], me[64];
	ssize_t n;
	int fd, saved;

	*data_r = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		saved = errno;
		if (saved == EACCES) {
			/* Name the user: a root shell reads it fine. */
			confdiag_user(geteuid(), me, sizeof(me));
			return gw_error_set(err, GW_ECONFIG, "cannot read %s "
			    "%s: %s (mail2note runs as %s, who must be able "
			    "to read it and search its directories)", what,
			    path, g_strerror(saved), me);
		}
		return gw_error_set(err, GW_ECONFIG, "cannot read %s %s: %s",
		    what, path, g_strerror(saved));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		status = gw_error_set(err, GW_ECONFIG, "cannot read %s %s: "
		    "not a regular file", what, path);
		goto out;
	}
	status = safefile_check_path(path, what, err);
	if (status != GW_OK)
		goto out;
	buf = g_string_sized_new(MIN((gsize)st.st_size, max) + 1);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			status = gw_error_set(err, GW_ECONFIG, "cannot read "
			    "%s %s: %s", what, path, g_strerror(saved));
			goto out;
		}
		if (n == 0)
			break;
		if (buf->len + (size_t)n > max) {
			status = gw_error_set(err, GW_ECONFIG, "%s %s is "
			    "larger than %zu bytes", what, path, max);
			goto out;
		}
		g_string_append_len(buf, chunk, n);
	}
	*len_r = buf->len;
	*data_r = g_string_free(buf, FALSE);
	buf = NULL;
out:
	if (buf != NULL)
		g_string_free(buf, TRUE);
	(void)close(fd);
	return status;
}

/* safefile_user_name - uid's name, or the number, for a chown command */
static void
safefile_user_name(uid_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		g_strlcpy(buf, pw->pw_name, size);
	else
		(void)g_snprintf(buf, size, "%u", (unsigned)uid);
}

/* safefile_read_secret - a secret file into buf, see safefile.h */
enum gw_status
safefile_read_secret(const struct safefile_secret *f, const char *path,
    char *buf, size_t size, size_t *len_r, struct gw_error *err)
{
	enum gw_status status = GW_OK;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd, saved;
	char owner[64], me[64], cmd[128];

	*len_r = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK);
	if (fd < 0) {
		saved = errno;
		if (saved == ELOOP)
			return gw_error_set(err, GW_ECONFIG, "%s %s is a "
			    "symbolic link; set %s to the file itself",
			    f->label, path, f->key);
		if (saved == EACCES) {
			confdiag_user(geteuid(), me, sizeof(me));
			if (stat(path, &st) == 0 && st.st_uid != geteuid()) {
				/* A root-owned 0600 key, the pipe user's run. */
				confdiag_user(st.st_uid, owner, sizeof(owner));
				safefile_user_name(geteuid(), cmd, sizeof(cmd));
				return gw_error_set(err, GW_ECONFIG, "cannot "
				    "open %s %s: it is owned by %s, but "
				    "mail2note runs as %s; if that is the "
				    "pipe's user=, chown %s %s", f->label,
				    path, owner, me, cmd, path);
			}
			return gw_error_set(err, GW_ECONFIG, "cannot open %s "
			    "%s: %s (it must be readable by %s, the user "
			    "mail2note runs as)", f->label, path,
			    g_strerror(saved), me);
		}
		return gw_error_set(err, GW_ECONFIG, "cannot open %s %s: %s",
		    f->label, path, g_strerror(saved));
	}
	if (fstat(fd, &st) != 0) {
		saved = errno;
		status = gw_error_set(err, GW_ECONFIG, "cannot stat %s %s: %s",
		    f->label, path, g_strerror(saved));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		status = gw_error_set(err, GW_ECONFIG, "%s %s is not a "
		    "regular file", f->label, path);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		confdiag_user(st.st_uid, owner, sizeof(owner));
		confdiag_user(geteuid(), me, sizeof(me));
		/*
		 * "chown it to root" would be the wrong advice when root runs
		 * --check-config for a pipe that runs as user=: run it as
		 * the owner instead.
		 */
		if (geteuid() == 0) {
			confdiag_runuser(st.st_uid, cmd, sizeof(cmd));
			status = gw_error_set(err, GW_ECONFIG, "%s %s is owned "
			    "by %s, but mail2note runs as %s; check as the "
			    "pipe's user=: %s", f->label, path, owner, me, cmd);
		} else {
			safefile_user_name(geteuid(), cmd, sizeof(cmd));
			status = gw_error_set(err, GW_ECONFIG, "%s %s is owned "
			    "by %s, but mail2note runs as %s; if that is the "
			    "pipe's user=, chown %s %s", f->label, path, owner,
			    me, cmd, path);
		}
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		status = gw_error_set(err, GW_ECONFIG, "%s %s is %s by group "
		    "or others (mode %04o); chmod 600 it", f->label, path,
		    (st.st_mode & 044) ? "readable" :
		    (st.st_mode & 022) ? "writable" : "executable",
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	status = safefile_check_path(path, f->label, err);
	if (status != GW_OK)
		goto out;
	while (len < size) {
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			status = gw_error_set(err, GW_ECONFIG, "cannot read %s "
			    "%s: %s", f->label, path, g_strerror(saved));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > SAFEFILE_SECRET_MAX) {
		status = gw_error_set(err, GW_ECONFIG, "%s %s is larger than "
		    "%d bytes; it should hold only %s", f->label, path,
		    SAFEFILE_SECRET_MAX, f->holds);
		goto out;
	}
	*len_r = len;
out:
	(void)close(fd);
	return status;
}

/* safefile_secret_line - the one line not blank and not a comment */
enum gw_status
safefile_secret_line(const struct safefile_secret *f, const char *path,
    const char *buf, size_t len, const char **line_r, size_t *len_r,
    struct gw_error *err)
{
	const char *p = buf, *end = buf + len, *eol, *s;

	*line_r = NULL;
	*len_r = 0;
	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		for (s = p; s < eol && (*s == ' ' || *s == '\t' ||
		    *s == '\r'); s++)
			;
		if (s == eol || *s == '#')
			continue;
		if (*line_r != NULL)
			return gw_error_set(err, GW_ECONFIG, "%s %s holds more "
			    "than one line; put only %s in it", f->label, path,
			    f->holds);
		*line_r = p;
		*len_r = (size_t)(eol - p);
	}
	if (*line_r == NULL)
		return gw_error_set(err, GW_ECONFIG, "%s %s holds no key",
		    f->label, path);
	return GW_OK;
}
