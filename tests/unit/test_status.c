/*
 * test_status.c - the exit/DSN table: every code has a row, only the three
 * data/recipient classes bounce, and the stderr line is one safe line.
 */
#include <string.h>

#include <glib.h>

#include "status.h"
#include "tap.h"

static const struct {
	enum gw_status code;
	int exit_code;
	const char *dsn;
	int permanent;
} rows[] = {
	{ .code = GW_OK, .exit_code = 0, .dsn = "2.0.0", .permanent = 0 },
	{ .code = GW_ETEMP, .exit_code = 75, .dsn = "4.3.0", .permanent = 0 },
	{ .code = GW_ENETWORK, .exit_code = 75, .dsn = "4.4.1", .permanent = 0 },
	{ .code = GW_ETIMEOUT, .exit_code = 75, .dsn = "4.4.2", .permanent = 0 },
	{ .code = GW_ERATELIMIT, .exit_code = 75, .dsn = "4.4.5", .permanent = 0 },
	{ .code = GW_EAUTH, .exit_code = 75, .dsn = "4.7.0", .permanent = 0 },
	{ .code = GW_ECONFIG, .exit_code = 75, .dsn = "4.3.5", .permanent = 0 },
	{ .code = GW_ESOFTWARE, .exit_code = 75, .dsn = "4.3.0", .permanent = 0 },
	{ .code = GW_EDATA, .exit_code = 65, .dsn = "5.6.0", .permanent = 1 },
	{ .code = GW_ETOOBIG, .exit_code = 65, .dsn = "5.3.4", .permanent = 1 },
	{ .code = GW_ENOTICKET, .exit_code = 67, .dsn = "5.1.1", .permanent = 1 },
	{ .code = GW_ENOPERM, .exit_code = 77, .dsn = "5.7.1", .permanent = 1 },
};

static const struct {
	const char *name;
	enum gw_status code;
	const char *text;
	const char *want;
} lines[] = {
	{ .name = "plain", .code = GW_ENOTICKET, .text = "no ticket ID",
	    .want = "5.1.1 no ticket ID" },
	{ .name = "empty text uses the meaning", .code = GW_ETIMEOUT,
	    .text = "", .want = "4.4.2 API timeout" },
	{ .name = "control characters become spaces", .code = GW_EDATA,
	    .text = "bad\r\nline\tx", .want = "5.6.0 bad  line x" },
};

int
main(void)
{
	struct gw_error err;
	char buf[256], big[GW_ERROR_TEXT_MAX];
	size_t i;
	int n;

	/* status_settle: the returned status wins, the text stays. */
	(void)gw_error_set(&err, GW_ETEMP, "disk full");
	tap_int(status_settle(GW_OK, &err), GW_OK, "settle OK returns OK");
	tap_ok(err.code == GW_OK && err.text[0] == '\0', "... and clears err");
	gw_error_clear(&err);
	tap_int(status_settle(GW_EDATA, &err), GW_EDATA, "settle EDATA");
	tap_ok(err.code == GW_EDATA && status_exit(err.code) == 65,
	    "... err.code is the returned status (65)");
	(void)gw_error_set(&err, GW_ETEMP, "cannot keep it");
	(void)status_settle(GW_ENOTICKET, &err);
	tap_ok(err.code == GW_ENOTICKET && strcmp(err.text,
	    "cannot keep it") == 0, "a mismatch: the status wins, the text "
	    "stays");

	tap_int(G_N_ELEMENTS(rows), GW_STATUS_COUNT, "every status has a row");
	for (i = 0; i < G_N_ELEMENTS(rows); i++) {
		const char *name = status_name(rows[i].code);

		tap_int(status_exit(rows[i].code), rows[i].exit_code, name);
		tap_str(status_dsn(rows[i].code), rows[i].dsn, name);
		tap_int(status_is_permanent(rows[i].code), rows[i].permanent,
		    name);
		/* The DSN class and the exit code never contradict. */
		tap_ok(rows[i].dsn[0] == (rows[i].permanent ? '5' :
		    rows[i].code == GW_OK ? '2' : '4'), "%s: class agrees",
		    name);
	}
	tap_int(status_exit((enum gw_status)999), 75,
	    "out-of-range code defers");

	for (i = 0; i < G_N_ELEMENTS(lines); i++) {
		tap_int(gw_error_set(&err, lines[i].code, "%s", lines[i].text),
		    lines[i].code, "gw_error_set returns the code");
		status_format_line(&err, buf, sizeof(buf));
		tap_str(buf, lines[i].want, lines[i].name);
	}

	/* Long text: cut to 200 bytes on a UTF-8 boundary. */
	memset(big, 0, sizeof(big));
	for (n = 0; n + 2 < (int)sizeof(big) - 1; n += 2)
		memcpy(big + n, "\xc3\xa9", 2);
	gw_error_set(&err, GW_EDATA, "%s", big);
	status_format_line(&err, buf, sizeof(buf));
	tap_ok(strlen(buf) <= 200, "line is at most 200 bytes (%zu)",
	    strlen(buf));
	tap_ok(g_utf8_validate(buf, -1, NULL), "cut line is valid UTF-8");
	gw_error_clear(&err);
	tap_int(err.code, GW_OK, "clear resets the code");
	return tap_done();
}
