/*
 * log.c - syslog(LOG_MAIL) with the queue id first, optionally mirrored to
 * stderr for runs by hand (-v, -n).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <glib.h>

#include "log.h"

static int log_verbose;
static int log_stderr;
static int log_open;
static char log_qid[64];

/* log_init - open syslog */
void
log_init(const char *ident, int verbose, int also_stderr)
{
	log_verbose = verbose;
	log_stderr = also_stderr;
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

/* log_vemit - one line to syslog and maybe stderr */
static void log_vemit(int, const char *, const char *, va_list)
    G_GNUC_PRINTF(3, 0);

static void
log_vemit(int prio, const char *tag, const char *fmt, va_list ap)
{
	char buf[1024];
	char *line;

	/*
	 * Callers sanitise untrusted text, but an error text can carry a
	 * config path or an argument as given: clean the whole line too, so
	 * no log line ever holds a newline or a terminal escape.
	 */
	(void)g_vsnprintf(buf, sizeof(buf), fmt, ap);
	line = log_sanitize(buf, sizeof(buf));
	if (log_open) {
		if (log_qid[0])
			syslog(prio, "%s: %s%s", log_qid, tag, line);
		else
			syslog(prio, "%s%s", tag, line);
	}
	/*
	 * stderr: warnings with -n/--check-config, everything with -v.  An
	 * error never goes there unless -v: main() prints the one DSN line
	 * the MTA reads.
	 */
	if (log_verbose > 0 || (log_stderr && prio == LOG_WARNING)) {
		fprintf(stderr, "mail2note: %s%s%s%s\n", log_qid,
		    log_qid[0] ? ": " : "", tag, line);
	}
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

/* log_close - close syslog */
void
log_close(void)
{
	if (log_open)
		closelog();
	log_open = 0;
	log_qid[0] = '\0';
}
