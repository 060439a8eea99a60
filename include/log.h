/*
 * log.h - logging to syslog(LOG_MAIL), to a file of our own when [log]
 * file is set, and, when asked, stderr.
 *
 * Every line starts with the queue id when one is known.  Untrusted text
 * (subjects, addresses, API error bodies) must go through log_sanitize()
 * first.  Never log bodies, keys or URLs with queries.
 *
 * Reentrancy: not async-signal-safe; the SIGALRM backstop in main.c uses
 * write(2) directly instead.
 */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stddef.h>


/*
 * log_init - open syslog with ident.  verbose is the -v count: with it,
 * every line is copied to stderr.  also_stderr (for -n, --check-config)
 * copies warnings only.  Errors reach stderr only with -v: on failure
 * main() prints the one "<dsn> <reason>" line the MTA reads.
 */
void log_init(const char *ident, int verbose, int also_stderr);

/* log_set_queue_id - prefix later lines with "queue_id: " (copied) */
void log_set_queue_id(const char *queue_id);

/* log_verbose_level - the -v count given to log_init */
int log_verbose_level(void);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * log_sanitize - copy of untrusted text made safe for one log line:
 * invalid UTF-8 repaired, control characters replaced by '?', cut to at
 * most max bytes on a character boundary (with "..." appended when cut).
 * NULL gives "".  New string, caller g_free()s.
 */
char *log_sanitize(const char *text, size_t max);

/*
 * log_set_file - from now on, also append every line but -v detail to
 * path (NULL: stop), as "<RFC 3339 local time> ident[pid]: <the syslog
 * text>", one write(2) per line on an O_APPEND descriptor.  The file is
 * created 0640 (less the umask) when missing; a symbolic link or a file
 * that is not regular is refused.  0, or -1 with the reason in why (size
 * bytes): then nothing changes but that no file is written.  A later
 * write error loses that line only (said once to syslog).
 */
int log_set_file(const char *path, char *why, size_t size);

/*
 * log_syslog_reachable - 1 when a syslog daemon (rsyslog, journald)
 * accepts a connection on /dev/log, else 0 with the reason in why: then
 * syslog(3) drops every line without a word.
 */
int log_syslog_reachable(char *why, size_t size);

/* log_close - close syslog and the file, forget the queue id */
void log_close(void);

#endif /* GW_LOG_H */
