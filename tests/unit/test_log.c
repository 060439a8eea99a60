/*
 * test_log.c - log_sanitize() keeps untrusted text to one safe line, and
 * what goes to stderr: the queue id first, warnings with -n, everything
 * with -v, never an error without -v (main() prints the one DSN line).
 * The [log] file: its line format, mode, appending, refusing links and
 * non-regular files, and concurrent writers whose lines never mix.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "log.h"
#include "tap.h"

static const struct {
	const char *name;
	const char *in;
	size_t max;
	const char *want;
} sanitize_cases[] = {
	{ "plain", "hello world", 100, "hello world" },
	{ "NULL is empty", NULL, 100, "" },
	{ "CR LF tab", "a\r\nb\tc", 100, "a??b?c" },
	{ "terminal escape", "x\033[31mred", 100, "x?[31mred" },
	{ "DEL", "a\177b", 100, "a?b" },
	{ "C1 control (U+009B, CSI)", "a\xc2\x9b" "31mb", 100, "a?31mb" },
	{ "line and paragraph separators", "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c",
	    100, "a?b?c" },
	{ "non-breaking space and accents kept", "caf\xc3\xa9\xc2\xa0x", 100,
	    "caf\xc3\xa9\xc2\xa0x" },
	{ "invalid UTF-8 made valid", "a\xff" "b", 100,
	    "a\xef\xbf\xbd" "b" },
	{ "cut with an ellipsis", "0123456789", 4, "0123..." },
	{ "cut on a character boundary", "\xc3\xa9\xc3\xa9\xc3\xa9", 5,
	    "\xc3\xa9\xc3\xa9..." },
	{ "exactly max", "0123", 4, "0123" },
};

/*
 * stderr_of - run fn in a child with stderr on a pipe; what it wrote.
 * A child, so that log_init's openlog and the static state stay there.
 */
static char *
stderr_of(void (*fn)(void))
{
	GString *s = g_string_new(NULL);
	char buf[512];
	ssize_t n;
	int p[2];
	pid_t pid;

	if (pipe(p) != 0)
		return g_string_free(s, FALSE);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], STDERR_FILENO);
		fn();
		fflush(stderr);
		_exit(0);
	}
	close(p[1]);
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		g_string_append_len(s, buf, n);
	close(p[0]);
	(void)waitpid(pid, NULL, 0);
	return g_string_free(s, FALSE);
}

/* run_verbose - -v: every level on stderr, queue id first, sanitised */
static void
run_verbose(void)
{
	log_init("test_log", 1, 0);
	log_set_queue_id("4F2A\033[31m\n");
	log_info("info %s", "a\nb");
	log_warn("warn");
	log_error("error \033]0;title\007");
	log_debug("debug");
	log_close();
	/* log_close forgets the queue id. */
	log_init("test_log", 1, 0);
	log_info("after close");
	log_close();
}

/* run_dry - -n (also_stderr): warnings only */
static void
run_dry(void)
{
	log_init("test_log", 0, 1);
	log_info("info");
	log_warn("warn");
	log_error("error");
	log_debug("debug");
	log_close();
}

/* run_quiet - the MTA's run: nothing on stderr from the log */
static void
run_quiet(void)
{
	log_init("test_log", 0, 0);
	log_set_queue_id("Q1");
	log_info("info");
	log_warn("warn");
	log_error("error");
	log_close();
}

#define LOG_WRITERS 8
#define LOG_LINES 200

/* file_lines - the lines of path (NULL-terminated, g_strfreev) */
static char **
file_lines(const char *path)
{
	char *data = NULL, **lines;
	size_t n;

	if (!g_file_get_contents(path, &data, NULL, NULL))
		return g_new0(char *, 1);
	n = strlen(data);
	if (n > 0 && data[n - 1] == '\n')
		data[n - 1] = '\0';
	lines = n > 0 ? g_strsplit(data, "\n", -1) : g_new0(char *, 1);
	g_free(data);
	return lines;
}

/* test_file - [log] file, see the header comment */
static void
test_file(void)
{
	GRegex *re;
	char *dir, *path, *link, *fifo, *want, **lines;
	char why[128];
	struct stat st;
	int i, j, bad, status;
	pid_t pids[LOG_WRITERS];

	dir = g_dir_make_tmp("test_log.XXXXXX", NULL);
	if (dir == NULL) {
		tap_ok(0, "temporary directory: %s", g_strerror(errno));
		return;
	}
	path = g_build_filename(dir, "mail2note.log", NULL);
	(void)umask(022);
	log_init("test_log", 0, 0);
	tap_int(log_set_file(path, why, sizeof(why)), 0, "file: opened");
	log_set_queue_id("Q1");
	log_info("one %s", "a\nb");
	log_warn("two");
	log_debug("not without -v");
	log_close();
	lines = file_lines(path);
	tap_int(g_strv_length(lines), 2, "file: info and warning, one line "
	    "each");
	want = g_strdup_printf("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
	    "[0-9]{2}\\.[0-9]{6}[+-][0-9]{2}:[0-9]{2} test_log\\[%ld\\]: "
	    "Q1: (one a\\?b|warning: two)$", (long)getpid());
	re = g_regex_new(want, 0, 0, NULL);
	for (i = 0; lines[i] != NULL; i++)
		if (!tap_ok(g_regex_match(re, lines[i], 0, NULL), "file: line "
		    "%d is 'RFC 3339 time, ident[pid]: queue id: text'", i + 1))
			printf("#   got: \"%s\"\n", lines[i]);
	g_strfreev(lines);
	g_clear_pointer(&want, g_free);
	tap_int(stat(path, &st) == 0 ? (long long)(st.st_mode & 07777) : -1,
	    0640, "file: created 0640");

	/* Appended to, never truncated. */
	log_init("test_log", 0, 0);
	(void)log_set_file(path, why, sizeof(why));
	log_info("three");
	log_close();
	lines = file_lines(path);
	tap_int(g_strv_length(lines), 3, "file: appended to");
	g_strfreev(lines);

	/* Concurrent deliveries: one write(2) per line, O_APPEND. */
	for (i = 0; i < LOG_WRITERS; i++) {
		fflush(stdout);
		pids[i] = fork();
		if (pids[i] == 0) {
			log_init("test_log", 0, 0);
			if (log_set_file(path, why, sizeof(why)) != 0)
				_exit(1);
			for (j = 0; j < LOG_LINES; j++)
				log_info("writer %d line %d %s", i, j,
				    "padding padding padding padding padding "
				    "padding padding padding padding padding");
			log_close();
			_exit(0);
		}
	}
	bad = 0;
	for (i = 0; i < LOG_WRITERS; i++)
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
	tap_int(bad, 0, "file: 8 concurrent writers ran");
	g_regex_unref(re);
	re = g_regex_new("^\\S+ test_log\\[[0-9]+\\]: writer [0-9]+ line "
	    "[0-9]+ (padding ?){10}$", 0, 0, NULL);
	lines = file_lines(path);
	tap_int(g_strv_length(lines), 3 + LOG_WRITERS * LOG_LINES,
	    "file: every concurrent line is there");
	for (i = 3, bad = 0; lines[i] != NULL; i++)
		if (!g_regex_match(re, lines[i], 0, NULL))
			bad++;
	tap_int(bad, 0, "file: no concurrent lines mixed");
	g_strfreev(lines);
	g_regex_unref(re);

	/* Refused: a link, a directory, a FIFO, a missing directory. */
	link = g_build_filename(dir, "link.log", NULL);
	tap_ok(symlink(path, link) == 0, "file: symlink made");
	tap_int(log_set_file(link, why, sizeof(why)), -1, "file: a symbolic "
	    "link is refused");
	tap_str(why, "it is a symbolic link", "file: ... and says so");
	tap_int(log_set_file(dir, why, sizeof(why)), -1, "file: a directory "
	    "is refused");
	fifo = g_build_filename(dir, "fifo.log", NULL);
	tap_ok(mkfifo(fifo, 0600) == 0, "file: FIFO made");
	tap_int(log_set_file(fifo, why, sizeof(why)), -1, "file: a FIFO is "
	    "refused, without blocking");
	g_free(want);
	want = g_build_filename(dir, "no", "such.log", NULL);
	tap_int(log_set_file(want, why, sizeof(why)), -1, "file: a missing "
	    "directory");
	tap_str(why, "No such file or directory", "file: ... and why");
	tap_int(log_set_file(NULL, why, sizeof(why)), 0, "file: NULL: none");

	i = log_syslog_reachable(why, sizeof(why));
	tap_ok(i == 1 || (i == 0 && g_str_has_prefix(why, "/dev/log: ")),
	    "syslog reachable (%d), or why not: %s", i, why);

	(void)unlink(link);
	(void)unlink(fifo);
	(void)unlink(path);
	(void)rmdir(dir);
	g_free(want);
	g_free(link);
	g_free(fifo);
	g_free(path);
	g_free(dir);
}

int
main(void)
{
	char *got;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(sanitize_cases); i++) {
		got = log_sanitize(sanitize_cases[i].in,
		    sanitize_cases[i].max);
		tap_str(got, sanitize_cases[i].want, sanitize_cases[i].name);
		g_free(got);
	}

	got = stderr_of(run_verbose);
	tap_str(got,
	    "mail2note: 4F2A?[31m?: info a?b\n"
	    "mail2note: 4F2A?[31m?: warning: warn\n"
	    "mail2note: 4F2A?[31m?: error: error ?]0;title?\n"
	    "mail2note: 4F2A?[31m?: debug\n"
	    "mail2note: after close\n",
	    "-v: every level, queue id first, one clean line each");
	g_free(got);
	got = stderr_of(run_dry);
	tap_str(got, "mail2note: warning: warn\n", "-n: warnings only");
	g_free(got);
	got = stderr_of(run_quiet);
	tap_str(got, "", "under the MTA: the log writes nothing to stderr");
	g_free(got);
	tap_int(log_verbose_level(), 0, "verbose level 0 before log_init");
	test_file();
	return tap_done();
}
