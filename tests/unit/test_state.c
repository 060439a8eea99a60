/*
 * test_state.c - the state directory: journal records, the pause, the
 * circuit breaker, state_dir checks, concurrent writers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "tap.h"
#include "fixture.h"
#include "state.h"

#define KEY_A "0123456789abcdef0123456789abcdef"
#define KEY_B "fedcba9876543210fedcba9876543210"

/* A breaker sequence: each event, then whether a run may go. */
struct breaker_case {
	const char *name;
	const char *events;	/* 'F' failure, 'S' success, 'N' neutral */
	enum gw_status want;	/* state_gate() afterwards */
};

static const struct breaker_case breaker_cases[] = {
	{ .name = "nothing yet", .events = "", .want = GW_OK },
	{ .name = "4 failures", .events = "FFFF", .want = GW_OK },
	{ .name = "5 failures open it", .events = "FFFFF",
	  .want = GW_ENETWORK },
	{ .name = "4, success, 4: not consecutive", .events = "FFFFSFFFF",
	  .want = GW_OK },
	{ .name = "429s do not count", .events = "FFNNFFN", .want = GW_OK },
	{ .name = "a 429 does not reset", .events = "FFFNFF",
	  .want = GW_ENETWORK },
	{ .name = "success after opening closes", .events = "FFFFFS",
	  .want = GW_OK },
};

/* new_dir - a fresh directory under base; caller frees */
static char *
new_dir(const char *base, const char *name)
{
	char *d = g_strdup_printf("%s/%s", base, name);

	return d;
}

/* test_open - creation, permission and ownership checks */
static void
test_open(const char *base)
{
	struct state *st = NULL;
	struct gw_error err;
	struct stat sb;
	char *d = new_dir(base, "open"), *f;

	tap_int(state_open(d, 14, &st, &err), GW_OK, "missing state_dir is "
	    "created");
	tap_ok(stat(d, &sb) == 0 && (sb.st_mode & 07777) == 0700,
	    "created 0700");
	f = g_strdup_printf("%s/journal", d);
	tap_ok(g_file_test(f, G_FILE_TEST_IS_DIR), "journal/ made");
	g_free(f);
	state_close(&st);
	tap_ok(st == NULL, "state_close NULLs the pointer");
	state_close(&st);

	(void)chmod(d, 0750);
	tap_int(state_open(d, 14, &st, &err), GW_ECONFIG, "mode 0750 refused");
	tap_ok(strstr(err.text, "mode 0700") != NULL, "the error says 0700: %s",
	    err.text);
	(void)chmod(d, 0700);

	f = g_strdup_printf("%s/file", base);
	(void)g_file_set_contents(f, "x", 1, NULL);
	tap_int(state_open(f, 14, &st, &err), GW_ECONFIG, "a file refused");
	g_free(f);
	tap_int(state_open("relative", 14, &st, &err), GW_ECONFIG,
	    "a relative path refused");
	g_free(d);
}

/* test_journal - records, "posted" is final, bad keys */
static void
test_journal(const char *base)
{
	struct state *st = NULL;
	struct gw_error err;
	char *d = new_dir(base, "journal");

	if (state_open(d, 14, &st, &err) != GW_OK) {
		tap_ok(0, "state_open: %s", err.text);
		g_free(d);
		return;
	}
	tap_int(state_lookup(st, KEY_A), STATE_NONE, "no record yet");
	tap_int(state_record(st, KEY_A, STATE_ATTEMPT, &err), GW_OK,
	    "attempt written");
	tap_int(state_lookup(st, KEY_A), STATE_ATTEMPT, "attempt read back");
	tap_int(state_record(st, KEY_A, STATE_AMBIGUOUS, &err), GW_OK,
	    "ambiguous written");
	tap_int(state_lookup(st, KEY_A), STATE_AMBIGUOUS,
	    "ambiguous read back");
	tap_int(state_record(st, KEY_A, STATE_POSTED, &err), GW_OK,
	    "posted written");
	tap_int(state_record(st, KEY_A, STATE_AMBIGUOUS, &err), GW_OK,
	    "ambiguous after posted: no error");
	tap_int(state_lookup(st, KEY_A), STATE_POSTED, "posted is final");
	tap_int(state_record(st, KEY_A, STATE_NONE, &err), GW_OK,
	    "removing posted: no error");
	tap_int(state_lookup(st, KEY_A), STATE_POSTED,
	    "... and it is still posted");
	tap_int(state_record(st, KEY_B, STATE_ATTEMPT, &err), GW_OK,
	    "another key");
	tap_int(state_record(st, KEY_B, STATE_NONE, &err), GW_OK,
	    "its record removed");
	tap_int(state_lookup(st, KEY_B), STATE_NONE, "... gone");
	tap_int(state_record(st, "../x", STATE_POSTED, &err), GW_ESOFTWARE,
	    "a key that is not hex refused");
	tap_int(state_lookup(st, "../x"), STATE_NONE, "... and never found");
	tap_int(state_mail_lock(st, KEY_A, 0, &err), GW_OK, "mail lock taken");
	tap_str(state_record_name(STATE_POSTED), "posted", "record name");
	state_close(&st);
	g_free(d);
}

/* test_pause - a 429 pauses, the cap, the message */
static void
test_pause(const char *base)
{
	struct state *st = NULL;
	struct gw_error err;
	char *d = new_dir(base, "pause");
	time_t now = time(NULL);

	if (state_open(d, 14, &st, &err) != GW_OK) {
		tap_ok(0, "state_open: %s", err.text);
		g_free(d);
		return;
	}
	state_pause(st, now, 3600);
	tap_int(state_gate(st, now, &err), GW_ERATELIMIT, "paused");
	tap_ok(g_str_has_prefix(err.text, "API rate-limited until ") &&
	    g_str_has_suffix(err.text, " UTC"), "says until when: %s",
	    err.text);
	tap_int(state_gate(st, now + 3601, &err), GW_OK, "pause over");
	state_pause(st, now, 10L * 24 * 3600);
	tap_int(state_gate(st, now + 24 * 3600 - 1, &err), GW_ERATELIMIT,
	    "a 10-day retryAfter: paused for 24 h ...");
	tap_int(state_gate(st, now + 24 * 3600, &err), GW_OK, "... no more");
	state_close(&st);
	g_free(d);
}

/* test_breaker - the table of event sequences */
static void
test_breaker(const char *base)
{
	const struct breaker_case *c;
	struct state *st = NULL;
	struct gw_error err;
	time_t now = time(NULL);
	char *d;
	size_t i;
	const char *e;

	for (i = 0; i < G_N_ELEMENTS(breaker_cases); i++) {
		c = &breaker_cases[i];
		d = g_strdup_printf("%s/breaker%zu", base, i);
		if (state_open(d, 14, &st, &err) != GW_OK) {
			tap_ok(0, "%s: state_open: %s", c->name, err.text);
			g_free(d);
			continue;
		}
		for (e = c->events; *e; e++)
			state_report(st, *e == 'F' ? STATE_EV_FAILURE : *e ==
			    'S' ? STATE_EV_SUCCESS : STATE_EV_NEUTRAL, now);
		gw_error_clear(&err);
		if (tap_int(state_gate(st, now, &err), c->want, c->name) == 0)
			printf("#   %s\n", err.text);
		state_close(&st);
		g_free(d);
	}

	/* Open, then the pause passes: one probe; its failure doubles. */
	d = g_strdup_printf("%s/probe", base);
	if (state_open(d, 14, &st, &err) == GW_OK) {
		for (i = 0; i < 5; i++)
			state_report(st, STATE_EV_FAILURE, now);
		gw_error_clear(&err);
		tap_int(state_gate(st, now, &err), GW_ENETWORK,
		    "open right after the 5th failure");
		tap_ok(strstr(err.text, "circuit open until") != NULL,
		    "says until when: %s", err.text);
		tap_int(state_gate(st, now + 31, &err), GW_OK,
		    "after 30 s: this run probes");
		state_report(st, STATE_EV_FAILURE, now + 31);
		tap_int(state_gate(st, now + 31 + 59, &err), GW_ENETWORK,
		    "a failed probe: open for 60 s");
		tap_int(state_gate(st, now + 31 + 61, &err), GW_OK,
		    "then probe again");
		state_report(st, STATE_EV_SUCCESS, now + 92);
		tap_int(state_gate(st, now + 92, &err), GW_OK, "closed");
		state_close(&st);
	}
	g_free(d);
}

/*
 * test_concurrent - 20 processes write records and count failures at
 * once: every record is whole, the counter is exact.
 */
static void
test_concurrent(const char *base)
{
	struct state *st = NULL;
	struct gw_error err;
	char *d = new_dir(base, "conc"), key[40];
	pid_t pids[20];
	int i, status, bad = 0;
	FILE *fp;
	long failures = -1;
	char *f;

	if (state_open(d, 14, &st, &err) != GW_OK) {
		tap_ok(0, "state_open: %s", err.text);
		g_free(d);
		return;
	}
	state_close(&st);
	for (i = 0; i < 20; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct state *cst = NULL;
			int j, rc = 0;

			if (state_open(d, 14, &cst, &err) != GW_OK)
				_exit(1);
			for (j = 0; j < 3; j++)
				state_report(cst, STATE_EV_FAILURE, 1);
			if (state_record(cst, KEY_A, STATE_POSTED, &err) !=
			    GW_OK)
				rc = 1;
			(void)g_snprintf(key, sizeof(key), "%032x", i);
			if (state_record(cst, key, STATE_AMBIGUOUS, &err) !=
			    GW_OK)
				rc = 1;
			state_close(&cst);
			_exit(rc);
		}
	}
	for (i = 0; i < 20; i++)
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) < 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
	tap_int(bad, 0, "20 concurrent writers succeed");
	if (state_open(d, 14, &st, &err) == GW_OK) {
		tap_int(state_lookup(st, KEY_A), STATE_POSTED,
		    "the shared record is whole");
		state_close(&st);
	}
	f = g_strdup_printf("%s/breaker", d);
	fp = fopen(f, "r");
	if (fp != NULL) {
		if (fscanf(fp, "%ld", &failures) != 1)
			failures = -1;
		(void)fclose(fp);
	}
	g_free(f);
	tap_int(failures, 60, "60 failures counted under the lock");
	g_free(d);
}

int
main(void)
{
	char *dir;

	if ((dir = fixture_tmpdir("st")) == NULL)
		return tap_done();
	test_open(dir);
	test_journal(dir);
	test_pause(dir);
	test_breaker(dir);
	test_concurrent(dir);
	fixture_remove(dir);
	g_free(dir);
	return tap_done();
}
