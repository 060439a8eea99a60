/*
 * status.c - the one table from outcome class to exit code, RFC 3463
 * enhanced status code and meaning.  Shaped like Postfix sys_exits.c.
 *
 * Only GW_EDATA, GW_ETOOBIG, GW_ENOTICKET and GW_ENOPERM bounce.
 * Everything else is EX_TEMPFAIL, the one code both Postfix and Exim
 * retry: a deferral costs a retry, a bounce is final.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <glib.h>

#include "status.h"

struct status_row {
	const char *name;
	int exit_code;
	const char *dsn;
	const char *meaning;
};

/* Indexed by the code itself, so a row cannot drift from its enum. */
static const struct status_row status_table[GW_STATUS_COUNT] = {
	[GW_OK] = { "OK", EX_OK, "2.0.0", "delivered" },
	[GW_ETEMP] = { "ETEMP", EX_TEMPFAIL, "4.3.0", "temporary failure" },
	[GW_ENETWORK] = { "ENETWORK", EX_TEMPFAIL, "4.4.1",
	    "no answer from the API" },
	[GW_ETIMEOUT] = { "ETIMEOUT", EX_TEMPFAIL, "4.4.2", "API timeout" },
	[GW_ERATELIMIT] = { "ERATELIMIT", EX_TEMPFAIL, "4.4.5",
	    "API rate limit" },
	[GW_EAUTH] = { "EAUTH", EX_TEMPFAIL, "4.7.0", "API key refused" },
	[GW_ECONFIG] = { "ECONFIG", EX_TEMPFAIL, "4.3.5",
	    "configuration error" },
	[GW_ESOFTWARE] = { "ESOFTWARE", EX_TEMPFAIL, "4.3.0",
	    "internal error" },
	[GW_EDATA] = { "EDATA", EX_DATAERR, "5.6.0", "message refused" },
	[GW_ETOOBIG] = { "ETOOBIG", EX_DATAERR, "5.3.4", "message too big" },
	[GW_ENOTICKET] = { "ENOTICKET", EX_NOUSER, "5.1.1", "no such ticket" },
	[GW_ENOPERM] = { "ENOPERM", EX_NOPERM, "5.7.1",
	    "sender not allowed to add notes to tickets" },
};

/* status_row - the row for code; out-of-range codes are internal errors */
static const struct status_row *
status_row(enum gw_status code)
{
	if ((unsigned)code >= GW_STATUS_COUNT)
		code = GW_ESOFTWARE;
	return &status_table[code];
}

/* gw_error_set - fill *err and return code */
enum gw_status
gw_error_set(struct gw_error *err, enum gw_status code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	(void)g_vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return code;
}

/* gw_error_clear - reset an error */
void
gw_error_clear(struct gw_error *err)
{
	if (err == NULL)
		return;
	err->code = GW_OK;
	err->text[0] = '\0';
}

/* status_settle - err agrees with st */
enum gw_status
status_settle(enum gw_status st, struct gw_error *err)
{
	if (st == GW_OK)
		gw_error_clear(err);
	else
		err->code = st;
	return st;
}

/* status_exit - sysexits(3) code */
int
status_exit(enum gw_status code)
{
	return status_row(code)->exit_code;
}

/* status_dsn - RFC 3463 enhanced status code */
const char *
status_dsn(enum gw_status code)
{
	return status_row(code)->dsn;
}

/* status_name - symbolic name */
const char *
status_name(enum gw_status code)
{
	return status_row(code)->name;
}

/* status_is_permanent - will the MTA bounce? */
bool
status_is_permanent(enum gw_status code)
{
	int x = status_row(code)->exit_code;

	return x != EX_OK && x != EX_TEMPFAIL;
}

/* status_format_line - "<dsn> <text>", sanitised, at most 200 bytes */
void
status_format_line(const struct gw_error *err, char *buf, unsigned size)
{
	const struct status_row *row = status_row(err->code);
	const char *text = err->text[0] ? err->text : row->meaning;
	unsigned max = size - 1 < 200 ? size - 1 : 200;
	unsigned n;
	const char *end;
	char *p;

	if (size == 0)
		return;
	(void)g_snprintf(buf, size, "%s %s", row->dsn, text);
	for (p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	n = (unsigned)strlen(buf);
	if (n > max) {
		/* Cut on a UTF-8 character boundary. */
		n = max;
		while (n > 0 && ((unsigned char)buf[n] & 0xc0) == 0x80)
			n--;
		buf[n] = '\0';
	}
	if (!g_utf8_validate(buf, -1, &end))
		buf[end - buf] = '\0';
}
