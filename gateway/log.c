/*
 * log.c - syslog(LOG_MAIL) with the queue id first, optionally copied to
 * a file of our own ([log] file, for hosts without a syslog daemon) and
 * mirrored to stderr for runs by hand (-v, -n).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <glib.h>

#include "log.h"

#ifndef _PATH_LOG
#define _PATH_LOG "/dev/log"
#endif

static int log_verbose;
static int log_stderr;
static int log_open;
static char log_qid[64];
static char log_ident[32];
static int log_fd = -1;		/* [log] file, or -1 */
static int log_file_failed;	/* a write failed: said once in syslog */

/* log_init - open syslog */
void
log_init(const char *ident, int verbose, int also_stderr)
{
	log_verbose = verbose;
	log_stderr = also_stderr;
	g_strlcpy(log_ident, ident, sizeof(log_ident));
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	log_open = 1;
}

/* log_set_queue_id - remember a sanitised queue id for the prefix */
void
log_set_queue_id(const char *queue_id)
{
	char *s = log_sanitize(queue_id, sizeof(log_qid) - 1);

	g_strlcpy(log_qid, s, sizeof(log_qid));
	g_free(s);
}

/* log_verbose_level - -v count */
int
log_verbose_level(void)
{
	return log_verbose;
}

/*
 * log_file_line - one line to the [log] file: "<RFC 3339 time>
 * ident[pid]: text", the text being what syslog was given.  One write(2)
 * on an O_APPEND descriptor, so that the lines of concurrent deliveries
 * never interleave; a failure costs the line, never the mail.
 */
static void
log_file_line(const char *text)
{
	GDateTime *now;
	char *stamp, *line;
	ssize_t n;
	size_t len;
	int saved;

	now = g_date_time_new_now_local();
	stamp = now != NULL ? g_date_time_format(now,
	    "%Y-%m-%dT%H:%M:%S.%f%:z") : NULL;
	if (now != NULL)
		g_date_time_unref(now);
	line = g_strdup_printf("%s %s[%ld]: %s\n", stamp != NULL ? stamp :
	    "-", log_ident, (long)getpid(), text);
	len = strlen(line);
	do
		n = write(log_fd, line, len);
	while (n == -1 && errno == EINTR);
	saved = errno;
	if ((n == -1 || (size_t)n != len) && !log_file_failed && log_open) {
		log_file_failed = 1;
		syslog(LOG_WARNING, "warning: cannot write the [log] file: %s",
		    n == -1 ? g_strerror(saved) : "short write");
	}
	g_free(line);
	g_free(stamp);
}

/* log_vemit - one line to syslog, the [log] file and maybe stderr */
static void log_vemit(int, const char *, const char *, va_list)
    G_GNUC_PRINTF(3, 0);

static void
log_vemit(int prio, const char *tag, const char *fmt, va_list ap)
{
	char buf[1024];
	char *line, *text;

	/*
	 * Callers sanitise untrusted text, but an error text can carry a
	 * config path or an argument as given: clean the whole line too, so
	 * no log line ever holds a newline or a terminal escape.
	 */
	(void)g_vsnprintf(buf, sizeof(buf), fmt, ap);
	line = log_sanitize(buf, sizeof(buf));
	text = g_strdup_printf("%s%s%s%s", log_qid, log_qid[0] ? ": " : "",
	    tag, line);
	if (log_open)
		syslog(prio, "%s", text);
	/* -v detail stays out of the file, as a syslog daemon's mail.info */
	if (log_fd != -1 && prio != LOG_DEBUG)
		log_file_line(text);
	/*
	 * stderr: warnings with -n/--check-config, everything with -v.  An
	 * error never goes there unless -v: main() prints the one DSN line
	 * the MTA reads.
	 */
	if (log_verbose > 0 || (log_stderr && prio == LOG_WARNING))
		fprintf(stderr, "mail2note: %s\n", text);
	g_free(text);
	g_free(line);
}

#define LOG_BODY(prio, tag) do { \
	va_list ap; \
	va_start(ap, fmt); \
	log_vemit(prio, tag, fmt, ap); \
	va_end(ap); \
} while (0)

/* log_debug - detail, only with -v */
void
log_debug(const char *fmt, ...)
{
	if (log_verbose == 0)
		return;
	LOG_BODY(LOG_DEBUG, "");
}

/* log_info - the one summary line, and other routine facts */
void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_INFO, "");
}

/* log_warn - recovered oddities */
void
log_warn(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, "warning: ");
}

/* log_error - the failure that decides the exit code */
void
log_error(const char *fmt, ...)
{
	LOG_BODY(LOG_ERR, "error: ");
}

/* log_sanitize - a safe single-line copy of untrusted text */
char *
log_sanitize(const char *text, size_t max)
{
	char *valid;
	GString *out;
	const char *p;

	if (text == NULL)
		return g_strdup("");
	valid = g_utf8_make_valid(text, -1);
	out = g_string_sized_new(MIN(strlen(valid), max) + 4);
	for (p = valid; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		const char *next = g_utf8_next_char(p);

		if (out->len + (size_t)(next - p) > max) {
			g_string_append(out, "...");
			break;
		}
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ||
		    c == 0x2028 || c == 0x2029)
			g_string_append_c(out, '?');
		else
			g_string_append_len(out, p, next - p);
	}
	g_free(valid);
	return g_string_free(out, FALSE);
}

/* log_set_file - also write every line to path, see log.h */
int
log_set_file(const char *path, char *why, size_t size)
{
	struct stat st;
	int fd, saved;

	why[0] = '\0';
	if (log_fd != -1)
		(void)close(log_fd);
	log_fd = -1;
	log_file_failed = 0;
	if (path == NULL)
		return 0;
	/*
	 * Not through a link (whoever can replace the name would choose
	 * what we append to), and only a regular file: a FIFO or a device
	 * could block or swallow the lines.
	 */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0640);
	if (fd == -1) {
		saved = errno;
		(void)g_snprintf(why, size, "%s", saved == ELOOP ? "it is a "
		    "symbolic link" : g_strerror(saved));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		(void)close(fd);
		(void)g_snprintf(why, size, "not a regular file");
		return -1;
	}
	log_fd = fd;
	return 0;
}

/* log_syslog_reachable - whether a syslog daemon listens on /dev/log */
int
log_syslog_reachable(char *why, size_t size)
{
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	struct sockaddr_un sun;
	size_t i;
	int fd, rc, saved = 0;

	why[0] = '\0';
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	g_strlcpy(sun.sun_path, _PATH_LOG, sizeof(sun.sun_path));
	/* As syslog(3) does: a datagram socket, else a stream one. */
	for (i = 0; i < G_N_ELEMENTS(types); i++) {
		fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
		if (fd == -1) {
			saved = errno;
			continue;
		}
		rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
		saved = errno;
		(void)close(fd);
		if (rc == 0)
			return 1;
		if (saved != EPROTOTYPE)
			break;
	}
	(void)g_snprintf(why, size, "%s: %s", _PATH_LOG, g_strerror(saved));
	return 0;
}

/* log_close - close syslog and the [log] file */
void
log_close(void)
{
	if (log_open)
		closelog();
	log_open = 0;
	log_qid[0] = '\0';
	if (log_fd != -1)
		(void)close(log_fd);
	log_fd = -1;
}
