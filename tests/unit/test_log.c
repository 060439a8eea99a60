/*
 * test_log.c - log_sanitize() keeps untrusted text to one safe line, and
 * what goes to stderr: the queue id first, warnings with -n, everything
 * with -v, never an error without -v (main() prints the one DSN line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	return tap_done();
}
